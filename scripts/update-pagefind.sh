#!/usr/bin/env bash
# Keeps vendor/pagefind (the crates.io crate `pagefind`, patched for digest: see
# vendor/pagefind/DIGEST-PATCH.md) in step with vendor/pagefind/digest.patch.
#
#   scripts/update-pagefind.sh VERSION   fetch pristine `pagefind` VERSION from crates.io (with
#                                        cargo, nothing else), apply digest.patch to it in a
#                                        temporary folder, and replace vendor/pagefind with the
#                                        result (keeping DIGEST-PATCH.md, LICENSE, digest.patch);
#                                        fails, listing the rejected hunks, if the patch does not
#                                        apply. Then prints what to review.
#   scripts/update-pagefind.sh --check   fetch the pristine crate of the vendored version (read
#                                        from vendor/pagefind/Cargo.toml), apply digest.patch and
#                                        diff the result against vendor/pagefind; exit 1 on any
#                                        difference, if digest.patch is not what --diff would
#                                        write, or if a hunk lacks its `digest's patch (N)` mark.
#                                        One line on success.
#   scripts/update-pagefind.sh --diff    regenerate digest.patch from the vendored tree (after
#                                        editing vendored code).
#
# The crate's .cargo_vcs_info.json (and cargo's .cargo-ok) are not vendored. PAGEFIND_DIR
# overrides the folder worked on (default: vendor/pagefind beside this script's folder).
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${PAGEFIND_DIR:-$root/vendor/pagefind}
# The files digest keeps in the vendored folder that are not part of the crate.
digest_files=(DIGEST-PATCH.md LICENSE digest.patch)
# Files of the published crate that are not vendored.
dropped_files=(.cargo_vcs_info.json .cargo-ok)

die() { echo "update-pagefind: $*" >&2; exit 1; }

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/update-pagefind.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The version in the vendored Cargo.toml (the first `version = ` line is the package's).
vendored_version() {
    [[ -f $dir/Cargo.toml ]] || die "no $dir/Cargo.toml"
    sed -n 's/^version = "\(.*\)"$/\1/p' "$dir/Cargo.toml" | head -n 1
}

# fetch_pristine VERSION DEST: the published crate, unpacked into DEST, as crates.io has it.
fetch_pristine() {
    local version=$1 dest=$2 proj=$tmp/fetch manifest src registry crate
    [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] ||
        die "not a version: $version"
    mkdir -p "$proj/src"
    : >"$proj/src/lib.rs"
    cat >"$proj/Cargo.toml" <<EOF
[package]
name = "digest-pagefind-fetch"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
pagefind = { version = "=$version", default-features = false }

[workspace]
EOF
    (cd "$proj" && cargo fetch --quiet) || die "cargo could not fetch pagefind $version"
    manifest=$(cd "$proj" && cargo metadata --quiet --offline --format-version 1 |
        grep -o "\"manifest_path\":\"[^\"]*/pagefind-$version/Cargo.toml\"" | head -n 1 |
        sed 's/^"manifest_path":"//;s/"$//') || true
    [[ -n $manifest ]] || die "cargo fetched pagefind $version but did not say where"
    src=$(dirname "$manifest")
    # cargo keeps the downloaded .crate beside its unpacked copy: registry/{cache,src}/<index>/.
    registry=$(dirname "$(dirname "$(dirname "$src")")")
    crate=$registry/cache/$(basename "$(dirname "$src")")/pagefind-$version.crate
    mkdir -p "$tmp/unpack"
    if [[ -f $crate ]]; then
        tar -xzf "$crate" -C "$tmp/unpack"
    else
        cp -a "$src" "$tmp/unpack/"
    fi
    [[ -d $tmp/unpack/pagefind-$version ]] || die "pagefind-$version.crate has no pagefind-$version/"
    mv "$tmp/unpack/pagefind-$version" "$dest"
    rmdir "$tmp/unpack"
    for f in "${dropped_files[@]}"; do rm -f "$dest/$f"; done
}

# apply_patch TREE: digest.patch applied to TREE; dies listing the rejected hunks if it fails.
# Prints patch's own report (offsets, fuzz) only if VERBOSE is set.
apply_patch() {
    local tree=$1 out rejects
    [[ -f $dir/digest.patch ]] || die "no $dir/digest.patch"
    if out=$(patch -d "$tree" -p1 --forward --no-backup-if-mismatch -i "$dir/digest.patch" </dev/null 2>&1); then
        [[ -z ${VERBOSE:-} ]] || printf '%s\n' "$out"
        return 0
    fi
    printf '%s\n' "$out" >&2
    rejects=$(cd "$tree" && find . -name '*.rej' | sort)
    if [[ -n $rejects ]]; then
        echo "update-pagefind: rejected hunks:" >&2
        while read -r r; do
            echo "==> ${r#./}" >&2
            cat "$tree/$r" >&2
        done <<<"$rejects"
    fi
    die "digest.patch does not apply to pristine pagefind; port the rejected hunks by hand in a copy, then run --diff"
}

# make_patch PRISTINE TREE: the unified diff from PRISTINE to TREE (both within $tmp), with
# paths a/..., b/..., no timestamps, /dev/null for added or removed files.
make_patch() {
    local a=$1 b=$2 excludes=() f status=0 out
    for f in "${digest_files[@]}" "${dropped_files[@]}"; do excludes+=(-x "$f"); done
    # Both trees under the same names, so the paths read a/... and b/...
    rm -rf "$tmp/diff" && mkdir "$tmp/diff"
    cp -a "$a" "$tmp/diff/a" && cp -a "$b" "$tmp/diff/b"
    out=$(cd "$tmp/diff" && diff -ruN "${excludes[@]}" a b) || status=$?
    ((status <= 1)) || die "diff failed"
    if grep -q '^Binary files ' <<<"$out"; then
        grep '^Binary files ' <<<"$out" >&2
        die "binary files differ from upstream: a text patch cannot carry them"
    fi
    [[ -z $out ]] && return 0
    awk -v A="$tmp/diff/a" -v B="$tmp/diff/b" '
        function exists(p) { return (system("test -e \"" p "\"") == 0) }
        /^diff / { n = split($0, w, " "); path = substr(w[n], 3); print "diff -ruN a/" path " b/" path; header = 2; next }
        header == 2 && /^--- / { print (exists(A "/" path) ? "--- a/" path : "--- /dev/null"); header = 1; next }
        header == 1 && /^\+\+\+ / { print (exists(B "/" path) ? "+++ b/" path : "+++ /dev/null"); header = 0; next }
        { print }
    ' <<<"$out"
}

# unmarked_hunks PATCH: the @@ lines of hunks with no `digest's patch (N)` mark in their added
# or context lines.
unmarked_hunks() {
    awk '
        function flush() { if (hunk != "" && !marked) print hunk; hunk = "" }
        /^diff / { flush(); next }
        /^@@ / { flush(); hunk = FILENAME_ ": " $0; marked = 0; next }
        /^\+\+\+ / && hunk == "" { FILENAME_ = substr($0, 7); next }
        hunk != "" && /^[ +]/ && /digest'"'"'s patch \([0-9]+\)/ { marked = 1 }
        END { flush() }
    ' "$1"
}

mode=${1:-}
case $mode in
-h | --help | "")
    usage
    [[ -n $mode ]] || exit 2
    ;;

--check)
    [[ $# -eq 1 ]] || die "--check takes no version: it checks the vendored one"
    version=$(vendored_version)
    fetch_pristine "$version" "$tmp/pristine"
    cp -a "$tmp/pristine" "$tmp/patched"
    apply_patch "$tmp/patched"
    excludes=()
    for f in "${digest_files[@]}" "${dropped_files[@]}"; do excludes+=(-x "$f"); done
    if ! differences=$(diff -r "${excludes[@]}" "$tmp/patched" "$dir" 2>&1); then
        printf '%s\n' "${differences//$tmp\/patched/pristine+digest.patch}" >&2
        die "${dir#"$root"/} is not pristine pagefind $version + digest.patch: run --diff if the vendored code is right"
    fi
    make_patch "$tmp/pristine" "$dir" >"$tmp/regenerated.patch"
    cmp -s "$tmp/regenerated.patch" "$dir/digest.patch" ||
        die "digest.patch applies but is not what --diff writes (stale offsets or context): run --diff"
    unmarked=$(unmarked_hunks "$dir/digest.patch")
    if [[ -n $unmarked ]]; then
        printf '%s\n' "$unmarked" >&2
        die "hunks above lack a \`// digest's patch (N): ...\` mark (N as in DIGEST-PATCH.md)"
    fi
    hunks=$(grep -c '^@@ ' "$dir/digest.patch" || true)
    echo "${dir#"$root"/} OK: pristine pagefind $version + digest.patch ($hunks hunks, all marked)"
    ;;

--diff)
    [[ $# -eq 1 ]] || die "--diff takes no version: it diffs against the vendored one"
    version=$(vendored_version)
    fetch_pristine "$version" "$tmp/pristine"
    make_patch "$tmp/pristine" "$dir" >"$tmp/digest.patch"
    mv "$tmp/digest.patch" "$dir/digest.patch"
    hunks=$(grep -c '^@@ ' "$dir/digest.patch" || true)
    echo "wrote ${dir#"$root"/}/digest.patch: pagefind $version -> vendored tree, $hunks hunks"
    unmarked=$(unmarked_hunks "$dir/digest.patch")
    if [[ -n $unmarked ]]; then
        printf '%s\n' "$unmarked" >&2
        echo "update-pagefind: warning: hunks above lack a \`// digest's patch (N): ...\` mark" >&2
    fi
    ;;

-*)
    die "unknown option $mode (see --help)"
    ;;

*)
    [[ $# -eq 1 ]] || die "usage: $0 VERSION | --check | --diff"
    version=$mode
    old=none
    [[ ! -f $dir/Cargo.toml ]] || old=$(vendored_version)
    fetch_pristine "$version" "$tmp/pristine"
    cp -a "$tmp/pristine" "$tmp/patched"
    echo "applying digest.patch to pagefind $version:"
    VERBOSE=1 apply_patch "$tmp/patched"
    for f in "${digest_files[@]}"; do
        if [[ -e $tmp/patched/$f ]]; then
            echo "note: pagefind $version ships its own $f; keeping digest's (compare them)" >&2
            rm -f "$tmp/patched/$f"
        fi
    done
    # Replace the vendored tree, keeping digest's own files.
    find "$dir" -mindepth 1 -maxdepth 1 \
        ! -name DIGEST-PATCH.md ! -name LICENSE ! -name digest.patch -exec rm -rf {} +
    cp -a "$tmp/patched/." "$dir/"
    rel=${dir#"$root"/}
    cat <<EOF
$rel is now pagefind $version (was $old) + digest.patch. To review:
  1. git diff --stat -- $rel; read upstream's changes to the patched functions, and drop a
     change from digest.patch and DIGEST-PATCH.md once the release has it.
  2. Make digest's requirement in Cargo.toml (\`pagefind = { version = ... }\`) match $version
     (the [patch.crates-io] entry is used only if it does), then: cargo update -p pagefind
     (and for fuzz/: cargo update -p pagefind --manifest-path fuzz/Cargo.toml)
  3. Run the tests (cargo test), and a build of a site with search.
  4. Regenerate the patch from the tree as it now is: scripts/update-pagefind.sh --diff
     then scripts/update-pagefind.sh --check; update the version in DIGEST-PATCH.md.
EOF
    ;;
esac
