//! Scaffolding: the GitHub Pages workflow `digest init` writes, which installs this very release
//! of digest (checksum verified) and builds and deploys the site.

/// Where `init` writes the workflow, relative to the new site's folder.
pub const WORKFLOW_PATH: &str = ".github/workflows/pages.yml";

/// The workflow's template; `@DIGEST_VERSION@` and `@DIGEST_REPOSITORY@` are filled in.
const TEMPLATE: &str = include_str!("pages.yml");

/// The workflow text: the release it installs is the one whose binary wrote it
/// (`CARGO_PKG_VERSION`), downloaded from the repository named in Cargo.toml.
pub fn pages_workflow() -> String {
    TEMPLATE
        .replace("@DIGEST_VERSION@", env!("CARGO_PKG_VERSION"))
        .replace("@DIGEST_REPOSITORY@", env!("CARGO_PKG_REPOSITORY").trim_end_matches('/'))
}
