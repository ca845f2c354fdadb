//! Reading: one door, a bound, no blocking.

use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

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

/// The regular file at `path`, open for reading, and its length. It is
/// checked once open, so what is read is what was checked.
pub fn open_regular(path: &Path) -> Result<(File, u64), Refused> {
    let file = open_nonblocking(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => Refused::NotFound,
        _ => Refused::Io(err),
    })?;
    let metadata = file.metadata().map_err(Refused::Io)?;
    regular(&metadata)?;
    Ok((file, metadata.len()))
}

/// The bytes of the regular file at `path`, at most `max` of them. The file is
/// checked once open, so what is read is what was checked.
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, Refused> {
    let (file, len) = open_regular(path)?;
    if len > max {
        return Err(Refused::TooLarge(max));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // A file growing while read is still cut at the bound.
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Refused::Io)?;
    if bytes.len() as u64 > max {
        return Err(Refused::TooLarge(max));
    }
    Ok(bytes)
}
