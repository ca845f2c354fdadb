//! Badges: one per person, names that fit in every script, QR codes that scan,
//! and print sheets a guillotine can cut.

mod common;

use common::{
    Pdf, build, drawn, fixture, reference, replace_once, secretariat, squeeze, typeset, unzip,
};
use secretariat::typeset::impose::{self, LayoutRequest};
use secretariat::typeset::{DrawnRun, drawn_runs};

fn yaml() -> std::path::PathBuf {
    reference().join("programme.yaml")
}

/// (id, name, native name) of everyone in the reference programme.
const PEOPLE: &[(&str, &str, Option<&str>)] = &[
    ("TH-01", "Siriporn Chaiyaphum", Some("ศิริพร ชัยภูมิ")),
    ("TH-02", "Anucha Srisawat", Some("อนุชา ศรีสวัสดิ์")),
    ("MM-01", "Khin Thandar Aye", Some("ခင်သန္တာအေး")),
    ("MM-02", "Zaw Min Htet", Some("ဇော်မင်းထက်")),
    ("VN-01", "Nguyễn Thị Thu Hằng", None),
    ("VN-02", "Trần Quốc Bảo", None),
    ("LA-01", "Vilayphone Sisouvanh", Some("ວິໄລພອນ ສີສຸວັນ")),
    ("LA-02", "Khamphet Phommachanh", Some("ຄຳເພັດ ພົມມະຈັນ")),
    ("PH-01", "Maria Cristina Dela Cruz-Villanueva", None),
    ("PH-02", "Jose Miguel Santos", None),
    ("KH-01", "Chan Sokha", Some("ចាន់ សុខា")),
    ("MY-01", "Muhammad Hafiz bin Abdul Rahman", None),
    ("ID-01", "Dewi Kartika Sari", None),
    ("S-01", "Yuko Takahashi", Some("高橋 裕子")),
    ("S-02", "Daisuke Mori", Some("森 大輔")),
    ("S-03", "Emi Fujita", Some("藤田 恵美")),
    ("S-04", "Naomi Kobayashi", Some("小林 直美")),
];

#[test]
fn everyone_gets_a_badge_and_the_sheets_hold_them_all() {
    let out = tempfile::tempdir().unwrap();
    let files = unzip(&build(&yaml(), out.path()));
    let badges: Vec<_> = files
        .iter()
        .filter(|(n, _)| n.starts_with("badges/"))
        .collect();
    assert_eq!(badges.len(), 17);
    for (name, bytes) in &badges {
        let pdf = Pdf::parse(bytes);
        // Cut to 90 x 55 mm from a page with 3 mm of bleed all round.
        assert_eq!(pdf.page_sizes_mm(), vec![(96, 61)], "{name}");
        assert_eq!(pdf.missing_glyphs(), 0, "{name}");
    }
    let default = impose::layout(LayoutRequest {
        sheet: (210.0, 297.0),
        badge: (90.0, 55.0),
        margin: 10.0,
        gap: 6.0,
        bleed: 3.0,
        columns: None,
        rows: None,
        marks: true,
    })
    .unwrap();
    let (_, sheet) = files.iter().find(|(n, _)| n == "print/badges.pdf").unwrap();
    let sheet = Pdf::parse(sheet);
    assert_eq!(sheet.page_count(), 17_usize.div_ceil(default.per_sheet()));
    assert!(sheet.page_sizes_mm().iter().all(|&s| s == (210, 297)));
    assert_eq!(sheet.missing_glyphs(), 0);
}

#[test]
fn every_name_prints_exactly_as_written() {
    for (id, name, native) in PEOPLE {
        let document = typeset(&yaml(), &format!("badges/{id}.pdf"));
        assert!(
            secretariat::typeset::Typesetter::missing_glyphs(&document).is_empty(),
            "{id}"
        );
        let text = drawn(&document);
        assert!(text.contains(&squeeze(name)), "{id}: {name} not in {text}");
        if let Some(native) = native {
            assert!(
                text.contains(&squeeze(native)),
                "{id}: {native} not in {text}"
            );
        }
    }
}

/// The runs drawn on a badge's front page that belong to the name.
fn name_runs(runs: &[DrawnRun], name: &str) -> Vec<DrawnRun> {
    let words: Vec<String> = name.split_whitespace().map(squeeze).collect();
    runs.iter()
        .filter(|r| {
            r.page == 0
                && words.iter().any(|w| squeeze(&r.text).contains(w.as_str()))
                && r.size_pt >= 12.0
        })
        .cloned()
        .collect()
}

#[test]
fn the_longest_names_fit_inside_the_badge() {
    let dir = common::longest_names();
    let yaml = dir.path().join("programme.yaml");
    for (id, name) in [
        ("PH-01", "Maria Cristina Dela Cruz-Villanueva de los Santos"),
        ("MY-01", "Muhammad Hafiz bin Abdul Rahman"),
        ("MM-01", "Daw Khin Thandar Aye Myint Myat Naing"),
    ] {
        let document = typeset(&yaml, &format!("badges/{id}.pdf"));
        let runs = drawn_runs(&document);
        let text = drawn(&document);
        assert!(text.contains(&squeeze(name)), "{id}: {text}");
        let name_runs = name_runs(&runs, name);
        assert!(!name_runs.is_empty(), "{id}");
        for run in runs.iter().filter(|r| r.page == 0) {
            // Inside the badge, clear of its edges.
            assert!(run.x >= 3.0 && run.x + run.width <= 87.0, "{id}: {run:?}");
            assert!(run.y > 3.0 && run.y < 55.0, "{id}: {run:?}");
        }
    }
    let document = typeset(&yaml, "badges/MM-01.pdf");
    assert!(drawn(&document).contains(common::LONGEST_MYANMAR));
}

#[test]
fn a_name_that_cannot_fit_fails_naming_the_person_and_field() {
    let impossible = "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaftschaferswessenschafewarenwohlgepflegeundsor";
    let dir = fixture(|y| {
        replace_once(
            &y,
            "name: Dewi Kartika Sari",
            &format!("name: Dewi {impossible}"),
        )
    });
    let yaml = dir.path().join("programme.yaml");
    let out = dir.path().join("out");
    let (code, stderr) = common::run_build(&yaml, &out);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("badge for ID-01"), "{stderr}");
    assert!(
        stderr.contains("`name` does not fit the badge, even on 2 lines at 12pt; shorten it"),
        "{stderr}"
    );
    // The refusal in plain words: no Typst, no generated source, and the
    // name quoted once, as an excerpt, in the document's label.
    assert!(
        !stderr.contains("Typst") && !stderr.contains("generated line"),
        "{stderr}"
    );
    let badge = stderr
        .split("\n\n")
        .find(|e| e.contains("badge for ID-01"))
        .unwrap();
    assert_eq!(badge.matches("Wolfeschlegel").count(), 1, "{stderr}");
    assert!(!stderr.contains(impossible), "{stderr}");
}

#[test]
fn the_qr_code_scans_as_the_persons_id() {
    for id in ["TH-01", "S-04"] {
        let document = typeset(&yaml(), &format!("badges/{id}.pdf"));
        let options = typst_render::RenderOptions {
            pixel_per_pt: 6.0.into(),
            render_bleed: false,
        };
        let pixmap = typst_render::render(&document.pages()[0], &options);
        let (w, h) = (pixmap.width() as usize, pixmap.height() as usize);
        let data = pixmap.data();
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
            let i = (y * w + x) * 4;
            // Premultiplied RGBA over white.
            let a = data[i + 3] as u32;
            let grey = (data[i] as u32 + data[i + 1] as u32 + data[i + 2] as u32) / 3;
            (grey + (255 - a)).min(255) as u8
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "{id}: one QR code");
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, *id);
    }
}

#[test]
fn back_sheets_mirror_the_front_sheets() {
    let dir = fixture(|y| {
        replace_once(
            &y,
            "    sheet: a4 ",
            "    double_sided: true\n    sheet: a4 ",
        )
    });
    let yaml = dir.path().join("programme.yaml");
    let out = dir.path().join("out");
    let files = unzip(&build(&yaml, &out));
    let (_, bytes) = files.iter().find(|(n, _)| n == "badges/TH-01.pdf").unwrap();
    assert_eq!(Pdf::parse(bytes).page_count(), 2, "front and back");
    let (_, sheet) = files.iter().find(|(n, _)| n == "print/badges.pdf").unwrap();
    assert_eq!(
        Pdf::parse(sheet).page_count(),
        6,
        "three fronts, three backs"
    );

    // Where each badge page lands, read back from the sheets: each front
    // where the layout puts it, each back mirrored about the sheet's vertical
    // axis, behind its front.
    let programme = secretariat::pipeline::check(&yaml).unwrap();
    let layout = programme.documents.badges.sheet;
    let badges: Vec<(&str, Pdf)> = PEOPLE
        .iter()
        .map(|(id, _, _)| {
            let name = format!("badges/{id}.pdf");
            let (_, bytes) = files.iter().find(|(n, _)| *n == name).unwrap();
            (*id, Pdf::parse(bytes))
        })
        .collect();
    let sheets = placements(&Pdf::parse(sheet), &badges);
    let (front, back) = (&sheets[0], &sheets[1]);
    assert_eq!(front.len(), 8);
    assert_eq!(back.len(), 8);
    for (i, (id, _, _)) in PEOPLE[..8].iter().enumerate() {
        let ((front_id, front_page), (fx, fy)) = &front[i];
        let ((back_id, back_page), (bx, by)) = &back[i];
        assert_eq!((front_id.as_str(), *front_page), (*id, 0));
        assert_eq!((back_id.as_str(), *back_page), (*id, 1));
        let (sx, sy) = layout.slot(i);
        assert!(
            (fx - sx).abs() < 0.01 && (fy - sy).abs() < 0.01,
            "{id}: {fx}, {fy}"
        );
        assert!(
            (fx + 90.0 / 2.0 + bx + 90.0 / 2.0 - 210.0).abs() < 0.01,
            "{id}: {fx} vs {bx}"
        );
        assert!((fy - by).abs() < 0.01, "{id}");
    }
}

/// Each sheet's badges as the sheet PDF draws them: which badge and which of
/// its pages (found by their content), and where that page's trim starts, in
/// millimetres from the sheet's top left corner.
#[allow(clippy::type_complexity)]
fn placements(sheet: &Pdf, badges: &[(&str, Pdf)]) -> Vec<Vec<((String, usize), (f64, f64))>> {
    let mm = |pt: f64| pt / 72.0 * 25.4;
    let number = |o: &lopdf::Object| o.as_float().unwrap() as f64;
    let rect = |page: &lopdf::Dictionary, key: &[u8]| -> Vec<f64> {
        page.get(key)
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(number)
            .collect()
    };
    // Each badge page's content, with its trim's top left corner.
    let mut pages = Vec::new();
    for (id, pdf) in badges {
        for (n, &page) in pdf.doc.get_pages().values().enumerate() {
            let dict = pdf.doc.get_dictionary(page).unwrap();
            let trim = rect(dict, b"TrimBox");
            pages.push((
                (id.to_string(), n),
                pdf.doc.get_page_content(page).unwrap(),
                (trim[0], trim[3]),
            ));
        }
    }
    let doc = &sheet.doc;
    doc.get_pages()
        .values()
        .map(|&page| {
            let dict = doc.get_dictionary(page).unwrap();
            let height = rect(dict, b"MediaBox")[3];
            let resources = dict.get(b"Resources").unwrap().as_dict().unwrap();
            let forms = resources.get(b"XObject").unwrap().as_dict().unwrap();
            let content = doc.get_and_decode_page_content(page).unwrap();
            let mut at = (0.0, 0.0);
            let mut placed = Vec::new();
            for op in content.operations {
                match op.operator.as_str() {
                    "cm" => at = (number(&op.operands[4]), number(&op.operands[5])),
                    "Do" => {
                        let name = op.operands[0].as_name().unwrap();
                        let form = forms.get(name).unwrap().as_reference().unwrap();
                        let form = doc.get_object(form).unwrap().as_stream().unwrap();
                        let drawn = form.decompressed_content().unwrap();
                        let (which, _, corner) = pages
                            .iter()
                            .find(|(_, content, _)| content.trim_ascii() == drawn.trim_ascii())
                            .expect("every placed page is a badge's");
                        let (x, y) = (at.0 + corner.0, at.1 + corner.1);
                        placed.push((which.clone(), (mm(x), mm(height - y))));
                    }
                    _ => {}
                }
            }
            placed
        })
        .collect()
}

#[test]
fn every_badge_says_where_its_trim_and_bleed_are() {
    let out = tempfile::tempdir().unwrap();
    let files = unzip(&build(&yaml(), out.path()));
    let close = |a: [f64; 4], b: [f64; 4]| a.iter().zip(b).all(|(a, b)| (a - b).abs() < 0.01);
    let mut seen = 0;
    for (name, bytes) in files.iter().filter(|(n, _)| n.starts_with("badges/")) {
        let pdf = Pdf::parse(bytes);
        let media = pdf.boxes_mm("MediaBox")[0].unwrap();
        let trim = pdf.boxes_mm("TrimBox")[0].expect("a TrimBox");
        let bleed = pdf.boxes_mm("BleedBox")[0].expect("a BleedBox");
        assert!(close(media, [0.0, 0.0, 96.0, 61.0]), "{name}: {media:?}");
        assert!(close(trim, [3.0, 3.0, 93.0, 58.0]), "{name}: {trim:?}");
        assert!(close(bleed, media), "{name}: {bleed:?}");
        seen += 1;
    }
    assert_eq!(seen, 17);
    // The print sheets are printed whole: no trim of their own.
    let (_, sheet) = files.iter().find(|(n, _)| n == "print/badges.pdf").unwrap();
    assert!(
        Pdf::parse(sheet)
            .boxes_mm("TrimBox")
            .iter()
            .all(Option::is_none)
    );
}

/// Whether two colours are the same but for anti-aliasing.
fn same_colour(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(a, b)| a.abs_diff(b) <= 12)
}

fn white(c: [u8; 3]) -> bool {
    c.iter().all(|&c| c >= 245)
}

#[test]
fn artwork_that_touches_the_trim_runs_on_into_the_bleed() {
    // A participant, the secretariat, a coordinator and an interpreter: the
    // bands differ in colour.
    for id in ["TH-01", "S-01", "S-03", "S-04"] {
        let document = typeset(&yaml(), &format!("badges/{id}.pdf"));
        for page in document.pages() {
            let bleed = page.bleed;
            assert!((bleed.left.to_mm() - 3.0).abs() < 1e-6, "{id}: {bleed:?}");
            let r = common::Rendered::page(page, 4.0, true);
            let (w, h) = r.size();
            let px = |mm: f64| r.px(mm);
            let (trim_x0, trim_y0) = (px(3.0), px(3.0));
            let (trim_x1, trim_y1) = (w - px(3.0), h - px(3.0));
            // Along each edge: where ink touches the trim (0.3 mm inside), the
            // same colour lies 2.5 mm outside it.
            let mut touching = [0; 4];
            for (edge, inside, outside) in [
                (
                    0,
                    (0..h).map(|y| (trim_x0 + px(0.3), y)).collect::<Vec<_>>(),
                    px(2.8),
                ),
                (1, (0..w).map(|x| (x, trim_y0 + px(0.3))).collect(), px(2.8)),
                (2, (0..h).map(|y| (trim_x1 - px(0.3), y)).collect(), px(2.8)),
                (3, (0..w).map(|x| (x, trim_y1 - px(0.3))).collect(), px(2.8)),
            ] {
                for (x, y) in inside {
                    let (ox, oy) = match edge {
                        0 => (x - outside, y),
                        1 => (x, y - outside),
                        2 => (x + outside, y),
                        _ => (x, y + outside),
                    };
                    // Only points whose neighbour along the edge is inside
                    // the trim too: corners belong to two edges.
                    let along_trim = match edge {
                        0 | 2 => y > trim_y0 + px(0.5) && y < trim_y1 - px(0.5),
                        _ => x > trim_x0 + px(0.5) && x < trim_x1 - px(0.5),
                    };
                    let ink = r.rgb(x, y);
                    if along_trim && !white(ink) {
                        touching[edge] += 1;
                        assert!(
                            same_colour(ink, r.rgb(ox, oy)),
                            "{id}: {ink:?} at the trim, {:?} in the bleed (edge {edge}, {x},{y})",
                            r.rgb(ox, oy)
                        );
                    }
                }
            }
            // The role band touches the left, right and bottom edges.
            assert!(
                touching[0] > 0 && touching[2] > 0 && touching[3] > 0,
                "{id}: {touching:?}"
            );
        }
    }
}

#[test]
fn the_sheets_place_each_badge_on_its_trim_with_its_bleed() {
    let out = tempfile::tempdir().unwrap();
    let files = unzip(&build(&yaml(), out.path()));
    let programme = secretariat::pipeline::check(&yaml()).unwrap();
    let layout = programme.documents.badges.sheet;
    let typesetter = secretariat::pipeline::typesetter(&programme, &Default::default()).unwrap();
    let pdf = |name: &str| {
        let (_, bytes) = files.iter().find(|(n, _)| n == name).unwrap();
        typst::foundations::Bytes::new(bytes.clone())
    };
    let mut placed = typesetter
        .pdf_pages(vec![(pdf("print/badges.pdf"), vec![(210.0, 297.0); 3])])
        .unwrap();
    let scale = 3.0;
    let sheet = common::Rendered::page(&placed.remove(0)[0], scale, false);
    for (i, (id, _, _)) in PEOPLE[..8].iter().enumerate() {
        let mut badge = typesetter
            .pdf_pages(vec![(pdf(&format!("badges/{id}.pdf")), vec![(90.0, 55.0)])])
            .unwrap();
        let badge = badge.remove(0).remove(0);
        assert!(
            (badge.bleed.bottom.to_mm() - 3.0).abs() < 0.01,
            "{id}: read back with its bleed"
        );
        let full = common::Rendered::page(&badge, scale, true);
        let (x0, y0) = layout.slot(i);
        let (left, top, right, bottom) = layout.bleed_area((x0, y0));
        // How much of the badge's bleed area on the sheet, the sheet shifted
        // by `shift` mm, differs from the badge's own pixels there. Positions
        // fall between pixels differently on the two renderings, so a pixel
        // matches its counterpart or a neighbour.
        let (w, h) = full.size();
        let per_mm = scale * 72.0 / 25.4;
        let differing = |shift: f64| {
            let (mut compared, mut differ) = (0, 0);
            for y in (0..h).step_by(2) {
                for x in (0..w).step_by(2) {
                    let (mm_x, mm_y) = (
                        x0 - 3.0 + (x as f64 + 0.5) / per_mm,
                        y0 - 3.0 + (y as f64 + 0.5) / per_mm,
                    );
                    if mm_x < left + 0.2
                        || mm_x > right - 0.2
                        || mm_y < top + 0.2
                        || mm_y > bottom - 0.2
                    {
                        continue;
                    }
                    compared += 1;
                    let (sx, sy) = (
                        ((mm_x + shift) * per_mm) as u32,
                        ((mm_y + shift) * per_mm) as u32,
                    );
                    let matched = (sy - 1..=sy + 1)
                        .flat_map(|y| (sx - 1..=sx + 1).map(move |x| (x, y)))
                        .any(|(sx, sy)| same_colour(full.rgb(x, y), sheet.rgb(sx, sy)));
                    differ += usize::from(!matched);
                }
            }
            differ as f64 / compared as f64
        };
        let (placed, off) = (differing(0.0), differing(1.0));
        // Only the antialiasing of fine detail (the logo, 6.5 pt text) differs.
        assert!(
            placed < 0.03 && off > 4.0 * placed,
            "{id}: {placed:.3} of the pixels differ, {off:.3} a millimetre off"
        );
        // The band runs past the left and right cut into the bleed; beyond
        // the bleed at the block's outer edge the sheet is white (between two
        // badges, the neighbour's bleed begins there).
        let band_y = y0 + 55.0 - 3.0;
        let colour = |mm: f64| sheet.rgb(sheet.px(mm), sheet.px(band_y));
        let band = colour(x0 + 10.0);
        assert!(!white(band));
        assert!(same_colour(colour(left + 0.5), band), "{id}");
        assert!(same_colour(colour(right - 0.5), band), "{id}");
        let outer = if i % 2 == 0 { left - 0.5 } else { right + 0.5 };
        assert!(white(colour(outer)), "{id}");
    }
}

#[test]
fn bleed_and_gap_can_be_set_and_the_job_sheet_says_them() {
    for (settings, media, finishing) in [
        ("    bleed: 0\n", (90, 55), "; no bleed"),
        ("    bleed: 2mm\n", (94, 59), "; 2 mm bleed"),
        (
            "    gap: 2mm\n",
            (96, 61),
            "; 3 mm bleed (1 mm on sides facing another badge)",
        ),
        (
            "    marks: none\n",
            (96, 61),
            "pre-cut stock of 90 x 55 mm (no crop marks), 8 per sheet (2 x 4); 3 mm bleed",
        ),
    ] {
        let dir = fixture(|y| {
            replace_once(
                &y,
                "    size: 90mm x 55mm\n",
                &format!("    size: 90mm x 55mm\n{settings}"),
            )
        });
        let yaml = dir.path().join("programme.yaml");
        let files = unzip(&build(&yaml, &dir.path().join("out")));
        let (_, badge) = files.iter().find(|(n, _)| n == "badges/TH-01.pdf").unwrap();
        let badge = Pdf::parse(badge);
        assert_eq!(badge.page_sizes_mm(), vec![media], "{settings}");
        assert_eq!(
            badge.boxes_mm("TrimBox")[0].is_some(),
            media != (90, 55),
            "{settings}"
        );
        let (_, jobs) = files
            .iter()
            .find(|(n, _)| n == "print/job-sheet.csv")
            .unwrap();
        let jobs = String::from_utf8_lossy(jobs);
        let line = jobs
            .lines()
            .find(|l| l.starts_with("print/badges.pdf"))
            .unwrap();
        assert!(line.contains(finishing), "{settings}: {line}");
    }
    for bad in [
        "    bleed: 12mm\n",
        "    bleed: -1\n",
        "    bleed: wide\n",
        "    gap: .inf\n",
        "    bleed: true\n",
        "    gap: [1]\n",
        "    rows: 50\n",
    ] {
        let dir = fixture(|y| {
            replace_once(
                &y,
                "    size: 90mm x 55mm\n",
                &format!("    size: 90mm x 55mm\n{bad}"),
            )
        });
        let yaml = dir.path().join("programme.yaml");
        let output = secretariat(&["check", yaml.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{bad}: {stderr}");
        let line = common::line_of(&std::fs::read_to_string(&yaml).unwrap(), bad.trim());
        assert!(
            stderr.contains(&format!("programme.yaml:{line}:")),
            "{bad}: {stderr}"
        );
    }
}

#[test]
fn badge_settings_are_validated() {
    for (edit, message) in [
        ("    size: 90mm x 55mm\n", "    size: 250mm x 55mm\n"),
        ("    size: 90mm x 55mm\n", "    size: huge\n"),
        ("    size: 90mm x 55mm\n", "    size: 1e30mm x 55mm\n"),
        (
            "    size: 90mm x 55mm\n",
            "    size: 90mm x 55mm\n    columns: 3\n",
        ),
        (
            "    size: 90mm x 55mm\n",
            "    size: 90mm x 55mm\n    colums: 2\n",
        ),
    ]
    .map(|(from, to)| ((from, to), to.trim()))
    {
        let dir = fixture(|y| replace_once(&y, edit.0, edit.1));
        let yaml = dir.path().join("programme.yaml");
        let output = secretariat(&["check", yaml.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{message}: {stderr}");
        let text = std::fs::read_to_string(&yaml).unwrap();
        let line = common::line_of(&text, edit.1.trim_start().lines().last().unwrap().trim());
        assert!(
            stderr.contains(&format!("programme.yaml:{line}:")),
            "{message}: {stderr}"
        );
    }
    for size in ["90x55mm", "A6", "3.5in x 2in"] {
        let dir = fixture(|y| {
            replace_once(
                &y,
                "    size: 90mm x 55mm\n",
                &format!("    size: {size}\n"),
            )
        });
        let output = secretariat(&["check", dir.path().join("programme.yaml").to_str().unwrap()]);
        assert!(
            output.status.success(),
            "{size}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn the_two_lines_of_a_wrapped_name_never_share_ink() {
    // Long names that wrap, with descenders (g, y, p) over the next line's
    // capitals and Vietnamese stacked marks (ả, ẳ).
    let dir = fixture(|y| {
        let y = replace_once(
            &y,
            "name: Siriporn Chaiyaphum\n",
            "name: Phongsakorn Wattanawongsirichaiyapong\n",
        );
        replace_once(
            &y,
            "name: Nguyễn Thị Thu Hằng\n",
            "name: Nguyễn Thị Thanh Hằng Bích Thảo Ẳng\n",
        )
    });
    let yaml = dir.path().join("programme.yaml");
    for (id, name) in [
        ("TH-01", "Phongsakorn Wattanawongsirichaiyapong"),
        ("VN-01", "Nguyễn Thị Thanh Hằng Bích Thảo Ẳng"),
    ] {
        let document = typeset(&yaml, &format!("badges/{id}.pdf"));
        let runs = name_runs(&drawn_runs(&document), name);
        let mut baselines: Vec<f64> = runs.iter().map(|r| r.y).collect();
        baselines.sort_by(f64::total_cmp);
        baselines.dedup_by(|a, b| (*a - *b).abs() < 0.5);
        assert_eq!(baselines.len(), 2, "{id}: the name should wrap: {runs:?}");
        let page = common::Rendered::new(&document, 0, 12.0);
        let px = |mm: f64| page.px(mm);
        let left = runs.iter().map(|r| r.x).fold(f64::MAX, f64::min);
        let right = runs.iter().map(|r| r.x + r.width).fold(f64::MIN, f64::max);
        let inked = |y: u32| (px(left)..px(right)).any(|x| page.dark(x, y, 160));
        // Somewhere between the first line's baseline and the second's, a row
        // of pixels carries no ink: the lines do not touch.
        let gap = (px(baselines[0])..px(baselines[1])).any(|y| !inked(y));
        assert!(gap, "{id}: the two lines of {name:?} touch");
    }
}

#[test]
fn a_template_of_its_own_must_give_badges_the_bleed_the_sheets_and_job_sheet_promise() {
    let dir = fixture(|y| y);
    let yaml = dir.path().join("programme.yaml");
    let out = dir.path().join("out");
    let templates = dir.path().join("templates");
    assert!(
        secretariat(&["templates", "export", templates.to_str().unwrap()])
            .status
            .success()
    );
    let badge = templates.join("badges.typ.j2");
    let source = std::fs::read_to_string(&badge).unwrap();
    std::fs::write(&badge, replace_once(&source, ", bleed: bleed)", ")")).unwrap();

    let (code, stderr) = common::run_build(&yaml, &out);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("sets a bleed of 0 mm, but documents.badges.bleed is 3 mm")
            && stderr.contains("badge.bleed"),
        "{stderr}"
    );
    assert!(!out.join("kccp-2018-atip.zip").exists());

    // Said to have none, the badges build; asked for bleed again, the cached
    // badges are not taken for ones that have it.
    let text = std::fs::read_to_string(&yaml).unwrap();
    let without = replace_once(
        &text,
        "    size: 90mm x 55mm\n",
        "    size: 90mm x 55mm\n    bleed: 0\n",
    );
    std::fs::write(&yaml, &without).unwrap();
    let (code, stderr) = common::run_build(&yaml, &out);
    assert_eq!(code, Some(0), "{stderr}");
    std::fs::write(&yaml, &text).unwrap();
    let (code, stderr) = common::run_build(&yaml, &out);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("sets a bleed of 0 mm"), "{stderr}");
}

#[test]
fn the_native_name_keeps_clear_of_the_name_above_it() {
    // Descenders of the Latin name (y, p) over the marks above Thai, Lao,
    // Khmer and Myanmar letters, and Japanese below a name with descenders.
    for (id, name, native) in PEOPLE
        .iter()
        .filter_map(|(id, n, native)| Some((id, n, (*native)?)))
    {
        let document = typeset(&yaml(), &format!("badges/{id}.pdf"));
        let runs = drawn_runs(&document);
        let name_runs = name_runs(&runs, name);
        let latin_baseline = name_runs.iter().map(|r| r.y).fold(f64::MIN, f64::max);
        let first_native = native.split_whitespace().next().unwrap();
        let native_baseline = runs
            .iter()
            .filter(|r| {
                r.page == 0
                    && r.y > latin_baseline
                    && squeeze(&r.text).contains(&squeeze(first_native))
            })
            .map(|r| r.y)
            .fold(f64::MAX, f64::min);
        assert!(
            native_baseline < f64::MAX,
            "{id}: {native} not found below {name}"
        );
        let page = common::Rendered::new(&document, 0, 12.0);
        let px = |mm: f64| page.px(mm);
        let inked = |y: u32| (px(3.0)..px(87.0)).any(|x| page.dark(x, y, 160));
        // A clear band of at least 0.5 mm between the two names' ink.
        let rows: Vec<u32> = (px(latin_baseline)..px(native_baseline)).collect();
        let clear = rows
            .windows(px(0.5) as usize)
            .any(|w| w.iter().all(|&y| !inked(y)));
        assert!(clear, "{id}: {name} and {native} touch or nearly touch");
    }
}

#[test]
fn a_template_of_its_own_must_make_badges_of_the_size_and_pages_the_sheets_cut() {
    for (edit, settings, message) in [
        // Turned on its side: the sheets would cut through it.
        (
            (
                "#set page(width: w, height: h,",
                "#set page(width: h, height: w,",
            ),
            "",
            "sets pages of 55 x 90 mm, but documents.badges.size is 90 x 55 mm",
        ),
        // A back asked for, none made.
        (
            ("#pagebreak()", "#box()"),
            "    double_sided: true\n",
            "makes 1 page, but badges have 2 (a front and a back)",
        ),
    ] {
        let dir = fixture(|y| {
            replace_once(
                &y,
                "    size: 90mm x 55mm\n",
                &format!("    size: 90mm x 55mm\n{settings}"),
            )
        });
        let yaml = dir.path().join("programme.yaml");
        let templates = dir.path().join("templates");
        assert!(
            secretariat(&["templates", "export", templates.to_str().unwrap()])
                .status
                .success()
        );
        let badge = templates.join("badges.typ.j2");
        let source = std::fs::read_to_string(&badge).unwrap();
        std::fs::write(&badge, replace_once(&source, edit.0, edit.1)).unwrap();
        let (code, stderr) = common::run_build(&yaml, &dir.path().join("out"));
        assert_eq!(code, Some(1), "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("please report"),
            "{stderr}"
        );
    }
}

#[test]
fn landscape_back_sheets_are_printed_turning_on_the_short_edge() {
    let dir = fixture(|y| {
        replace_once(
            &y,
            "    sheet: a4 ",
            "    double_sided: true\n    sheet: 300mm x 200mm ",
        )
    });
    let yaml = dir.path().join("programme.yaml");
    let files = unzip(&build(&yaml, &dir.path().join("out")));
    let (_, jobs) = files
        .iter()
        .find(|(n, _)| n == "print/job-sheet.csv")
        .unwrap();
    let jobs = String::from_utf8_lossy(jobs);
    let badges = jobs
        .lines()
        .find(|l| l.starts_with("print/badges.pdf"))
        .unwrap();
    assert!(badges.contains("duplex (short edge)"), "{badges}");
    // Letters stay portrait and turn on the long edge.
    let letters = jobs
        .lines()
        .find(|l| l.starts_with("print/invitations.pdf"))
        .unwrap();
    assert!(letters.contains("duplex (long edge)"), "{letters}");
}
