//! One test per validation rule: the message names the entry and its line, the
//! exit status is 1, and a zip written before is left as it was.

mod common;

use common::{fixture, line_of, replace_once, secretariat};

/// Runs `build` on the edited reference programme over an existing zip and
/// checks the failure. Returns stderr for further checks.
fn rejects(edit: impl FnOnce(String) -> String, expected: &[(&str, &str)]) -> String {
    let dir = fixture(edit);
    let yaml = dir.path().join("programme.yaml");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let previous = out.join("kccp-2018-atip.zip");
    std::fs::write(&previous, b"the previous, good zip").unwrap();

    let output = secretariat(&[
        "build",
        yaml.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(1), "stderr:\n{stderr}");
    assert_eq!(std::fs::read(&previous).unwrap(), b"the previous, good zip");
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        1,
        "stray files in out/"
    );

    let text = std::fs::read_to_string(&yaml).unwrap();
    for (entry, line_marker) in expected {
        let line = line_of(&text, line_marker);
        let located = format!("programme.yaml:{line}:");
        let found = stderr
            .split("\nerror: ")
            .any(|diag| diag.contains(entry) && diag.contains(&located));
        assert!(found, "expected `{entry}` at {located} in:\n{stderr}");
    }

    // `check` reports the same, and writes nothing either.
    let check = secretariat(&["check", yaml.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(1));
    stderr
}

#[test]
fn duplicate_ids_across_participants_and_staff() {
    rejects(
        |y| replace_once(&y, "  - id: S-04\n", "  - id: TH-02\n"),
        &[("staff[3] (TH-02)", "id: TH-02\n    name: Naomi")],
    );
}

#[test]
fn ids_must_be_file_name_safe() {
    rejects(
        |y| replace_once(&y, "  - id: PH-02\n", "  - id: PH/02\n"),
        &[("participants[9] (PH/02)", "id: PH/02")],
    );
}

#[test]
fn host_must_be_an_organisation() {
    let stderr = rejects(
        |y| replace_once(&y, "host: nwec ", "host: nwce "),
        &[("programme", "host: nwce")],
    );
    assert!(stderr.contains("did you mean `nwec`?"), "{stderr}");
}

#[test]
fn commissioned_by_must_be_an_organisation() {
    rejects(
        |y| replace_once(&y, "commissioned_by: jica", "commissioned_by: jika-hq"),
        &[("programme", "commissioned_by: jika-hq")],
    );
}

#[test]
fn signed_by_must_be_a_signatory() {
    rejects(
        |y| {
            replace_once(
                &y,
                "signed_by: [nwec-president, jica-tokyo-director]",
                "signed_by: [nwec-president, jica-director]",
            )
        },
        &[(
            "documents.certificates",
            "signed_by: [nwec-president, jica-director]",
        )],
    );
}

#[test]
fn session_with_must_name_organisations() {
    rejects(
        |y| replace_once(&y, "with: [npa]}", "with: [police]}"),
        &[(
            "days[4].sessions[1] (Crackdown on human trafficking crimes in Japan)",
            "with: [police]",
        )],
    );
}

#[test]
fn staff_organisation_must_be_an_organisation() {
    rejects(
        |y| {
            replace_once(
                &y,
                "    role: coordinator\n    organisation: jica\n",
                "    role: coordinator\n    organisation: jica-tokyo\n",
            )
        },
        &[("staff[2] (S-03)", "organisation: jica-tokyo")],
    );
}

#[test]
fn days_must_fall_within_the_programme() {
    rejects(
        |y| replace_once(&y, "  - date: 2018-11-07\n", "  - date: 2018-11-08\n"),
        &[("days[11] (2018-11-08)", "date: 2018-11-08")],
    );
}

#[test]
fn absent_dates_must_fall_within_the_programme() {
    rejects(
        |y| replace_once(&y, "absent: [2018-11-05]", "absent: [2018-12-05]"),
        &[("participants[9] (PH-02)", "absent: [2018-12-05]")],
    );
}

#[test]
fn absent_dates_must_be_programme_days() {
    let stderr = rejects(
        |y| replace_once(&y, "absent: [2018-11-05]", "absent: [2018-11-04]"),
        &[("participants[9] (PH-02)", "absent: [2018-11-04]")],
    );
    assert!(stderr.contains("not a programme day"), "{stderr}");
}

#[test]
fn asset_files_must_exist() {
    rejects(
        |y| {
            replace_once(
                &y,
                "logo: assets/logos/jica.svg",
                "logo: assets/logos/jica-new.svg",
            )
        },
        &[("organisations[1] (jica)", "logo: assets/logos/jica-new.svg")],
    );
}

#[test]
fn assets_must_stay_inside_the_programme_folder() {
    rejects(
        |y| replace_once(&y, "logo: assets/logos/jica.svg", "logo: ../../etc/passwd"),
        &[("organisations[1] (jica)", "logo: ../../etc/passwd")],
    );
}

#[test]
fn min_attendance_is_a_share() {
    rejects(
        |y| replace_once(&y, "min_attendance: 0.8 ", "min_attendance: 80 "),
        &[("documents.certificates", "min_attendance: 80")],
    );
}

#[test]
fn unknown_keys_are_errors_with_line_and_column() {
    let stderr = rejects(
        |y| {
            replace_once(
                &y,
                "    native_name: ចាន់ សុខា\n",
                "    native_nmae: ចាន់ សុខា\n",
            )
        },
        &[("native_nmae", "native_nmae")],
    );
    assert!(stderr.contains("unknown key `native_nmae`"), "{stderr}");
}

#[test]
fn syntax_errors_give_line_and_column() {
    rejects(
        |y| {
            replace_once(
                &y,
                "  series: FY2018 Knowledge Co-creation Program\n",
                "  series: FY2018: Knowledge Co-creation Program\n",
            )
        },
        &[("mapping values are not allowed", "series: FY2018:")],
    );
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let stderr = rejects(
        |y| {
            let y = replace_once(&y, "host: nwec ", "host: nowhere ");
            let y = replace_once(&y, "absent: [2018-11-05]", "absent: [2018-11-04]");
            replace_once(&y, "with: [npa]}", "with: [police]}")
        },
        &[
            ("programme", "host: nowhere"),
            ("participants[9] (PH-02)", "absent: [2018-11-04]"),
            ("days[4].sessions[1]", "with: [police]"),
        ],
    );
    assert!(stderr.contains("3 problems"), "{stderr}");
}

#[test]
fn usage_errors_exit_with_2() {
    let output = secretariat(&["build", "--no-such-flag"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_country_is_its_code_or_name_in_any_case_and_a_slip_is_named() {
    // Names and codes in any case give the same programme as the codes.
    let dir = fixture(|y| {
        let y = replace_once(
            &y,
            "    country: TH\n    organisation: Royal Thai Police",
            "    country: thailand\n    organisation: Royal Thai Police",
        );
        replace_once(
            &y,
            "    name: Siriporn Chaiyaphum\n    native_name: ศิริพร ชัยภูมิ\n    country: TH",
            "    name: Siriporn Chaiyaphum\n    native_name: ศิริพร ชัยภูมิ\n    country: th",
        )
    });
    let yaml = dir.path().join("programme.yaml");
    let check = secretariat(&["check", yaml.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(0), "{stderr}");

    let stderr = rejects(
        |y| {
            replace_once(
                &y,
                "    country: TH\n    organisation: Royal Thai Police",
                "    country: Thailnd\n    organisation: Royal Thai Police",
            )
        },
        &[("participants[1] (TH-02)", "country: Thailnd")],
    );
    assert!(stderr.contains("`Thailnd` is not a country"), "{stderr}");
    assert!(stderr.contains("did you mean Thailand (TH)?"), "{stderr}");
}

/// Dates that are each valid but contradict one another are warnings naming
/// both lines; `--strict` makes them errors.
#[test]
fn contradicting_dates_are_warnings_with_both_lines() {
    let dir = fixture(|y| {
        let y = replace_once(&y, "    issued_on: 2018-11-07", "    issued_on: 2018-11-01");
        let y = replace_once(&y, "    reply_by: 2018-09-28", "    reply_by: 2018-10-30");
        let y = replace_once(&y, "    sent_on: 2018-11-20", "    sent_on: 2018-11-02");
        replace_once(&y, "    sent_on: 2018-08-20", "    sent_on: 2018-10-26")
    });
    let programme = dir.path().join("programme.yaml");
    let text = std::fs::read_to_string(&programme).unwrap();
    let output = secretariat(&["check", programme.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let warnings: Vec<&str> = stderr.split("warning: ").skip(1).collect();
    let expect = |needle: &str, at: &str, other: &str| {
        let at = format!("programme.yaml:{}:", line_of(&text, at));
        let other = format!("(line {})", line_of(&text, other));
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(needle) && w.contains(&at) && w.contains(&other)),
            "`{needle}` at {at} naming {other} in:\n{stderr}"
        );
    };
    expect(
        "certificates are issued on 2018-11-01, before the programme's last day, 2018-11-07",
        "issued_on: 2018-11-01",
        "- date: 2018-11-07",
    );
    expect(
        "invitations ask for a reply by 2018-10-30, after the programme starts on 2018-10-24",
        "reply_by: 2018-10-30",
        "  start: 2018-10-24",
    );
    expect(
        "thank-you letters are dated 2018-11-02, before the programme ends on 2018-11-07",
        "sent_on: 2018-11-02",
        "  end: 2018-11-07",
    );
    expect(
        "request letters are dated 2018-10-26, after the session with",
        "sent_on: 2018-10-26",
        "with: [cabinet-secretariat, cabinet-office]",
    );
    let strict = secretariat(&["check", programme.to_str().unwrap(), "--strict"]);
    assert_eq!(strict.status.code(), Some(1));
}

/// The free-text fields, printed as they are written.
const FREE_TEXT: &[&str] = &[
    "name",
    "native_name",
    "name_ja",
    "honorific",
    "short",
    "title",
    "title_ja",
    "short_title",
    "series",
    "position",
    "organisation",
    "place",
    "place_ja",
    "speakers",
    "addressee",
    "addressee_ja",
    "addressee_name_ja",
];

/// Makes every free-text value under `value` for which `lengthen` holds as
/// long as `check` lets it be, of its own words repeated. `path` is the
/// value's, as `check` names it.
fn longest(value: &mut serde_yaml::Value, path: &str, lengthen: &dyn Fn(&str) -> bool) {
    use serde_yaml::Value;
    match value {
        Value::Mapping(map) => {
            for (key, inner) in map.iter_mut() {
                let key = key.as_str().unwrap_or_default();
                let path = if path.is_empty() {
                    key.to_string()
                } else {
                    format!("{path}.{key}")
                };
                // A staff member's or signatory's organisation is an id.
                let reference = key == "organisation" && !path.starts_with("participants");
                let max = secretariat::validate::max_chars(&path);
                match inner {
                    Value::String(text) if FREE_TEXT.contains(&key) && !reference => {
                        if lengthen(&path) {
                            let words: Vec<char> = format!("{text} ").chars().collect();
                            let long: String = words.iter().cycle().take(max).collect();
                            *text = long.trim_end().to_string();
                        }
                    }
                    // An address of one long word before its domain.
                    Value::String(text) if key == "email" && lengthen(&path) => {
                        let (user, domain) = text.split_once('@').unwrap();
                        let user: String =
                            user.chars().cycle().take(max - domain.len() - 1).collect();
                        *text = format!("{user}@{domain}");
                    }
                    Value::String(text) if key == "phone" && lengthen(&path) => {
                        *text = format!("{text} ")
                            .repeat(max)
                            .chars()
                            .take(max)
                            .collect::<String>()
                            .trim_end()
                            .to_string();
                    }
                    _ => longest(inner, &path, lengthen),
                }
            }
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                longest(item, &format!("{path}[{i}]"), lengthen);
            }
        }
        _ => {}
    }
}

/// The reference programme with the fields `lengthen` names at their longest.
fn longest_programme(lengthen: impl Fn(&str) -> bool) -> tempfile::TempDir {
    let dir = fixture(|y| {
        let mut value: serde_yaml::Value = serde_yaml::from_str(&y).unwrap();
        longest(&mut value, "", &lengthen);
        serde_yaml::to_string(&value).unwrap()
    });
    let yaml = dir.path().join("programme.yaml");
    let check = secretariat(&["check", yaml.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(check.status.success(), "{stderr}");
    dir
}

/// Builds one kind of document of the programme in `dir`: exit code, stderr.
fn build_only(dir: &std::path::Path, kind: &str) -> (Option<i32>, String) {
    let out = dir.join(format!("out-{kind}"));
    let yaml = dir.join("programme.yaml");
    let output = secretariat(&[
        "build",
        yaml.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--only",
        kind,
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    (output.status.code(), stderr)
}

#[test]
fn every_field_at_its_longest_prints_or_is_refused_in_plain_words() {
    let dir = longest_programme(|_| true);
    // Every page is checked as it is typeset: no text over other text, none
    // off the paper.
    for kind in ["schedules", "sign-in", "participants"] {
        let (code, stderr) = build_only(dir.path(), kind);
        assert_eq!(code, Some(0), "{kind}: {stderr}");
    }
    // What only typesetting can measure is refused then, saying what to
    // shorten, quoting at most an excerpt.
    for (kind, said) in [
        ("badges", "does not fit the badge"),
        ("certificates", "does not fit its page, even set at 70%"),
        ("invitations", "does not fit the envelope window"),
        ("requests", "does not fit the envelope window"),
        ("thank-you", "does not fit the envelope window"),
    ] {
        let (code, stderr) = build_only(dir.path(), kind);
        assert_eq!(code, Some(1), "{kind}: {stderr}");
        assert!(stderr.contains(said), "{kind}: {stderr}");
        assert!(stderr.contains("shorten"), "{kind}: {stderr}");
        assert!(!stderr.contains("Typst"), "{kind}: {stderr}");
        assert!(stderr.contains("no zip was written"), "{kind}: {stderr}");
    }
}

#[test]
fn every_field_a_letter_or_badge_prints_in_running_text_at_its_longest_prints() {
    // What goes in an envelope's window or on a badge as it is, all else at
    // its longest.
    let dir = longest_programme(|path| {
        let key = path.rsplit('.').next().unwrap();
        let person = ["participants", "staff"]
            .iter()
            .any(|p| path.starts_with(p));
        let window = path.starts_with("organisations")
            && [
                "name",
                "name_ja",
                "addressee",
                "addressee_ja",
                "addressee_name_ja",
            ]
            .contains(&key);
        !(person || window)
    });
    for kind in ["badges", "invitations", "requests", "thank-you"] {
        let (code, stderr) = build_only(dir.path(), kind);
        assert_eq!(code, Some(0), "{kind}: {stderr}");
    }
}
