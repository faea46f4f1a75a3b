//! Atomic file replacement: write a temporary file, sync it, rename it.
//!
//! The temporary file, `.<name>.<pid>.<n>.tmp` beside the target, is locked
//! (an advisory lock, [`File::try_lock`]) for as long as it is written. A
//! save killed on the way leaves it behind, unlocked: the next save of the
//! same target removes every unlocked one. The lock, not the process id,
//! tells a leftover from the file of a save still running (in this process
//! or another, whatever pid it was given after a restart), and the operating
//! system releases it when the process dies however it dies.

use std::error::Error;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes temporary files of concurrent saves within one process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The most symbolic links followed from the path saved to (Linux's limit).
const MAX_LINKS: usize = 40;

/// A temporary file that could not be created in `dir`: the message names
/// the directory, where the file path alone would not say that the directory
/// is the problem (read-only, missing, full).
#[derive(Debug)]
struct InDirectory {
    dir: PathBuf,
    source: io::Error,
}

impl fmt::Display for InDirectory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot create a file in the directory `{}`: {}",
            self.dir.display(),
            self.source
        )
    }
}

impl Error for InDirectory {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}

/// The file `path` names, following symbolic links: saving through a link
/// replaces the file it points to, not the link. A dangling link gives the
/// path of the file it would point to; a path that is no link, itself.
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&path)?;
                // A relative target is relative to the link's directory;
                // joining an absolute one gives it unchanged.
                path = match path.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links from {}",
        path.display()
    )))
}

/// The directory and file name of `path` (`.` for a bare file name).
fn split(path: &Path) -> io::Result<(&Path, &OsStr)> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    Ok((dir, name))
}

/// Whether `file` is named as a temporary file of a save to `name`:
/// `.<name>.<digits>.<digits>.tmp`.
fn is_temp_of(file: &OsStr, name: &OsStr) -> bool {
    let Some(middle) = file
        .as_encoded_bytes()
        .strip_prefix(b".")
        .and_then(|rest| rest.strip_prefix(name.as_encoded_bytes()))
        .and_then(|rest| rest.strip_prefix(b"."))
        .and_then(|rest| rest.strip_suffix(b".tmp"))
    else {
        return false;
    };
    let mut parts = middle.split(|&b| b == b'.');
    let mut number = || {
        parts
            .next()
            .is_some_and(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit))
    };
    number() && number() && parts.next().is_none()
}

/// Removes the temporary files of earlier saves to `name` in `dir` that no
/// save holds locked any more: saves that were killed. Best effort: a file
/// that cannot be opened or locked (a save still running, a file system
/// without locks) is left alone.
fn remove_stale_temps(dir: &Path, name: &OsStr) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if !is_temp_of(&entry.file_name(), name) || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        if let Ok(file) = File::open(&path)
            && file.try_lock().is_ok()
        {
            let _ = fs::remove_file(&path);
        }
    }
}

/// A new, empty temporary file `.<name>.<pid>.<n>.tmp` in `dir`, locked
/// where the file system supports locks.
fn create_temp(dir: &Path, name: &OsStr) -> io::Result<(File, PathBuf)> {
    let mut attempts = 0;
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut temp_name = OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{}.{n}.tmp", std::process::id()));
        let temp = dir.join(temp_name);
        let retry = match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => match file.try_lock() {
                // Another save's clean-up may have locked and removed the
                // file between its creation and the lock: then start over.
                Ok(()) if fs::symlink_metadata(&temp).is_ok() => return Ok((file, temp)),
                Ok(()) | Err(TryLockError::WouldBlock) => {
                    drop(file);
                    let _ = fs::remove_file(&temp);
                    true
                }
                // No locks here: a clean-up cannot lock the file either, so
                // it leaves it alone.
                Err(TryLockError::Error(_)) => return Ok((file, temp)),
            },
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => true,
            Err(e) => return Err(e),
        };
        if retry && attempts >= 100 {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "no free name for a temporary file",
            ));
        }
        attempts += 1;
    }
}

/// Replaces the file at `path` with `bytes`, atomically.
///
/// Writes a temporary file in the same directory (so the rename stays within
/// one file system), flushes and syncs it, renames it over `path` and, on
/// Unix, syncs the directory so the rename itself is durable. If anything
/// before the rename fails, the temporary file is removed and `path` is
/// untouched. Temporary files of earlier saves to `path` that were killed
/// are removed first.
///
/// If `path` is a symbolic link, the file it points to is replaced (created,
/// for a dangling link) and the link stays.
///
/// A file that replaces an existing one gets its permissions: on Unix all its
/// mode bits, elsewhere its read-only flag. (Its owner and group are not
/// copied: the new file belongs to the process, as any file it creates.) A
/// new file gets the default permissions of [`File::create`]. If the old
/// permissions cannot be applied, the save fails rather than leave a file
/// more widely readable than the one it replaces.
///
/// If the temporary file cannot be created, the error names the directory.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let path = follow_links(path)?;
    let (dir, name) = split(&path)?;
    remove_stale_temps(dir, name);
    // The permissions of the file being replaced, if any.
    let old_permissions = fs::metadata(&path)
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
    let (mut file, temp) = create_temp(dir, name).map_err(|source| {
        io::Error::new(
            source.kind(),
            InDirectory {
                dir: dir.to_path_buf(),
                source,
            },
        )
    })?;
    let written = set(&file, before)
        .and_then(|()| file.write_all(bytes))
        .and_then(|()| file.flush())
        .and_then(|()| set(&file, after))
        .and_then(|()| file.sync_all());
    // Renamed while still open and locked: a clean-up never sees it unlocked.
    if let Err(e) = written.and_then(|()| fs::rename(&temp, &path)) {
        drop(file);
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    drop(file);
    #[cfg(unix)]
    {
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
        let (dir_of, name) = split(&path).expect("a file name");
        let (a, a_path) = create_temp(dir_of, name).expect("temporary file");
        let (b, b_path) = create_temp(dir_of, name).expect("temporary file");
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

    #[test]
    fn only_temporary_names_of_the_same_target_match() {
        let name = OsStr::new("model.safetensors");
        for (file, matches) in [
            (".model.safetensors.123.0.tmp", true),
            (".model.safetensors.1.22.tmp", true),
            ("model.safetensors", false),
            (".model.safetensors.tmp", false),
            (".model.safetensors.123.tmp", false),
            (".model.safetensors.1.2.3.tmp", false),
            (".model.safetensors.x.0.tmp", false),
            (".model.safetensors..0.tmp", false),
            (".model.safetensors.1.0.tmp.bak", false),
            (".model.safetensors.1.1.0.tmp", false),
            (".other.safetensors.1.0.tmp", false),
        ] {
            assert_eq!(is_temp_of(OsStr::new(file), name), matches, "{file}");
        }
        // The temporary file of `model.safetensors.1` is not one of
        // `model.safetensors`.
        assert!(is_temp_of(
            OsStr::new(".model.safetensors.1.7.0.tmp"),
            OsStr::new("model.safetensors.1")
        ));
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_to_the_end() {
        let dir =
            std::env::temp_dir().join(format!("constnet-atomic-links-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("sub")).expect("a scratch directory");
        std::os::unix::fs::symlink("sub/b", dir.join("a")).expect("a link");
        std::os::unix::fs::symlink("c", dir.join("sub/b")).expect("a link");
        assert_eq!(follow_links(&dir.join("a")).ok(), Some(dir.join("sub/c")));
        assert_eq!(follow_links(&dir.join("d")).ok(), Some(dir.join("d")));
        std::os::unix::fs::symlink("loop", dir.join("loop")).expect("a link");
        assert!(follow_links(&dir.join("loop")).is_err());
        fs::remove_dir_all(&dir).expect("removing the scratch directory");
    }
}
