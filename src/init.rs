//! `secretariat init`: a new programme folder, ready to build, with a small
//! commented example to edit. Existing files are never overwritten.

use std::path::{Path, PathBuf};

/// (path inside the new folder, contents)
const FILES: &[(&str, &str)] = &[
    (
        "programme.yaml",
        include_str!("../templates/init/programme.yaml"),
    ),
    (
        "assets/logo.svg",
        include_str!("../templates/init/logo.svg"),
    ),
    (
        "assets/signature.svg",
        include_str!("../templates/init/signature.svg"),
    ),
    (
        "templates/README.md",
        include_str!("../templates/init/templates-README.md"),
    ),
    (
        "fonts/README.md",
        include_str!("../templates/init/fonts-README.md"),
    ),
];

/// Creates the programme folder `dir` and returns the files written. A folder
/// that exists and is not empty is refused, so nothing of anyone's is touched.
pub fn init(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    if let Ok(mut entries) = std::fs::read_dir(dir)
        && entries.next().is_some()
    {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "the folder is not empty; `init` makes a new programme folder, so name one \
             that does not exist yet (or is empty)",
        ));
    }
    let mut written = Vec::new();
    for (name, contents) in FILES {
        if !crate::files::create_new_inside(dir, name, contents.as_bytes())? {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!(
                    "{} appeared while the folder was being made",
                    dir.join(name).display()
                ),
            ));
        }
        written.push(dir.join(name));
    }
    Ok(written)
}
