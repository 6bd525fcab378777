//! The commands of the `ludd` binary, one file each, over the library:
//! they parse nothing (clap does, in `main.rs`), print, and call the
//! analysis and report layers. `options` holds the flags several commands
//! share.

pub mod bench;
pub mod calibrate;
pub mod check;
pub mod compare;
pub mod list;
pub mod options;
pub mod report;
pub mod run;
pub mod show;
pub mod summarize;
pub mod sweep;
pub mod validate;

use indicatif::{ProgressBar, ProgressStyle};

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
