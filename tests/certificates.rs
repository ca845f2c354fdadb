//! The reference programme's certificates, read back as a participant and a
//! printer would check them.

mod common;

use common::{Pdf, build, fixture, reference, replace_once, unzip};
use secretariat::typeset::Typesetter;

/// Participants of the reference programme: (id, Latin name, native name, number).
const PEOPLE: &[(&str, &str, Option<&str>, &str)] = &[
    ("TH-01", "Siriporn Chaiyaphum", Some("ศิริพร ชัยภูมิ"), "001"),
    ("TH-02", "Anucha Srisawat", Some("อนุชา ศรีสวัสดิ์"), "002"),
    ("MM-01", "Khin Thandar Aye", Some("ခင်သန္တာအေး"), "003"),
    ("VN-01", "Nguyễn Thị Thu Hằng", None, "005"),
    ("VN-02", "Trần Quốc Bảo", None, "006"),
    ("LA-01", "Vilayphone Sisouvanh", Some("ວິໄລພອນ ສີສຸວັນ"), "007"),
    ("LA-02", "Khamphet Phommachanh", Some("ຄຳເພັດ ພົມມະຈັນ"), "008"),
    ("PH-01", "Maria Cristina Dela Cruz-Villanueva", None, "009"),
    ("PH-02", "Jose Miguel Santos", None, "010"),
    ("KH-01", "Chan Sokha", Some("ចាន់ សុខា"), "011"),
    ("MY-01", "Muhammad Hafiz bin Abdul Rahman", None, "012"),
    ("ID-01", "Dewi Kartika Sari", None, "013"),
];

#[test]
fn reference_programme_gives_twelve_correct_certificates() {
    let out = tempfile::tempdir().unwrap();
    let zip = build(&reference().join("programme.yaml"), out.path());
    let files = unzip(&zip);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();

    let certificates: Vec<_> = files
        .iter()
        .filter(|(n, _)| n.starts_with("certificates/") && n.ends_with(".pdf"))
        .collect();
    assert_eq!(certificates.len(), 12, "files: {names:?}");
    assert!(
        !names.contains(&"certificates/MM-02.pdf"),
        "MM-02 attended 75%"
    );

    for (id, name, _, number) in PEOPLE {
        let path = format!("certificates/{id}.pdf");
        let (_, bytes) = files.iter().find(|(n, _)| *n == path).expect("certificate");
        let pdf = Pdf::parse(bytes);
        assert_eq!(pdf.page_count(), 1, "{path}");
        assert_eq!(
            pdf.page_sizes_mm(),
            vec![(297, 210)],
            "{path} is A4 landscape"
        );
        let text = pdf.text();
        assert!(text.contains(name), "{path} lacks {name:?}: {text}");
        assert!(
            text.contains(&format!("NWEC-KCCP-2018-C-{number}")),
            "{path}: {text}"
        );
        assert!(
            text.contains("Viet Nam") || !id.starts_with("VN"),
            "{path}: {text}"
        );
        assert!(
            text.contains("Lao PDR") || !id.starts_with("LA"),
            "{path}: {text}"
        );
        assert_eq!(pdf.missing_glyphs(), 0, "{path} draws a missing glyph");
    }

    let (_, print) = files
        .iter()
        .find(|(n, _)| n == "print/certificates.pdf")
        .unwrap();
    let print = Pdf::parse(print);
    assert_eq!(print.page_count(), 12);
    assert!(print.page_sizes_mm().iter().all(|&s| s == (297, 210)));
    assert_eq!(print.missing_glyphs(), 0);

    let (_, register) = files
        .iter()
        .find(|(n, _)| n == "certificates/register.csv")
        .unwrap();
    let register = String::from_utf8(register.clone()).unwrap();
    // For Excel, which reads a CSV without it in the machine's legacy encoding.
    assert!(register.starts_with("\u{FEFF}number,participant,"));
    assert_eq!(register.lines().count(), 14, "header and 13 participants");
    let mm02 = register.lines().find(|l| l.contains("MM-02")).unwrap();
    assert!(
        mm02.contains(",no,") && mm02.contains("attended 9 of 12"),
        "{mm02}"
    );

    let (_, manifest) = files.last().unwrap();
    assert_eq!(files.last().unwrap().0, "manifest.csv");
    let manifest = String::from_utf8(manifest.clone()).unwrap();
    // For scripts: plain UTF-8.
    assert!(manifest.starts_with("path,kind,"));
    for (name, _) in &files[..files.len() - 1] {
        assert!(
            manifest.contains(&format!("\n{name},")),
            "manifest lacks {name}"
        );
    }
    assert!(manifest.contains("print/certificates.pdf,certificates,12,297x210,"));
}

/// Native names are checked in the typeset document's own text: PDF extractors
/// ignore the `/ActualText` Typst writes for complex-script clusters.
#[test]
fn native_names_are_typeset_exactly() {
    let yaml = reference().join("programme.yaml");
    for (id, _, native, _) in PEOPLE {
        let Some(native) = native else { continue };
        let document = common::typeset(&yaml, &format!("certificates/{id}.pdf"));
        assert!(Typesetter::missing_glyphs(&document).is_empty(), "{id}");
        // Runs split where the shaper splits them, so compare without spaces:
        // every character, in order, is what matters.
        let text = common::drawn(&document);
        assert!(
            text.contains(&common::squeeze(native)),
            "{id}: {native:?} not in {text:?}"
        );
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let programme = reference().join("programme.yaml");
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = std::fs::read(build(&programme, a.path())).unwrap();
    let second = std::fs::read(build(&programme, b.path())).unwrap();
    assert!(first == second, "two builds differ");
}

#[test]
fn hostile_names_print_literally() {
    let hostile = r#"#panic("x") $y$ *b* _i_ [l] \ // c <l> @r"#;
    let dir = fixture(|yaml| {
        replace_once(
            &yaml,
            "name: Siriporn Chaiyaphum",
            &format!("name: '{hostile}'"),
        )
    });
    let zip = build(&dir.path().join("programme.yaml"), &dir.path().join("out"));
    let files = unzip(&zip);
    let (_, bytes) = files
        .iter()
        .find(|(n, _)| n == "certificates/TH-01.pdf")
        .unwrap();
    let text = Pdf::parse(bytes).text();
    assert!(text.contains(hostile), "{hostile:?} not in {text:?}");
}

#[test]
fn build_writes_nothing_else_into_the_output_folder() {
    let out = tempfile::tempdir().unwrap();
    build(&reference().join("programme.yaml"), out.path());
    let mut entries: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    entries.sort();
    assert_eq!(
        entries,
        vec![".cache", ".secretariat.lock", "kccp-2018-atip.zip"]
    );
    // The cache holds whole entries only: no temporary file is left behind.
    for entry in std::fs::read_dir(out.path().join(".cache")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            name.ends_with(".pack") || name.ends_with(".index") || name == "CACHEDIR.TAG",
            "{name}"
        );
    }
}

/// The generated Typst of one certificate, reviewed like code when it changes.
#[test]
fn certificate_source_snapshot() {
    let (_, source) = common::render(
        &reference().join("programme.yaml"),
        "certificates/TH-01.pdf",
    );
    insta::assert_snapshot!("certificate_TH-01", source);
}

/// Everything a registration form can send, through the whole pipeline: each name
/// prints exactly as written, or is refused with a clear message.
#[test]
fn hostile_names_print_exactly_or_are_refused() {
    let printed = [
        r#"#let x = 1 #x $a^2$ #panic("no")"#,
        "{{ participant.name }} {% if true %}x{% endif %}",
        r"C:\Users\x \ back\\slash",
        "// not a comment /* nor this */",
        "= Not a heading",
        "- Not an item",
        "+ Not an enum 1. either",
        "https://example.org/a_b?c=d#e",
        "<label> @reference 'quotes' \"double\" ... -- --- ~",
        "Nguyễn Thị Thu Hằng e\u{301}\u{302}",
    ];
    let refused = ["A".repeat(500), "Tab\u{0007}bell".to_string()];
    let names: Vec<String> = printed
        .iter()
        .map(|s| s.to_string())
        .chain(refused.iter().cloned())
        .collect();
    let ids = [
        "TH-01", "TH-02", "VN-01", "VN-02", "LA-01", "LA-02", "PH-01", "PH-02", "KH-01", "MY-01",
        "ID-01", "MM-01",
    ];
    let yaml_names = [
        "Siriporn Chaiyaphum",
        "Anucha Srisawat",
        "Nguyễn Thị Thu Hằng",
        "Trần Quốc Bảo",
        "Vilayphone Sisouvanh",
        "Khamphet Phommachanh",
        "Maria Cristina Dela Cruz-Villanueva",
        "Jose Miguel Santos",
        "Chan Sokha",
        "Muhammad Hafiz bin Abdul Rahman",
        "Dewi Kartika Sari",
        "Khin Thandar Aye",
    ];
    let quote = |s: &str| {
        format!(
            "\"{}\"",
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\u{0007}', "\\a")
        )
    };

    // The refused ones first: a clear message each, nothing built.
    let dir = fixture(|y| {
        let mut y = y;
        for (old, new) in yaml_names[10..].iter().zip(&names[10..]) {
            y = replace_once(
                &y,
                &format!("name: {old}\n"),
                &format!("name: {}\n", quote(new)),
            );
        }
        y
    });
    let output =
        common::secretariat(&["check", dir.path().join("programme.yaml").to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "participants[12] (ID-01): `name` is 500 characters long; it can print at most 120"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "participants[2] (MM-01): `name` contains the invisible control character U+0007"
        ),
        "{stderr}"
    );

    // The printed ones: exactly as written.
    let dir = fixture(|y| {
        let mut y = y;
        for (old, new) in yaml_names[..10].iter().zip(&names[..10]) {
            y = replace_once(
                &y,
                &format!("name: {old}\n"),
                &format!("name: {}\n", quote(new)),
            );
        }
        y
    });
    let yaml = dir.path().join("programme.yaml");
    build(&yaml, &dir.path().join("out"));
    for (id, name) in ids.iter().zip(&printed) {
        let text = common::drawn(&common::typeset(&yaml, &format!("certificates/{id}.pdf")));
        assert!(
            text.contains(&common::squeeze(name)),
            "{id}: {name:?} not in {text}"
        );
        let badge = common::drawn(&common::typeset(&yaml, &format!("badges/{id}.pdf")));
        assert!(
            badge.contains(&common::squeeze(name)),
            "{id}: {name:?} not on the badge: {badge}"
        );
    }
}

/// Words of `seed`, repeated to `n` characters.
fn words_to(seed: &str, n: usize) -> String {
    let words = seed.split(' ').cycle();
    let text: String = words.flat_map(|w| w.chars().chain([' '])).take(n).collect();
    text.trim_end().to_string()
}

#[test]
fn the_longest_name_organisation_and_title_the_file_allows_print_apart() {
    // The most `check` lets through: a name and a native name of 120
    // characters, an organisation and a title of 300.
    let name = words_to("Siriporn Chaiyaphum Wattanakul Srisawat", 120);
    let native = words_to("ศิริพร ชัยภูมิ วัฒนกุล", 120);
    let organisation = words_to("Ministry of Social Development and Human Security", 300);
    let title = words_to("Promotion of Networking among ASEAN Countries", 300);
    let dir = fixture(|y| {
        let y = replace_once(
            &y,
            "    name: Siriporn Chaiyaphum\n",
            &format!("    name: {name}\n"),
        );
        let y = replace_once(
            &y,
            "    native_name: ศิริพร ชัยภูมิ\n",
            &format!("    native_name: {native}\n"),
        );
        let y = replace_once(
            &y,
            "    organisation: Ministry of Social Development and Human Security\n",
            &format!("    organisation: {organisation}\n"),
        );
        replace_once(
            &y,
            "  title: Promotion of Networking among ASEAN Countries on Anti-Trafficking in Persons\n",
            &format!("  title: {title}\n"),
        )
    });
    let yaml = dir.path().join("programme.yaml");
    let check = common::secretariat(&["check", yaml.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    for id in ["TH-01", "TH-02"] {
        let document = common::typeset(&yaml, &format!("certificates/{id}.pdf"));
        assert_eq!(document.pages().len(), 1);
        assert_eq!(secretariat::typeset::misprinted(&document), None, "{id}");
        let text = common::drawn(&document);
        for whole in [
            &title,
            "CERTIFICATE OF COMPLETION",
            "This is to certify that",
        ] {
            assert!(
                text.contains(&common::squeeze(whole).replace(' ', "")),
                "{id}: {whole}"
            );
        }
        if id == "TH-01" {
            for whole in [&name, &native, &organisation] {
                assert!(text.contains(&whole.replace(' ', "")), "{id}: {whole}");
            }
        }
        // The zones keep their order down the page.
        let runs = secretariat::typeset::drawn_runs(&document);
        let y = |t: &str| {
            runs.iter()
                .find(|r| r.text.contains(t))
                .unwrap_or_else(|| panic!("{t}"))
                .y
        };
        let order = [
            y("CERTIFICATE"),
            y("This is to certify"),
            y("has successfully"),
            y("Hanako Sato"),
            y("Certificate No."),
        ];
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{id}: {order:?}");
    }
}

#[test]
fn text_of_ordinary_length_prints_as_it_is() {
    // Every field the certificate's zones hold at the longest it is set
    // without measuring (the template's `ordinary`): it fits as it is.
    let dir = fixture(|y| {
        let mut y = y;
        for (from, seed, n) in [
            (
                "    name: Siriporn Chaiyaphum\n",
                "Siriporn Chaiyaphum Wattanakul",
                40,
            ),
            ("    native_name: ศิริพร ชัยภูมิ\n", "ศิริพร ชัยภูมิ วัฒนกุล", 40),
            (
                "    organisation: Ministry of Social Development and Human Security\n",
                "Ministry of Social Development and Human Security",
                80,
            ),
            (
                "  title: Promotion of Networking among ASEAN Countries on Anti-Trafficking in Persons\n",
                "Promotion of Networking among ASEAN Countries",
                100,
            ),
            (
                "  series: FY2018 Knowledge Co-creation Program\n",
                "FY2018 Knowledge Co-creation Program",
                50,
            ),
            (
                "    name: National Women's Education Center\n",
                "National Women's Education Center",
                40,
            ),
            (
                "    name: Japan International Cooperation Agency\n",
                "Japan International Cooperation Agency",
                40,
            ),
            ("    title: President\n", "President of the Board", 40),
            (
                "    title: Director General, JICA Tokyo\n",
                "Director General, JICA Tokyo",
                40,
            ),
        ] {
            let key = &from[..from.find(':').unwrap() + 2];
            y = replace_once(&y, from, &format!("{key}{}\n", words_to(seed, n)));
        }
        y
    });
    let yaml = dir.path().join("programme.yaml");
    let (_, source) = common::render(&yaml, "certificates/TH-01.pdf");
    assert!(source.contains("#let zone(body) = body"), "measured");
    let document = common::typeset(&yaml, "certificates/TH-01.pdf");
    assert_eq!(document.pages().len(), 1);
    assert_eq!(secretariat::typeset::misprinted(&document), None);
    // One character more, and it is measured.
    let longer = fixture(|y| {
        replace_once(
            &y,
            "    name: Siriporn Chaiyaphum\n",
            &format!(
                "    name: {}\n",
                words_to("Siriporn Chaiyaphum Wattanakul", 41)
            ),
        )
    });
    let (_, source) = common::render(
        &longer.path().join("programme.yaml"),
        "certificates/TH-01.pdf",
    );
    assert!(
        source.contains("#let zone(body) = fit-zone(body)"),
        "not measured"
    );
}
