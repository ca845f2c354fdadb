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
    pub fn new(out: &Path, reuse: bool, options: zip::write::SimpleFileOptions) -> Self {
        Self {
            dir: out.join(".cache"),
            reuse,
            options,
        }
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

    /// The entry of `key`, verified against its record: the record names this
    /// key, and the packed PDF's bytes hash to what was recorded. An entry
    /// that does not verify is removed and reported as [`Lookup::Damaged`].
    pub fn get(&self, key: &str) -> Lookup {
        if !self.reuse {
            return Lookup::Miss;
        }
        let record_path = self.record_path(key);
        let text = match read_regular(&record_path, MAX_RECORD_BYTES) {
            Ok(text) => text,
            Err(crate::files::Refused::NotFound) => return Lookup::Miss,
            Err(_) => return self.discard(key),
        };
        let Ok(record) = serde_json::from_slice::<Record>(&text) else {
            return self.discard(key);
        };
        if record.key != key || read_packed(&self.packed(key), &record.packed_sha256).is_err() {
            return self.discard(key);
        }
        Lookup::Hit(record)
    }

    fn discard(&self, key: &str) -> Lookup {
        let _ = std::fs::remove_file(self.record_path(key));
        let _ = std::fs::remove_file(self.packed(key));
        Lookup::Damaged
    }

    /// Stores a PDF under `key` and returns its record.
    pub fn put(
        &self,
        key: &str,
        pdf: &[u8],
        pages: Vec<(f64, f64)>,
        dependencies: Dependencies,
    ) -> anyhow::Result<Record> {
        std::fs::create_dir_all(&self.dir)?;
        // Marks the folder as a cache for backup tools, as Cargo does for target/.
        let tag = self.dir.join("CACHEDIR.TAG");
        if !tag.exists() {
            write_atomically(
                &tag,
                b"Signature: 8a477f597d28d172789f06886806bc55\n\
                  # The document cache of secretariat; safe to delete.\n",
            )?;
        }
        let packed = crate::package::pack(pdf, self.options)?;
        let record = Record {
            key: key.to_string(),
            pages,
            sha256: crate::typeset::sha256(pdf),
            packed_sha256: crate::typeset::sha256(&packed),
            dependencies,
        };
        // The PDF first, then the record that makes the entry visible.
        write_atomically(&self.packed(key), &packed)?;
        write_atomically(&self.record_path(key), &serde_json::to_vec(&record)?)?;
        Ok(record)
    }

    /// Removes every entry not among `keep`: after a full build the cache holds
    /// that build's documents and nothing older.
    pub fn prune(&self, keep: &HashSet<String>) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            let ours = matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("zip" | "json")
            );
            if ours && !keep.contains(stem) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// A record is a few hundred bytes; anything much larger is not one.
const MAX_RECORD_BYTES: u64 = 1 << 20;

/// The PDF packed at `path`, when it is the one `record` describes.
pub fn pdf_at(path: &Path, record: &Record) -> anyhow::Result<Vec<u8>> {
    let packed = read_packed(path, &record.packed_sha256)?;
    let pdf = crate::package::unpack(&packed)?;
    anyhow::ensure!(
        crate::typeset::sha256(&pdf) == record.sha256,
        "{} is not what was written to the document cache",
        path.display()
    );
    Ok(pdf)
}

/// The bytes of a packed PDF, when they hash to `sha256`.
pub fn read_packed(path: &Path, sha256: &str) -> anyhow::Result<Vec<u8>> {
    let bytes = read_regular(path, u64::MAX)
        .map_err(|e| anyhow::anyhow!("{}", e.describe(&path.display().to_string())))?;
    anyhow::ensure!(
        crate::typeset::sha256(&bytes) == sha256,
        "{} is not what was written to the document cache",
        path.display()
    );
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_tell_apart_what_concatenation_would_not() {
        assert_ne!(Cache::key(&[b"ab", b"c"]), Cache::key(&[b"a", b"bc"]));
        assert_eq!(Cache::key(&[b"ab", b"c"]), Cache::key(&[b"ab", b"c"]));
    }

    #[test]
    fn an_entry_is_reused_only_when_whole_and_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let options = zip::write::SimpleFileOptions::default();
        let cache = Cache::new(dir.path(), true, options);
        assert_eq!(cache.get("k"), Lookup::Miss);
        let record = cache
            .put("k", b"%PDF", vec![(210.0, 297.0)], Dependencies::default())
            .unwrap();
        assert_eq!(cache.get("k"), Lookup::Hit(record.clone()));
        assert_eq!(cache.pdf(&record).unwrap(), b"%PDF");
        assert_eq!(
            Cache::new(dir.path(), false, options).get("k"),
            Lookup::Miss
        );
        std::fs::remove_file(cache.packed("k")).unwrap();
        assert_eq!(cache.get("k"), Lookup::Damaged, "a record without its PDF");
        assert_eq!(cache.get("k"), Lookup::Miss, "a damaged entry is removed");
        cache
            .put("k", b"%PDF", vec![(210.0, 297.0)], Dependencies::default())
            .unwrap();
        cache.prune(&HashSet::new());
        assert_eq!(cache.get("k"), Lookup::Miss);
        assert!(dir.path().join(".cache/CACHEDIR.TAG").exists());
    }

    #[test]
    fn damaged_or_swapped_entries_are_never_reused() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path(), true, zip::write::SimpleFileOptions::default());
        let a = cache
            .put("a", b"%PDF a", vec![], Dependencies::default())
            .unwrap();
        cache
            .put("b", b"%PDF b", vec![], Dependencies::default())
            .unwrap();
        // The PDF of b copied over a's.
        std::fs::copy(cache.packed("b"), cache.packed("a")).unwrap();
        assert_eq!(cache.get("a"), Lookup::Damaged);
        // A whole entry copied over another: the record names its own key.
        cache
            .put("a", b"%PDF a", vec![], Dependencies::default())
            .unwrap();
        std::fs::copy(cache.packed("b"), cache.packed("a")).unwrap();
        std::fs::copy(cache.record_path("b"), cache.record_path("a")).unwrap();
        assert_eq!(cache.get("a"), Lookup::Damaged);
        // Truncated.
        cache
            .put("a", b"%PDF a", vec![], Dependencies::default())
            .unwrap();
        let packed = std::fs::read(cache.packed("a")).unwrap();
        std::fs::write(cache.packed("a"), &packed[..packed.len() / 2]).unwrap();
        assert_eq!(cache.get("a"), Lookup::Damaged);
        // A record that is not JSON.
        cache
            .put("a", b"%PDF a", vec![], Dependencies::default())
            .unwrap();
        std::fs::write(cache.record_path("a"), b"{").unwrap();
        assert_eq!(cache.get("a"), Lookup::Damaged);
        let _ = a;
    }
}
