//! Where results go: files written atomically, standard output that tolerates a closed pipe.

use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so
/// a reader never sees a half-written file and a failure leaves the old one intact.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, &mut |w| w.write_all(bytes))
}

/// `write_atomic` for output produced piece by piece: `write` fills the file.
pub fn write_atomic_with(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    // A device or a pipe (`-o /dev/null`, `-o /dev/stdout`, a FIFO) is written in place:
    // renaming a temporary file over it would replace the device itself with a regular file.
    let special = path.starts_with("/dev") || path.starts_with("/proc");
    if special || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut out = io::BufWriter::new(std::fs::OpenOptions::new().write(true).open(path)?);
        write(&mut out)?;
        return out.flush();
    }
    // Through a symbolic link, the file it names is replaced, not the link.
    let resolved;
    let path = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            resolved = std::fs::canonicalize(path)?;
            resolved.as_path()
        }
        _ => path,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".authpath-");
    // tempfile creates private (0600) files; an output file gets the usual mode, which the
    // process umask then narrows, as for any file the user creates.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir)?;
    let pending = Pending::new(tmp.path(), path);
    {
        let mut out = io::BufWriter::new(tmp.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    drop(pending);
    Ok(())
}

/// Files being written: (temporary file, destination). An interruption removes the
/// temporary files, so that it leaves each destination as it was.
static PENDING: std::sync::Mutex<Vec<(std::path::PathBuf, std::path::PathBuf)>> =
    std::sync::Mutex::new(Vec::new());

/// One entry of `PENDING` for as long as it lives.
struct Pending(std::path::PathBuf);

impl Pending {
    fn new(tmp: &Path, dest: &Path) -> Pending {
        if let Ok(mut p) = PENDING.lock() {
            p.push((tmp.to_path_buf(), dest.to_path_buf()));
        }
        Pending(tmp.to_path_buf())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Ok(mut p) = PENDING.lock() {
            p.retain(|(t, _)| *t != self.0);
        }
    }
}

/// On SIGINT or SIGTERM: remove the temporary files of outputs being written, say which
/// outputs keep their previous content, and exit 130. Installed once by the command line.
pub(crate) fn exit_cleanly_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        let pending = PENDING.lock().map(|p| p.clone()).unwrap_or_default();
        for (tmp, _) in &pending {
            let _ = std::fs::remove_file(tmp);
        }
        let kept: Vec<String> = pending
            .iter()
            .map(|(_, d)| d.display().to_string())
            .collect();
        if kept.is_empty() {
            eprintln!("authpath: interrupted");
        } else {
            eprintln!(
                "authpath: interrupted: nothing written; {} keep their previous content",
                kept.join(", ")
            );
        }
        std::process::exit(i32::from(crate::error::exit::INTERRUPTED));
    });
}

/// `emit` for output produced piece by piece.
pub(crate) fn emit_with(
    path: Option<&Path>,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    match path {
        Some(p) => write_atomic_with(p, write),
        None => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            match write(&mut out).and_then(|()| out.flush()) {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        std::fs::write(&p, "old contents that are longer").unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file may remain");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_ne!(
                mode & 0o044,
                0,
                "an output file is readable by others as usual: {mode:o}"
            );
        }
    }
}
