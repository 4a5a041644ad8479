//! The command line: one file per command.

pub mod build;
pub mod check;
pub mod init;
pub mod new;
