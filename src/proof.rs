//! Proofs: every page of a build as a thumbnail on a contact sheet, labelled
//! with its file name, so the secretariat can look the whole set over before it
//! goes to the printer.
//!
//! Pages are read back from the finished PDFs (the build's cache holds them) and
//! rendered in-process with `typst-render`; the contact sheet is itself typeset
//! with Typst. Nothing depends on tools installed on the machine.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use typst::foundations::Bytes;

use crate::diagnostic::{DocumentError, Failure};
use crate::pipeline::{self, BuildOptions};
use crate::render::typst_str;
use crate::typeset::Typesetter;

/// Thumbnails per row of the contact sheet (A4 landscape).
const COLUMNS: usize = 6;

/// Pixels per point of the thumbnails: an A4 page becomes 149 × 210 pixels,
/// enough to see layout, overflow and a missing logo at a glance.
const THUMBNAIL_SCALE: f32 = 0.5;

/// What `proof` made.
pub struct ProofReport {
    pub sheet: PathBuf,
    pub pages: usize,
    pub pngs: Vec<PathBuf>,
}

/// Builds (reusing the cache), then renders every page of every document onto
/// `<out>/<zip name>-proof.pdf`, and with `png` each page as a PNG at `dpi`
/// there too.
///
/// Page images are rendered into a hidden folder inside `png` and moved into
/// place only once all are made, so an interrupted or failed proof leaves the
/// previous images as they were (or says how many it had moved).
pub fn proof(options: &BuildOptions, png: Option<&Path>, dpi: f32) -> Result<ProofReport, Failure> {
    // One lock for the build and the proof's own files.
    let lock = pipeline::lock(&options.out)?;
    let report = pipeline::build_holding(options, Some(&lock))?;
    let programme = pipeline::check(&options.programme)?;
    let typesetter = pipeline::typesetter(&programme, &options.fonts)?;
    let staging = match png {
        Some(dir) => Some(Staging::new(dir)?),
        None => None,
    };
    let mut thumbnails: Vec<(String, Bytes)> = Vec::new();
    let mut pngs = Vec::new();
    for entry in &report.documents {
        let path = &entry.path;
        let pdf = entry.bytes()?;
        let pages = typesetter
            .pdf_pages(vec![(Bytes::new(pdf), entry.pages.clone())])
            .map_err(|e| Failure::Documents(vec![DocumentError::one(path.as_str(), e)]))?
            .remove(0);
        for (n, page) in pages.iter().enumerate() {
            let label = format!("{path} · {}/{}", n + 1, pages.len());
            thumbnails.push((label, Bytes::new(png_of(page, THUMBNAIL_SCALE)?)));
            if let Some(staging) = &staging {
                let name = format!("{}-{}.png", path.trim_end_matches(".pdf"), n + 1);
                staging.write(&name, &png_of(page, dpi / 72.0)?)?;
                pngs.push(name);
            }
        }
    }
    let title = format!(
        "Proof of {} · {} pages",
        report
            .zip
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        thumbnails.len()
    );
    let sheet_pdf = contact_sheet(&typesetter, &title, &thumbnails)?;
    let stem = report
        .zip
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sheet = options.out.join(format!("{stem}-proof.pdf"));
    crate::files::write_output(&sheet, |file| {
        Ok(std::io::Write::write_all(file, &sheet_pdf)?)
    })?;
    let pngs = match staging {
        Some(staging) => staging.commit(&pngs)?,
        None => Vec::new(),
    };
    Ok(ProofReport {
        sheet,
        pages: thumbnails.len(),
        pngs,
    })
}

/// A hidden folder inside the page-image folder where a proof's images are
/// made before they are moved into place.
struct Staging {
    dir: PathBuf,
    temp: tempfile::TempDir,
    _in_flight: crate::files::InFlight,
}

impl Staging {
    fn new(dir: &Path) -> Result<Self, Failure> {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
        // Left by a proof killed outright.
        crate::files::remove_stale(dir);
        // Made and registered together, as far as an interruption can tell.
        let gate = crate::files::gate();
        let temp = tempfile::Builder::new()
            .prefix(crate::files::TEMP_PREFIX)
            .suffix(crate::files::TEMP_SUFFIX)
            .tempdir_in(dir)
            .map_err(|e| anyhow::anyhow!("cannot write in {}: {e}", dir.display()))?;
        let in_flight = crate::files::InFlight::new(temp.path());
        drop(gate);
        Ok(Self {
            dir: dir.to_path_buf(),
            temp,
            _in_flight: in_flight,
        })
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), Failure> {
        // An interruption waits for this image, then removes them all.
        let _gate = crate::files::gate();
        let file = self.temp.path().join(name);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&file, bytes)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", file.display()))?;
        Ok(())
    }

    /// Moves the images into place, each replacing the previous image of its
    /// name, and returns where they are.
    fn commit(self, names: &[String]) -> Result<Vec<PathBuf>, Failure> {
        let root = self
            .dir
            .canonicalize()
            .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", self.dir.display()))?;
        let mut moved = Vec::with_capacity(names.len());
        // What an interruption now would leave, said truthfully at each step.
        let state = |n: usize| {
            format!(
                "{n} of {} page images were moved into {} (the rest were removed)",
                names.len(),
                self.dir.display()
            )
        };
        crate::files::set_state(Some(state(0)));
        for (n, name) in names.iter().enumerate() {
            let _gate = crate::files::gate();
            let target = self.dir.join(name);
            let parent = target.parent().unwrap_or(&self.dir);
            let place = || -> anyhow::Result<()> {
                std::fs::create_dir_all(parent)
                    .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", parent.display()))?;
                // A linked folder must not carry images out of the folder asked for.
                if !parent.canonicalize().is_ok_and(|p| p.starts_with(&root)) {
                    anyhow::bail!(
                        "{} leads outside {}; remove the link",
                        parent.display(),
                        self.dir.display()
                    );
                }
                std::fs::rename(self.temp.path().join(name), &target)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", target.display()))
            };
            place().map_err(|e| {
                crate::files::set_state(None);
                anyhow::anyhow!("{e:#}; {}", state(n))
            })?;
            moved.push(target);
            crate::files::set_state(Some(state(n + 1)));
        }
        Ok(moved)
    }
}

fn png_of(page: &typst_layout::Page, scale: f32) -> Result<Vec<u8>, Failure> {
    let options = typst_render::RenderOptions {
        pixel_per_pt: f64::from(scale).into(),
        render_bleed: false,
    };
    typst_render::render(page, &options)
        .encode_png()
        .map_err(|e| Failure::Other(anyhow::anyhow!("cannot encode a page image: {e}")))
}

/// The contact sheet: thumbnails in rows, each framed and labelled, A4 landscape.
fn contact_sheet(
    typesetter: &Typesetter,
    title: &str,
    thumbnails: &[(String, Bytes)],
) -> Result<Vec<u8>, Failure> {
    let mut source = format!(
        "#set document(title: {title})\n\
         #set page(paper: \"a4\", flipped: true, margin: (x: 10mm, top: 16mm, bottom: 12mm),\n  \
           header: align(right, text(size: 8pt, fill: luma(90), {title})),\n  \
           footer: context align(right, text(size: 8pt, fill: luma(90), counter(page).display(\"1 / 1\", both: true))))\n\
         #set text(font: (\"Noto Sans\",), size: 6.5pt)\n\
         #let thumb(file, label) = block(breakable: false, width: 100%, {{\n  \
           box(height: 34mm, width: 100%, align(center + horizon, box(stroke: 0.4pt + luma(160), image(file, fit: \"contain\", height: 33mm))))\n  \
           v(0.8mm)\n  \
           align(center, text(label))\n\
         }})\n\
         #grid(columns: (1fr,) * {COLUMNS}, column-gutter: 4mm, row-gutter: 4mm,\n",
        title = typst_str(title),
    );
    let mut files = HashMap::new();
    for (i, (label, png)) in thumbnails.iter().enumerate() {
        let file = format!("/thumbnail-{i}.png");
        source.push_str(&format!(
            "  thumb({}, {}),\n",
            typst_str(&file),
            typst_str(label)
        ));
        files.insert(file, png.clone());
    }
    source.push_str(")\n");
    let document = typesetter
        .compile_with_files(&source, files)
        .map_err(|e| Failure::Documents(vec![DocumentError::one("contact sheet", e)]))?;
    // Pictures of pages, for the eye: a structure tree would describe nothing.
    typesetter
        .pdf(&document, "proof", false)
        .map_err(|e| Failure::Documents(vec![DocumentError::one("contact sheet", e)]))
}
