//! The command line: one file per command.

pub mod build;
pub mod fetch;
pub mod serve;
