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
//! reused document is neither typeset nor compressed again. An entry is one
//! file, `<key>.entry`: its record (sealed with the SHA-256 of its own text),
//! then the packed PDF. One file, not a record beside a zip, because creating
//! files is what a full build's cache costs most: on ext4, where many files
//! were deleted moments before (the previous build's entries, pruned or
//! removed with `out/`), each new one took a millisecond or more of kernel
//! time. Entries are written atomically, so an interrupted run leaves no
//! half-written entry. Nothing on disk is trusted: every reuse checks the
//! entry against its record (its key, the length and SHA-256 of its bytes),
//! and an entry that fails is discarded and its document typeset again.
//!
//! (Longer than most files here because the tests of those promises, damaged
//! and swapped entries among them, sit below the code they check.)

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::files::{open_regular, write_atomically};
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
    /// Where in the entry's file the packed PDF starts: after the record.
    #[serde(skip)]
    pub packed_at: u64,
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

    /// The file of the entry of `key`, whether or not it exists: its record,
    /// then its PDF packed as the zip will hold it (see
    /// [`package::pack`](crate::package::pack)).
    pub fn entry(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.{ENTRY}"))
    }

    /// The PDF of a verified entry, checked against its record once more.
    pub fn pdf(&self, record: &Record) -> anyhow::Result<Vec<u8>> {
        pdf_at(&self.entry(&record.key), record)
    }

    /// The entry of `key`, verified: the record is whole (it carries the
    /// SHA-256 of its own text), names this key, and the packed PDF after it
    /// has the recorded length and SHA-256. An entry that does not verify is
    /// removed and reported as [`Lookup::Damaged`].
    pub fn get(&self, key: &str) -> Lookup {
        if !self.reuse {
            return Lookup::Miss;
        }
        let path = self.entry(key);
        let record = match read_record(&path) {
            Ok(record) => record,
            Err(crate::files::Refused::NotFound) => return Lookup::Miss,
            Err(_) => return self.discard(key),
        };
        if record.key != key
            || read_packed(
                &path,
                record.packed_at,
                record.packed_len,
                &record.packed_sha256,
            )
            .is_err()
        {
            return self.discard(key);
        }
        Lookup::Hit(record)
    }

    fn discard(&self, key: &str) -> Lookup {
        clear(&self.entry(key));
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
        let mut record = Record {
            key: key.to_string(),
            pages,
            sha256: crate::typeset::sha256(pdf),
            packed_sha256: crate::typeset::sha256(&packed),
            packed_len: packed.len() as u64,
            dependencies,
            packed_at: 0,
        };
        let mut entry = seal_record(&record)?;
        record.packed_at = entry.len() as u64;
        entry.extend_from_slice(&packed);
        // Whatever stands in its place (a folder, a link) goes first.
        let path = self.entry(key);
        clear(&path);
        write_atomically(&path, &entry)?;
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

/// How an entry's file is named: `<key>.entry`.
const ENTRY: &str = "entry";

/// The key of an entry's file (`<64 hex digits>.entry`; `.zip` and `.json`
/// are the two files an entry was before, pruned like any entry not kept).
fn entry_key(path: &Path) -> Option<&str> {
    let stem = path.file_stem()?.to_str()?;
    let extension = path.extension()?.to_str()?;
    let key = stem.len() == 64 && stem.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (key && matches!(extension, ENTRY | "zip" | "json")).then_some(stem)
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

/// A record as stored at the head of its entry: the SHA-256 of its JSON on
/// the first line, then the JSON on the second, so a record damaged anywhere
/// (its page sizes, its hashes) is told from a whole one.
fn seal_record(record: &Record) -> anyhow::Result<Vec<u8>> {
    // Compact JSON: no newline inside it.
    let json = serde_json::to_vec(record)?;
    let mut sealed = crate::typeset::sha256(&json).into_bytes();
    sealed.push(b'\n');
    sealed.extend_from_slice(&json);
    sealed.push(b'\n');
    Ok(sealed)
}

/// The record at the head of `text` and its length with its two lines, if
/// it is whole.
fn open_record(text: &[u8]) -> Option<(Record, usize)> {
    let first = text.iter().position(|&b| b == b'\n')?;
    let second = first + 1 + text[first + 1..].iter().position(|&b| b == b'\n')?;
    let (sum, json) = (&text[..first], &text[first + 1..second]);
    (sum == crate::typeset::sha256(json).as_bytes())
        .then(|| serde_json::from_slice(json).ok())
        .flatten()
        .map(|record| (record, second + 1))
}

/// A record is a few hundred bytes; anything much larger is not one.
const MAX_RECORD_BYTES: u64 = 1 << 20;

/// The record at the head of the entry at `path`: only the head is read, so
/// a file put in the entry's place is never read whole.
fn read_record(path: &Path) -> Result<Record, crate::files::Refused> {
    use std::io::Read;
    let (file, _) = open_regular(path)?;
    let mut head = Vec::new();
    file.take(MAX_RECORD_BYTES)
        .read_to_end(&mut head)
        .map_err(crate::files::Refused::Io)?;
    let (mut record, len) = open_record(&head).ok_or(crate::files::Refused::NotAFile(
        "not an entry of the document cache",
    ))?;
    record.packed_at = len as u64;
    Ok(record)
}

/// The PDF packed in the entry at `path`, when it is the one `record`
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

/// The bytes of the packed PDF in the entry at `path`, when the file ends
/// with `len` of them after the first `at` and they hash to `sha256`.
pub fn read_packed(path: &Path, at: u64, len: u64, sha256: &str) -> anyhow::Result<Vec<u8>> {
    use std::io::{Read, Seek};
    let not_written = || {
        anyhow::anyhow!(
            "{} is not what was written to the document cache",
            path.display()
        )
    };
    let (mut file, file_len) = open_regular(path)
        .map_err(|e| anyhow::anyhow!("{}", e.describe(&path.display().to_string())))?;
    if at.checked_add(len) != Some(file_len) {
        return Err(not_written());
    }
    file.seek(std::io::SeekFrom::Start(at))?;
    let mut bytes = Vec::with_capacity(len as usize);
    // A file growing while read is still cut at its length.
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
        let entry = std::fs::read(cache.entry(&key)).unwrap();
        std::fs::write(cache.entry(&key), &entry[..record.packed_at as usize]).unwrap();
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
        let edit = |c: &Cache, a: &str, edit: &dyn Fn(Vec<u8>) -> Vec<u8>| {
            let entry = std::fs::read(c.entry(a)).unwrap();
            std::fs::write(c.entry(a), edit(entry)).unwrap();
        };
        // The record only, as text; the PDF after it as it was.
        let edit_record = |c: &Cache, a: &str, f: &dyn Fn(String) -> String| {
            let at = read_record(&c.entry(a)).unwrap().packed_at as usize;
            edit(c, a, &|entry| {
                let record = String::from_utf8(entry[..at].to_vec()).unwrap();
                [f(record).into_bytes(), entry[at..].to_vec()].concat()
            });
        };
        type Damage<'a> = &'a dyn Fn(&Cache, &str, &str);
        let damage: [(&str, Damage); 9] = [
            ("another entry copied over", &|c, a, b| {
                std::fs::copy(c.entry(b), c.entry(a)).unwrap();
            }),
            ("another entry's PDF after this record", &|c, a, b| {
                let theirs = std::fs::read(c.entry(b)).unwrap();
                let at = read_record(&c.entry(b)).unwrap().packed_at as usize;
                edit(c, a, &|mut entry| {
                    let at = read_record(&c.entry(a)).unwrap().packed_at as usize;
                    entry.truncate(at);
                    entry.extend_from_slice(&theirs[at..]);
                    entry
                });
                assert_eq!(at, read_record(&c.entry(a)).unwrap().packed_at as usize);
            }),
            ("truncated", &|c, a, _| {
                edit(c, a, &|entry| entry[..entry.len() - 1].to_vec());
            }),
            ("a byte more", &|c, a, _| {
                edit(c, a, &|mut entry| {
                    entry.push(0);
                    entry
                });
            }),
            ("a flipped byte in the PDF", &|c, a, _| {
                edit(c, a, &|mut entry| {
                    let last = entry.len() - 30;
                    entry[last] ^= 1;
                    entry
                });
            }),
            ("a record that is not JSON", &|c, a, _| {
                edit(c, a, &|entry| [b"{\n{\n".as_slice(), &entry].concat());
            }),
            ("a page size changed in the record", &|c, a, _| {
                edit_record(c, a, &|record| record.replace("210.0", "310.0"));
            }),
            ("the PDF's hash changed in the record", &|c, a, _| {
                let sha256 = read_record(&c.entry(a)).unwrap().sha256;
                edit_record(c, a, &|record| record.replace(&sha256, &"0".repeat(64)));
            }),
            ("a folder in place of the entry", &|c, a, _| {
                std::fs::remove_file(c.entry(a)).unwrap();
                std::fs::create_dir(c.entry(a)).unwrap();
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
