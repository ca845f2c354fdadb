//! Incremental rebuilds: finished PDFs kept under `<out>/.cache/`, so an
//! unchanged document is copied, not typeset again.
//!
//! A document's key hashes everything its generated source cannot show (this
//! build of the tool, the fonts on offer, the run's dates; see
//! [`Typesetter::fingerprint`](crate::typeset::Typesetter::fingerprint)), its
//! path in the zip and its generated Typst source, which holds its template and
//! its data. What a document read while it was typeset (asset files, fonts) is
//! recorded beside its PDF with the hash of each, and checked before the PDF is
//! reused: a changed logo recompiles exactly the documents that draw it.
//!
//! A PDF is kept deflated in a one-file zip, as the output zip holds it, so a
//! reused document is neither typeset nor compressed again. Each run appends
//! the entries it stores to a pack of its own, `<id>.pack`, one packed PDF
//! after another, and lists each in `<id>.index`, one sealed line per entry
//! (its record, with the SHA-256 of its own text). Two files a run, not one
//! per document: creating files was most of what the cache cost a full
//! build, and on ext4, where many files were deleted moments before (the
//! previous build's entries, or `out/` removed), each new file took the kernel
//! a millisecond or more, a tenth of a 1,000-participant build's CPU time.
//! Both files only grow while a run writes them, so an interrupted run leaves
//! every entry it finished, and at most a torn last line that no reuse reads.
//! Nothing on disk is trusted: every reuse checks the packed PDF against its
//! record (its length and SHA-256), and an entry that fails is dropped from the
//! index and its document typeset again. After a full build, a pack whose
//! entries that build no longer uses make up more than half of it is dropped,
//! what it still holds copied to the run's own pack first.
//!
//! (Longer than most files here because the tests of those promises, damaged
//! and swapped entries among them, sit below the code they check.)

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::files::{open_regular, read_regular, write_atomically};
use crate::limits::{MAX_CACHE_INDEX_BYTES, MAX_RECORD_BYTES};
use crate::typeset::Dependencies;

/// What is known about a cached PDF without reading it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    /// The key the entry was stored under.
    pub key: String,
    /// Page sizes in millimetres.
    pub pages: Vec<(f64, f64)>,
    /// SHA-256 of the PDF, for the manifest and for print-file keys.
    pub sha256: String,
    /// SHA-256 of the packed file as written, checked on every reuse and
    /// again as the zip takes it, so a damaged or swapped entry never
    /// reaches the zip.
    pub packed_sha256: String,
    /// Its length, checked before it is read: a pack cut short is never
    /// read past its end.
    pub packed_len: u64,
    pub dependencies: Dependencies,
    /// Where in its pack the packed PDF starts.
    pub packed_at: u64,
    /// The pack that holds it: named by the index that lists the entry.
    #[serde(skip)]
    pub file: PathBuf,
}

/// What the cache holds for a key.
#[derive(Debug, PartialEq)]
pub enum Lookup {
    /// A whole entry, as it was written.
    Hit(Record),
    /// Nothing (or reuse is off).
    Miss,
    /// An entry that is not what was written (flipped bytes, cut short, or
    /// other bytes in its place). It has been dropped from the index; the
    /// document is to be typeset again.
    Damaged,
}

/// The cache folder of one output folder.
pub struct Cache {
    dir: PathBuf,
    /// False for `--no-cache`: nothing is reused, everything is stored afresh.
    reuse: bool,
    /// How PDFs are packed, as the zip will hold them.
    options: zip::write::SimpleFileOptions,
    /// Every entry by key: those the folder's indexes list (none for
    /// `--no-cache`), then those this run stores, which replace them.
    index: Mutex<HashMap<String, Record>>,
    /// This run's pack and index, created with the first entry stored.
    writer: Mutex<Option<Writer>>,
    /// Packs found to hold a damaged entry, or listed by an index with a
    /// damaged line: dropped by the next prune (what they hold that is
    /// still used copied first), so no later run reads the damage again.
    damaged: Mutex<HashSet<PathBuf>>,
}

/// A run's own pack and index, appended to entry by entry.
struct Writer {
    /// The id both files are named by.
    id: String,
    pack_path: PathBuf,
    pack: File,
    index: File,
    /// The pack's length: where the next packed PDF goes.
    len: u64,
}

impl Writer {
    /// A pack and an index under a new id, never replacing a file.
    fn create(dir: &Path) -> anyhow::Result<Self> {
        use std::sync::atomic::{AtomicU64, Ordering};
        std::fs::create_dir_all(dir)?;
        static RUN: AtomicU64 = AtomicU64::new(0);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let new = |path: &Path| {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(path)
        };
        // Each try is a new id; only a folder that answers every name as
        // taken would need more than a few.
        for _ in 0..MAX_ID_TRIES {
            let seed = format!(
                "{}:{now}:{}",
                std::process::id(),
                RUN.fetch_add(1, Ordering::Relaxed)
            );
            // The time first, so ids sort as the runs that made them: where
            // two indexes list a key, the later run's entry is the one read.
            let id = format!(
                "{:016x}{}",
                now as u64,
                &crate::typeset::sha256(seed.as_bytes())[..ID_LEN - 16]
            );
            let pack_path = dir.join(format!("{id}.{PACK}"));
            let index_path = dir.join(format!("{id}.{INDEX}"));
            let pack = match new(&pack_path) {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => anyhow::bail!("cannot create {}: {e}", pack_path.display()),
            };
            let index = match new(&index_path) {
                Ok(file) => file,
                Err(e) => {
                    let _ = std::fs::remove_file(&pack_path);
                    if e.kind() == std::io::ErrorKind::AlreadyExists {
                        continue;
                    }
                    anyhow::bail!("cannot create {}: {e}", index_path.display());
                }
            };
            return Ok(Self {
                id,
                pack_path,
                pack,
                index,
                len: 0,
            });
        }
        anyhow::bail!(
            "cannot create a pack in {}: every name tried is taken",
            dir.display()
        )
    }

    /// Appends `packed` to the pack and its record to the index, and returns
    /// the record where it now lies.
    fn append(&mut self, mut record: Record, packed: &[u8]) -> anyhow::Result<Record> {
        record.packed_at = self.len;
        record.file = self.pack_path.clone();
        self.pack.seek(std::io::SeekFrom::Start(self.len))?;
        self.pack.write_all(packed)?;
        self.index.write_all(&seal_line(&record)?)?;
        self.len += packed.len() as u64;
        Ok(record)
    }
}

impl Cache {
    /// The cache of the output folder `out`, made a folder of its own if
    /// what stands at `out/.cache` is not one (a link, a file: a damaged
    /// cache), with a note saying so. A folder there that holds files this
    /// tool did not make (`--out ~` finds the user's own `~/.cache`) is
    /// refused: pruning it would delete them.
    pub fn open(
        out: &Path,
        reuse: bool,
        options: zip::write::SimpleFileOptions,
    ) -> anyhow::Result<(Self, Vec<String>)> {
        let dir = out.join(".cache");
        let mut notes = Vec::new();
        match std::fs::symlink_metadata(&dir) {
            Ok(meta) if meta.is_dir() => {
                if !ours(&dir) {
                    anyhow::bail!(
                        "{} holds files this tool did not make, so it cannot be the document \
                         cache; build into a folder of its own (--out)",
                        dir.display()
                    );
                }
            }
            Ok(_) => {
                // A link (followed, it would write and prune elsewhere), a
                // file or a FIFO: replaced, never followed.
                std::fs::remove_file(&dir)
                    .map_err(|e| anyhow::anyhow!("cannot replace {}: {e}", dir.display()))?;
                notes.push(format!(
                    "{} was not a folder; the document cache starts afresh",
                    dir.display()
                ));
            }
            Err(_) => {}
        }
        std::fs::create_dir_all(&dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
        // Marks the folder as a cache for backup tools, as Cargo does for
        // target/, and as this tool's.
        let tag = dir.join("CACHEDIR.TAG");
        if std::fs::read(&tag).ok().as_deref() != Some(TAG) {
            clear(&tag);
            write_atomically(&tag, TAG)?;
        }
        crate::files::remove_stale(&dir);
        let (index, damaged) = if reuse {
            read_indexes(&dir, &mut notes)
        } else {
            Default::default()
        };
        Ok((
            Self {
                dir,
                reuse,
                options,
                index: Mutex::new(index),
                writer: Mutex::new(None),
                damaged: Mutex::new(damaged),
            },
            notes,
        ))
    }

    /// The key of a document (or print file) made from `parts`, in order.
    pub fn key(parts: &[&[u8]]) -> String {
        let mut hasher = Sha256::new();
        for part in parts {
            // Length-prefixed, so no two different lists of parts hash alike.
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The PDF of a verified entry, checked against its record once more.
    pub fn pdf(&self, record: &Record) -> anyhow::Result<Vec<u8>> {
        pdf_at(&record.file, record)
    }

    /// The entry of `key`, verified: an index lists it, and the packed PDF
    /// where the index says has the recorded length and SHA-256. An entry
    /// that does not verify is dropped and reported as [`Lookup::Damaged`].
    pub fn get(&self, key: &str) -> Lookup {
        if !self.reuse {
            return Lookup::Miss;
        }
        let Some(record) = self.index().get(key).cloned() else {
            return Lookup::Miss;
        };
        let whole = read_packed(
            &record.file,
            record.packed_at,
            record.packed_len,
            &record.packed_sha256,
        )
        .is_ok();
        if !whole {
            self.index().remove(key);
            self.damaged
                .lock()
                .expect("damaged packs lock")
                .insert(record.file);
            return Lookup::Damaged;
        }
        Lookup::Hit(record)
    }

    fn index(&self) -> std::sync::MutexGuard<'_, HashMap<String, Record>> {
        self.index.lock().expect("cache index lock")
    }

    /// Stores a PDF under `key`, deflated, and returns its record.
    pub fn put(
        &self,
        key: &str,
        pdf: &[u8],
        pages: Vec<(f64, f64)>,
        dependencies: Dependencies,
    ) -> anyhow::Result<Record> {
        self.put_packed(key, pdf, pages, dependencies, self.options)
    }

    /// Stores a PDF under `key` as it is, not deflated, and returns its
    /// record: for a print file assembled from its members' PDFs, whose
    /// streams are deflated already and whose objects they share are held
    /// once, so deflating it again saves a twentieth of it for a fifth of
    /// the time its print file takes.
    pub fn put_stored(
        &self,
        key: &str,
        pdf: &[u8],
        pages: Vec<(f64, f64)>,
    ) -> anyhow::Result<Record> {
        let options = self
            .options
            .compression_method(zip::CompressionMethod::Stored)
            .compression_level(None);
        self.put_packed(key, pdf, pages, Dependencies::default(), options)
    }

    fn put_packed(
        &self,
        key: &str,
        pdf: &[u8],
        pages: Vec<(f64, f64)>,
        dependencies: Dependencies,
        options: zip::write::SimpleFileOptions,
    ) -> anyhow::Result<Record> {
        let packed = crate::package::pack(pdf, options)?;
        let record = Record {
            key: key.to_string(),
            pages,
            sha256: crate::typeset::sha256(pdf),
            packed_sha256: crate::typeset::sha256(&packed),
            packed_len: packed.len() as u64,
            dependencies,
            packed_at: 0,
            file: PathBuf::new(),
        };
        self.append(record, &packed)
    }

    /// Appends an entry to this run's pack, and lists it in the index.
    fn append(&self, record: Record, packed: &[u8]) -> anyhow::Result<Record> {
        let record = {
            let mut writer = self.writer.lock().expect("cache writer lock");
            if writer.is_none() {
                *writer = Some(Writer::create(&self.dir)?);
            }
            let appended = writer
                .as_mut()
                .expect("a writer, created above")
                .append(record, packed);
            if appended.is_err() {
                // An index line may be torn: the next entry goes to a pack
                // and an index of their own, never after it.
                *writer = None;
            }
            appended.map_err(|e| anyhow::anyhow!("cannot write to {}: {e}", self.dir.display()))?
        };
        self.index().insert(record.key.clone(), record.clone());
        Ok(record)
    }

    /// After a full build, whose entries are `keep`: drops every pack that
    /// holds none of them, and every pack whose entries still used make up
    /// less than half of it or that held a damaged one, once those still
    /// used are copied to this run's pack. So
    /// the cache holds this build's entries, and at most as many bytes
    /// again of older ones. Only files named as this tool names them are
    /// touched.
    pub fn prune(&self, keep: &HashSet<String>) {
        let current = self
            .writer
            .lock()
            .expect("cache writer lock")
            .as_ref()
            .map(|w| w.id.clone());
        // Listed before anything is copied: a pack made for the copies is
        // not to be taken for an old one.
        let Ok(listing) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let listing: Vec<PathBuf> = listing.flatten().map(|e| e.path()).collect();
        // Only what is kept: what prune weighs and copies.
        let index: HashMap<String, Record> = self
            .index()
            .iter()
            .filter(|(key, _)| keep.contains(*key))
            .map(|(key, record)| (key.clone(), record.clone()))
            .collect();
        let mut live: HashMap<PathBuf, u64> = HashMap::new();
        for record in index.values() {
            *live.entry(record.file.clone()).or_default() += record.packed_len;
        }
        let pair = |id: &str| {
            (
                self.dir.join(format!("{id}.{PACK}")),
                self.dir.join(format!("{id}.{INDEX}")),
            )
        };
        // This run's own pack cannot be copied into itself: it goes only
        // when nothing in it is used, and before anything is copied to it.
        if let Some(id) = &current {
            let (pack, index) = pair(id);
            if !live.contains_key(&pack) {
                *self.writer.lock().expect("cache writer lock") = None;
                clear(&pack);
                clear(&index);
            }
        }
        for path in listing {
            if legacy_entry(&path) {
                clear(&path);
                continue;
            }
            let Some((id, extension)) = cache_file(&path) else {
                continue;
            };
            if Some(id) == current.as_deref() {
                continue;
            }
            let (pack, index_path) = pair(id);
            if extension == INDEX {
                // An index whose pack is gone lists nothing to keep.
                if std::fs::symlink_metadata(&pack).is_err() {
                    clear(&path);
                }
                continue;
            }
            let used = live.get(&pack).copied().unwrap_or(0);
            let size = std::fs::symlink_metadata(&pack).map_or(0, |m| m.len());
            let damaged = self
                .damaged
                .lock()
                .expect("damaged packs lock")
                .contains(&pack);
            if used > 0 && used >= size.div_ceil(2) && !damaged {
                continue;
            }
            let copied = index
                .values()
                .filter(|record| record.file == pack)
                .all(|record| self.copy(record).is_ok());
            if copied {
                clear(&pack);
                clear(&index_path);
            }
        }
    }

    /// Copies a verified entry to this run's pack.
    fn copy(&self, record: &Record) -> anyhow::Result<()> {
        let packed = read_packed(
            &record.file,
            record.packed_at,
            record.packed_len,
            &record.packed_sha256,
        )?;
        self.append(record.clone(), &packed).map(|_| ())
    }
}

/// The cache folder's tag: the standard signature, and whose it is.
const TAG: &[u8] = b"Signature: 8a477f597d28d172789f06886806bc55\n\
    # The document cache of secretariat; safe to delete.\n";

/// How a run's files are named: `<id>.pack` and `<id>.index`, the id of
/// [`ID_LEN`] hex digits.
const PACK: &str = "pack";
const INDEX: &str = "index";
const ID_LEN: usize = 32;

/// How many new ids a run tries for its pack before giving up.
const MAX_ID_TRIES: usize = 16;

/// The id and extension of a pack or an index.
fn cache_file(path: &Path) -> Option<(&str, &str)> {
    named(path, ID_LEN, &[PACK, INDEX])
}

/// Whether `path` is an entry as earlier versions kept them, one or two files
/// per document (`<64 hex digits>.entry`, `.zip` or `.json`): pruned.
fn legacy_entry(path: &Path) -> bool {
    named(path, 64, &["entry", "zip", "json"]).is_some()
}

/// The stem and extension of `path` when it is named as this tool names its
/// files: `digits` lowercase hex digits, then one of `extensions`.
fn named<'a>(path: &'a Path, digits: usize, extensions: &[&str]) -> Option<(&'a str, &'a str)> {
    let stem = path.file_stem()?.to_str()?;
    let extension = path.extension()?.to_str()?;
    let hex = stem.len() == digits && stem.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (hex && extensions.contains(&extension)).then_some((stem, extension))
}

/// Whether a folder is this tool's cache: tagged so, or holding nothing but
/// what this tool puts there.
fn ours(dir: &Path) -> bool {
    if std::fs::read(dir.join("CACHEDIR.TAG")).ok().as_deref() == Some(TAG) {
        return true;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().all(|entry| {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let path = entry.path();
        cache_file(&path).is_some()
            || legacy_entry(&path)
            || name == "CACHEDIR.TAG"
            || (name.starts_with(crate::files::TEMP_PREFIX) || name.starts_with(".entry-"))
                && name.ends_with(crate::files::TEMP_SUFFIX)
    })
}

/// Removes whatever stands at `path` in the cache (a file, a link, a folder).
fn clear(path: &Path) {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => {
            let _ = std::fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// Every entry the folder's indexes list, by key, and the packs of indexes
/// that are damaged. An index that cannot be read, and a line of one that is
/// not whole, are noted; a last line cut short is what an interrupted run
/// leaves, and is passed over quietly.
fn read_indexes(
    dir: &Path,
    notes: &mut Vec<String>,
) -> (HashMap<String, Record>, HashSet<PathBuf>) {
    let mut index = HashMap::new();
    let mut damaged_packs = HashSet::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (index, damaged_packs);
    };
    let mut damaged = 0;
    // Oldest first: a later run's entry of a key replaces an earlier one's.
    let mut indexes: Vec<(String, PathBuf)> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter_map(|path| match cache_file(&path) {
            Some((id, INDEX)) => Some((id.to_string(), path.clone())),
            _ => None,
        })
        .collect();
    indexes.sort();
    for (id, path) in indexes {
        let pack = dir.join(format!("{id}.{PACK}"));
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            notes.push(format!(
                "{} is a link, which the document cache never follows; the documents it \
                 lists are typeset again",
                path.display()
            ));
            damaged_packs.insert(pack);
            continue;
        }
        let text = match read_regular(&path, MAX_CACHE_INDEX_BYTES) {
            Ok(text) => text,
            Err(e) => {
                notes.push(format!(
                    "{}; the documents it lists are typeset again",
                    e.describe(&path.display().to_string())
                ));
                damaged_packs.insert(pack);
                continue;
            }
        };
        let mut lines = text.split_inclusive(|&b| b == b'\n').peekable();
        while let Some(line) = lines.next() {
            match open_line(line) {
                Some(mut record) => {
                    record.file = pack.clone();
                    index.insert(record.key.clone(), record);
                }
                None if lines.peek().is_none() && !line.ends_with(b"\n") => {}
                None => {
                    damaged += 1;
                    damaged_packs.insert(pack.clone());
                }
            }
        }
    }
    if damaged > 0 {
        notes.push(format!(
            "{damaged} {} of the document cache's index {} damaged; {} typeset again",
            if damaged == 1 { "line" } else { "lines" },
            if damaged == 1 { "was" } else { "were" },
            if damaged == 1 {
                "the document it listed is"
            } else {
                "the documents they listed are"
            },
        ));
    }
    (index, damaged_packs)
}

/// A record as an index lists it: the SHA-256 of its JSON, a space, the JSON,
/// on one line, so a record damaged anywhere (its page sizes, its hashes,
/// where its PDF lies) is told from a whole one.
fn seal_line(record: &Record) -> anyhow::Result<Vec<u8>> {
    // Compact JSON: no newline inside it.
    let json = serde_json::to_vec(record)?;
    let mut sealed = crate::typeset::sha256(&json).into_bytes();
    sealed.push(b' ');
    sealed.extend_from_slice(&json);
    sealed.push(b'\n');
    Ok(sealed)
}

/// The record on an index's `line`, if it is whole.
fn open_line(line: &[u8]) -> Option<Record> {
    if line.len() as u64 > MAX_RECORD_BYTES {
        return None;
    }
    let line = line.strip_suffix(b"\n")?;
    let space = line.iter().position(|&b| b == b' ')?;
    let (sum, json) = (&line[..space], &line[space + 1..]);
    (sum == crate::typeset::sha256(json).as_bytes())
        .then(|| serde_json::from_slice(json).ok())
        .flatten()
}

/// The PDF packed in `path` where `record` says, when it is the one `record`
/// describes.
pub fn pdf_at(path: &Path, record: &Record) -> anyhow::Result<Vec<u8>> {
    let packed = read_packed(
        path,
        record.packed_at,
        record.packed_len,
        &record.packed_sha256,
    )?;
    let pdf = crate::package::unpack(&packed)?;
    anyhow::ensure!(
        crate::typeset::sha256(&pdf) == record.sha256,
        "{} is not what was written to the document cache",
        path.display()
    );
    Ok(pdf)
}

/// The `len` bytes at `at` in the pack at `path`, when the pack holds them
/// and they hash to `sha256`.
pub fn read_packed(path: &Path, at: u64, len: u64, sha256: &str) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let not_written = || {
        anyhow::anyhow!(
            "{} is not what was written to the document cache",
            path.display()
        )
    };
    // A link in the cache is never followed: the tool made none.
    if !std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
        return Err(not_written());
    }
    let (mut file, file_len) = open_regular(path)
        .map_err(|e| anyhow::anyhow!("{}", e.describe(&path.display().to_string())))?;
    if at.checked_add(len).is_none_or(|end| end > file_len) {
        return Err(not_written());
    }
    file.seek(std::io::SeekFrom::Start(at))?;
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(len).read_to_end(&mut bytes)?;
    anyhow::ensure!(
        bytes.len() as u64 == len && crate::typeset::sha256(&bytes) == sha256,
        not_written()
    );
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(dir: &Path, reuse: bool) -> Cache {
        Cache::open(dir, reuse, zip::write::SimpleFileOptions::default())
            .unwrap()
            .0
    }

    /// A key as the cache names entries.
    fn k(c: char) -> String {
        c.to_string().repeat(64)
    }

    fn put(cache: &Cache, key: &str, pdf: &[u8]) -> Record {
        cache
            .put(key, pdf, vec![(210.0, 297.0)], Dependencies::default())
            .unwrap()
    }

    #[test]
    fn keys_tell_apart_what_concatenation_would_not() {
        assert_ne!(Cache::key(&[b"ab", b"c"]), Cache::key(&[b"a", b"bc"]));
        assert_eq!(Cache::key(&[b"ab", b"c"]), Cache::key(&[b"ab", b"c"]));
    }

    /// The cache a later run opens, with its notes.
    fn reopen(dir: &Path) -> (Cache, Vec<String>) {
        Cache::open(dir, true, zip::write::SimpleFileOptions::default()).unwrap()
    }

    /// Where the entry of `key` lies, as the cache found it.
    fn found(cache: &Cache, key: &str) -> Record {
        match cache.get(key) {
            Lookup::Hit(record) => record,
            other => panic!("{key}: {other:?}"),
        }
    }

    /// The packs and indexes in the cache folder.
    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir.join(".cache"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| cache_file(p).is_some())
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn an_entry_is_reused_only_when_whole_and_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = open(dir.path(), true);
        let key = k('a');
        assert_eq!(cache.get(&key), Lookup::Miss);
        let record = put(&cache, &key, b"%PDF");
        assert_eq!(cache.get(&key), Lookup::Hit(record.clone()));
        assert_eq!(cache.pdf(&record).unwrap(), b"%PDF");
        drop(cache);
        // A later run finds it, unless told to reuse nothing.
        let (cache, notes) = reopen(dir.path());
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(cache.get(&key), Lookup::Hit(record.clone()));
        assert_eq!(open(dir.path(), false).get(&key), Lookup::Miss);
        // Its pack cut short: damaged, and dropped.
        let pack = std::fs::read(&record.file).unwrap();
        std::fs::write(&record.file, &pack[..pack.len() - 1]).unwrap();
        let (cache, _) = reopen(dir.path());
        assert_eq!(cache.get(&key), Lookup::Damaged, "a PDF cut short");
        assert_eq!(cache.get(&key), Lookup::Miss, "a damaged entry is dropped");
        put(&cache, &key, b"%PDF");
        cache.prune(&HashSet::new());
        assert_eq!(reopen(dir.path()).0.get(&key), Lookup::Miss);
        assert!(files(dir.path()).is_empty(), "{:?}", files(dir.path()));
        assert!(dir.path().join(".cache/CACHEDIR.TAG").exists());
    }

    #[test]
    fn damaged_or_swapped_entries_are_never_reused() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (k('a'), k('b'));
        let edit = |path: &Path, edit: &dyn Fn(Vec<u8>) -> Vec<u8>| {
            let bytes = std::fs::read(path).unwrap();
            std::fs::write(path, edit(bytes)).unwrap();
        };
        // Bytes of the pack, where the entry of `a` lies.
        let edit_pdf = |r: &Record, f: &dyn Fn(&mut [u8])| {
            edit(&r.file, &|mut bytes| {
                let at = r.packed_at as usize;
                f(&mut bytes[at..at + r.packed_len as usize]);
                bytes
            });
        };
        type Damage<'a> = &'a dyn Fn(&Record, &Record);
        let damage: [(&str, Damage); 6] = [
            ("another entry's PDF in its place", &|a, b| {
                let theirs = std::fs::read(&b.file).unwrap();
                let (at, len) = (b.packed_at as usize, b.packed_len as usize);
                assert_eq!(a.packed_len, b.packed_len);
                edit_pdf(a, &|mine| mine.copy_from_slice(&theirs[at..at + len]));
            }),
            ("a flipped byte in the PDF", &|a, _| {
                edit_pdf(a, &|mine| mine[mine.len() - 20] ^= 1);
            }),
            ("its pack cut short", &|a, _| {
                edit(&a.file, &|bytes| {
                    bytes[..(a.packed_at + a.packed_len) as usize - 1].to_vec()
                });
            }),
            ("its pack emptied", &|a, _| {
                std::fs::write(&a.file, b"").unwrap();
            }),
            ("its pack gone", &|a, _| {
                std::fs::remove_file(&a.file).unwrap();
            }),
            ("a folder in place of its pack", &|a, _| {
                std::fs::remove_file(&a.file).unwrap();
                std::fs::create_dir(&a.file).unwrap();
            }),
        ];
        for (how, damage) in damage {
            let cache = open(dir.path(), true);
            let (ra, rb) = (put(&cache, &a, b"%PDF a"), put(&cache, &b, b"%PDF b"));
            drop(cache);
            damage(&ra, &rb);
            let (cache, _) = reopen(dir.path());
            assert_eq!(cache.get(&a), Lookup::Damaged, "{how}");
            // And the entry can be written again.
            let record = put(&cache, &a, b"%PDF a");
            assert_eq!(cache.get(&a), Lookup::Hit(record.clone()), "{how}");
            // Later runs read the entry written again, never the damaged one.
            drop(cache);
            let (cache, notes) = reopen(dir.path());
            assert!(notes.is_empty(), "{how}: {notes:?}");
            assert_eq!(cache.get(&a), Lookup::Hit(record.clone()), "{how}");
            cache.prune(&[a.clone(), b.clone()].into_iter().collect());
            drop(cache);
            assert_eq!(reopen(dir.path()).0.get(&a), Lookup::Hit(record), "{how}");
            clear(&dir.path().join(".cache"));
        }

        // A line of the index damaged: what it listed is typeset again, and
        // the run says so; the other lines still hold.
        type Line<'a> = &'a dyn Fn(String) -> String;
        let lines: [(&str, Line); 4] = [
            ("a page size changed", &|line| {
                line.replacen("210.0", "310.0", 1)
            }),
            ("where the PDF lies changed", &|line| {
                line.replacen("\"packed_at\":0", "\"packed_at\":1", 1)
            }),
            ("the PDF's hash changed", &|line| {
                let at = line.find("\"sha256\":\"").unwrap() + 10;
                format!("{}{}{}", &line[..at], "0".repeat(64), &line[at + 64..])
            }),
            ("not JSON", &|_| format!("{} {{\n", "0".repeat(64))),
        ];
        for (how, change) in lines {
            let cache = open(dir.path(), true);
            let ra = put(&cache, &a, b"%PDF a");
            put(&cache, &b, b"%PDF b");
            drop(cache);
            edit(&ra.file.with_extension(INDEX), &|bytes| {
                let text = String::from_utf8(bytes).unwrap();
                let (first, rest) = text.split_at(text.find('\n').unwrap() + 1);
                format!("{}{rest}", change(first.to_string())).into_bytes()
            });
            let (cache, notes) = reopen(dir.path());
            assert_eq!(cache.get(&a), Lookup::Miss, "{how}");
            assert!(matches!(cache.get(&b), Lookup::Hit(_)), "{how}");
            assert_eq!(
                notes,
                [
                    "1 line of the document cache's index was damaged; the document it \
                  listed is typeset again"
                ],
                "{how}"
            );
            // A full build mends the index: the next run reads no damage.
            put(&cache, &a, b"%PDF a");
            cache.prune(&[a.clone(), b.clone()].into_iter().collect());
            drop(cache);
            let (cache, notes) = reopen(dir.path());
            assert!(notes.is_empty(), "{how}: {notes:?}");
            assert!(matches!(cache.get(&a), Lookup::Hit(_)), "{how}");
            assert!(matches!(cache.get(&b), Lookup::Hit(_)), "{how}");
            drop(cache);
            clear(&dir.path().join(".cache"));
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_and_fifos_in_the_cache_are_never_followed_or_waited_on() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let cache = open(dir.path(), true);
        let (ra, rb) = (
            put(&cache, &k('a'), b"%PDF a"),
            put(&cache, &k('b'), b"%PDF b"),
        );
        drop(cache);
        // The pack a link to a copy of itself elsewhere: not read.
        let elsewhere = dir.path().join("elsewhere.pack");
        std::fs::rename(&ra.file, &elsewhere).unwrap();
        symlink(&elsewhere, &ra.file).unwrap();
        let (cache, _) = reopen(dir.path());
        assert_eq!(cache.get(&k('a')), Lookup::Damaged);
        drop(cache);
        // The index a link: noted, not read, and gone after a full build.
        let index = rb.file.with_extension(INDEX);
        std::fs::remove_file(&ra.file).unwrap();
        std::fs::rename(&elsewhere, &ra.file).unwrap();
        let theirs = dir.path().join("elsewhere.index");
        std::fs::rename(&index, &theirs).unwrap();
        symlink(&theirs, &index).unwrap();
        let (cache, notes) = reopen(dir.path());
        assert_eq!(cache.get(&k('b')), Lookup::Miss);
        assert!(notes.iter().any(|n| n.contains("is a link")), "{notes:?}");
        cache.prune(&HashSet::new());
        assert!(std::fs::symlink_metadata(&index).is_err());
        assert!(theirs.exists(), "what a link pointed to is left alone");
        // A FIFO for an index: refused at once, never waited on.
        let fifo = std::ffi::CString::new(index.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        let (cache, notes) = reopen(dir.path());
        assert_eq!(cache.get(&k('b')), Lookup::Miss);
        assert_eq!(notes.len(), 1, "{notes:?}");
    }

    #[test]
    fn an_interrupted_run_leaves_what_it_finished() {
        let dir = tempfile::tempdir().unwrap();
        let cache = open(dir.path(), true);
        let ra = put(&cache, &k('a'), b"%PDF a");
        drop(cache);
        // Killed halfway through the next entry's line.
        let index = ra.file.with_extension(INDEX);
        let mut bytes = std::fs::read(&index).unwrap();
        let torn = bytes[..bytes.len() / 2].to_vec();
        bytes.extend_from_slice(&torn);
        std::fs::write(&index, bytes).unwrap();
        let (cache, notes) = reopen(dir.path());
        assert!(
            notes.is_empty(),
            "a torn last line is not damage: {notes:?}"
        );
        assert_eq!(cache.get(&k('a')), Lookup::Hit(ra));
    }

    #[test]
    fn a_full_build_drops_packs_mostly_unused_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let keys: Vec<String> = "abcd".chars().map(k).collect();
        let keep = |keys: &[&String]| keys.iter().map(|k| k.to_string()).collect();
        let cache = open(dir.path(), true);
        for key in &keys {
            put(&cache, key, key.as_bytes());
        }
        cache.prune(&keep(&keys.iter().collect::<Vec<_>>()));
        drop(cache);
        let first = files(dir.path());
        assert_eq!(first.len(), 2, "one pack and its index: {first:?}");

        // Everything reused, three of four still used: nothing moves.
        let (cache, _) = reopen(dir.path());
        for key in &keys[..3] {
            found(&cache, key);
        }
        cache.prune(&keep(&keys[..3].iter().collect::<Vec<_>>()));
        drop(cache);
        assert_eq!(files(dir.path()), first);

        // One of four still used, and one new: the old pack goes, what is
        // used of it copied to the new run's pack.
        let (cache, _) = reopen(dir.path());
        found(&cache, &keys[0]);
        let (e, f) = (k('e'), k('f'));
        put(&cache, &e, b"%PDF e");
        // Bytes that do not deflate: most of the pack.
        let big: Vec<u8> = (0..4000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        put(&cache, &f, &big);
        cache.prune(&keep(&[&keys[0], &e, &f]));
        drop(cache);
        let now = files(dir.path());
        assert_eq!(now.len(), 2, "{now:?}");
        assert!(now.iter().all(|name| !first.contains(name)), "{now:?}");
        let (cache, _) = reopen(dir.path());
        assert_eq!(
            cache.pdf(&found(&cache, &keys[0])).unwrap(),
            keys[0].as_bytes()
        );
        assert_eq!(cache.pdf(&found(&cache, &e)).unwrap(), b"%PDF e");
        assert_eq!(cache.get(&keys[1]), Lookup::Miss);

        // In a run that typesets nothing, the copies go to a pack of their own.
        drop(cache);
        let (cache, _) = reopen(dir.path());
        found(&cache, &e);
        cache.prune(&keep(&[&e]));
        drop(cache);
        let (cache, _) = reopen(dir.path());
        assert_eq!(cache.get(&f), Lookup::Miss);
        assert_eq!(cache.get(&keys[0]), Lookup::Miss);
        assert_eq!(cache.pdf(&found(&cache, &e)).unwrap(), b"%PDF e");
        assert_eq!(files(dir.path()).len(), 2);
    }

    #[test]
    fn the_cache_folder_is_its_own_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        // A link where the cache goes: replaced, the place it pointed to untouched.
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::fs::write(elsewhere.join(format!("{}.json", k('c'))), b"theirs").unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&elsewhere, out.join(".cache")).unwrap();
        let (cache, notes) =
            Cache::open(&out, true, zip::write::SimpleFileOptions::default()).unwrap();
        assert!(!notes.is_empty() || cfg!(not(unix)));
        put(&cache, &k('a'), b"%PDF");
        cache.prune(&HashSet::new());
        assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 1);
        // A file there: replaced too.
        std::fs::remove_dir_all(out.join(".cache")).unwrap();
        std::fs::write(out.join(".cache"), b"x").unwrap();
        assert!(Cache::open(&out, true, zip::write::SimpleFileOptions::default()).is_ok());
        // A folder of someone else's (`--out ~` and its ~/.cache): refused.
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".cache")).unwrap();
        std::fs::write(home.join(".cache/settings.json"), b"{}").unwrap();
        assert!(Cache::open(&home, true, zip::write::SimpleFileOptions::default()).is_err());
        assert!(home.join(".cache/settings.json").exists());
        // Pruning touches entries only.
        let cache = open(&out, true);
        std::fs::write(out.join(".cache/notes.json"), b"{}").unwrap();
        cache.prune(&HashSet::new());
        assert!(out.join(".cache/notes.json").exists());
    }
}
