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

use crate::diagnostic::Failure;
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
pub fn proof(options: &BuildOptions, png: Option<&Path>, dpi: f32) -> Result<ProofReport, Failure> {
    let report = pipeline::build(options)?;
    let programme = pipeline::check(&options.programme)?;
    let typesetter = pipeline::typesetter(&programme, &options.fonts)?;
    let mut thumbnails: Vec<(String, Bytes)> = Vec::new();
    let mut pngs = Vec::new();
    for (path, pdf, pages) in &report.documents {
        let pdf = crate::package::unpack(pdf)?;
        let pages = typesetter
            .pdf_pages(vec![(Bytes::new(pdf), *pages)])
            .map_err(|e| Failure::Documents(vec![format!("{path}: {e}")]))?
            .remove(0);
        for (n, page) in pages.iter().enumerate() {
            let label = format!("{path} · {}/{}", n + 1, pages.len());
            thumbnails.push((label, Bytes::new(png_of(page, THUMBNAIL_SCALE)?)));
            if let Some(dir) = png {
                let file = dir.join(format!("{}-{}.png", path.trim_end_matches(".pdf"), n + 1));
                if let Some(parent) = file.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", parent.display()))?;
                }
                std::fs::write(&file, png_of(page, dpi / 72.0)?)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", file.display()))?;
                pngs.push(file);
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
    write_atomically(&sheet, &sheet_pdf)?;
    Ok(ProofReport {
        sheet,
        pages: thumbnails.len(),
        pngs,
    })
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
        .map_err(|e| Failure::Documents(vec![format!("contact sheet: {e}")]))?;
    typesetter
        .pdf(&document, "proof")
        .map_err(|e| Failure::Documents(vec![format!("contact sheet: {e}")]))
}

fn write_atomically(target: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let dir = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".secretariat-")
        .suffix(".pdf.partial")
        .tempfile_in(dir)
        .map_err(|e| anyhow::anyhow!("cannot write in {}: {e}", dir.display()))?;
    std::io::Write::write_all(&mut temp, bytes)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", target.display()))?;
    // Temporary files are private; the proof is an ordinary output file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = temp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    temp.persist(target)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", target.display()))?;
    Ok(())
}
