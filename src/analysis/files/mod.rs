//! Files written whole or not at all, parquet in and out, polars errors
//! located at the file they concern, and the destinations ludd writes to:
//! locked while in use, checked before work starts and again at publish,
//! and cleaned up when the process is interrupted.
//!
//! Every file ludd writes goes through `write_atomic`: into a temporary
//! beside it, then renamed over it, so a file that exists is complete. A
//! directory of files (a run, a comparison) is written into a staging
//! directory beside its destination and renamed into place only when every
//! file in it is complete (`staging_dir`, `publish`, or both at once with
//! `write_dir`).
//!
//! One writer per destination: a command takes `lock_destination` on its
//! output before any work and holds the guard until after publishing, so a
//! second ludd process writing the same place is refused at once. The
//! destination is then checked (`check_destination`): an existing directory
//! is replaced only with `--force`, and only when ludd's marks prove that it
//! wrote it and everything in it (`ludd_wrote`); a file only when it is
//! ludd's own output of the same kind (`check_file_destination`).
//!
//! Readers (`summarize`, `report`) take a shared lock on what they read
//! (`lock_for_reading`), which a read-only mount may refuse, and read only
//! regular files (`open_regular`, `read_regular`), so that a FIFO is refused
//! rather than waited on.
//!
//! Interruption: the staging directories and lock files this process holds
//! are registered here, and every change to the file system made here
//! happens under a gate. `remove_unfinished` (called by the binary on
//! SIGINT, SIGTERM or SIGHUP) closes the gate, waits for the changes in flight,
//! removes what is registered and leaves the gate closed, so no half-written
//! file or staging directory outlives the process.

mod destination;
mod interrupt;
mod io;
mod lock;
mod publish;

pub use destination::{
    check_destination, check_file_destination, ludd_wrote, safe_file_name, FileKind, REPORT,
};
pub use interrupt::remove_unfinished;
pub use io::{
    decode_parquet, open_regular, parquet_bytes, parquet_files, polars_cause, polars_error,
    provenance_of, read_parquet, read_regular, unreadable, write_atomic, write_parquet,
};
pub use lock::{
    lock_destination, lock_file_destination, lock_for_reading, lock_shared, with_directory_lock,
    DestinationLock, ReadLock,
};
pub use publish::{publish, staging_dir, with_new_dirs, write_dir};
