//! Atomic file replacement: write a temporary file, sync it, rename it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes temporary files of concurrent saves within one process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A new, empty temporary file beside `path`: `.<name>.<pid>.<n>.tmp`.
fn create_temp(path: &Path) -> io::Result<(File, PathBuf)> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut attempts = 0;
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{}.{n}.tmp", std::process::id()));
        let temp = dir.join(temp_name);
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((file, temp)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 100 => attempts += 1,
            Err(e) => return Err(e),
        }
    }
}

/// Replaces the file at `path` with `bytes`, atomically.
///
/// Writes a temporary file in the same directory (so the rename stays within
/// one file system), flushes and syncs it, renames it over `path` and, on
/// Unix, syncs the directory so the rename itself is durable. If anything
/// before the rename fails, the temporary file is removed and `path` is
/// untouched.
///
/// A file that replaces an existing one gets its permissions: on Unix all its
/// mode bits, elsewhere its read-only flag. (Its owner and group are not
/// copied: the new file belongs to the process, as any file it creates.) A
/// new file gets the default permissions of [`File::create`]. If the old
/// permissions cannot be applied, the save fails rather than leave a file
/// more widely readable than the one it replaces.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    // The permissions of the file being replaced, if any: `metadata` follows
    // a symbolic link to the file that readers of `path` see.
    let old_permissions = fs::metadata(path)
        .ok()
        .filter(fs::Metadata::is_file)
        .map(|old| old.permissions());
    // On Unix the mode is set before any data is written, so the data is
    // never readable more widely than the old file allowed (the open handle
    // stays writable whatever the mode); elsewhere the read-only flag is set
    // once the data is written.
    let (before, after) = if cfg!(unix) {
        (old_permissions, None)
    } else {
        (None, old_permissions)
    };
    let set = |file: &File, permissions: Option<fs::Permissions>| {
        permissions.map_or(Ok(()), |p| file.set_permissions(p))
    };
    let (mut file, temp) = create_temp(path)?;
    let written = set(&file, before)
        .and_then(|()| file.write_all(bytes))
        .and_then(|()| file.flush())
        .and_then(|()| set(&file, after))
        .and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written.and_then(|()| fs::rename(&temp, path)) {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        // Best effort: the new file is in place either way.
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    // Replacing a file, a failed rename and permissions are tested through
    // `save_safetensors` in tests/weights.rs; here only this module's details.
    use super::*;

    #[test]
    fn no_file_name_is_an_error() {
        assert_eq!(
            write_atomic(Path::new("/"), b"").unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }

    #[test]
    fn temporary_names_are_hidden_and_distinct() {
        let dir = std::env::temp_dir();
        let path = dir.join("constnet-atomic-unused-name");
        let (a, a_path) = create_temp(&path).expect("temporary file");
        let (b, b_path) = create_temp(&path).expect("temporary file");
        drop((a, b));
        for temp in [&a_path, &b_path] {
            assert_eq!(temp.parent(), Some(dir.as_path()));
            let name = temp.file_name().map(|n| n.to_string_lossy().into_owned());
            let name = name.unwrap_or_default();
            assert!(name.starts_with(".constnet-atomic-unused-name."), "{name}");
            assert!(name.ends_with(".tmp"), "{name}");
            fs::remove_file(temp).expect("removing the temporary file");
        }
        assert_ne!(a_path, b_path);
    }
}
