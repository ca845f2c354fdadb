//! One build at a time per output folder.

use std::fs::File;
use std::path::Path;

use super::write::*;

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
