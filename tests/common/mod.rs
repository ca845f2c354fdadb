//! Helpers shared by the integration tests: fixture folders, running the real
//! binary, and reading PDFs back.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod generated;

/// The repository's reference programme folder.
pub fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// A temporary copy of the reference programme folder, with `edit` applied to
/// the text of its `programme.yaml`.
pub fn fixture(edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&reference(), dir.path());
    let yaml = dir.path().join("programme.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, edit(text)).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Replaces exactly one occurrence of `from`, so a fixture edit cannot silently
/// miss.
pub fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` should occur once");
    text.replacen(from, to, 1)
}

/// The reference programme with native names whose clusters Typst draws
/// in pieces: tone marks over upper vowels (ที่นี่, ก้ำ), marks drawn apart
/// and a cluster's text said twice by its spans (ນ້ຳ, ເຂົ້າ), Khmer subscripts
/// (ស្រី, ក្សត្រ), Myanmar medials and digits.
pub fn hardest_clusters() -> tempfile::TempDir {
    fixture(|y| {
        [
            ("ศิริพร ชัยภูมิ", "ที่นี่ ก๊ก ก้ำ ศิริพร"),
            ("อนุชา ศรีสวัสดิ์", "ภูมิพลอดุลยเดช ฟ้าเพ็ชร์"),
            ("ခင်သန္တာအေး", "ကြည်ကြည်ဝင်း မြင့်မြင့်ကျော်"),
            ("ວິໄລພອນ ສີສຸວັນ", "ຫຼວງພະບາງ ນ້ຳ ເຂົ້າໜຽວ"),
            ("ຄຳເພັດ ພົມມະຈັນ", "ສົມສັກ ປິ່ນທອງ"),
            ("ចាន់ សុខា", "ស្រីមុំ ក្សត្រ ព្រះរាជាណាចក្រ"),
            ("ဇော်မင်းထက်", "ဇော်မင်းထက် 123 ၁၂၃"),
        ]
        .iter()
        .fold(y, |y, (from, to)| {
            replace_once(
                &y,
                &format!("native_name: {from}\n"),
                &format!("native_name: {to}\n"),
            )
        })
    })
}

/// The longest native name of the stress programme: Myanmar, without spaces.
pub const LONGEST_MYANMAR: &str = "ဒေါ်ခင်သန္တာအေးမြင့်မြတ်နိုင်ဦးကျော်စွာထွန်း";

/// The reference programme with its longest names made longer: a Latin name
/// that wraps, a long Latin name and a Myanmar name without spaces to wrap at.
pub fn longest_names() -> tempfile::TempDir {
    fixture(|y| {
        let y = replace_once(
            &y,
            "name: Maria Cristina Dela Cruz-Villanueva\n",
            "name: Maria Cristina Dela Cruz-Villanueva de los Santos\n",
        );
        let y = replace_once(
            &y,
            "native_name: ခင်သန္တာအေး",
            &format!("native_name: {LONGEST_MYANMAR}"),
        );
        replace_once(
            &y,
            "name: Khin Thandar Aye",
            "name: Daw Khin Thandar Aye Myint Myat Naing",
        )
    })
}

/// The 1-based line on which `needle` starts.
pub fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in text"));
    text[..at].matches('\n').count() + 1
}

pub fn secretariat(args: &[&str]) -> Output {
    secretariat_with(args, &[])
}

/// Runs the binary with environment variables set (`Some`) or removed (`None`);
/// `SOURCE_DATE_EPOCH` is removed unless given.
pub fn secretariat_with(args: &[&str], env: &[(&str, Option<&str>)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_secretariat"));
    command.args(args).env_remove("SOURCE_DATE_EPOCH");
    for (name, value) in env {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command.output().unwrap()
}

/// Runs `build` on `programme` into `out`; returns the exit code and stderr.
pub fn run_build(programme: &Path, out: &Path) -> (Option<i32>, String) {
    let output = secretariat(&[
        "build",
        programme.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Builds `programme` into `out` and returns the zip's path; panics with the
/// tool's output if the build fails.
pub fn build(programme: &Path, out: &Path) -> PathBuf {
    let (code, stderr) = run_build(programme, out);
    assert_eq!(code, Some(0), "build failed:\n{stderr}");
    out.join("kccp-2018-atip.zip")
}

/// Every file of a zip, in order.
pub fn unzip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().to_string(), bytes)
        })
        .collect()
}

/// A PDF read back.
pub struct Pdf {
    pub doc: lopdf::Document,
    pub bytes: Vec<u8>,
}

impl Pdf {
    pub fn parse(bytes: &[u8]) -> Self {
        Self {
            doc: lopdf::Document::load_mem(bytes).unwrap(),
            bytes: bytes.to_vec(),
        }
    }

    pub fn page_count(&self) -> usize {
        self.doc.get_pages().len()
    }

    /// Each page's MediaBox size in millimetres, rounded.
    pub fn page_sizes_mm(&self) -> Vec<(i64, i64)> {
        self.doc
            .get_pages()
            .values()
            .map(|&id| {
                let page = self.doc.get_dictionary(id).unwrap();
                let media = page.get(b"MediaBox").unwrap().as_array().unwrap();
                let n: Vec<f64> = media
                    .iter()
                    .map(|o| match o {
                        lopdf::Object::Integer(i) => *i as f64,
                        lopdf::Object::Real(r) => *r as f64,
                        _ => panic!("bad MediaBox"),
                    })
                    .collect();
                let mm = |pt: f64| (pt / 72.0 * 25.4).round() as i64;
                (mm(n[2] - n[0]), mm(n[3] - n[1]))
            })
            .collect()
    }

    /// Each page's box `key` (`MediaBox`, `TrimBox`, `BleedBox`) in
    /// millimetres as (left, bottom, right, top), if the page has it.
    pub fn boxes_mm(&self, key: &str) -> Vec<Option<[f64; 4]>> {
        self.doc
            .get_pages()
            .values()
            .map(|&id| {
                let page = self.doc.get_dictionary(id).unwrap();
                let array = page.get(key.as_bytes()).ok()?.as_array().unwrap();
                let mm = |o: &lopdf::Object| o.as_float().unwrap() as f64 / 72.0 * 25.4;
                let n: Vec<f64> = array.iter().map(mm).collect();
                Some([n[0], n[1], n[2], n[3]])
            })
            .collect()
    }

    /// The text, as a PDF extractor sees it, with whitespace collapsed.
    pub fn text(&self) -> String {
        let text = pdf_extract::extract_text_from_mem(&self.bytes).unwrap();
        collapse(&text)
    }

    /// Raster images in the file, not counting soft masks (alpha channels).
    pub fn image_count(&self) -> usize {
        let is_image = |o: &lopdf::Object| {
            o.as_stream()
                .ok()
                .and_then(|s| s.dict.get(b"Subtype").ok())
                .and_then(|t| t.as_name().ok())
                == Some(b"Image".as_slice())
        };
        let masks: std::collections::HashSet<lopdf::ObjectId> = self
            .doc
            .objects
            .values()
            .filter(|o| is_image(o))
            .filter_map(|o| {
                o.as_stream()
                    .ok()?
                    .dict
                    .get(b"SMask")
                    .ok()?
                    .as_reference()
                    .ok()
            })
            .collect();
        self.doc
            .objects
            .iter()
            .filter(|(id, o)| is_image(o) && !masks.contains(id))
            .count()
    }

    /// Glyph ids drawn with a composite (Type0) font that are 0, the missing
    /// glyph, counted over all pages.
    pub fn missing_glyphs(&self) -> usize {
        let mut missing = 0;
        for (_, &page) in self.doc.get_pages().iter() {
            let fonts = self.doc.get_page_fonts(page).unwrap();
            let content = self.doc.get_and_decode_page_content(page).unwrap();
            let mut composite = false;
            for op in &content.operations {
                match op.operator.as_str() {
                    "Tf" => {
                        let name = op.operands[0].as_name().unwrap();
                        let font = fonts.get(name).expect("font in page resources");
                        composite = font.get(b"Subtype").and_then(|s| s.as_name()).ok()
                            == Some(b"Type0".as_slice());
                    }
                    "Tj" | "TJ" if composite => {
                        for operand in &op.operands {
                            missing += zero_codes(operand);
                        }
                    }
                    _ => {}
                }
            }
        }
        missing
    }
}

/// Two-byte codes equal to 0 in a text-showing operand (Identity-H encoding).
fn zero_codes(operand: &lopdf::Object) -> usize {
    match operand {
        lopdf::Object::String(bytes, _) => bytes
            .chunks(2)
            .filter(|pair| pair.len() == 2 && pair[0] == 0 && pair[1] == 0)
            .count(),
        lopdf::Object::Array(items) => items.iter().map(zero_codes).sum(),
        _ => 0,
    }
}

pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Plans, renders and typesets one document of a programme in-process, for
/// checks on what is drawn (exact text, positions, images).
pub fn typeset(programme: &Path, document: &str) -> typst_layout::PagedDocument {
    use secretariat::typeset::FontOptions;
    let (programme, source) = render(programme, document);
    let typesetter =
        secretariat::pipeline::typesetter(&programme, &FontOptions::default()).unwrap();
    typesetter.compile(&source).unwrap()
}

/// Plans one document of a programme and renders its template: the Typst source
/// `build` would typeset.
pub fn render(programme: &Path, document: &str) -> (secretariat::programme::Programme, String) {
    use secretariat::render::Templates;
    let programme = secretariat::pipeline::check(programme).unwrap();
    let templates = Templates::new(&programme.folder);
    let plan = secretariat::plan::plan(&programme, &templates).unwrap();
    let doc = plan
        .documents
        .iter()
        .find(|d| d.path == document)
        .unwrap_or_else(|| panic!("no document {document}"));
    let views = secretariat::context::Views::new(&programme);
    let source = templates
        .render(&doc.template, &views.value(&doc.context))
        .unwrap();
    (programme, source)
}

/// The text a typeset document draws, without any whitespace: exact characters
/// in order, independent of how the shaper split runs.
pub fn drawn(document: &typst_layout::PagedDocument) -> String {
    secretariat::typeset::drawn_text(document)
        .split_whitespace()
        .collect()
}

pub fn squeeze(text: &str) -> String {
    text.split_whitespace().collect()
}

/// Runs the binary with `args`, interrupts it (SIGINT, as Ctrl-C) after
/// `delay_ms`, and returns what it printed and how it ended.
pub fn interrupted_after(args: &[&str], delay_ms: u64) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_secretariat"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(delay_ms));
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    child.wait_with_output().unwrap()
}

/// A page rendered to pixels, in-process, to look for ink where the text
/// layer cannot tell (what covers what).
pub struct Rendered {
    width: u32,
    /// RGBA, row by row.
    rgba: Vec<u8>,
    /// Pixels per point.
    scale: f64,
}

impl Rendered {
    pub fn new(document: &typst_layout::PagedDocument, page: usize, scale: f64) -> Self {
        Self::page(&document.pages()[page], scale, false)
    }

    /// One page, its trim or (with `bleed`) its trim and bleed.
    pub fn page(page: &typst_layout::Page, scale: f64, bleed: bool) -> Self {
        let pixmap = typst_render::render(
            page,
            &typst_render::RenderOptions {
                pixel_per_pt: scale.into(),
                render_bleed: bleed,
            },
        );
        Self {
            width: pixmap.width(),
            rgba: pixmap.data().to_vec(),
            scale,
        }
    }

    /// The pixel index of a length in millimetres.
    pub fn px(&self, mm: f64) -> u32 {
        (mm / 25.4 * 72.0 * self.scale) as u32
    }

    /// The colour of the pixel at (`x`, `y`), RGB.
    pub fn rgb(&self, x: u32, y: u32) -> [u8; 3] {
        let i = ((y * self.width + x) * 4) as usize;
        [self.rgba[i], self.rgba[i + 1], self.rgba[i + 2]]
    }

    /// The SHA-256 of its size and pixels: equal digests, equal renderings.
    pub fn digest(&self) -> String {
        let (w, h) = self.size();
        let mut bytes = format!("{w}x{h}:").into_bytes();
        bytes.extend_from_slice(&self.rgba);
        secretariat::typeset::sha256(&bytes)
    }

    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        (self.width, (self.rgba.len() / 4) as u32 / self.width)
    }

    /// Whether the pixel at (`x`, `y`) is dark: every channel below `below`.
    pub fn dark(&self, x: u32, y: u32, below: u8) -> bool {
        let i = ((y * self.width + x) * 4) as usize;
        self.rgba[i..i + 3].iter().all(|&c| c < below)
    }
}
