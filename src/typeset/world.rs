//! Typesetting: one Typst [`World`] serving every document of a run.
//!
//! Fonts, the standard library and asset files are loaded once into [`Typesetter`]
//! and shared by all documents; each document only brings its main source. Every
//! document's main file has the same [`FileId`]: Typst interns file ids per
//! process (65,535 at most), so one id per document would run out on a large
//! programme.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{LazyLock, Mutex};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use sha2::{Digest, Sha256};
use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_kit::fonts::{FontPath, FontStore};
use typst_layout::PagedDocument;

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
    /// How many of the fonts, the first ones, are built into the tool.
    builtin_fonts: usize,
    today: NaiveDate,
    pub(super) timestamp: NaiveDateTime,
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
        // The built-in set, then Typst's own: in the order their indices are
        // recorded in.
        let builtin: Vec<(Font, FontInfo)> = BUILTIN_FONTS
            .iter()
            .flat_map(|(_, data)| Font::iter(Bytes::new(*data)))
            .chain(typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))))
            .map(|font| {
                let info = font.info().clone();
                (font, info)
            })
            .collect();
        let builtin_fonts = builtin.len();
        fonts.extend(builtin);
        for data in super::fonts::local_fonts(&root)? {
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
            builtin_fonts,
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
        // A font built into the tool changes only with the tool, whose
        // fingerprint is part of every key: hashing it again (the Japanese
        // ones are 5 MB each) would cost every run for nothing.
        if index < self.builtin_fonts {
            return format!("built-in:{index}");
        }
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
