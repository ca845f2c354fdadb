//! Letters from the reference programme, read as their recipients would.

mod common;

use std::collections::BTreeSet;

use common::{
    Pdf, build, drawn, fixture, line_of, reference, replace_once, secretariat, squeeze, typeset,
    unzip,
};
use secretariat::typeset::{drawn_runs, drawn_svgs};

fn yaml() -> std::path::PathBuf {
    reference().join("programme.yaml")
}

#[test]
fn the_reference_programme_gives_every_letter_once_with_unique_references() {
    let out = tempfile::tempdir().unwrap();
    let files = unzip(&build(&yaml(), out.path()));
    let count = |dir: &str| {
        files
            .iter()
            .filter(|(n, _)| n.starts_with(dir) && n.ends_with(".pdf"))
            .count()
    };
    assert_eq!(count("invitations/"), 13);
    assert_eq!(count("requests/"), 19);
    assert_eq!(count("thank-you/"), 27);

    let mut references = BTreeSet::new();
    for (name, bytes) in &files {
        let letter = ["invitations/", "requests/", "thank-you/"]
            .iter()
            .any(|d| name.starts_with(d));
        if !letter {
            continue;
        }
        let text = Pdf::parse(bytes).text();
        let start = text
            .find("NWEC-KCCP-2018-")
            .unwrap_or_else(|| panic!("{name}: no reference"));
        let reference: String = text[start..]
            .chars()
            .take("NWEC-KCCP-2018-T-004".len())
            .collect();
        assert!(
            references.insert(reference.clone()),
            "{name}: {reference} used twice"
        );
    }
    assert_eq!(references.len(), 13 + 19 + 27);
    // Numbers are positions in the file, so they never shift: the Cabinet
    // Secretariat is the fourth organisation, Thailand's first participant the first.
    assert!(references.contains("NWEC-KCCP-2018-T-004"));
    assert!(references.contains("NWEC-KCCP-2018-R-004"));
    assert!(references.contains("NWEC-KCCP-2018-I-001"));

    // Print files: each letter starts on an odd page.
    let pages = |path: &str| {
        let (_, bytes) = files.iter().find(|(n, _)| n == path).unwrap();
        Pdf::parse(bytes).page_count()
    };
    let letter_pages = |dir: &str| -> usize {
        files
            .iter()
            .filter(|(n, _)| n.starts_with(dir) && n.ends_with(".pdf"))
            .map(|(_, b)| Pdf::parse(b).page_count().div_ceil(2) * 2)
            .sum()
    };
    assert_eq!(pages("print/invitations.pdf"), letter_pages("invitations/"));
    assert_eq!(pages("print/requests.pdf"), letter_pages("requests/"));
    assert_eq!(pages("print/thank-you.pdf"), letter_pages("thank-you/"));
    let manifest = String::from_utf8(files.last().unwrap().1.clone()).unwrap();
    assert!(manifest.contains("\nthank-you/emb-th.pdf,thank-you,1,210x297,"));
    assert!(manifest.contains("\nprint/thank-you.pdf,thank-you,"));
}

#[test]
fn the_cabinet_secretariat_is_thanked_in_japanese_for_its_session() {
    let text = drawn(&typeset(&yaml(), "thank-you/cabinet-secretariat.pdf"));
    for expected in [
        "内閣官房",
        "人身取引対策推進室長",
        "殿",
        "平成30年11月20日",
        "拝啓",
        "敬具",
        "記",
        "以上",
        "平成30年10月25日",
        "人身取引対策行動計画2014に基づく我が国の取組：実施体制、年次報告及び統計",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    assert!(!text.contains("Dear"), "{text}");
}

#[test]
fn colabo_is_thanked_for_its_session_of_27_october() {
    let text = drawn(&typeset(&yaml(), "thank-you/colabo.pdf"));
    assert!(text.contains("平成30年10月27日"), "{text}");
    assert!(
        text.contains("繁華街スタディツアー、少女支援活動の説明及び意見交換"),
        "{text}"
    );
    assert!(text.contains("一般社団法人Colabo"), "{text}");
}

#[test]
fn iom_is_thanked_in_english_for_its_three_sessions() {
    let text = drawn(&typeset(&yaml(), "thank-you/iom.pdf"));
    for expected in [
        "DearChiefofMission,",
        "31October2018",
        "Role-playworkshopwithcaseworkers",
        "Groupactivity:powerwalk,leavingnoonebehind",
        "6November2018",
        "Actionplansoftheparticipatingcountries;commentsfromtheexperts",
        "Yourssincerely,",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
}

#[test]
fn a_person_takes_sama_after_their_title_and_an_office_alone_takes_dono() {
    let text = drawn(&typeset(&yaml(), "thank-you/ferris.pdf"));
    assert!(text.contains("フェリス女学院大学"), "{text}");
    assert!(text.contains("教授小ヶ谷千代様"), "{text}");
    assert!(
        !text.contains("Professor"),
        "an English title before 様: {text}"
    );
    assert!(text.contains("平成30年11月6日"), "{text}");
    // An office of a sponsor, not only of a ministry, takes 殿.
    let text = drawn(&typeset(&yaml(), "requests/jica-gender.pdf"));
    assert!(
        text.contains("ジェンダー平等・貧困削減推進室長殿"),
        "{text}"
    );
    assert!(!text.contains("室長様"), "{text}");
}

#[test]
fn a_japanese_letter_is_japanese_throughout() {
    let text = drawn(&typeset(&yaml(), "requests/tokyo-metropolitan.pdf"));
    for expected in [
        "場所東京都女性相談センター",
        "国際課研修事務局",
        "0493-62-6711",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    // The Latin a Japanese letter needs: the contact's email, the reference
    // number and the name ASEAN, as Japanese writes it.
    let latin: String = text
        .replace("kccp-secretariat@example.org", "")
        .replace("NWEC-KCCP-2018-R-011", "")
        .replace("ASEAN", "")
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .collect();
    assert!(
        latin.is_empty(),
        "English in a Japanese letter: {latin:?} in {text}"
    );
}

#[test]
fn a_japanese_letter_that_would_print_english_is_a_warning_or_with_strict_an_error() {
    let yaml = yaml();
    let output = secretariat(&["check", yaml.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("no problems found"), "{stderr}");
    // Without the Japanese form of one place.
    let dir = fixture(|t| replace_once(&t, "    place_ja: 横浜\n", ""));
    let programme = dir.path().join("programme.yaml");
    let edited = std::fs::read_to_string(&programme).unwrap();
    let output = secretariat(&["check", programme.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let place = line_of(&edited, "    place: Yokohama");
    assert!(
        stderr.contains(
            "warning: days[8] (2018-11-02): the Japanese request letter to Kanagawa Prefectural \
             Government would print `place` in English; add `place_ja`"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("programme.yaml:{place}:")),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 warning (--strict makes it an error)"),
        "{stderr}"
    );
    let output = secretariat(&["check", programme.to_str().unwrap(), "--strict"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error: days[8]"), "{stderr}");
    let out = tempfile::tempdir().unwrap();
    let output = secretariat(&[
        "build",
        programme.to_str().unwrap(),
        "--strict",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error: days[8]"), "{stderr}");
    assert!(std::fs::read_dir(out.path()).unwrap().next().is_none());
    let output = secretariat(&["check", programme.to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["problems"][0]["severity"], "warning");
}

#[test]
fn the_thai_embassy_is_thanked_for_both_thai_participants_only() {
    let text = drawn(&typeset(&yaml(), "thank-you/emb-th.pdf"));
    assert!(text.contains("Excellency,"), "{text}");
    assert!(text.contains("SiripornChaiyaphum"), "{text}");
    assert!(text.contains("AnuchaSrisawat"), "{text}");
    for other in [
        "KhinThandarAye",
        "ZawMinHtet",
        "ChanSokha",
        "DewiKartikaSari",
        "JoseMiguelSantos",
    ] {
        assert!(!text.contains(other), "{other} in the Thai letter");
    }
}

#[test]
fn the_seal_is_on_japanese_letters_only() {
    let seal = std::fs::read(reference().join("assets/seals/nwec-president.svg")).unwrap();
    let has_seal = |path: &str| {
        drawn_svgs(&typeset(&yaml(), path))
            .iter()
            .any(|svg| svg.as_slice() == seal.as_slice())
    };
    assert!(has_seal("thank-you/cabinet-secretariat.pdf"));
    assert!(has_seal("requests/mhlw.pdf"));
    assert!(!has_seal("thank-you/iom.pdf"));
    assert!(!has_seal("thank-you/emb-th.pdf"));
    assert!(!has_seal("invitations/TH-01.pdf"));
}

#[test]
fn japanese_letters_without_a_seal_say_so() {
    let dir = fixture(|y| {
        replace_once(
            &y,
            "    seal: assets/seals/nwec-president.svg    # official seal (公印) on Japanese letters\n",
            "",
        )
    });
    let text = drawn(&typeset(
        &dir.path().join("programme.yaml"),
        "thank-you/mofa.pdf",
    ));
    assert!(text.contains("公印省略"), "{text}");
}

#[test]
fn an_invitation_has_the_name_the_dates_and_the_reply_date() {
    let text = drawn(&typeset(&yaml(), "invitations/VN-01.pdf"));
    for expected in [
        "Ms.NguyễnThịThuHằng",
        "DearMs.NguyễnThịThuHằng,",
        "24October–7November2018",
        "28September2018",
        "NWEC-KCCP-2018-I-005",
        "Countryreportsbytheeightparticipatingcountries",
        "VietNam",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
}

#[test]
fn a_request_lists_each_session_with_date_time_and_place() {
    let text = drawn(&typeset(&yaml(), "requests/tokyo-immigration.pdf"));
    for expected in [
        "平成30年10月29日",
        "10:00～12:00",
        "東京入国管理局",
        "人身取引事案に関する説明及び施設見学",
        "依頼",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
}

const LONG_NAME: &str = "The Quorvex Federation of Municipal Cooperatives for the Welfare, Protection and Empowerment of Migrant Women and Children in the Greater Kanto Region";

fn long_address_fixture(lines: usize) -> tempfile::TempDir {
    assert_eq!(LONG_NAME.len(), 150);
    let address: Vec<String> = (1..=lines)
        .map(|i| {
            format!(
                "      - Zyxline {i}, Building {i}F, 1-2-3 Example-cho, Chiyoda-ku, Tokyo 100-0001"
            )
        })
        .collect();
    fixture(|y| {
        replace_once(
            &y,
            "    name: Lawyers for Trafficked Victims\n    name_ja: 人身売買被害者支援弁護団\n    group: ngo\n    language: ja\n",
            &format!("    name: {LONG_NAME}\n    group: ngo\n    language: en\n"),
        )
        .replacen(
            "    addressee: Representative\n    addressee_ja: 代表\n    address: [Tokyo, Japan]\n    address_ja: [東京都]\n  - id: ferris",
            &format!("    addressee: Representative\n    address:\n{}\n  - id: ferris", address.join("\n")),
            1,
        )
    })
}

#[test]
fn a_long_name_and_address_stay_inside_the_window() {
    let dir = long_address_fixture(4);
    let document = typeset(
        &dir.path().join("programme.yaml"),
        "thank-you/lawyers-tip.pdf",
    );
    // DIN 5008 form B, the default for English letters: the window at 20 mm,
    // the address text at 25 mm from the left edge.
    let (left, top, width, height) = (20.0, 45.0, 85.0, 45.0);
    let runs = drawn_runs(&document);
    let address: Vec<_> = runs
        .iter()
        .filter(|r| {
            r.page == 0 && r.y > top - 5.0 && r.y < top + height + 5.0 && r.x < left + width
        })
        .collect();
    let text = squeeze(
        &address
            .iter()
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    );
    assert!(text.contains(&squeeze(LONG_NAME)), "{text}");
    for i in 1..=4 {
        assert!(
            text.contains(&format!("Zyxline{i},")),
            "line {i} missing: {text}"
        );
    }
    for run in &address {
        assert!(
            run.x >= left + 5.0 - 0.01 && run.x + run.width <= left + width + 0.01,
            "{run:?}"
        );
        assert!(run.y > top && run.y < top + height, "{run:?}");
        assert!(run.size_pt >= 7.0, "{run:?} below the 7pt minimum");
    }
    assert!(
        address.iter().any(|r| r.size_pt < 10.0),
        "the block should have shrunk"
    );
    // A wrapped line never leaves one word alone ("Japan"): only a line
    // that is one word as written stands alone.
    let mut lines: Vec<(f64, String)> = Vec::new();
    for run in &address {
        match lines.iter_mut().find(|(y, _)| (y - run.y).abs() < 0.3) {
            Some((_, t)) => t.push_str(&run.text),
            None => lines.push((run.y, run.text.clone())),
        }
    }
    for (_, line) in &lines {
        let words = line.split_whitespace().count();
        assert!(
            words > 1 || line.trim() == "Representative",
            "a word alone on a line of the address: {line:?} in {lines:?}"
        );
    }
}

#[test]
fn letters_carry_fold_and_punch_marks_at_the_left_edge() {
    use typst::layout::{FrameItem, Transform};
    for (path, folds) in [
        ("thank-you/iom.pdf", [105.0, 210.0]),
        ("thank-you/mofa.pdf", [99.0, 198.0]),
    ] {
        let document = typeset(&yaml(), path);
        let mut marks = Vec::new();
        secretariat::typeset::walk(
            &document.pages()[0].frame,
            Transform::identity(),
            &mut |item, pos, _| {
                if let FrameItem::Shape(_, _) = item
                    && pos.x.to_mm() < 5.0
                {
                    marks.push((pos.y.to_mm() * 10.0).round() / 10.0);
                }
            },
        );
        for y in folds.iter().chain([148.5].iter()) {
            assert!(
                marks.iter().any(|m| (m - y).abs() < 0.2),
                "{path}: no mark at {y} mm: {marks:?}"
            );
        }
    }
}

#[test]
fn an_address_too_long_for_the_window_fails_clearly() {
    let dir = long_address_fixture(14);
    let yaml = dir.path().join("programme.yaml");
    let out = dir.path().join("out");
    let (code, stderr) = common::run_build(&yaml, &out);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("thank-you letter to lawyers-tip"),
        "{stderr}"
    );
    assert!(
        stderr.contains("does not fit the envelope window"),
        "{stderr}"
    );
    assert!(stderr.contains("7pt"), "{stderr}");
    assert!(
        !stderr.contains("Typst") && !stderr.contains("generated line"),
        "{stderr}"
    );
}

#[test]
fn a_letter_language_without_a_template_is_a_validation_error() {
    let dir = fixture(|y| {
        replace_once(
            &y,
            "    email: siriporn.c@example.org\n",
            "    email: siriporn.c@example.org\n    language: ja\n",
        )
    });
    let yaml = dir.path().join("programme.yaml");
    let output = secretariat(&[
        "build",
        yaml.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("participants[0] (TH-01)"), "{stderr}");
    assert!(stderr.contains("invitations.ja.typ.j2"), "{stderr}");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let line = common::line_of(&text, "language: ja\n  - id: TH-02");
    assert!(
        stderr.contains(&format!("programme.yaml:{line}:")),
        "{stderr}"
    );
}

#[test]
fn countries_that_take_the_article_take_it_in_running_text_only() {
    let text = drawn(&typeset(&yaml(), "invitations/TH-01.pdf"));
    assert!(text.contains("theLaoPDR,thePhilippines,"), "{text}");
    assert!(!text.contains("fromPhilippines"), "{text}");
    let text = drawn(&typeset(&yaml(), "thank-you/emb-ph.pdf"));
    assert!(text.contains("officialsfromthePhilippinesin"), "{text}");
    assert!(text.contains("officialsofthePhilippinestookpart"), "{text}");
    // Tables keep the bare short name.
    let text = drawn(&typeset(&yaml(), "participants/list.pdf"));
    assert!(text.contains("Philippines"), "{text}");
    assert!(!text.contains("thePhilippines"), "{text}");
    assert!(!text.contains("(the)"), "{text}");
}

#[test]
fn the_seal_lets_the_name_show_through() {
    let document = typeset(&yaml(), "requests/mofa.pdf");
    let run = drawn_runs(&document)
        .into_iter()
        .find(|r| r.page == 0 && r.text.ends_with("花子"))
        .expect("the signatory's name");
    let page = common::Rendered::new(&document, 0, 6.0);
    let px = |mm: f64| page.px(mm);
    let em = run.size_pt / 72.0 * 25.4;
    // Dark pixels inside one character's box, ending at `right` mm.
    let dark = |right: f64| {
        let (x0, x1) = (px(right - em), px(right));
        let (y0, y1) = (px(run.y - em * 0.85), px(run.y + em * 0.1));
        let mut n = 0;
        for y in y0..y1 {
            for x in x0..x1 {
                if page.dark(x, y, 90) {
                    n += 1;
                }
            }
        }
        n
    };
    let last = dark(run.x + run.width);
    let before = dark(run.x + run.width - em);
    assert!(before > 50, "no ink found for 花: {before}");
    assert!(
        last * 2 > before,
        "子 under the seal has {last} dark pixels, 花 beside it {before}: the seal hides the name"
    );
}

#[test]
fn every_line_the_seal_touches_prints_over_it() {
    use typst::layout::{FrameItem, Transform};
    let seal = std::fs::read(reference().join("assets/seals/nwec-president.svg")).unwrap();
    for path in ["requests/mofa.pdf", "thank-you/cabinet-office.pdf"] {
        let document = typeset(&yaml(), path);
        // Everything drawn on page 1, in drawing order, as (is the seal,
        // box in points).
        let mut drawn: Vec<(bool, [f64; 4])> = Vec::new();
        secretariat::typeset::walk(
            &document.pages()[0].frame,
            Transform::identity(),
            &mut |item, at, _| {
                let (x, y) = (at.x.to_pt(), at.y.to_pt());
                match item {
                    FrameItem::Image(image, size, _) => {
                        let is_seal = matches!(image.kind(), typst::visualize::ImageKind::Svg(svg) if svg.data().as_slice() == seal.as_slice());
                        drawn.push((is_seal, [x, y, x + size.x.to_pt(), y + size.y.to_pt()]));
                    }
                    FrameItem::Text(text) => {
                        let size = text.size.to_pt();
                        // The baseline is at y; the glyphs reach about an em up.
                        drawn.push((
                            false,
                            [x, y - size, x + text.width().to_pt(), y + 0.2 * size],
                        ));
                    }
                    _ => {}
                }
            },
        );
        let at = drawn
            .iter()
            .position(|(is_seal, _)| *is_seal)
            .expect("the seal");
        let seal_box = drawn[at].1;
        let overlaps = |b: &[f64; 4]| {
            b[0] < seal_box[2] && b[2] > seal_box[0] && b[1] < seal_box[3] && b[3] > seal_box[1]
        };
        let over: Vec<_> = drawn[at + 1..]
            .iter()
            .filter(|(_, b)| overlaps(b))
            .collect();
        let under: Vec<_> = drawn[..at].iter().filter(|(_, b)| overlaps(b)).collect();
        assert!(
            under.is_empty(),
            "{path}: the seal covers text drawn before it: {under:?}"
        );
        // The name and the organisation's line above it both touch the seal.
        assert!(over.len() >= 2, "{path}: {over:?}");
    }
}

#[test]
fn a_letter_that_runs_over_takes_its_last_paragraph_to_the_signature() {
    // A long organisation name and addressee push IOM's request to a second page.
    let dir = common::fixture(|y| {
        let y = common::replace_once(
            &y,
            "    name: International Organization for Migration, Office in Japan\n",
            "    name: International Organization for Migration, Office in Japan, Regional Coordination for Counter-Trafficking in Asia Pacific\n",
        );
        common::replace_once(
            &y,
            "    addressee: Chief of Mission\n",
            "    addressee: Chief of Mission and Regional Coordinator for Counter-Trafficking and Assistance to Vulnerable Migrants\n",
        )
    });
    let document = typeset(&dir.path().join("programme.yaml"), "requests/iom.pdf");
    assert_eq!(
        document.pages().len(),
        2,
        "the fixture should run to two pages"
    );
    let runs = drawn_runs(&document);
    let closing = runs
        .iter()
        .find(|r| r.text.contains("Yours sincerely"))
        .expect("the closing");
    assert_eq!(closing.page, 1);
    // Below the running header, body text precedes the closing on its page.
    let carried = runs
        .iter()
        .any(|r| r.page == 1 && r.y < closing.y && r.text.contains("Thank you"));
    assert!(carried, "the closing stands alone on page 2");
    // The salutation's long title is not hyphenated.
    let text = common::drawn(&document);
    assert!(text.contains("VulnerableMigrants,"), "{text}");

    // As built, the second page carries the running header with its page
    // number (the letter is laid out again, knowing it has two pages); a
    // one-page letter has none.
    let out = dir.path().join("out");
    let zip = common::build(&dir.path().join("programme.yaml"), &out);
    let files = common::unzip(&zip);
    let pdf = |name: &str| {
        let (_, bytes) = files.iter().find(|(n, _)| n == name).unwrap();
        common::Pdf::parse(bytes)
    };
    let iom = pdf("requests/iom.pdf");
    assert_eq!(iom.page_count(), 2);
    assert!(iom.text().contains("Page 2"), "{}", iom.text());
    let one_page = pdf("requests/mofa.pdf");
    assert_eq!(one_page.page_count(), 1);
    assert!(!one_page.text().contains("Page 1"), "{}", one_page.text());
}

#[test]
fn the_honorific_never_ends_a_line_of_the_address() {
    let (_, source) = common::render(&yaml(), "invitations/TH-01.pdf");
    // The escaped honorific, then a no-break space.
    assert!(
        source.contains("Ms\\.\u{a0}Siriporn Chaiyaphum"),
        "{source}"
    );
}

#[test]
fn a_list_too_long_for_a_page_runs_on_and_every_line_prints() {
    // Fifty short presentations with IOM after the first day's sessions: a
    // request to IOM and every invitation list more than a page holds.
    let sessions: String = (0..50)
        .map(|i| {
            let (from, to) = (16 * 60 + 5 * i, 16 * 60 + 5 * i + 5);
            format!(
                "      - {{time: \"{:02}:{:02}-{:02}:{:02}\", kind: presentation, title: Extra presentation {i} of 50, with: [iom]}}\n",
                from / 60, from % 60, to / 60, to % 60
            )
        })
        .collect();
    let dir = fixture(|y| {
        let last = "      - {time: \"14:00-16:00\", kind: orientation, title: Life in Japan and the training centre, with: [jica]}\n";
        replace_once(&y, last, &format!("{last}{sessions}"))
    });
    let yaml = dir.path().join("programme.yaml");
    for path in ["requests/iom.pdf", "invitations/TH-01.pdf"] {
        let document = typeset(&yaml, path);
        assert_eq!(secretariat::typeset::misprinted(&document), None, "{path}");
        assert!(
            document.pages().len() >= 2,
            "{path}: 50 sessions fit one page?"
        );
        let text = drawn(&document);
        for i in 0..50 {
            let line = squeeze(&format!("Extra presentation {i} of 50"));
            assert_eq!(text.matches(&line).count(), 1, "{path}: {line}");
        }
        assert!(text.contains("Yourssincerely"), "{path}");
    }
}
