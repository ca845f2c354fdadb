//! `secretariat watch`: build, then build again whenever something in the
//! programme folder changes (the programme file, imports, assets, templates,
//! fonts), with the document cache, as `typst watch` does.
//!
//! The operating system says when something may have changed (inotify and its
//! kin, through `notify`), so waiting costs nothing; after a short quiet spell
//! (an editor saves in several steps) the folder's files are listed with
//! their sizes and modification times, and a build runs only when that list
//! differs from the last build's. So the build's own reading (which the
//! system reports as opening files) and writing into an output folder inside
//! the programme folder never start another build. Hidden files and folders
//! (editors' swap files, `.git`) and `~` backups are not the programme's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use notify::{EventKind, RecursiveMode, Watcher};
use secretariat::diagnostic::Failure;

use super::args::{BuildArgs, Output};
use super::{build, programme_file, report};

/// How long the folder must be quiet before a build starts.
const QUIET_SPELL: Duration = Duration::from_millis(300);

/// Builds, then rebuilds on every change until interrupted; a failed build
/// prints its problems and keeps watching.
pub fn run(args: BuildArgs, output: &Output) -> Result<ExitCode, Failure> {
    let programme = programme_file(args.programme.clone())?;
    let folder = match programme.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let folder = folder
        .canonicalize()
        .with_context(|| format!("cannot watch {}", folder.display()))?;
    // Made now, so that it can be told apart from the programme's files.
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let out = args
        .out
        .canonicalize()
        .with_context(|| format!("cannot open {}", args.out.display()))?;
    let args = BuildArgs {
        programme: Some(programme),
        ..args
    };

    let (changed, changes) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Opening and reading a file changes nothing.
        let wakes = match event {
            Ok(event) => !matches!(
                event.kind,
                EventKind::Access(notify::event::AccessKind::Open(_))
                    | EventKind::Access(notify::event::AccessKind::Read)
                    | EventKind::Access(notify::event::AccessKind::Close(
                        notify::event::AccessMode::Read
                    ))
            ),
            Err(_) => true,
        };
        if wakes {
            let _ = changed.send(());
        }
    })
    .with_context(|| format!("cannot watch {}", folder.display()))?;
    watcher
        .watch(&folder, RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}", folder.display()))?;

    let mut last = snapshot(&folder, &out);
    once(&args, output, &folder);
    loop {
        if changes.recv().is_err() {
            break;
        }
        // Wait for the folder to be quiet, then see whether anything changed.
        loop {
            match changes.recv_timeout(QUIET_SPELL) {
                Ok(()) => continue,
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(ExitCode::SUCCESS),
            }
        }
        let now = snapshot(&folder, &out);
        if now == last {
            continue;
        }
        if !output.quiet {
            for path in differences(&last, &now) {
                eprintln!("changed: {}", path.display());
            }
        }
        last = now;
        once(&args, output, &folder);
    }
    Ok(ExitCode::SUCCESS)
}

/// One build, its failure reported rather than returned.
fn once(args: &BuildArgs, output: &Output, folder: &Path) {
    match build::build(args, output) {
        Ok(_) if output.quiet => {}
        Ok(_) => eprintln!("watching {} for changes (Ctrl-C stops)", folder.display()),
        Err(failure) => {
            report::failure(&failure, false, output);
            eprintln!(
                "no zip was written; the last one is unchanged. Watching {} for changes \
                 (Ctrl-C stops)",
                folder.display()
            );
        }
    }
}

/// A file's size and modification time.
type Stamp = (u64, Option<SystemTime>);

/// Every file of the programme folder (not in `out`, not hidden, not a `~`
/// backup) with its stamp.
fn snapshot(folder: &Path, out: &Path) -> BTreeMap<PathBuf, Stamp> {
    let mut files = BTreeMap::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(dir) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name.ends_with('~') || path.starts_with(out) {
                continue;
            }
            // Links to files are followed, as a build follows them; a linked
            // folder is not walked, being elsewhere in the folder (or outside
            // it, where a build reads nothing).
            let Ok(metadata) = std::fs::metadata(&path) else {
                continue;
            };
            if metadata.is_dir() {
                if entry.file_type().is_ok_and(|t| !t.is_symlink()) {
                    folders.push(path);
                }
            } else {
                files.insert(path, (metadata.len(), metadata.modified().ok()));
            }
        }
    }
    files
}

/// The files added, removed or changed between two snapshots.
fn differences<'a>(
    before: &'a BTreeMap<PathBuf, Stamp>,
    after: &'a BTreeMap<PathBuf, Stamp>,
) -> Vec<&'a Path> {
    let changed = after
        .iter()
        .filter(|(path, stamp)| before.get(*path) != Some(stamp))
        .map(|(path, _)| path.as_path());
    let removed = before
        .keys()
        .filter(|path| !after.contains_key(*path))
        .map(PathBuf::as_path);
    changed.chain(removed).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_folder_and_hidden_files_are_not_the_programme() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(folder.join("out/.cache")).unwrap();
        std::fs::create_dir_all(folder.join("assets")).unwrap();
        std::fs::write(folder.join("programme.yaml"), "a").unwrap();
        std::fs::write(folder.join("assets/logo.svg"), "b").unwrap();
        std::fs::write(folder.join(".programme.yaml.swp"), "c").unwrap();
        std::fs::write(folder.join("programme.yaml~"), "d").unwrap();
        std::fs::write(folder.join("out/x.zip"), "e").unwrap();
        let before = snapshot(&folder, &folder.join("out"));
        let names: Vec<_> = before
            .keys()
            .map(|p| p.strip_prefix(&folder).unwrap())
            .collect();
        assert_eq!(
            names,
            [Path::new("assets/logo.svg"), Path::new("programme.yaml")]
        );

        std::fs::write(folder.join("out/x.zip"), "ee").unwrap();
        assert_eq!(snapshot(&folder, &folder.join("out")), before);
        std::fs::write(folder.join("assets/logo.svg"), "bb").unwrap();
        let after = snapshot(&folder, &folder.join("out"));
        assert_eq!(
            differences(&before, &after),
            [folder.join("assets/logo.svg")]
        );
    }
}
