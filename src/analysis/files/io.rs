use super::interrupt::gate;
use super::publish::hidden_sibling;
use crate::analysis::provenance::Provenance;
use crate::error::{LuddError, Result};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` through a temporary file beside it and a
/// rename. The temporary is hidden and named after this process, so that
/// processes writing the same file at once (the shards of a sweep) never
/// share one; on a failure (a full disk) it is removed. Errors name `path`.
pub fn write_atomic(path: &Path, bytes: impl AsRef<[u8]>) -> Result<()> {
    let tmp = hidden_sibling(path, &format!("{}.tmp", std::process::id()));
    // The gate is held from creating the temporary to renaming it, so an
    // interruption never leaves it behind.
    let _gate = gate();
    fs::write(&tmp, bytes)
        .and_then(|()| fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = fs::remove_file(&tmp);
            LuddError::io(path, e)
        })
}

/// Converts polars errors into `LuddError::Output` at `path` (a file, or
/// the table being built): `.map_err(polars_error("series.parquet"))`.
pub fn polars_error(path: impl Into<PathBuf>) -> impl Fn(PolarsError) -> LuddError {
    let path = path.into();
    move |e| LuddError::Output {
        path: path.clone(),
        message: e.to_string(),
    }
}

/// Writes `df` to `path` as parquet with `provenance` as key-value
/// metadata, whole or not at all (`write_atomic`).
pub fn write_parquet(df: &mut DataFrame, path: &Path, provenance: &Provenance) -> Result<()> {
    let bytes = parquet_bytes(df, provenance, path)?;
    write_atomic(path, &bytes)
}

/// Encodes `df` as parquet in memory with `provenance` as key-value
/// metadata; errors name `name` (the file it is meant for).
pub fn parquet_bytes(df: &mut DataFrame, provenance: &Provenance, name: &Path) -> Result<Vec<u8>> {
    // The file is encoded in memory and written with one call: the encoder
    // writes in many small pieces (thousands of system calls for a run's
    // tables), and a write error then surfaces at the write, with the path.
    // Snappy compression: a run's tables are small, and setting up zstd for
    // every column cost more than the 10% of space it saves.
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .with_key_value_metadata(Some(provenance.metadata()))
        .with_compression(ParquetCompression::Snappy)
        .finish(df)
        .map_err(polars_error(name))?;
    Ok(bytes)
}

/// Reads the parquet file at `path` whole; a file that does not read back
/// is reported as `unreadable`, naming it.
pub fn read_parquet(path: &Path) -> Result<DataFrame> {
    ParquetReader::new(open_regular(path)?)
        .finish()
        .map_err(|e| unreadable(path, polars_cause(e)))
}

/// Decodes parquet `bytes` read from `path` (`read_regular`), with the
/// provenance the file carries (key-value metadata, `Provenance`); a file
/// that does not decode is reported as `unreadable`, naming it.
pub fn decode_parquet(
    bytes: Vec<u8>,
    path: &Path,
) -> Result<(DataFrame, BTreeMap<String, String>)> {
    let mut reader = ParquetReader::new(std::io::Cursor::new(bytes));
    let provenance = key_values(&mut reader).map_err(|e| unreadable(path, polars_cause(e)))?;
    let df = reader
        .finish()
        .map_err(|e| unreadable(path, polars_cause(e)))?;
    Ok((df, provenance))
}

/// The provenance the parquet file at `path` carries (its key-value
/// metadata), read from its footer alone.
pub fn provenance_of(path: &Path) -> Result<BTreeMap<String, String>> {
    key_values(&mut ParquetReader::new(open_regular(path)?))
        .map_err(|e| unreadable(path, polars_cause(e)))
}

/// The key-value metadata in the footer of the parquet file `reader`
/// reads, the provenance ludd writes there among it.
fn key_values<R: polars::io::mmap::MmapBytesReader>(
    reader: &mut ParquetReader<R>,
) -> PolarsResult<BTreeMap<String, String>> {
    Ok(reader
        .get_metadata()?
        .key_value_metadata()
        .iter()
        .flatten()
        .filter_map(|kv| Some((kv.key.clone(), kv.value.clone()?)))
        .collect())
}

/// Opens `path` for reading when it is a regular file (or a link to one),
/// and refuses anything else, naming it: a FIFO would block the process
/// for ever, a device would be read without end. The type is checked
/// before opening, and again on the open file, since the name may be
/// replaced in between; the open does not wait for a FIFO's writer.
pub fn open_regular(path: &Path) -> Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let refuse = |kind: fs::FileType| {
        use std::os::unix::fs::FileTypeExt;
        let what = if kind.is_dir() {
            "a directory"
        } else if kind.is_fifo() {
            "a FIFO (named pipe)"
        } else if kind.is_socket() {
            "a socket"
        } else if kind.is_char_device() || kind.is_block_device() {
            "a device"
        } else {
            "not a regular file"
        };
        LuddError::Output {
            path: path.to_path_buf(),
            message: format!(
                "is {what}; ludd reads its tables and records only from regular files"
            ),
        }
    };
    let kind = fs::metadata(path)
        .map_err(|e| LuddError::io(path, e))?
        .file_type();
    if !kind.is_file() {
        return Err(refuse(kind));
    }
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| LuddError::io(path, e))?;
    let kind = file
        .metadata()
        .map_err(|e| LuddError::io(path, e))?
        .file_type();
    if !kind.is_file() {
        return Err(refuse(kind));
    }
    Ok(file)
}

/// The whole content of the regular file at `path` (`open_regular`).
pub fn read_regular(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    open_regular(path)?
        .read_to_end(&mut bytes)
        .map_err(|e| LuddError::io(path, e))?;
    Ok(bytes)
}

/// The error of an input (a table or record read back) that cannot be read
/// whole: truncated, emptied or replaced since ludd wrote it. Every input
/// that summaries and reports read is reported through here, so that the
/// message names the damaged file, never the table being made from it.
pub fn unreadable(path: &Path, cause: impl std::fmt::Display) -> LuddError {
    LuddError::Output {
        path: path.to_path_buf(),
        message: format!(
            "could not be read whole (truncated, empty, or not the file ludd wrote): {cause}"
        ),
    }
}

/// Every parquet file at or under `dir`, in path order, not following
/// symbolic links; what cannot be listed is left out (this serves to name
/// a damaged input, not to find the inputs).
pub fn parquet_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => pending.push(path),
                Ok(t) if t.is_file() && path.extension().is_some_and(|x| x == "parquet") => {
                    found.push(path)
                }
                _ => {}
            }
        }
    }
    found.sort();
    found
}

/// A polars error's own message, without the query-plan steps polars adds
/// to it on the way up (`'parquet scan': 'with_columns': ...`), which say
/// nothing to a reader of ludd's messages.
pub fn polars_cause(e: PolarsError) -> String {
    e.remove_context().to_string()
}
