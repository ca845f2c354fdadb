//! Day schedules, the overview, sign-in sheets and the participant list.

mod common;

use common::{Pdf, build, drawn, fixture, reference, replace_once, squeeze, typeset, unzip};
use secretariat::typeset::drawn_runs;

fn yaml() -> std::path::PathBuf {
    reference().join("programme.yaml")
}

const DAYS: &[&str] = &[
    "2018-10-24",
    "2018-10-25",
    "2018-10-26",
    "2018-10-27",
    "2018-10-29",
    "2018-10-30",
    "2018-10-31",
    "2018-11-01",
    "2018-11-02",
    "2018-11-05",
    "2018-11-06",
    "2018-11-07",
];

const PARTICIPANTS: &[&str] = &[
    "Siriporn Chaiyaphum",
    "Anucha Srisawat",
    "Khin Thandar Aye",
    "Zaw Min Htet",
    "Nguyễn Thị Thu Hằng",
    "Trần Quốc Bảo",
    "Vilayphone Sisouvanh",
    "Khamphet Phommachanh",
    "Maria Cristina Dela Cruz-Villanueva",
    "Jose Miguel Santos",
    "Chan Sokha",
    "Muhammad Hafiz bin Abdul Rahman",
    "Dewi Kartika Sari",
];
const STAFF: &[&str] = &[
    "Yuko Takahashi",
    "Daisuke Mori",
    "Emi Fujita",
    "Naomi Kobayashi",
];

/// Positions of `needles` in `text`, each after the one before; panics naming
/// the first one missing or out of order.
fn in_order(text: &str, needles: &[&str]) -> Vec<usize> {
    let mut from = 0;
    needles
        .iter()
        .map(|needle| {
            let needle = squeeze(needle);
            let at = text[from..]
                .find(&needle)
                .unwrap_or_else(|| panic!("{needle} missing or out of order in {text}"));
            from += at + needle.len();
            from - needle.len()
        })
        .collect()
}

#[test]
fn a_schedule_for_every_day_and_one_overview() {
    let out = tempfile::tempdir().unwrap();
    let files = unzip(&build(&yaml(), out.path()));
    let schedules: Vec<_> = files
        .iter()
        .filter(|(n, _)| n.starts_with("schedules/"))
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(schedules.len(), 13, "{schedules:?}");
    assert!(schedules.contains(&"schedules/overview.pdf"));
    let (_, overview) = files
        .iter()
        .find(|(n, _)| n == "schedules/overview.pdf")
        .unwrap();
    assert_eq!(
        Pdf::parse(overview).page_sizes_mm()[0],
        (297, 210),
        "landscape"
    );
    let (_, print) = files
        .iter()
        .find(|(n, _)| n == "print/schedules.pdf")
        .unwrap();
    let sizes = Pdf::parse(print).page_sizes_mm();
    assert_eq!(sizes.first(), Some(&(210, 297)));
    assert_eq!(
        sizes.last(),
        Some(&(297, 210)),
        "the overview keeps its orientation"
    );

    let programme = secretariat::pipeline::check(&yaml()).unwrap();
    for (n, date) in DAYS.iter().enumerate() {
        let text = drawn(&typeset(&yaml(), &format!("schedules/{date}.pdf")));
        let day = programme
            .days
            .iter()
            .find(|d| d.date.to_string() == *date)
            .unwrap();
        let english = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        assert!(
            text.contains(&format!("DAY{}OF12", n + 1)),
            "{date}: {text}"
        );
        assert!(
            text.contains(&squeeze(&english.format("%-d %B %Y").to_string())),
            "{date}"
        );
        for s in &day.sessions {
            assert!(
                text.contains(&squeeze(&s.title)),
                "{date}: {} missing",
                s.title
            );
        }
    }
}

#[test]
fn the_overview_shows_every_date_and_the_free_ones() {
    let text = drawn(&typeset(&yaml(), "schedules/overview.pdf"));
    let dates = [
        "Wed24Oct", "Thu25Oct", "Fri26Oct", "Sat27Oct", "Sun28Oct", "Mon29Oct", "Tue30Oct",
        "Wed31Oct", "Thu1Nov", "Fri2Nov", "Sat3Nov", "Sun4Nov", "Mon5Nov", "Tue6Nov", "Wed7Nov",
    ];
    in_order(&text, &dates);
    assert!(
        text.contains("Sat27OctDay4"),
        "27 October is a programme day: {text}"
    );
    for free in ["Sun28Oct", "Sat3Nov", "Sun4Nov"] {
        assert!(
            text.contains(&format!("{free}Freeday")),
            "{free} is free: {text}"
        );
    }
    assert!(!text.contains("Fri26OctFreeday"));
}

#[test]
fn every_sign_in_sheet_lists_everyone_in_order() {
    for date in DAYS {
        let text = drawn(&typeset(&yaml(), &format!("sign-in/{date}.pdf")));
        let all: Vec<&str> = PARTICIPANTS.iter().chain(STAFF).copied().collect();
        in_order(&text, &all);
        // Staff come after a heading of their own.
        let staff_heading = text.find("Staff").expect("staff section");
        assert!(staff_heading > text.find("DewiKartikaSari").unwrap());
    }
}

#[test]
fn the_participant_list_groups_by_country() {
    let text = drawn(&typeset(&yaml(), "participants/list.pdf"));
    in_order(
        &text,
        &[
            "Thailand",
            "Siriporn Chaiyaphum",
            "Anucha Srisawat",
            "Myanmar",
            "Khin Thandar Aye",
            "Zaw Min Htet",
            "Viet Nam",
            "Nguyễn Thị Thu Hằng",
            "Trần Quốc Bảo",
            "Lao PDR",
            "Vilayphone Sisouvanh",
            "Khamphet Phommachanh",
            "Philippines",
            "Maria Cristina Dela Cruz-Villanueva",
            "Jose Miguel Santos",
            "Cambodia",
            "Chan Sokha",
            "Malaysia",
            "Muhammad Hafiz bin Abdul Rahman",
            "Indonesia",
            "Dewi Kartika Sari",
            "Programme staff",
            "Yuko Takahashi",
            "Daisuke Mori",
            "Emi Fujita",
            "Naomi Kobayashi",
        ],
    );
    assert!(
        text.contains("ศิริพรชัยภูมิ") && text.contains("高橋裕子"),
        "{text}"
    );
    assert!(text.contains("hafiz.ar@example.org"), "{text}");
}

/// Every page of `document` carries every one of `header` in its own text.
fn header_on_every_page(document: &typst_layout::PagedDocument, header: &[&str]) {
    let runs = drawn_runs(document);
    for page in 0..document.pages().len() {
        let text: String = runs
            .iter()
            .filter(|r| r.page == page)
            .map(|r| squeeze(&r.text))
            .collect();
        for h in header {
            assert!(
                text.contains(h),
                "page {}: header {h:?} missing in {text}",
                page + 1
            );
        }
        assert!(
            text.contains(&format!("Page{}of{}", page + 1, document.pages().len())),
            "{text}"
        );
    }
}

#[test]
fn a_long_day_and_a_large_programme_paginate_with_their_headers() {
    let sessions: String = (1..=24)
        .map(|i| format!("      - {{time: \"{:02}:00-{:02}:30\", kind: lecture, title: Extra session number {i} on a topic with a long enough title to wrap onto a second line, with: [jica]}}\n", 7 + i / 3, 7 + i / 3))
        .collect();
    let participants: String = (1..=107)
        .map(|i| format!("  - id: XX-{i:03}\n    name: Synthetic Participant {i}\n    country: TH\n    organisation: Ministry {i}\n"))
        .collect();
    let dir = fixture(|y| {
        let y = replace_once(
            &y,
            "      - {time: \"14:00-16:00\", kind: orientation, title: Life in Japan and the training centre, with: [jica]}\n",
            &format!(
                "      - {{time: \"14:00-16:00\", kind: orientation, title: Life in Japan and the training centre, with: [jica]}}\n{sessions}"
            ),
        );
        replace_once(
            &y,
            "\n# Staff, lecturers",
            &format!("{participants}\n# Staff, lecturers"),
        )
    });
    let yaml = dir.path().join("programme.yaml");

    let day = typeset(&yaml, "schedules/2018-10-24.pdf");
    assert!(day.pages().len() >= 2, "25 sessions take more than a page");
    header_on_every_page(&day, &["Time", "Kind", "Session"]);
    let text = drawn(&day);
    assert!(text.contains("Extrasessionnumber24"), "{text}");

    let sign_in = typeset(&yaml, "sign-in/2018-10-24.pdf");
    assert!(sign_in.pages().len() >= 6, "120 people need several pages");
    // The staff's own table heads its third column "Role".
    header_on_every_page(&sign_in, &["No.", "Name", "Morning", "Afternoon"]);
    in_order(
        &drawn(&sign_in),
        &[
            "Dewi Kartika Sari",
            "Synthetic Participant 1",
            "Synthetic Participant 107",
            "Yuko Takahashi",
        ],
    );

    let list = typeset(&yaml, "participants/list.pdf");
    assert!(list.pages().len() >= 3);
    // The staff table, on the last page, has its own header with the same columns.
    header_on_every_page(&list, &["Name", "Organisationandposition", "E-mail"]);
}

/// The first run of `text` on its page, by position.
fn run_of<'a>(
    runs: &'a [secretariat::typeset::DrawnRun],
    text: &str,
) -> &'a secretariat::typeset::DrawnRun {
    runs.iter()
        .find(|r| r.text == text)
        .unwrap_or_else(|| panic!("{text} not drawn"))
}

#[test]
fn a_very_large_programme_splits_its_sheets_and_numbers_stay_in_their_column() {
    let participants: String = (1..=1010)
        .map(|i| format!("  - id: XX-{i:04}\n    name: Synthetic Participant {i}\n    country: TH\n    organisation: Ministry {i}\n"))
        .collect();
    let dir = fixture(|y| {
        replace_once(
            &y,
            "\n# Staff, lecturers",
            &format!("{participants}\n# Staff, lecturers"),
        )
    });
    let yaml = dir.path().join("programme.yaml");
    // 1,023 participants: three desks' sign-in sheets, two parts of the list.
    let programme = secretariat::pipeline::check(&yaml).unwrap();
    let templates = secretariat::render::Templates::new(&programme.folder);
    let plan = secretariat::plan::plan(&programme, &templates).unwrap();
    let day: Vec<&str> = plan
        .documents
        .iter()
        .map(|d| d.path.as_str())
        .filter(|p| p.starts_with("sign-in/2018-10-24"))
        .collect();
    assert_eq!(
        day,
        [
            "sign-in/2018-10-24.1.pdf",
            "sign-in/2018-10-24.2.pdf",
            "sign-in/2018-10-24.3.pdf"
        ]
    );
    assert!(
        plan.documents
            .iter()
            .any(|d| d.path == "participants/list.2.pdf")
    );

    let sheet = typeset(&yaml, "sign-in/2018-10-24.3.pdf");
    let text = drawn(&sheet);
    assert!(text.contains(&squeeze("Desk 3 of 3")), "{text}");
    assert!(
        text.contains(&squeeze("Synthetic Participant 1010")),
        "{text}"
    );
    assert!(
        text.contains(&squeeze("Yuko Takahashi")),
        "staff sign in on the last desk's sheet"
    );
    let list = typeset(&yaml, "participants/list.2.pdf");
    for document in [&sheet, &list] {
        let runs = drawn_runs(document);
        // Participant 1010 is number 1023: its number ends before its name starts.
        let number = run_of(&runs, "1023");
        let name = runs
            .iter()
            .find(|r| r.text.contains("Synthetic") && (r.y - number.y).abs() < 3.0)
            .expect("the name on the number's row");
        assert!(
            number.x + number.width < name.x,
            "the number {} overlaps the name at {}",
            number.x + number.width,
            name.x
        );
    }
}

#[test]
fn the_overview_keeps_dates_on_one_line_and_hangs_wrapped_titles() {
    let yaml = reference().join("programme.yaml");
    let document = typeset(&yaml, "schedules/overview.pdf");
    let runs = drawn_runs(&document);
    // Every date is one run on one line: "Wed 24 Oct".
    for date in ["Wed 24 Oct", "Mon 29 Oct", "Wed 31 Oct", "Sun 28 Oct"] {
        assert!(
            runs.iter().any(|r| r.text == date),
            "{date} is not set whole on one line"
        );
    }
    // Nothing but times starts in the sessions' time column.
    let is_time = |t: &str| t.chars().count() == 11 && t.as_bytes()[2] == b':' && t.contains('–');
    let times: Vec<_> = runs.iter().filter(|r| is_time(&r.text)).collect();
    assert!(!times.is_empty());
    let left = times.iter().map(|r| r.x).fold(f64::MAX, f64::min);
    let right = times.iter().map(|r| r.x + r.width).fold(f64::MIN, f64::max);
    for run in runs
        .iter()
        .filter(|r| r.x >= left - 0.5 && r.x < right && !is_time(&r.text))
    {
        assert!(
            run.y < times.iter().map(|t| t.y).fold(f64::MAX, f64::min),
            "{:?} starts under the times, at {:.1} mm",
            run.text,
            run.x
        );
    }
}

#[test]
fn staff_sign_in_under_their_role_with_room_for_it() {
    let document = typeset(&yaml(), "sign-in/2018-10-24.pdf");
    let runs = drawn_runs(&document);
    let roles = ["Coordinator", "Interpreter", "Secretariat"];
    let page = runs
        .iter()
        .find(|r| roles.contains(&r.text.as_str()))
        .expect("a staff role")
        .page;
    let on_page: Vec<_> = runs.iter().filter(|r| r.page == page).collect();
    let heads: Vec<&str> = on_page.iter().map(|r| r.text.as_str()).collect();
    assert!(heads.contains(&"Role"), "{heads:?}");
    for role in on_page.iter().filter(|r| roles.contains(&r.text.as_str())) {
        // Whatever follows on the role's line starts clear of it.
        for next in on_page
            .iter()
            .filter(|r| (r.y - role.y).abs() < 3.0 && r.x > role.x)
        {
            assert!(
                role.x + role.width + 1.0 <= next.x,
                "{:?} runs into {:?}",
                role.text,
                next.text
            );
        }
    }
}

/// Each day's sheet says its own day, in the heading, the page header and the
/// PDF's title, when the build typesets a desk's days one after another
/// (Typst reusing the first day's table layout for the next must not carry
/// the first day's particulars with it).
#[test]
fn every_sign_in_sheet_in_a_build_names_its_own_day() {
    const WEEKDAYS: &[&str] = &[
        "Wednesday 24 October 2018",
        "Thursday 25 October 2018",
        "Friday 26 October 2018",
        "Saturday 27 October 2018",
        "Monday 29 October 2018",
        "Tuesday 30 October 2018",
        "Wednesday 31 October 2018",
        "Thursday 1 November 2018",
        "Friday 2 November 2018",
        "Monday 5 November 2018",
        "Tuesday 6 November 2018",
        "Wednesday 7 November 2018",
    ];
    let out = tempfile::tempdir().unwrap();
    let files = unzip(&build(&yaml(), out.path()));
    for (n, (day, weekday)) in DAYS.iter().zip(WEEKDAYS).enumerate() {
        let name = format!("sign-in/{day}.pdf");
        let (_, bytes) = files
            .iter()
            .find(|(path, _)| path.ends_with(&name))
            .unwrap_or_else(|| panic!("{name} in the zip"));
        let pdf = Pdf::parse(bytes);
        let text = squeeze(&pdf.text());
        let date = weekday.split_once(' ').unwrap().1;
        let number = n + 1;
        for expected in [
            format!("Attendance · {weekday}"),
            format!("Day {number} of 12"),
            format!("Sign-in · Day {number} · {date}"),
        ] {
            assert!(
                text.contains(&squeeze(&expected)),
                "{name} lacks {expected:?}"
            );
        }
        // Other days' dates are nowhere on it.
        for other in WEEKDAYS.iter().filter(|w| *w != weekday) {
            assert!(!text.contains(&squeeze(other)), "{name} names {other}");
        }
        let info = pdf
            .doc
            .trailer
            .get(b"Info")
            .unwrap()
            .as_reference()
            .unwrap();
        let title = pdf.doc.get_dictionary(info).unwrap().get(b"Title").unwrap();
        let title = lopdf::decode_text_string(title).unwrap();
        assert_eq!(title, format!("Sign-in · Day {number} · {date}"), "{name}");
    }
}

/// The morning and afternoon boxes are ruled on both sides, from the first
/// row under the column heads to the last on the page, and every row has its
/// rule below: what a participant signs between.
#[test]
fn sign_in_boxes_are_ruled_on_both_sides_on_every_row() {
    use typst::layout::{FrameItem, Transform};
    use typst::visualize::Geometry;
    let document = typeset(&yaml(), "sign-in/2018-10-24.pdf");
    let runs = drawn_runs(&document);
    let first_page = |text: &str| {
        runs.iter()
            .find(|r| r.page == 0 && r.text == text)
            .unwrap_or_else(|| panic!("no {text:?} on page 1"))
    };
    let (morning, afternoon) = (first_page("Morning"), first_page("Afternoon"));
    // Vertical and horizontal rules of page 1, in mm: (x, top, bottom) and
    // (y, left, right).
    let (mut vertical, mut horizontal) = (Vec::new(), Vec::new());
    secretariat::typeset::walk(
        &document.pages()[0].frame,
        Transform::identity(),
        &mut |item, pos, _| {
            if let FrameItem::Shape(shape, _) = item
                && let Geometry::Line(to) = shape.geometry
                && shape.stroke.is_some()
            {
                let (x, y) = (pos.x.to_mm(), pos.y.to_mm());
                let (dx, dy) = (to.x.to_mm(), to.y.to_mm());
                if dx.abs() < 0.01 {
                    vertical.push((x, y.min(y + dy), y.max(y + dy)));
                } else if dy.abs() < 0.01 {
                    horizontal.push((y, x.min(x + dx), x.max(x + dx)));
                }
            }
        },
    );
    let mut xs: Vec<f64> = vertical
        .iter()
        .map(|v| (v.0 * 10.0).round() / 10.0)
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    assert_eq!(xs.len(), 3, "rules at {xs:?}");
    assert!(
        xs[0] < morning.x && morning.x < xs[1],
        "{xs:?}, Morning at {}",
        morning.x
    );
    assert!(
        xs[1] < afternoon.x && afternoon.x < xs[2],
        "{xs:?}, Afternoon at {}",
        afternoon.x
    );
    for pair in xs.windows(2) {
        assert!(
            (pair[1] - pair[0] - 31.0).abs() < 0.1,
            "boxes 31 mm wide: {xs:?}"
        );
    }
    // Each row's number, printed at both ends of the row, lies between the
    // rules on both sides of both boxes, and above a rule across the boxes.
    let numbers: Vec<_> = runs
        .iter()
        .filter(|r| r.page == 0 && r.y > morning.y && r.text.parse::<u32>().is_ok())
        .collect();
    assert!(
        numbers.len() >= 10,
        "{} numbered rows on page 1",
        numbers.len()
    );
    for number in &numbers {
        for &x in &xs {
            assert!(
                vertical
                    .iter()
                    .any(|v| (v.0 - x).abs() < 0.1 && v.1 < number.y && number.y < v.2),
                "row {} has no rule at {x} mm",
                number.text
            );
        }
        assert!(
            horizontal
                .iter()
                .any(|h| h.0 > number.y && h.0 < number.y + 13.0 && h.1 <= xs[0] && h.2 >= xs[2]),
            "row {} has no rule below it across the boxes",
            number.text
        );
    }
}

/// The reference programme with `n` staff: its four and more after them.
fn with_staff(n: usize) -> tempfile::TempDir {
    let extra: String = (5..=n)
        .map(|i| format!("  - id: S-{i:02}\n    name: Extra Staff Member {i}\n    native_name: 山田 太郎\n    role: lecturer\n    organisation: nwec\n    position: Lecturer\n"))
        .collect();
    fixture(|y| {
        replace_once(
            &y,
            "    position: Interpreter (Thai, English)\n",
            &format!("    position: Interpreter (Thai, English)\n{extra}"),
        )
    })
}

#[test]
fn a_staff_too_long_for_a_page_runs_on_and_every_row_prints() {
    let dir = with_staff(40);
    let yaml = dir.path().join("programme.yaml");
    for (path, heading, header) in [
        (
            "sign-in/2018-10-24.pdf",
            "Staff",
            &["No.", "Name", "Role", "Morning"][..],
        ),
        (
            "participants/list.pdf",
            "Programme staff",
            &["Name", "Role", "E-mail"][..],
        ),
    ] {
        let document = typeset(&yaml, path);
        assert_eq!(secretariat::typeset::misprinted(&document), None, "{path}");
        let runs = drawn_runs(&document);
        let height = document.pages()[0].frame.size().y.to_mm();
        // Every staff member once, each on the page, above its footer (18 mm).
        for i in 5..=40 {
            let name = format!("Extra Staff Member {i}");
            let rows: Vec<_> = runs.iter().filter(|r| r.text == name).collect();
            assert_eq!(rows.len(), 1, "{path}: {name} drawn {} times", rows.len());
            assert!(
                rows[0].y < height - 18.0,
                "{path}: {name} at {} mm",
                rows[0].y
            );
        }
        // The heading once, on the page where the staff begin, and the table's
        // header above its rows on every page it runs on to.
        let heading: Vec<_> = runs.iter().filter(|r| r.text == heading).collect();
        assert_eq!(heading.len(), 1, "{path}");
        let first = run_of(&runs, "Yuko Takahashi");
        assert_eq!(heading[0].page, first.page, "{path}: the heading is alone");
        let last = run_of(&runs, "Extra Staff Member 40").page;
        assert!(last > first.page, "{path}: 40 staff fit one page?");
        for page in first.page..=last {
            let text: String = runs
                .iter()
                .filter(|r| r.page == page)
                .map(|r| r.text.as_str())
                .collect();
            for h in header {
                assert!(text.contains(h), "{path} page {}: no {h:?}", page + 1);
            }
        }
    }
}

#[test]
fn a_staff_that_fits_a_page_is_never_split() {
    // After 13 participants, the rest of the page holds a few staff rows, not
    // all of them: the staff, their heading with them, go whole to the next
    // page (which holds them all).
    for (n, path, heading) in [
        (12, "sign-in/2018-10-24.pdf", "Staff"),
        (20, "participants/list.pdf", "Programme staff"),
    ] {
        let dir = with_staff(n);
        let document = typeset(&dir.path().join("programme.yaml"), path);
        let runs = drawn_runs(&document);
        let first = run_of(&runs, "Yuko Takahashi").page;
        assert!(first > run_of(&runs, "Dewi Kartika Sari").page, "{path}");
        assert_eq!(run_of(&runs, heading).page, first, "{path}");
        let last = format!("Extra Staff Member {n}");
        assert_eq!(run_of(&runs, &last).page, first, "{path}");
    }
}
