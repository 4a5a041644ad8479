//! digest: a static-site generator for a bilingual monthly cloud-native newsletter.
//!
//! Data flows one way: [`load`] (config + content → [`site::Site`]), [`render`]
//! (`&Site` → files, in parallel, into a [`render::Sink`]), [`output`] (atomic write).

pub mod canonical;
pub mod check;
pub mod cmd;
pub mod config;
pub mod draft;
pub mod error;
pub mod excerpt;
pub mod feed;
pub mod fetcher;
pub mod frontmatter;
pub mod i18n;
pub mod ledger;
pub mod load;
pub mod markdown;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod session;
pub mod site;
pub mod sitemap;
pub mod slug;
pub mod theme;
pub mod view;
pub mod watch;
