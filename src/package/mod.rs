//! Packaging: the zip for the printers, its manifest and the certificate
//! register, the document cache its PDFs come from, and the printer's job sheet.
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

pub mod cache;
pub mod job_sheet;

use crate::plan::{Plan, RegisterRow};
use crate::programme::Kind;
use crate::typeset::Done;

/// One file of the zip.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: String,
    /// The kind's key, or what the file is (`job-sheet`).
    pub kind: &'static str,
    pub content: Content,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    /// Page sizes in millimetres, one per page; empty for data files.
    pub pages: Vec<(f64, f64)>,
    /// The cache entry a PDF was taken from; none for data files.
    pub cached: Option<Cached>,
}

/// Where in the cache a file of the zip is, and whether this run made it.
#[derive(Debug, Clone)]
pub struct Cached {
    pub key: String,
    /// Taken from an earlier run rather than typeset in this one.
    pub reused: bool,
}

/// Where an entry's bytes are: PDFs stay in the document cache on disk until
/// the zip takes them, so a build never holds the whole set in memory.
#[derive(Debug, Clone)]
pub enum Content {
    Bytes(Vec<u8>),
    /// A one-file zip made by [`pack`] in a cache entry, copied into the zip
    /// without recompressing.
    Packed(Packed),
}

/// Where a packed PDF lies: the last `len` bytes of a cache entry, from
/// byte `at` on, with the SHA-256 recorded when it was written.
#[derive(Debug, Clone)]
pub struct Packed {
    pub path: std::path::PathBuf,
    pub at: u64,
    pub len: u64,
    pub sha256: String,
}

impl Packed {
    /// The packed bytes, once checked against their length and SHA-256.
    fn read(&self) -> anyhow::Result<Vec<u8>> {
        cache::read_packed(&self.path, self.at, self.len, &self.sha256)
    }
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
pub fn unpack(packed: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut packed = zip::ZipArchive::new(std::io::Cursor::new(packed))?;
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
            cached: None,
        }
    }

    /// The file's bytes, checked against what was recorded when it was made.
    pub fn bytes(&self) -> anyhow::Result<Vec<u8>> {
        match &self.content {
            Content::Bytes(bytes) => Ok(bytes.clone()),
            Content::Packed(packed) => {
                let bytes = unpack(&packed.read()?)?;
                anyhow::ensure!(
                    crate::typeset::sha256(&bytes) == self.sha256,
                    "{} is not what was written to the document cache",
                    packed.path.display()
                );
                Ok(bytes)
            }
        }
    }

    /// A PDF ready in the cache under `key`.
    pub fn pdf(path: impl Into<String>, kind: &'static str, key: String, done: &Done) -> Self {
        Self {
            path: path.into(),
            kind,
            content: Content::Packed(Packed {
                path: done.record.file.clone(),
                at: done.record.packed_at,
                len: done.record.packed_len,
                sha256: done.record.packed_sha256.clone(),
            }),
            sha256: done.record.sha256.clone(),
            pages: done.record.pages.clone(),
            cached: Some(Cached {
                key,
                reused: done.reused,
            }),
        }
    }
}

/// The zip's documents (`documents`, typeset under `keys`), in plan order, and
/// the certificate register after the certificates.
pub fn documents(plan: &Plan, documents: &[Done], keys: &[String]) -> anyhow::Result<Vec<Entry>> {
    let mut entries: Vec<Entry> = plan
        .documents
        .iter()
        .zip(documents)
        .zip(keys)
        .map(|((doc, done), key)| Entry::pdf(&doc.path, doc.kind.key(), key.clone(), done))
        .collect();
    if !plan.register.is_empty() {
        entries.push(Entry::data(
            "certificates/register.csv",
            Kind::Certificates.key(),
            register(&plan.register)?,
        ));
    }
    Ok(entries)
}

/// Packed entries read and checked ahead of the one being copied into the
/// zip: each is a document's PDF (a print file's can be tens of MB), so this
/// bounds what waits in memory.
const READ_AHEAD: usize = 4;

/// Writes `entries` and a `manifest.csv` describing them to `target`, atomically.
///
/// Packed entries are read from the cache and checked on a second thread
/// while this one copies the previous into the zip: at 10,000 participants
/// each half took about a second, one after the other, with the other core
/// idle.
pub fn write_zip(target: &Path, entries: &[Entry], timestamp: NaiveDateTime) -> anyhow::Result<()> {
    let options = options(timestamp)?;
    crate::files::write_output(target, |file| {
        let mut zip = ZipWriter::new(std::io::BufWriter::new(file));
        std::thread::scope(|scope| -> anyhow::Result<()> {
            let (send, receive) = std::sync::mpsc::sync_channel(READ_AHEAD);
            scope.spawn(move || {
                for entry in entries {
                    // Compressed once, when typeset, and copied as is ever
                    // after; checked first, so a cache entry damaged since
                    // it was verified fails the build instead of reaching
                    // the printer.
                    let read = match &entry.content {
                        Content::Packed(packed) => Some(
                            packed
                                .read()
                                .with_context(|| format!("cannot take {} into the zip", entry.path))
                                .map(|bytes| (bytes, &packed.path)),
                        ),
                        Content::Bytes(_) => None,
                    };
                    // A closed channel: the writer stopped at an error.
                    if send.send(read).is_err() {
                        break;
                    }
                }
            });
            for entry in entries {
                let read = receive
                    .recv()
                    .context("the document cache's reader stopped unexpectedly")?;
                match (&entry.content, read) {
                    (Content::Bytes(bytes), _) => {
                        zip.start_file(entry.path.as_str(), options)?;
                        zip.write_all(bytes)?;
                    }
                    (Content::Packed(_), Some(read)) => {
                        let (bytes, pack) = read?;
                        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
                            .with_context(|| format!("cannot read {}", pack.display()))?;
                        zip.raw_copy_file_rename(archive.by_index_raw(0)?, entry.path.as_str())?;
                    }
                    (Content::Packed(_), None) => unreachable!("a packed entry is read"),
                }
            }
            Ok(())
        })?;
        zip.start_file("manifest.csv", options)?;
        zip.write_all(&manifest(entries)?)?;
        zip.finish()?.flush()?;
        Ok(())
    })
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

/// How the CSV files for people (the register, the job sheet) start: Excel
/// reads a CSV without it in the machine's own legacy encoding (Shift_JIS on
/// a Japanese Windows), garbling every name outside it. `manifest.csv` is for
/// scripts, and is plain UTF-8.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// `certificates/register.csv`: who earned a certificate, and why or why not.
pub fn register(rows: &[RegisterRow]) -> anyhow::Result<Vec<u8>> {
    let mut csv = csv::Writer::from_writer(UTF8_BOM.to_vec());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn timestamp() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2018, 10, 24)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    }

    /// `n` packed entries, one after another in one pack in `dir`, and a data
    /// file after them.
    fn entries(dir: &Path, n: usize) -> Vec<Entry> {
        let options = options(timestamp()).unwrap();
        let pack = dir.join("run.pack");
        let mut bytes = Vec::new();
        let mut entries = Vec::new();
        for i in 0..n {
            let packed = super::pack(format!("%PDF-1.7 document {i}").as_bytes(), options).unwrap();
            entries.push(Entry {
                path: format!("documents/{i}.pdf"),
                kind: "invitations",
                content: Content::Packed(Packed {
                    path: pack.clone(),
                    at: bytes.len() as u64,
                    len: packed.len() as u64,
                    sha256: crate::typeset::sha256(&packed),
                }),
                sha256: String::new(),
                pages: Vec::new(),
                cached: None,
            });
            bytes.extend(packed);
        }
        std::fs::write(&pack, bytes).unwrap();
        entries.push(Entry::data(
            "register.csv",
            "certificates",
            b"number\n".to_vec(),
        ));
        entries
    }

    fn members(zip: &Path) -> Vec<(String, Vec<u8>)> {
        let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
        (0..archive.len())
            .map(|i| {
                let mut file = archive.by_index(i).unwrap();
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut file, &mut bytes).unwrap();
                (file.name().unwrap().to_string(), bytes)
            })
            .collect()
    }

    #[test]
    fn every_entry_is_copied_in_order_however_many_are_read_ahead() {
        let dir = tempfile::tempdir().unwrap();
        let n = 3 * READ_AHEAD + 1;
        let entries = entries(dir.path(), n);
        let zip = dir.path().join("out.zip");
        write_zip(&zip, &entries, timestamp()).unwrap();
        let members = members(&zip);
        assert_eq!(members.len(), n + 2);
        for (i, (name, bytes)) in members.iter().take(n).enumerate() {
            assert_eq!(name, &format!("documents/{i}.pdf"));
            assert_eq!(bytes, format!("%PDF-1.7 document {i}").as_bytes());
        }
        assert_eq!(members[n].0, "register.csv");
        assert_eq!(members[n + 1].0, "manifest.csv");
        // The same bytes every time.
        let again = dir.path().join("again.zip");
        write_zip(&again, &entries, timestamp()).unwrap();
        assert_eq!(std::fs::read(&zip).unwrap(), std::fs::read(&again).unwrap());
    }

    #[test]
    fn an_entry_damaged_in_the_cache_fails_the_zip_and_leaves_the_last_one() {
        let dir = tempfile::tempdir().unwrap();
        // Damaged early, far more entries after it than are read ahead: the
        // reader must stop when the writer does, not wait on it.
        let n = 10 * READ_AHEAD;
        let entries = entries(dir.path(), n);
        let Content::Packed(second) = &entries[1].content else {
            unreachable!()
        };
        let mut pack = std::fs::read(&second.path).unwrap();
        pack[second.at as usize + 4] ^= 0xFF;
        std::fs::write(&second.path, pack).unwrap();
        let zip = dir.path().join("out.zip");
        std::fs::write(&zip, b"the last good zip").unwrap();
        let error = format!("{:#}", write_zip(&zip, &entries, timestamp()).unwrap_err());
        assert!(
            error.contains("cannot take documents/1.pdf into the zip")
                && error.contains("is not what was written to the document cache"),
            "{error}"
        );
        assert_eq!(std::fs::read(&zip).unwrap(), b"the last good zip");
    }
}
