//! Writing: atomically, with temporary files registered so an interrupted
//! run removes them.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
    })()
    .with_context(|| format!("cannot write {}", target.display()));
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
    // Which path failed, not only how.
    let at = |path: &Path| {
        let path = path.to_path_buf();
        move |err: std::io::Error| {
            std::io::Error::new(err.kind(), format!("{}: {err}", path.display()))
        }
    };
    std::fs::create_dir_all(dir).map_err(at(dir))?;
    let root = dir.canonicalize().map_err(at(dir))?;
    let target = dir.join(name);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(at(parent))?;
        if !parent
            .canonicalize()
            .map_err(at(parent))?
            .starts_with(&root)
        {
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
        Err(err) => return Err(at(&target)(err)),
    };
    file.write_all(bytes).map_err(at(&target))?;
    Ok(true)
}
