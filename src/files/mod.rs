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

mod lock;
mod read;
mod write;

pub use lock::*;
pub use read::*;
pub use write::*;

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
