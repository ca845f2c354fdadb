//! Typesetting: one Typst [`World`] serving every document of a run.
//!
//! Fonts, the standard library and asset files are loaded once into [`Typesetter`]
//! and shared by all documents; each document only brings its main source. Every
//! document's main file has the same [`FileId`]: Typst interns file ids per
//! process (65,535 at most), so one id per document would run out on a large
//! programme.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use sha2::{Digest, Sha256};
use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::layout::{Abs, Frame, Point, Sides, Size};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_kit::fonts::{FontPath, FontStore};
use typst_layout::{Page, PagedDocument};
use typst_pdf::{PdfOptions, Timestamp};

use super::frames::visit_text;
use crate::files::{Refused, Root, read_regular};
use crate::limits::MAX_ASSET_BYTES;
use crate::render::BUILTIN_FONTS;

/// The one file id every document's generated source is compiled under.
static MAIN: LazyLock<FileId> = LazyLock::new(|| {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new("/main.typ").expect("a valid virtual path"),
    )
    .intern()
});

/// Where fonts come from, beyond the built-in set.
#[derive(Debug, Clone, Default)]
pub struct FontOptions {
    /// Also use the fonts installed on this machine (output then depends on it).
    pub system_fonts: bool,
}

/// Everything documents share: library, fonts, files, the fixed date.
pub struct Typesetter {
    library: LazyHash<Library>,
    fonts: FontStore,
    root: Root,
    files: Mutex<HashMap<FileId, FileResult<Bytes>>>,
    /// SHA-256 of each file and font used so far.
    file_hashes: Mutex<HashMap<FileId, String>>,
    font_hashes: Mutex<HashMap<usize, String>>,
    today: NaiveDate,
    timestamp: NaiveDateTime,
}

impl Typesetter {
    /// Loads the fonts: Typst's own, the built-in set, the programme folder's
    /// `fonts/`, and (only when asked) the system's.
    ///
    /// `root` is the programme folder: documents may read files inside it and
    /// nowhere else. `today` is what Typst's `datetime.today()` answers, and
    /// `timestamp` is the PDF creation date, so output never depends on the clock.
    pub fn new(
        root: &Path,
        options: &FontOptions,
        today: NaiveDate,
        timestamp: NaiveDateTime,
    ) -> anyhow::Result<Self> {
        let root = Root::new(root)
            .map_err(|e| anyhow::anyhow!("cannot open programme folder {}: {e}", root.display()))?;
        let mut fonts = FontStore::new();
        for (_, data) in BUILTIN_FONTS {
            fonts.extend(Font::iter(Bytes::new(*data)).map(|font| {
                let info = font.info().clone();
                (font, info)
            }));
        }
        fonts.extend(typst_assets::fonts().flat_map(|data| {
            Font::iter(Bytes::new(data)).map(|font| {
                let info = font.info().clone();
                (font, info)
            })
        }));
        for data in local_fonts(&root)? {
            fonts.extend(Font::iter(data).map(|font| {
                let info = font.info().clone();
                (font, info)
            }));
        }
        if options.system_fonts {
            fonts.extend::<FontPath>(typst_kit::fonts::system());
        }
        Ok(Self {
            library: LazyHash::new(Library::default()),
            fonts,
            root,
            files: Mutex::new(HashMap::new()),
            file_hashes: Mutex::new(HashMap::new()),
            font_hashes: Mutex::new(HashMap::new()),
            today,
            timestamp,
        })
    }

    /// What the fonts of this run are and cover.
    pub fn book(&self) -> &FontBook {
        self.fonts.book()
    }

    /// Typesets one document's generated Typst source.
    pub fn compile(&self, source: &str) -> Result<PagedDocument, Vec<TypstError>> {
        self.compile_tracked(source).0
    }

    /// Typesets one document and tells what it read beyond its source: the
    /// files and fonts its output depends on.
    pub fn compile_tracked(
        &self,
        source: &str,
    ) -> (Result<PagedDocument, Vec<TypstError>>, Dependencies) {
        let world = DocumentWorld {
            shared: self,
            main: Source::new(*MAIN, source.to_string()),
            read: Mutex::default(),
            members: None,
        };
        let result = typst::compile::<PagedDocument>(&world).output;
        let result = result.map_err(|errors| {
            errors
                .iter()
                .map(|e| TypstError {
                    message: e.message.to_string(),
                    hints: e.hints.iter().map(|h| h.v.to_string()).collect(),
                    range: (e.span.id() == Some(*MAIN))
                        .then(|| world.range(e.span))
                        .flatten(),
                })
                .collect()
        });
        let read = world.read.into_inner().expect("dependency lock");
        let mut dependencies = Dependencies::default();
        for id in read.files {
            let path = id.vpath().get_without_slash().to_string();
            dependencies.files.push((path, self.file_hash(id)));
        }
        for index in read.fonts {
            dependencies.fonts.push((index, self.font_hash(index)));
        }
        dependencies.files.sort();
        dependencies.fonts.sort();
        (result, dependencies)
    }

    /// Whether the files and fonts a document read are still what they were.
    pub fn unchanged(&self, dependencies: &Dependencies) -> bool {
        dependencies.files.iter().all(|(path, hash)| {
            let Ok(vpath) = VirtualPath::new(path) else {
                return false;
            };
            let id = RootedPath::new(VirtualRoot::Project, vpath).intern();
            self.file_hash(id) == *hash
        }) && dependencies
            .fonts
            .iter()
            .all(|(index, hash)| self.font_hash(*index) == *hash)
    }

    /// What every document of this run shares and its key must include: the
    /// fonts on offer (any document may fall back to any of them), the fixed
    /// dates, and this build of the tool (its code, Typst, the built-in
    /// templates and fonts).
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(env!("CARGO_PKG_VERSION"));
        hasher.update(env!("SECRETARIAT_BUILD_FINGERPRINT"));
        hasher.update(typst::utils::hash128(self.fonts.book()).to_le_bytes());
        hasher.update(format!("{} {}", self.today, self.timestamp));
        hex(&hasher.finalize())
    }

    /// The hash of a file as this run reads it (empty when it cannot be read).
    fn file_hash(&self, id: FileId) -> String {
        if let Some(hash) = self.file_hashes.lock().expect("file hash lock").get(&id) {
            return hash.clone();
        }
        let hash = self.read(id).map(|b| sha256(&b)).unwrap_or_default();
        self.file_hashes
            .lock()
            .expect("file hash lock")
            .insert(id, hash.clone());
        hash
    }

    fn font_hash(&self, index: usize) -> String {
        if let Some(hash) = self.font_hashes.lock().expect("font hash lock").get(&index) {
            return hash.clone();
        }
        let hash = match self.fonts.font(index) {
            Some(font) => format!("{}:{}", sha256(font.data()), font.index()),
            None => String::new(),
        };
        self.font_hashes
            .lock()
            .expect("font hash lock")
            .insert(index, hash.clone());
        hash
    }

    /// The pages of finished PDFs, each drawn whole on a page of its own size,
    /// member by member, so print files are assembled from documents without
    /// typesetting them again. `members` are the PDFs with their pages' trim
    /// sizes in millimetres.
    ///
    /// A PDF page is drawn at its MediaBox. A page with bleed is larger than
    /// its trim, so it comes back as Typst made it: a trim-sized page with the
    /// bleed around it, the artwork running into the bleed.
    ///
    /// Members are served under fixed paths (`/member-0.pdf`, …) whatever the
    /// print file, so file ids are reused rather than interned anew (Typst
    /// holds at most 65,535 per process).
    pub fn pdf_pages(
        &self,
        members: Vec<(Bytes, Vec<(f64, f64)>)>,
    ) -> Result<Vec<Vec<Page>>, String> {
        let mut source = String::from("#set page(width: auto, height: auto, margin: 0pt)\n");
        let mut files = HashMap::new();
        for (i, (pdf, pages)) in members.iter().enumerate() {
            let path = format!("/member-{i}.pdf");
            for page in 1..=pages.len() {
                if i + page > 1 {
                    source.push_str("#pagebreak()\n");
                }
                source.push_str(&format!("#image(\"{path}\", page: {page})\n"));
            }
            files.insert(path, pdf.clone());
        }
        let document = self
            .compile_with_files(&source, files)
            .map_err(|e| format!("cannot place the typeset PDFs: {e}"))?;
        let mut pages = document.pages().iter().cloned();
        members
            .iter()
            .map(|(pdf, trims)| {
                let mut member: Vec<Page> = pages.by_ref().take(trims.len()).collect();
                let bled = |(page, trim): (&Page, &(f64, f64))| {
                    let size = page.frame.size();
                    (size.x.to_mm() - trim.0).abs() > 0.2 || (size.y.to_mm() - trim.1).abs() > 0.2
                };
                if member.iter().zip(trims).any(bled) {
                    let bleeds = super::finish::bleeds(pdf)?;
                    for (page, bleed) in member.iter_mut().zip(bleeds) {
                        to_trim(page, bleed);
                    }
                }
                Ok(member)
            })
            .collect()
    }

    /// Typesets a source of our own (not a template's) that reads only the
    /// given in-memory files, e.g. finished PDFs or page images, by path.
    pub fn compile_with_files(
        &self,
        source: &str,
        files: HashMap<String, Bytes>,
    ) -> Result<PagedDocument, String> {
        let files = files
            .into_iter()
            .map(|(path, bytes)| {
                let vpath = VirtualPath::new(&path).map_err(|_| format!("bad path {path}"))?;
                Ok((RootedPath::new(VirtualRoot::Project, vpath).intern(), bytes))
            })
            .collect::<Result<HashMap<_, _>, String>>()?;
        let world = DocumentWorld {
            shared: self,
            main: Source::new(*MAIN, source.to_string()),
            read: Mutex::default(),
            members: Some(files),
        };
        typst::compile::<PagedDocument>(&world)
            .output
            .map_err(|errors| {
                errors
                    .iter()
                    .map(|e| e.message.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
    }

    /// Exports a typeset document as PDF, reproducibly: `ident` names it stably
    /// and the creation date is the run's fixed timestamp.
    pub fn pdf(&self, document: &PagedDocument, ident: &str) -> Result<Vec<u8>, String> {
        let t = self.timestamp;
        let datetime = Datetime::from_ymd_hms(
            t.year(),
            t.month() as u8,
            t.day() as u8,
            chrono::Timelike::hour(&t) as u8,
            chrono::Timelike::minute(&t) as u8,
            chrono::Timelike::second(&t) as u8,
        )
        .ok_or("timestamp out of range")?;
        let options = PdfOptions {
            ident: Smart::Custom(ident.to_string()),
            creator: Smart::Custom(None),
            timestamp: Some(Timestamp::new_utc(datetime)),
            ..PdfOptions::default()
        };
        let pdf = typst_pdf::pdf(document, &options).map_err(|errors| {
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        if document.pages().iter().any(|page| !page.bleed.is_zero()) {
            return super::finish::record_bleed(pdf);
        }
        Ok(pdf)
    }

    /// The characters a typeset document draws with the missing glyph (glyph 0),
    /// each once, as `ሰ (U+1230)`.
    pub fn missing_glyphs(document: &PagedDocument) -> Vec<String> {
        let mut missing = Vec::new();
        for page in document.pages() {
            visit_text(&page.frame, &mut |item| {
                for glyph in item.glyphs.iter().filter(|g| g.id == 0) {
                    for c in item.text[glyph.range()].chars() {
                        let shown = format!("{c} (U+{:04X})", c as u32);
                        if !missing.contains(&shown) {
                            missing.push(shown);
                        }
                    }
                }
            });
        }
        missing
    }

    /// Reads a file of the programme folder, refusing anything outside it.
    fn read(&self, id: FileId) -> FileResult<Bytes> {
        let mut files = self.files.lock().expect("file cache lock");
        if let Some(cached) = files.get(&id) {
            return cached.clone();
        }
        let result = self.read_uncached(id);
        files.insert(id, result.clone());
        result
    }

    fn read_uncached(&self, id: FileId) -> FileResult<Bytes> {
        if let VirtualRoot::Package(spec) = id.root() {
            return Err(FileError::Package(PackageError::Other(Some(
                format!(
                    "packages are not available: {spec} cannot be imported \
                     (documents are built offline; copy what you need into the templates)"
                )
                .into(),
            ))));
        }
        let path = id
            .vpath()
            .realize(self.root.dir())
            .map_err(|_| FileError::AccessDenied)?;
        let refused = |refused: Refused| match refused {
            Refused::NotFound => FileError::NotFound(path.clone()),
            Refused::NotAFile("a folder") => FileError::IsDirectory,
            Refused::Io(err) => FileError::from_io(err, &path),
            // Outside the folder, not a regular file, too large: Typst's
            // message is its own, so say it in ours, naming the path as the
            // template wrote it.
            other => FileError::Other(Some(
                other
                    .describe(&format!("/{}", id.vpath().get_without_slash()))
                    .into(),
            )),
        };
        let real = self.root.resolve_joined(&path).map_err(refused)?;
        read_regular(&real, MAX_ASSET_BYTES)
            .map(Bytes::new)
            .map_err(refused)
    }
}

/// The font files of the programme's `fonts/` folder (and its subfolders), in
/// name order, each read through the folder's one door: a font linked from
/// outside the folder, a FIFO or an oversized file is an error naming it.
/// They are read whole (within [`MAX_FONTS_TOTAL_BYTES`](crate::limits::MAX_FONTS_TOTAL_BYTES)),
/// so what was checked is what is used.
/// Turns a page drawn at its MediaBox into a trim-sized page with `bleed`
/// (left, top, right, bottom, in points) around it, as Typst lays one out.
fn to_trim(page: &mut Page, [left, top, right, bottom]: [f64; 4]) {
    let pt = Abs::pt;
    let media = page.frame.size();
    let trim = Size::new(media.x - pt(left + right), media.y - pt(top + bottom));
    let mut frame = Frame::hard(trim);
    frame.push_frame(Point::new(-pt(left), -pt(top)), page.frame.clone());
    page.frame = frame;
    page.bleed = Sides::new(pt(left), pt(top), pt(right), pt(bottom));
}

fn local_fonts(root: &Root) -> anyhow::Result<Vec<Bytes>> {
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

/// A Typst error in a document's generated source.
#[derive(Debug, Clone)]
pub struct TypstError {
    pub message: String,
    pub hints: Vec<String>,
    /// Byte range in the generated source, when the error lies there.
    pub range: Option<std::ops::Range<usize>>,
}

/// The world of one document: the shared typesetter plus its main source.
struct DocumentWorld<'a> {
    shared: &'a Typesetter,
    main: Source,
    /// What the document read, for the cache.
    read: Mutex<Read>,
    /// For sources of our own (print files, proofs): the only files served.
    members: Option<HashMap<FileId, Bytes>>,
}

#[derive(Default)]
struct Read {
    files: std::collections::HashSet<FileId>,
    fonts: std::collections::HashSet<usize>,
}

/// What a document read beyond its source, each with a hash of its content
/// then: files by path in the programme folder, fonts by index in the book.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Dependencies {
    pub files: Vec<(String, String)>,
    pub fonts: Vec<(usize, String)>,
}

/// Lower-case hex SHA-256.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl World for DocumentWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.shared.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        self.read.lock().expect("dependency lock").files.insert(id);
        let bytes = self.shared.read(id)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text.to_string()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        if let Some(members) = &self.members {
            return members.get(&id).cloned().ok_or(FileError::AccessDenied);
        }
        self.read.lock().expect("dependency lock").files.insert(id);
        self.shared.read(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.read
            .lock()
            .expect("dependency lock")
            .fonts
            .insert(index);
        self.shared.fonts.font(index)
    }

    fn today(&self, offset: Option<Duration>) -> Option<Datetime> {
        // The programme's own date, whatever the offset: output must not depend
        // on when or where it is built.
        let _ = offset;
        let d = self.shared.today;
        Datetime::from_ymd(d.year(), d.month() as u8, d.day() as u8)
    }
}
