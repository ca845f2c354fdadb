//! Packaging: the zip for the printers, its manifest and the certificate register.
//!
//! The zip is byte-for-byte reproducible (fixed order, fixed timestamps, fixed
//! permissions) and written to a temporary file beside its target, then renamed,
//! so a failed run never leaves a half-written or missing zip behind.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use chrono::{Datelike, NaiveDateTime, Timelike};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::plan::RegisterRow;

/// One file of the zip.
pub struct Entry {
    pub path: String,
    /// The kind's key, or what the file is (`job-sheet`).
    pub kind: &'static str,
    pub content: Content,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    /// Page sizes in millimetres, one per page; empty for data files.
    pub pages: Vec<(f64, f64)>,
}

/// Where an entry's bytes are: PDFs stay in the document cache on disk until
/// the zip takes them, so a build never holds the whole set in memory.
pub enum Content {
    Bytes(Vec<u8>),
    /// A one-file zip made by [`pack`], copied into the zip without
    /// recompressing.
    Packed(std::path::PathBuf),
}

/// How every file of the zip is stored: deflated (fast level: PDFs are mostly
/// compressed streams already), the run's fixed time, ordinary permissions.
pub fn options(timestamp: NaiveDateTime) -> anyhow::Result<SimpleFileOptions> {
    let time = DateTime::from_date_and_time(
        timestamp.year().clamp(1980, 2107) as u16,
        timestamp.month() as u8,
        timestamp.day() as u8,
        timestamp.hour() as u8,
        timestamp.minute() as u8,
        timestamp.second() as u8,
    )
    .map_err(|e| anyhow::anyhow!("timestamp not representable in a zip: {e}"))?;
    Ok(SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(time)
        .unix_permissions(0o644))
}

/// A one-file zip holding `bytes` as the final zip will: documents are
/// compressed where they are typeset, in parallel, and only once.
pub fn pack(bytes: &[u8], options: SimpleFileOptions) -> anyhow::Result<Vec<u8>> {
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("document.pdf", options)?;
    zip.write_all(bytes)?;
    Ok(zip.finish()?.into_inner())
}

/// The file inside a one-file zip made by [`pack`].
pub fn unpack(path: &Path) -> anyhow::Result<Vec<u8>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut packed = zip::ZipArchive::new(std::io::BufReader::new(file))?;
    let mut entry = packed.by_index(0)?;
    let mut bytes = Vec::with_capacity(entry.size() as usize);
    std::io::Read::read_to_end(&mut entry, &mut bytes)?;
    Ok(bytes)
}

impl Entry {
    /// A small data file made in memory.
    pub fn data(path: impl Into<String>, kind: &'static str, bytes: Vec<u8>) -> Self {
        Self {
            path: path.into(),
            kind,
            sha256: crate::typeset::sha256(&bytes),
            content: Content::Bytes(bytes),
            pages: Vec::new(),
        }
    }
}

/// Writes `entries` and a `manifest.csv` describing them to `target`, atomically.
pub fn write_zip(target: &Path, entries: &[Entry], timestamp: NaiveDateTime) -> anyhow::Result<()> {
    let dir = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let temp = tempfile::Builder::new()
        .prefix(".secretariat-")
        .suffix(".zip.partial")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    *PARTIAL.lock().expect("partial-file lock") = Some(temp.path().to_path_buf());
    let result = write_into(temp, target, entries, timestamp);
    *PARTIAL.lock().expect("partial-file lock") = None;
    result
}

/// The zip being written, so an interrupted run can remove it (`interrupted`).
static PARTIAL: std::sync::Mutex<Option<std::path::PathBuf>> = std::sync::Mutex::new(None);

/// Removes a half-written zip; called when the run is interrupted (Ctrl-C), when
/// destructors will not run.
pub fn interrupted() {
    if let Ok(partial) = PARTIAL.lock()
        && let Some(path) = partial.as_ref()
    {
        let _ = std::fs::remove_file(path);
    }
}

fn write_into(
    temp: tempfile::NamedTempFile,
    target: &Path,
    entries: &[Entry],
    timestamp: NaiveDateTime,
) -> anyhow::Result<()> {
    let options = options(timestamp)?;
    let mut zip = ZipWriter::new(std::io::BufWriter::new(temp.as_file()));
    for entry in entries {
        match &entry.content {
            Content::Bytes(bytes) => {
                zip.start_file(entry.path.as_str(), options)?;
                zip.write_all(bytes)?;
            }
            Content::Packed(path) => {
                // Compressed once, when typeset, and copied as is ever after.
                let file = std::fs::File::open(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                let mut packed = zip::ZipArchive::new(std::io::BufReader::new(file))
                    .with_context(|| format!("cannot read {}", path.display()))?;
                zip.raw_copy_file_rename(packed.by_index_raw(0)?, entry.path.as_str())?;
            }
        }
    }
    zip.start_file("manifest.csv", options)?;
    zip.write_all(&manifest(entries)?)?;
    zip.finish()?.flush()?;
    temp.as_file().sync_all()?;
    // Temporary files are private; the zip is an ordinary output file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    temp.persist(target)
        .with_context(|| format!("cannot write {}", target.display()))?;
    Ok(())
}

/// `manifest.csv`: path, kind, pages, page sizes in mm, SHA-256 of every file.
fn manifest(entries: &[Entry]) -> anyhow::Result<Vec<u8>> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(["path", "kind", "pages", "page_sizes_mm", "sha256"])?;
    for entry in entries {
        let mut sizes: Vec<String> = Vec::new();
        for (w, h) in &entry.pages {
            let size = format!("{w:.0}x{h:.0}");
            if !sizes.contains(&size) {
                sizes.push(size);
            }
        }
        let pages = if entry.pages.is_empty() {
            String::new()
        } else {
            entry.pages.len().to_string()
        };
        csv.write_record([
            entry.path.as_str(),
            entry.kind,
            &pages,
            &sizes.join(";"),
            &entry.sha256,
        ])?;
    }
    Ok(csv.into_inner()?)
}

/// `certificates/register.csv`: who earned a certificate, and why or why not.
pub fn register(rows: &[RegisterRow]) -> anyhow::Result<Vec<u8>> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "number",
        "participant",
        "name",
        "country",
        "days_attended",
        "eligible",
        "reason",
        "verification_code",
    ])?;
    for row in rows {
        csv.write_record([
            row.number.as_str(),
            &row.participant,
            &row.name,
            &row.country,
            &row.days_attended.to_string(),
            if row.eligible { "yes" } else { "no" },
            &row.reason,
            &row.code,
        ])?;
    }
    Ok(csv.into_inner()?)
}
