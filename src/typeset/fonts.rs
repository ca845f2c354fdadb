//! The programme's own fonts, from its `fonts/` folder.

use std::path::PathBuf;

use typst::foundations::Bytes;

use crate::files::Root;

/// The font files of the programme's `fonts/` folder (and its subfolders), in
/// name order, each read through the folder's one door: a font linked from
/// outside the folder, a FIFO or an oversized file is an error naming it.
/// They are read whole (within [`MAX_FONTS_TOTAL_BYTES`](crate::limits::MAX_FONTS_TOTAL_BYTES)),
/// so what was checked is what is used.
pub(super) fn local_fonts(root: &Root) -> anyhow::Result<Vec<Bytes>> {
    let mut found = Vec::new();
    let mut total = 0;
    let mut folders = vec![(PathBuf::from("fonts"), 0)];
    while let Some((folder, depth)) = folders.pop() {
        let full = root.dir().join(&folder);
        // Folders are walked as they are, never through a link: a link could
        // lead out of the programme folder (whose names are not to be
        // listed) or back into itself.
        match std::fs::symlink_metadata(&full) {
            Ok(meta) if meta.is_dir() => {}
            Ok(meta) if meta.file_type().is_symlink() => anyhow::bail!(
                "{} is a link to a folder; fonts are read from folders inside the programme \
                 folder: copy the font files into it",
                folder.display()
            ),
            _ => continue,
        }
        let Ok(entries) = std::fs::read_dir(&full) else {
            continue;
        };
        let mut names: Vec<PathBuf> = entries
            .flatten()
            .map(|e| folder.join(e.file_name()))
            .collect();
        names.sort();
        for name in names {
            let real = root.dir().join(&name);
            let linked_folder = std::fs::symlink_metadata(&real)
                .is_ok_and(|m| m.file_type().is_symlink())
                && real.is_dir();
            if real.is_dir() || linked_folder {
                if depth < crate::limits::MAX_DEPTH {
                    folders.push((name, depth + 1));
                }
                continue;
            }
            let is_font = name.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                matches!(
                    e.to_ascii_lowercase().as_str(),
                    "ttf" | "otf" | "ttc" | "otc"
                )
            });
            if !is_font {
                continue;
            }
            let written = name.to_string_lossy();
            let bytes = root
                .read(&written, crate::limits::MAX_FONT_BYTES)
                .map_err(|refused| anyhow::anyhow!("font {}", refused.describe(&written)))?;
            total += bytes.len() as u64;
            if total > crate::limits::MAX_FONTS_TOTAL_BYTES {
                anyhow::bail!(
                    "the fonts in fonts/ take more than {} MB; keep there only the fonts the \
                     documents need",
                    crate::limits::MAX_FONTS_TOTAL_BYTES >> 20
                );
            }
            found.push((name, Bytes::new(bytes)));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found.into_iter().map(|(_, data)| data).collect())
}
