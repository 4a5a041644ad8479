//! The shape of the code, held by a test: the stages import only what `docs/architecture.md`'s
//! table "Who may call whom" allows (each only modules listed before it), the site's addresses
//! are written only in the layout module, and no module or function grows past what a reader
//! takes in at once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_MODULE_LINES: usize = 500;
const MAX_FUNCTION_LINES: usize = 80;

/// The table of `docs/architecture.md` under "Who may call whom": each top-level module of the
/// library, in pipeline order, with the modules it may use.
fn layers() -> Vec<(String, Vec<String>)> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md")).unwrap();
    let section = doc.split("## Who may call whom").nth(1).expect("the section in docs/architecture.md");
    let names = |cell: &str| -> Vec<String> { cell.split('`').skip(1).step_by(2).map(str::to_string).collect() };
    let rows = section.lines().skip_while(|l| !l.starts_with("| module")).skip(2).take_while(|l| l.starts_with('|'));
    let layers: Vec<(String, Vec<String>)> = rows
        .map(|row| {
            let cells: Vec<&str> = row.split('|').collect();
            (names(cells[1]).remove(0), names(cells[2]))
        })
        .collect();
    assert!(layers.len() > 5, "the table of docs/architecture.md: {layers:?}");
    layers
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("readable source tree").into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    files
}

/// The top-level module a file of `src/` belongs to (`render` for `src/render/feed/mod.rs`,
/// `build` for `src/build.rs`); `None` for the crate roots and the binary's command files.
fn module_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).expect("below src/");
    let first = rel.components().next()?.as_os_str().to_str()?.to_string();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    (!matches!(name.as_str(), "lib" | "main" | "cmd")).then_some(name)
}

/// The code of a file without its comments (line comments and doc comments), so that a link in
/// the documentation is no dependency.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(|line| match line.find("//") {
        // `//` inside a string literal (`https://`) is not a comment: cut only where no quote
        // is open before it.
        Some(i) if line[..i].matches('"').count() % 2 == 0 => &line[..i],
        _ => line,
    })
}

/// Which top-level modules each module names with `crate::`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src()) {
        let Some(module) = module_of(&file) else { continue };
        let text = std::fs::read_to_string(&file).expect("readable");
        let used = graph.entry(module.clone()).or_default();
        for line in code_lines(&text) {
            for (i, _) in line.match_indices("crate::") {
                let rest = &line[i + "crate::".len()..];
                let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() && name != module {
                    used.insert(name);
                }
            }
        }
    }
    graph
}

#[test]
fn stages_import_only_earlier_stages() {
    let layers = layers();
    let allowed: BTreeMap<&str, &[String]> = layers.iter().map(|(m, a)| (m.as_str(), a.as_slice())).collect();
    let mut wrong = Vec::new();
    for (module, used) in &imports() {
        let Some(allowed) = allowed.get(module.as_str()) else {
            wrong.push(format!("{module} is not in the table: add it where it belongs in the pipeline"));
            continue;
        };
        for u in used.iter().filter(|u| !allowed.contains(u)) {
            wrong.push(format!("{module} uses {u}"));
        }
    }
    assert!(wrong.is_empty(), "imports against docs/architecture.md's table:\n{}", wrong.join("\n"));
    // The table itself only looks back, so the graph has no cycle.
    for (i, (module, allowed)) in layers.iter().enumerate() {
        for a in allowed {
            assert!(layers[..i].iter().any(|(m, _)| m == a), "{module} may use {a}, which comes after it");
        }
    }
}

#[test]
fn the_layout_is_written_only_in_the_layout_module() {
    let layout = src().join("site").join("layout.rs");
    let needles = ["\"/topics/", "\"/tags/", "\"topics/", "\"tags/", "\"pagefind", "\"/search/", "\"/archive/"];
    let mut found = Vec::new();
    for file in rust_files(&src()).into_iter().filter(|f| *f != layout) {
        let text = std::fs::read_to_string(&file).expect("readable");
        for (n, line) in text.lines().enumerate() {
            // A byte string (`b"pagefind_dcd"`, a file format's marker) is no address.
            let written = |needle: &&&str| line.match_indices(**needle).any(|(i, _)| !line[..i].ends_with('b'));
            for needle in needles.iter().filter(written) {
                found.push(format!("{}:{}: {needle}", file.display(), n + 1));
            }
        }
    }
    assert!(found.is_empty(), "addresses written outside src/site/layout.rs:\n{}", found.join("\n"));
}

#[test]
fn modules_and_functions_stay_short() {
    let mut long = Vec::new();
    for file in rust_files(&src()) {
        let text = std::fs::read_to_string(&file).expect("readable");
        let lines: Vec<&str> = text.lines().collect();
        if lines.len() > MAX_MODULE_LINES {
            long.push(format!("{}: {} lines", file.display(), lines.len()));
        }
        for (start, line) in lines.iter().enumerate() {
            let Some(indent) = function_start(line) else { continue };
            // A body ends at the first line that closes at the signature's indentation.
            let close = format!("{indent}}}");
            let Some(len) = lines[start + 1..].iter().position(|l| *l == close) else { continue };
            if len + 2 > MAX_FUNCTION_LINES {
                long.push(format!("{}:{}: a function of {} lines", file.display(), start + 1, len + 2));
            }
        }
    }
    assert!(
        long.is_empty(),
        "split these (at most {MAX_MODULE_LINES} lines a module, {MAX_FUNCTION_LINES} a function):\n{}",
        long.join("\n")
    );
}

/// The indentation of a line that starts a function with a body, if it does.
fn function_start(line: &str) -> Option<&str> {
    let code = line.trim_start();
    let indent = &line[..line.len() - code.len()];
    let mut words = code.split_whitespace().peekable();
    while let Some(w) = words.peek() {
        if w.starts_with("pub") || matches!(*w, "async" | "const" | "unsafe" | "extern") {
            words.next();
        } else {
            break;
        }
    }
    (words.next() == Some("fn") && !code.ends_with(';')).then_some(indent)
}
