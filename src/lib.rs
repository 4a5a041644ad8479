//! digest: a static-site generator for a bilingual monthly cloud-native newsletter.
//!
//! Data flows one way: [`load`] (config + content → [`site::Site`]), [`render`]
//! (`&Site` → files, in parallel, into a [`render::Sink`]), [`output`] (atomic write).

pub mod check;
pub mod cmd;
pub mod config;
pub mod error;
pub mod feed;
pub mod frontmatter;
pub mod i18n;
pub mod load;
pub mod markdown;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod site;
pub mod sitemap;
pub mod slug;
pub mod theme;
pub mod view;
