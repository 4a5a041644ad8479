//! The command line: one file per command.

pub mod build;
pub mod check;
pub mod export;
pub mod fetch;
pub mod init;
pub mod new;
pub mod serve;
