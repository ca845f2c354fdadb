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
//! reused document is neither typeset nor compressed again. Entries are written
//! atomically (the PDF first, then the record that makes the entry visible), so
//! an interrupted run leaves no half-written entry. Nothing on disk is trusted:
//! every reuse checks the entry against its record (its key, the SHA-256 of its
//! bytes), and an entry that fails is discarded and its document typeset again.
//!
//! (Longer than most files here because the tests of those promises, damaged
//! and swapped entries among them, sit below the code they check.)

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::files::{read_regular, write_atomically};
use crate::typeset::Dependencies;

/// What is known about a cached PDF without reading it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    /// The key the entry was stored under: a record copied to another key is
    /// told apart from the right one.
    pub key: String,
    /// Page sizes in millimetres.
    pub pages: Vec<(f64, f64)>,
    /// SHA-256 of the PDF, for the manifest and for print-file keys.
    pub sha256: String,
    /// SHA-256 of the packed file as written, checked on every reuse and
    /// again as the zip takes it, so a damaged or swapped entry never
    /// reaches the zip.
    pub packed_sha256: String,
    /// Its length, checked before it is read: a file put in its place is
    /// never read whole.
    pub packed_len: u64,
    pub dependencies: Dependencies,
}

/// What the cache holds for a key.
#[derive(Debug, PartialEq)]
pub enum Lookup {
    /// A whole entry, as it was written.
    Hit(Record),
    /// Nothing (or reuse is off).
    Miss,
    /// An entry that is not what was written (flipped bytes, truncated, or
    /// another entry copied over it). It has been removed; the document is to
    /// be typeset again.
    Damaged,
}

/// The cache folder of one output folder.
pub struct Cache {
    dir: PathBuf,
    /// False for `--no-cache`: nothing is reused, everything is stored afresh.
    reuse: bool,
    /// How PDFs are packed, as the zip will hold them.
    options: zip::write::SimpleFileOptions,
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
        Ok((
            Self {
                dir,
                reuse,
                options,
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

    /// Where the PDF of `key` lies, packed as the zip will hold it (see
    /// [`package::pack`](crate::package::pack)), whether or not it exists.
    pub fn packed(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.zip"))
    }

    /// The PDF of a verified entry, checked against its record once more.
    pub fn pdf(&self, record: &Record) -> anyhow::Result<Vec<u8>> {
        pdf_at(&self.packed(&record.key), record)
    }

    fn record_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The entry of `key`, verified: the record is whole (it carries the
    /// SHA-256 of its own text), names this key, and the packed PDF has the
    /// recorded length and SHA-256. An entry that does not verify is removed
    /// and reported as [`Lookup::Damaged`].
    pub fn get(&self, key: &str) -> Lookup {
        if !self.reuse {
            return Lookup::Miss;
        }
        let record_path = self.record_path(key);
        let text = match read_regular(&record_path, MAX_RECORD_BYTES) {
            Ok(text) => text,
            Err(crate::files::Refused::NotFound) => {
                if std::fs::symlink_metadata(self.packed(key)).is_ok() {
                    // A PDF whose record never came: not an entry, but its
                    // name must be free for the next one.
                    clear(&self.packed(key));
                }
                return Lookup::Miss;
            }
            Err(_) => return self.discard(key),
        };
        let Some(record) = open_record(&text) else {
            return self.discard(key);
        };
        if record.key != key
            || read_packed(&self.packed(key), record.packed_len, &record.packed_sha256).is_err()
        {
            return self.discard(key);
        }
        Lookup::Hit(record)
    }

    fn discard(&self, key: &str) -> Lookup {
        clear(&self.record_path(key));
        clear(&self.packed(key));
        Lookup::Damaged
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
        std::fs::create_dir_all(&self.dir)?;
        let packed = crate::package::pack(pdf, options)?;
        let record = Record {
            key: key.to_string(),
            pages,
            sha256: crate::typeset::sha256(pdf),
            packed_sha256: crate::typeset::sha256(&packed),
            packed_len: packed.len() as u64,
            dependencies,
        };
        // The PDF first, then the record that makes the entry visible.
        // Whatever stands in their place (a folder, a link) goes first.
        clear(&self.packed(key));
        write_atomically(&self.packed(key), &packed)?;
        clear(&self.record_path(key));
        write_atomically(&self.record_path(key), &seal_record(&record)?)?;
        Ok(record)
    }

    /// Removes every entry not among `keep`: after a full build the cache holds
    /// that build's documents and nothing older. Only entries are touched:
    /// files named as this tool names them.
    pub fn prune(&self, keep: &HashSet<String>) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(stem) = entry_key(&path) else {
                continue;
            };
            if !keep.contains(stem) {
                clear(&path);
            }
        }
    }
}

/// The cache folder's tag: the standard signature, and whose it is.
const TAG: &[u8] = b"Signature: 8a477f597d28d172789f06886806bc55\n\
    # The document cache of secretariat; safe to delete.\n";

/// The key of an entry's file (`<64 hex digits>.zip` or `.json`).
fn entry_key(path: &Path) -> Option<&str> {
    let stem = path.file_stem()?.to_str()?;
    let extension = path.extension()?.to_str()?;
    let key = stem.len() == 64 && stem.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (key && matches!(extension, "zip" | "json")).then_some(stem)
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
        entry_key(&entry.path()).is_some()
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

/// A record as stored: the SHA-256 of its JSON on the first line, then the
/// JSON, so a record damaged anywhere (its page sizes, its hashes) is told
/// from a whole one.
fn seal_record(record: &Record) -> anyhow::Result<Vec<u8>> {
    let json = serde_json::to_vec(record)?;
    let mut sealed = crate::typeset::sha256(&json).into_bytes();
    sealed.push(b'\n');
    sealed.extend_from_slice(&json);
    Ok(sealed)
}

/// The record in a stored text, if it is whole.
fn open_record(text: &[u8]) -> Option<Record> {
    let newline = text.iter().position(|&b| b == b'\n')?;
    let (sum, json) = (&text[..newline], &text[newline + 1..]);
    (sum == crate::typeset::sha256(json).as_bytes())
        .then(|| serde_json::from_slice(json).ok())
        .flatten()
}

/// A record is a few hundred bytes; anything much larger is not one.
const MAX_RECORD_BYTES: u64 = 1 << 20;

/// The PDF packed at `path`, when it is the one `record` describes.
pub fn pdf_at(path: &Path, record: &Record) -> anyhow::Result<Vec<u8>> {
    let packed = read_packed(path, record.packed_len, &record.packed_sha256)?;
    let pdf = crate::package::unpack(&packed)?;
    anyhow::ensure!(
        crate::typeset::sha256(&pdf) == record.sha256,
        "{} is not what was written to the document cache",
        path.display()
    );
    Ok(pdf)
}

/// The bytes of a packed PDF, when there are `len` of them and they hash to
/// `sha256`.
pub fn read_packed(path: &Path, len: u64, sha256: &str) -> anyhow::Result<Vec<u8>> {
    let bytes = read_regular(path, len)
        .map_err(|e| anyhow::anyhow!("{}", e.describe(&path.display().to_string())))?;
    anyhow::ensure!(
        bytes.len() as u64 == len && crate::typeset::sha256(&bytes) == sha256,
        "{} is not what was written to the document cache",
        path.display()
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

    #[test]
    fn an_entry_is_reused_only_when_whole_and_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = open(dir.path(), true);
        let key = k('a');
        assert_eq!(cache.get(&key), Lookup::Miss);
        let record = put(&cache, &key, b"%PDF");
        assert_eq!(cache.get(&key), Lookup::Hit(record.clone()));
        assert_eq!(cache.pdf(&record).unwrap(), b"%PDF");
        assert_eq!(open(dir.path(), false).get(&key), Lookup::Miss);
        std::fs::remove_file(cache.packed(&key)).unwrap();
        assert_eq!(cache.get(&key), Lookup::Damaged, "a record without its PDF");
        assert_eq!(cache.get(&key), Lookup::Miss, "a damaged entry is removed");
        put(&cache, &key, b"%PDF");
        cache.prune(&HashSet::new());
        assert_eq!(cache.get(&key), Lookup::Miss);
        assert!(dir.path().join(".cache/CACHEDIR.TAG").exists());
    }

    #[test]
    fn damaged_or_swapped_entries_are_never_reused() {
        let dir = tempfile::tempdir().unwrap();
        let cache = open(dir.path(), true);
        let (a, b) = (k('a'), k('b'));
        type Damage = fn(&Cache, &str, &str);
        let damage: [(&str, Damage); 7] = [
            ("the PDF of another", |c, a, b| {
                std::fs::copy(c.packed(b), c.packed(a)).unwrap();
            }),
            ("a whole entry copied over", |c, a, b| {
                std::fs::copy(c.packed(b), c.packed(a)).unwrap();
                std::fs::copy(c.record_path(b), c.record_path(a)).unwrap();
            }),
            ("truncated", |c, a, _| {
                let packed = std::fs::read(c.packed(a)).unwrap();
                std::fs::write(c.packed(a), &packed[..packed.len() / 2]).unwrap();
            }),
            ("a record that is not JSON", |c, a, _| {
                std::fs::write(c.record_path(a), b"{").unwrap();
            }),
            ("a page size changed in the record", |c, a, _| {
                let text = std::fs::read_to_string(c.record_path(a)).unwrap();
                std::fs::write(c.record_path(a), text.replace("210.0", "310.0")).unwrap();
            }),
            ("the PDF's hash changed in the record", |c, a, _| {
                let text = std::fs::read_to_string(c.record_path(a)).unwrap();
                let record = open_record(text.as_bytes()).unwrap();
                let forged = text.replace(&record.sha256, &"0".repeat(64));
                std::fs::write(c.record_path(a), forged).unwrap();
            }),
            ("a folder in place of the PDF", |c, a, _| {
                std::fs::remove_file(c.packed(a)).unwrap();
                std::fs::create_dir(c.packed(a)).unwrap();
            }),
        ];
        for (how, damage) in damage {
            put(&cache, &a, b"%PDF a");
            put(&cache, &b, b"%PDF b");
            damage(&cache, &a, &b);
            assert_eq!(cache.get(&a), Lookup::Damaged, "{how}");
            // And the entry can be written again.
            let record = put(&cache, &a, b"%PDF a");
            assert_eq!(cache.get(&a), Lookup::Hit(record), "{how}");
        }
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
