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
//! an interrupted run leaves no half-written entry.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::typeset::Dependencies;

/// What is known about a cached PDF without reading it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    /// Page sizes in millimetres.
    pub pages: Vec<(f64, f64)>,
    /// SHA-256 of the PDF, for the manifest and for print-file keys.
    pub sha256: String,
    pub dependencies: Dependencies,
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
        *OPEN.lock().expect("cache lock") = Some(out.join(".cache"));
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

    /// The PDF of `key`.
    pub fn pdf(&self, key: &str) -> anyhow::Result<Vec<u8>> {
        crate::package::unpack(&self.packed(key))
    }

    fn record_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The record of `key`, when reuse is allowed and the entry is whole.
    pub fn get(&self, key: &str) -> Option<Record> {
        if !self.reuse {
            return None;
        }
        let text = std::fs::read(self.record_path(key)).ok()?;
        let record: Record = serde_json::from_slice(&text).ok()?;
        self.packed(key).is_file().then_some(record)
    }

    /// Stores a PDF and its record under `key`.
    pub fn put(&self, key: &str, pdf: &[u8], record: &Record) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        // Marks the folder as a cache for backup tools, as Cargo does for target/.
        let tag = self.dir.join("CACHEDIR.TAG");
        if !tag.exists() {
            write_atomically(
                &self.dir,
                &tag,
                b"Signature: 8a477f597d28d172789f06886806bc55\n\
                  # The document cache of secretariat; safe to delete.\n",
            )?;
        }
        let packed = crate::package::pack(pdf, self.options)?;
        write_atomically(&self.dir, &self.packed(key), &packed)?;
        write_atomically(
            &self.dir,
            &self.record_path(key),
            &serde_json::to_vec(record)?,
        )?;
        Ok(())
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
                Some("zip" | "json" | "partial")
            );
            if ours && !keep.contains(stem) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// The cache folder of the running build, so an interrupted run can remove its
/// half-written entries (`interrupted`).
static OPEN: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);

/// Removes half-written entries; called when the run is interrupted (Ctrl-C),
/// when destructors will not run.
pub fn interrupted() {
    let Ok(open) = OPEN.lock() else { return };
    let Some(dir) = open.as_ref() else { return };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.path().extension().is_some_and(|e| e == "partial") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn write_atomically(dir: &Path, target: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut temp = tempfile::Builder::new()
        .prefix(".entry-")
        .suffix(".partial")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.persist(target)?;
    Ok(())
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
        let record = Record {
            pages: vec![(210.0, 297.0)],
            sha256: "00".into(),
            dependencies: Dependencies::default(),
        };
        let options = zip::write::SimpleFileOptions::default();
        let cache = Cache::new(dir.path(), true, options);
        assert_eq!(cache.get("k"), None);
        cache.put("k", b"%PDF", &record).unwrap();
        assert_eq!(cache.get("k"), Some(record.clone()));
        assert_eq!(cache.pdf("k").unwrap(), b"%PDF");
        assert_eq!(Cache::new(dir.path(), false, options).get("k"), None);
        std::fs::remove_file(cache.packed("k")).unwrap();
        assert_eq!(cache.get("k"), None, "a record without its PDF is no entry");
        cache.put("k", b"%PDF", &record).unwrap();
        cache.prune(&HashSet::new());
        assert_eq!(cache.get("k"), None);
        assert!(dir.path().join(".cache/CACHEDIR.TAG").exists());
    }
}
