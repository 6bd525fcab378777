//! The commands of the `ludd` binary, one file each, over the library:
//! they parse nothing (clap does, in `main.rs`), print, and call the
//! analysis and report layers. `options` holds the flags several commands
//! share.

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;

/// Writes `text` to standard output with one call and flushes it. A full
/// device or another write error becomes an error that names standard
/// output, so the command exits non-zero instead of panicking as
/// `println!` does; a closed pipe still ends the program quietly (SIGPIPE).
pub fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("writing to standard output")
}

/// `println!` through `write_stdout`: `say!("{x}")?;`.
macro_rules! say {
    () => {
        $crate::cli::write_stdout("\n")
    };
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` through `write_stdout`: `say_raw!("{x}")?;`.
macro_rules! say_raw {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(&format!($($arg)*))
    };
}

pub mod bench;
pub mod calibrate;
pub mod check;
pub mod compare;
pub mod list;
pub mod options;
pub mod report;
pub mod run;
pub mod serve;
pub mod show;
pub mod signals;
pub mod summarize;
pub mod sweep;
pub mod validate;

/// A progress bar of `len` steps counted as `what` ("runs", "candidates"),
/// with the rate and time left.
pub fn progress_bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what}, {{per_sec}}, {{eta}} left"
        ))
        .expect("valid template"),
    );
    bar
}
