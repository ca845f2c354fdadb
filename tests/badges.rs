//! Badges: one per person, names that fit in every script, QR codes that scan,
//! and print sheets a guillotine can cut.

mod common;

use common::{
    Pdf, build, drawn, fixture, reference, replace_once, secretariat, squeeze, typeset, unzip,
};
use secretariat::impose::{self, LayoutRequest};
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
        assert_eq!(pdf.page_sizes_mm(), vec![(90, 55)], "{name}");
        assert_eq!(pdf.missing_glyphs(), 0, "{name}");
    }
    let default = impose::layout(LayoutRequest {
        sheet: (210.0, 297.0),
        badge: (90.0, 55.0),
        margin: 10.0,
        gap: 4.0,
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
    let myanmar = "ဒေါ်ခင်သန္တာအေးမြင့်မြတ်နိုင်ဦးကျော်စွာထွန်း";
    let dir = fixture(|y| {
        let y = replace_once(
            &y,
            "name: Maria Cristina Dela Cruz-Villanueva\n",
            "name: Maria Cristina Dela Cruz-Villanueva de los Santos\n",
        );
        let y = replace_once(
            &y,
            "native_name: ခင်သန္တာအေး",
            &format!("native_name: {myanmar}"),
        );
        replace_once(
            &y,
            "name: Khin Thandar Aye",
            "name: Daw Khin Thandar Aye Myint Myat Naing",
        )
    });
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
    assert!(drawn(&document).contains(myanmar));
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
    assert!(stderr.contains("name does not fit the badge"), "{stderr}");
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

    // Impose the typeset badges as the build does and compare where each name lands.
    let programme = secretariat::pipeline::check(&yaml).unwrap();
    let layout = programme.documents.badges.sheet;
    let documents: Vec<_> = PEOPLE[..8]
        .iter()
        .map(|(id, _, _)| typeset(&yaml, &format!("badges/{id}.pdf")))
        .collect();
    let fronts: Vec<_> = documents.iter().map(|d| &d.pages()[0]).collect();
    let backs: Vec<_> = documents.iter().map(|d| &d.pages()[1]).collect();
    let sheets = impose::impose(&layout, &fronts, Some(&backs));
    assert_eq!(sheets.len(), 2);
    // Each badge lands where the layout puts it, and its back lands mirrored
    // about the sheet's vertical axis, behind its front.
    let placed = |page: &typst_layout::Page| -> Vec<((f64, f64), String)> {
        page.frame
            .items()
            .filter_map(|(pos, item)| match item {
                typst::layout::FrameItem::Group(group) => {
                    let mut text = String::new();
                    secretariat::typeset::visit_text(&group.frame, &mut |t| text.push_str(&t.text));
                    Some(((pos.x.to_mm(), pos.y.to_mm()), squeeze(&text)))
                }
                _ => None,
            })
            .collect()
    };
    let (front, back) = (placed(&sheets[0]), placed(&sheets[1]));
    assert_eq!(front.len(), 8);
    assert_eq!(back.len(), 8);
    for (i, (_, name, _)) in PEOPLE[..8].iter().enumerate() {
        let first = name.split(' ').next().unwrap();
        let ((fx, fy), front_text) = &front[i];
        let ((bx, by), back_text) = &back[i];
        assert!(
            front_text.contains(first) && back_text.contains(first),
            "{name}"
        );
        assert!((fx - layout.slot(i).0).abs() < 1e-6 && (fy - layout.slot(i).1).abs() < 1e-6);
        assert!(
            (fx + 90.0 / 2.0 + bx + 90.0 / 2.0 - 210.0).abs() < 1e-6,
            "{name}: {fx} vs {bx}"
        );
        assert!((fy - by).abs() < 1e-6, "{name}");
    }
}

#[test]
fn badge_settings_are_validated() {
    for (edit, message) in [
        ("    size: 90mm x 55mm\n", "    size: 250mm x 55mm\n"),
        ("    size: 90mm x 55mm\n", "    size: huge\n"),
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
