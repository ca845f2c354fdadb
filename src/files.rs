//! One door for every file the tool reads from a programme folder and every
//! file it writes.
//!
//! Reading: a path as written in the programme (an asset, an import, a
//! template, a file a document reads) is resolved against the programme folder
//! ([`Root`]), symlinks followed, and refused when it lands outside the folder
//! or is not a regular file (a folder, a FIFO, a device). Files are opened
//! without blocking and checked again once open, so a FIFO can never hang a
//! run, and read up to a bound, so no file can exhaust memory. Refusals quote
//! the path as written, never the file's contents.
//!
//! Writing: every output file is written to a temporary file beside its target
//! and renamed over it ([`write_atomically`], [`write_with`]), so a reader sees
//! the old file or the new one, never half of one. Temporary files in flight
//! are registered, so an interrupted run removes them ([`interrupted`]); a run
//! killed outright leaves them for the next run into the same folder, which
//! removes them under its lock ([`OutputLock`]).

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::diagnostic::excerpt;

/// Why a path was not read.
#[derive(Debug)]
pub enum Refused {
    NotFound,
    /// Absolute, or leading out of the folder with `..` or through a symlink.
    Outside,
    /// A folder, FIFO, socket or device.
    NotAFile(&'static str),
    TooLarge(u64),
    Io(std::io::Error),
}

impl Refused {
    /// What is wrong with `written`, the path as the user wrote it.
    pub fn describe(&self, written: &str) -> String {
        let written = excerpt(written);
        match self {
            Refused::NotFound => format!("`{written}` does not exist"),
            Refused::Outside => format!(
                "`{written}` lies outside the programme folder; files are read only from the \
                 folder of the programme file: copy the file into it"
            ),
            Refused::NotAFile(kind) => {
                format!("`{written}` is {kind}, not a regular file")
            }
            Refused::TooLarge(max) => format!(
                "`{written}` is larger than {} MB, the most this tool reads for it",
                max >> 20
            ),
            Refused::Io(err) => format!("cannot read `{written}`: {err}"),
        }
    }
}

/// The programme folder: the only place documents, templates, imports and
/// assets are read from.
#[derive(Debug, Clone)]
pub struct Root {
    /// Canonical, so every resolved path can be compared with it.
    dir: PathBuf,
}

impl Root {
    pub fn new(folder: &Path) -> std::io::Result<Self> {
        Ok(Self {
            dir: folder.canonicalize()?,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The regular file `written` names, relative to the folder.
    pub fn resolve(&self, written: &str) -> Result<PathBuf, Refused> {
        let path = Path::new(written);
        if written.is_empty() || path.is_absolute() || path.has_root() {
            return Err(Refused::Outside);
        }
        self.resolve_joined(&self.dir.join(path))
    }

    /// The regular file at `path`, a path already joined to the folder.
    pub fn resolve_joined(&self, path: &Path) -> Result<PathBuf, Refused> {
        // `a/../../x` is refused as written, before the disk is asked, so the
        // answer does not depend on which folders happen to exist.
        let mut depth = 0usize;
        for component in path.strip_prefix(&self.dir).unwrap_or(path).components() {
            match component {
                Component::ParentDir if depth == 0 => return Err(Refused::Outside),
                Component::ParentDir => depth -= 1,
                Component::Normal(_) => depth += 1,
                Component::CurDir => {}
                Component::RootDir | Component::Prefix(_) => {
                    if !path.starts_with(&self.dir) {
                        return Err(Refused::Outside);
                    }
                }
            }
        }
        let real = match path.canonicalize() {
            Ok(real) => real,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(Refused::NotFound);
            }
            Err(err) => return Err(Refused::Io(err)),
        };
        // Symlinks are followed before this check, so a link leaving the
        // folder is refused like any other path outside it.
        if !real.starts_with(&self.dir) {
            return Err(Refused::Outside);
        }
        regular(&std::fs::metadata(&real).map_err(Refused::Io)?)?;
        Ok(real)
    }

    /// Whether `written` names a regular file inside the folder.
    pub fn is_file(&self, written: &str) -> bool {
        self.resolve(written).is_ok()
    }

    /// The bytes of the file `written` names, at most `max` of them.
    pub fn read(&self, written: &str, max: u64) -> Result<Vec<u8>, Refused> {
        read_regular(&self.resolve(written)?, max)
    }
}

/// Refuses anything but a regular file.
fn regular(metadata: &std::fs::Metadata) -> Result<(), Refused> {
    let kind = metadata.file_type();
    if kind.is_file() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Err(Refused::NotAFile("a FIFO (named pipe)"));
        }
        if kind.is_socket() {
            return Err(Refused::NotAFile("a socket"));
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Err(Refused::NotAFile("a device"));
        }
    }
    if kind.is_dir() {
        return Err(Refused::NotAFile("a folder"));
    }
    Err(Refused::NotAFile("not a file"))
}

/// Opens `path` for reading without ever blocking: a FIFO put where a file
/// was expected (even between a check and the open) is refused, not waited on.
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// The bytes of the regular file at `path`, at most `max` of them. The file is
/// checked once open, so what is read is what was checked.
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, Refused> {
    let file = open_nonblocking(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => Refused::NotFound,
        _ => Refused::Io(err),
    })?;
    let metadata = file.metadata().map_err(Refused::Io)?;
    regular(&metadata)?;
    if metadata.len() > max {
        return Err(Refused::TooLarge(max));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // A file growing while read is still cut at the bound.
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Refused::Io)?;
    if bytes.len() as u64 > max {
        return Err(Refused::TooLarge(max));
    }
    Ok(bytes)
}

/// Temporary files being written, removed if the run is interrupted.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Every temporary file this tool writes starts so, and ends in `.partial`.
pub const TEMP_PREFIX: &str = ".secretariat-";
pub const TEMP_SUFFIX: &str = ".partial";

/// Writes a final output (the zip, the proof) atomically with `write`, which
/// fills a temporary file beside it: a reader, a crash or Ctrl-C sees the old
/// file or the new one, never half. The file is synced to disk before it
/// replaces the old one, and recorded as written (see [`written`]).
pub fn write_output(
    target: &Path,
    write: impl FnOnce(&mut File) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    write_inner(target, write, true)
}

/// Writes `bytes` to `target` atomically, without syncing: for the document
/// cache, whose entries are checked on every reuse anyway.
pub fn write_atomically(target: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_inner(target, |file| Ok(file.write_all(bytes)?), false)
}

fn write_inner(
    target: &Path,
    write: impl FnOnce(&mut File) -> anyhow::Result<()>,
    output: bool,
) -> anyhow::Result<()> {
    use anyhow::Context;
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // Made and registered together, as far as an interruption can tell: it
    // either removes the file or comes before it exists.
    let gate_open = gate();
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    let in_flight = InFlight::new(temp.path());
    drop(gate_open);
    let result = (|| -> anyhow::Result<()> {
        write(temp.as_file_mut())?;
        temp.as_file_mut().flush()?;
        if output {
            temp.as_file().sync_all()?;
        }
        // Temporary files are private; outputs are ordinary files.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            temp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))?;
        }
        Ok(())
    })();
    let result = result.and_then(|()| {
        // The rename and its record happen together or not at all, as far
        // as an interruption can tell.
        let _gate = gate();
        temp.persist(target)
            .with_context(|| format!("cannot write {}", target.display()))?;
        if output {
            wrote(target);
        }
        Ok(())
    });
    drop(in_flight);
    result
}

/// Held by a step that must finish, or not start, as far as an interruption
/// is concerned (a rename and its record, writing one page image); the
/// interruption's clean-up waits for it, and no step starts after it.
static GATE: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Holds off an interruption's clean-up while a short step completes.
pub fn gate() -> std::sync::RwLockReadGuard<'static, ()> {
    GATE.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A temporary file or folder, removed if the run is interrupted while it
/// exists (see [`interrupted`]); dropping the guard forgets it.
pub struct InFlight(PathBuf);

impl InFlight {
    pub fn new(path: &Path) -> Self {
        IN_FLIGHT
            .lock()
            .expect("in-flight lock")
            .push(path.to_path_buf());
        Self(path.to_path_buf())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut in_flight) = IN_FLIGHT.lock() {
            in_flight.retain(|p| *p != self.0);
        }
    }
}

/// The final outputs written so far this run (the zip, the proof), so that
/// an interrupted or failed run says truthfully what it left.
static WRITTEN: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// What to tell the user if the run is interrupted now, beyond the outputs
/// written (e.g. page images partly moved into place).
static STATE: Mutex<Option<String>> = Mutex::new(None);

/// Records that `path`, a final output, has been written.
pub fn wrote(path: &Path) {
    WRITTEN
        .lock()
        .expect("written lock")
        .push(path.to_path_buf());
}

/// The final outputs written so far this run.
pub fn written() -> Vec<PathBuf> {
    WRITTEN.lock().map(|w| w.clone()).unwrap_or_default()
}

/// Sets (or clears) what an interruption now would leave behind.
pub fn set_state(state: Option<String>) {
    *STATE.lock().expect("state lock") = state;
}

/// Removes the temporary files and folders of writes in flight; called when
/// the run is interrupted (Ctrl-C), when destructors will not run. Returns
/// what the run leaves, in words.
pub fn interrupted() -> String {
    // Held until the process exits: no step starts after this.
    let gate = GATE
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    std::mem::forget(gate);
    if let Ok(in_flight) = IN_FLIGHT.lock() {
        for path in in_flight.iter() {
            if path.is_dir() {
                let _ = std::fs::remove_dir_all(path);
            } else {
                let _ = std::fs::remove_file(path);
            }
        }
    }
    let mut said: Vec<String> = written()
        .iter()
        .map(|p| format!("{} was written", p.display()))
        .collect();
    if let Some(state) = STATE.lock().ok().and_then(|s| s.clone()) {
        said.push(state);
    }
    if said.is_empty() {
        "no zip was written; any earlier one is unchanged".into()
    } else {
        said.join("; ")
    }
}

/// Removes temporary files (and folders of page images) that runs killed
/// outright left in `dir`. Only called under the folder's [`OutputLock`], so
/// none is still being written.
pub fn remove_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        // `.entry-` is what caches of earlier versions called theirs.
        let ours = (name.starts_with(TEMP_PREFIX) || name.starts_with(".entry-"))
            && name.ends_with(TEMP_SUFFIX);
        match entry.file_type() {
            Ok(t) if ours && t.is_file() => {
                let _ = std::fs::remove_file(entry.path());
            }
            Ok(t) if ours && t.is_dir() => {
                let _ = std::fs::remove_dir_all(entry.path());
            }
            _ => {}
        }
    }
}

/// Creates `dir/name` with `bytes`, never replacing anything: not a file,
/// not a symlink (even one pointing nowhere), and never writing outside `dir`
/// through a linked folder. Returns false when something is already there.
pub fn create_new_inside(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<bool> {
    let outside = |what: &Path| {
        std::io::Error::other(format!(
            "{} leads outside {}; remove the link or choose another folder",
            what.display(),
            dir.display()
        ))
    };
    std::fs::create_dir_all(dir)?;
    let root = dir.canonicalize()?;
    let target = dir.join(name);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
        if !parent.canonicalize()?.starts_with(&root) {
            return Err(outside(parent));
        }
    }
    if std::fs::symlink_metadata(&target).is_ok() {
        return Ok(false);
    }
    // `create_new` fails on anything in the way, a dangling symlink included,
    // so a link planted between the check and the write is not followed.
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
    {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(err) => return Err(err),
    };
    file.write_all(bytes)?;
    Ok(true)
}

/// An exclusive lock on an output folder for the whole of a build, so two
/// builds into one folder never share its cache or its temporary files. The
/// operating system releases it when the process ends, however it ends.
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
}

impl OutputLock {
    /// Locks `out` (creating it), waiting for another build holding it, up to
    /// [`LOCK_WAIT`](crate::limits::LOCK_WAIT); `waiting` is called once if it
    /// has to wait. Then removes what killed runs left there.
    pub fn acquire(out: &Path, waiting: impl FnOnce()) -> anyhow::Result<Self> {
        use anyhow::Context;
        std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
        let path = out.join(".secretariat.lock");
        let mut options = std::fs::OpenOptions::new();
        options.create(true).truncate(false).write(true);
        // A link planted in its place is not followed out of the folder.
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW);
        }
        let file = options.open(&path).with_context(|| {
            format!(
                "cannot open {} (if it is a link, remove it)",
                path.display()
            )
        })?;
        let started = std::time::Instant::now();
        let mut waiting = Some(waiting);
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    if let Some(waiting) = waiting.take() {
                        waiting();
                    }
                    if started.elapsed() > crate::limits::LOCK_WAIT {
                        anyhow::bail!(
                            "another build has been writing into {} for over {} minutes; \
                             wait for it to finish, or build into another folder with --out",
                            out.display(),
                            crate::limits::LOCK_WAIT.as_secs() / 60
                        );
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::Error(err)) => {
                    return Err(err).with_context(|| format!("cannot lock {}", path.display()));
                }
            }
        }
        // The cache folder's own are removed when it is opened, once it is
        // known to be a folder of its own (see `Cache::open`).
        remove_stale(out);
        Ok(Self { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_resolved_inside_the_folder_only() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("programme");
        std::fs::create_dir_all(folder.join("assets")).unwrap();
        std::fs::write(folder.join("assets/logo.svg"), "<svg/>").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        let root = Root::new(&folder).unwrap();
        assert!(root.resolve("assets/logo.svg").is_ok());
        assert!(root.resolve("assets/../assets/logo.svg").is_ok());
        assert!(matches!(
            root.resolve("../secret.txt"),
            Err(Refused::Outside)
        ));
        assert!(matches!(
            root.resolve("assets/../../secret.txt"),
            Err(Refused::Outside)
        ));
        let absolute = dir.path().join("secret.txt");
        assert!(matches!(
            root.resolve(absolute.to_str().unwrap()),
            Err(Refused::Outside)
        ));
        assert!(matches!(root.resolve("assets"), Err(Refused::NotAFile(_))));
        assert!(matches!(
            root.resolve("nothing.svg"),
            Err(Refused::NotFound)
        ));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), folder.join("link")).unwrap();
            assert!(matches!(root.resolve("link"), Err(Refused::Outside)));
            std::os::unix::fs::symlink(dir.path(), folder.join("up")).unwrap();
            assert!(matches!(
                root.resolve("up/secret.txt"),
                Err(Refused::Outside)
            ));
        }
    }

    #[test]
    fn reads_are_bounded_and_never_describe_contents() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("big"), vec![b'x'; 100]).unwrap();
        let root = Root::new(dir.path()).unwrap();
        assert_eq!(root.read("big", 100).unwrap().len(), 100);
        let refused = root.read("big", 99).unwrap_err();
        assert!(matches!(refused, Refused::TooLarge(99)));
        assert!(!refused.describe("big").contains("xxx"));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_not_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let root = Root::new(dir.path()).unwrap();
        assert!(matches!(root.resolve("pipe"), Err(Refused::NotAFile(_))));
        assert!(matches!(read_regular(&fifo, 10), Err(Refused::NotAFile(_))));
    }

    #[test]
    fn created_files_never_replace_or_escape() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        assert!(create_new_inside(&out, "a/b.txt", b"1").unwrap());
        assert!(!create_new_inside(&out, "a/b.txt", b"2").unwrap());
        assert_eq!(std::fs::read(out.join("a/b.txt")).unwrap(), b"1");
        #[cfg(unix)]
        {
            let elsewhere = dir.path().join("elsewhere");
            std::os::unix::fs::symlink(&elsewhere, out.join("dangling")).unwrap();
            assert!(!create_new_inside(&out, "dangling", b"x").unwrap());
            assert!(!elsewhere.exists());
            std::fs::create_dir(&elsewhere).unwrap();
            std::os::unix::fs::symlink(&elsewhere, out.join("linked")).unwrap();
            assert!(create_new_inside(&out, "linked/c.txt", b"x").is_err());
            assert!(!elsewhere.join("c.txt").exists());
        }
    }

    #[test]
    fn atomic_writes_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("x.zip");
        write_atomically(&target, b"one").unwrap();
        assert!(write_output(&target, |_| anyhow::bail!("failed")).is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"one");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1);
    }
}
