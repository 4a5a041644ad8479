//! digest: a static-site generator for a bilingual monthly cloud-native newsletter.
//!
//! Data flows one way: [`load`] (config + content → an immutable [`site::Site`]), [`render`]
//! (`&Site` → output files, in parallel, into a [`write::Sink`], touching no disk) and
//! [`write`] (the atomic publish). [`fetch`], [`check`], [`serve`] and [`export`] are built on
//! the same stages; [`links`] holds the URL and HTTP rules that `fetch` and `check` share, and
//! [`scaffold`] the files `digest new` and `digest init` create. `docs/architecture.md` says
//! who may call whom.

pub mod build;
pub mod cache;
pub mod check;
pub mod error;
pub mod export;
pub mod fetch;
pub mod images;
pub mod links;
pub mod load;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
pub mod write;
