//! The participant list, read as a participant reads the welcome pack: no
//! row split across pages, no word alone on the subtitle's last line.

mod common;

use common::{reference, typeset};
use secretariat::typeset::drawn_runs;

/// The runs of each page below the repeated column heads, top to bottom.
fn page_bodies(document: &typst_layout::PagedDocument) -> Vec<Vec<(f64, String)>> {
    let runs = drawn_runs(document);
    let pages = document.pages().len();
    (0..pages)
        .map(|page| {
            let mut body: Vec<(f64, String)> = runs
                .iter()
                .filter(|r| r.page == page)
                .map(|r| (r.y, r.text.clone()))
                .collect();
            body.sort_by(|a, b| a.0.total_cmp(&b.0));
            // Everything down to the column heads' last one (E-mail) is page
            // furniture.
            if let Some(head) = body.iter().position(|(_, t)| t == "E-mail") {
                body.drain(..=head);
            }
            body
        })
        .collect()
}

#[test]
fn no_participant_row_is_split_across_pages() {
    let yaml = reference().join("programme.yaml");
    let (programme, _) = common::render(&yaml, "participants/list.pdf");
    let document = typeset(&yaml, "participants/list.pdf");
    let pages = page_bodies(&document);
    assert!(pages.len() > 1, "the reference list runs to a second page");
    // What a row, or a group of rows, starts with.
    let mut starts: Vec<String> = (1..=programme.participants.len())
        .map(|n| n.to_string())
        .collect();
    starts.extend(
        programme
            .participants
            .iter()
            .map(|p| p.country.name.clone()),
    );
    starts.push("Programme staff".into());
    for (i, body) in pages.iter().enumerate().skip(1) {
        let Some(&(top, _)) = body.first() else {
            continue;
        };
        let first_line: Vec<&str> = body
            .iter()
            .filter(|(y, _)| y - top < 1.0)
            .map(|(_, t)| t.trim())
            .collect();
        assert!(
            first_line.iter().any(|t| starts.iter().any(|s| s == t)),
            "page {} starts inside a row: {first_line:?}",
            i + 1
        );
    }
}

#[test]
fn the_subtitle_leaves_no_word_alone_on_a_line() {
    let yaml = reference().join("programme.yaml");
    let document = typeset(&yaml, "participants/list.pdf");
    let runs = drawn_runs(&document);
    // The subtitle is the first muted line under the title: its runs, by line.
    let mut lines: Vec<(f64, String)> = Vec::new();
    for run in runs
        .iter()
        .filter(|r| r.page == 0 && (r.size_pt - 10.0).abs() < 0.1)
    {
        match lines.iter_mut().find(|(y, _)| (y - run.y).abs() < 0.5) {
            Some((_, text)) => text.push_str(&run.text),
            None => lines.push((run.y, run.text.clone())),
        }
    }
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    let subtitle: Vec<&String> = lines
        .iter()
        .take_while(|(y, _)| *y < 45.0)
        .map(|(_, t)| t)
        .collect();
    assert!(
        !subtitle.is_empty(),
        "{:?}",
        runs.iter()
            .filter(|r| r.page == 0 && r.y < 45.0)
            .map(|r| (r.y, r.size_pt, &r.text))
            .collect::<Vec<_>>()
    );
    for line in &subtitle {
        assert!(
            line.split_whitespace().count() > 1,
            "a word alone on a line of the subtitle: {subtitle:?}"
        );
    }
}

#[test]
fn a_name_longer_than_its_column_is_set_smaller_never_over_the_next() {
    let long = "Chaiyaphumipattanakulwongsiri";
    let dir = common::fixture(|y| {
        common::replace_once(
            &y,
            "name: Siriporn Chaiyaphum\n",
            &format!("name: Siriporn {long}\n"),
        )
    });
    let yaml = dir.path().join("programme.yaml");
    for document in ["sign-in/2018-10-24.pdf", "participants/list.pdf"] {
        let runs = drawn_runs(&typeset(&yaml, document));
        let name = runs
            .iter()
            .find(|r| r.text.contains(long))
            .unwrap_or_else(|| panic!("{document}: {long} not drawn whole"));
        // The next thing on the name's line to its right starts after it.
        let next = runs
            .iter()
            .filter(|r| r.page == name.page && (r.y - name.y).abs() < 3.0 && r.x > name.x)
            .map(|r| r.x)
            .fold(f64::MAX, f64::min);
        assert!(
            name.x + name.width < next - 0.5,
            "{document}: the name ends at {:.1} mm, the next column starts at {next:.1} mm",
            name.x + name.width
        );
    }
}
