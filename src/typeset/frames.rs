//! What a typeset document draws, read back from its frames: for checks on
//! text, positions and images that a PDF's text layer cannot answer.

use typst::foundations::Bytes;
use typst::layout::{Frame, FrameItem, Point, Transform};
use typst::text::TextItem;
use typst::visualize::ImageKind;
use typst_layout::PagedDocument;

/// Walks every item of a frame, depth first, in drawing order, with the
/// transform from the item's coordinates to the page's.
pub fn walk(frame: &Frame, ts: Transform, f: &mut impl FnMut(&FrameItem, Point, Transform)) {
    for (pos, item) in frame.items() {
        if let FrameItem::Group(group) = item {
            let inner = ts
                .pre_concat(Transform::translate(pos.x, pos.y))
                .pre_concat(group.transform);
            walk(&group.frame, inner, f);
        } else {
            f(item, pos.transform(ts), ts);
        }
    }
}

/// Walks all text runs of a frame, depth first, in drawing order.
pub fn visit_text(frame: &Frame, f: &mut impl FnMut(&TextItem)) {
    walk(frame, Transform::identity(), &mut |item, _, _| {
        if let FrameItem::Text(text) = item {
            f(text)
        }
    });
}

/// A run of text as drawn on its page.
#[derive(Debug, Clone)]
pub struct DrawnRun {
    /// 0-based page index.
    pub page: usize,
    /// Start of the baseline, in mm from the page's left and top edges.
    pub x: f64,
    pub y: f64,
    /// Advance width in mm.
    pub width: f64,
    pub size_pt: f64,
    /// The font's family name.
    pub font: String,
    pub text: String,
}

/// Every text run of a document with its place on the page, e.g. to check that
/// an address lies inside an envelope window.
pub fn drawn_runs(document: &PagedDocument) -> Vec<DrawnRun> {
    let mut runs = Vec::new();
    for (page, p) in document.pages().iter().enumerate() {
        walk(&p.frame, Transform::identity(), &mut |item, pos, _| {
            if let FrameItem::Text(text) = item {
                runs.push(DrawnRun {
                    page,
                    x: pos.x.to_mm(),
                    y: pos.y.to_mm(),
                    width: text.width().to_mm(),
                    size_pt: text.size.to_pt(),
                    font: text.font.info().family.clone(),
                    text: text.text.to_string(),
                });
            }
        });
    }
    runs
}

/// The source bytes of every SVG image a document draws, page by page.
pub fn drawn_svgs(document: &PagedDocument) -> Vec<Bytes> {
    let mut svgs = Vec::new();
    for page in document.pages() {
        walk(&page.frame, Transform::identity(), &mut |item, _, _| {
            if let FrameItem::Image(image, _, _) = item
                && let ImageKind::Svg(svg) = image.kind()
            {
                svgs.push(svg.data().clone());
            }
        });
    }
    svgs
}

/// The text a document draws, rebuilt from its glyphs: each character once, text
/// runs separated by a space.
///
/// Shaping a complex script can split one cluster (a base and its marks) over
/// consecutive runs that each carry the whole cluster's text; a one-cluster run
/// repeating the cluster that ended the run before it is a piece of that cluster,
/// not a second syllable, which would have been shaped within the same run.
pub fn drawn_text(document: &PagedDocument) -> String {
    let mut out = String::new();
    for page in document.pages() {
        let mut previous_cluster: Option<String> = None;
        visit_text(&page.frame, &mut |item| {
            let whole = 0..item.text.len();
            let one_cluster = item.glyphs.iter().all(|g| g.range() == whole);
            if one_cluster && previous_cluster.as_deref() == Some(item.text.as_str()) {
                return;
            }
            previous_cluster = item.glyphs.last().map(|g| item.text[g.range()].to_string());
            let mut previous = None;
            for glyph in &item.glyphs {
                // Glyphs of one cluster share its range.
                let range = glyph.range();
                if previous != Some(range.clone()) {
                    out.push_str(&item.text[range.clone()]);
                    previous = Some(range);
                }
            }
            out.push(' ');
        });
    }
    out
}

/// How far two runs of text may overlap across before one is printed over the
/// other, in mm: runs that meet on a line touch at their advances, and a
/// kerned or italic edge may cross by a hair.
const OVERLAP_ACROSS_MM: f64 = 0.2;
/// How far apart, in drawing order, the runs one shaped cluster was split into
/// may be: a complex script's base and marks may come in consecutive runs from
/// different fonts, drawn at the same place on purpose.
const CLUSTER_RUNS: usize = 3;

/// Where a document prints text over other text, or outside its page: what a
/// block too tall for a page leaves, since Typst lets an unbreakable block run
/// past the foot of a page, on top of the footer and off the paper. Said in
/// words, the first such place; `None` when there is none.
///
/// Each run of text is taken as the box from its baseline up to its font's
/// cap height, across its advance: lines of any leading keep these apart, and
/// two of them overlapping is text the eye cannot read. Runs on the same
/// baseline close together in drawing order are one cluster's pieces, and
/// rotated or skewed text is left out.
pub fn misprinted(document: &PagedDocument) -> Option<String> {
    // Generic over the run's text, Typst's own string type, cloned cheaply.
    struct Placed<T> {
        order: usize,
        x: (f64, f64),
        y: (f64, f64),
        text: T,
    }
    fn quoted<T: AsRef<str>>(run: &Placed<T>) -> String {
        crate::diagnostic::excerpt(run.text.as_ref().trim())
    }
    for (index, page) in document.pages().iter().enumerate() {
        let size = page.frame.size();
        let (width, height) = (size.x.to_mm(), size.y.to_mm());
        let mut runs = Vec::new();
        walk(&page.frame, Transform::identity(), &mut |item, pos, ts| {
            let FrameItem::Text(text) = item else { return };
            if !ts.kx.is_zero() || !ts.ky.is_zero() || text.text.trim().is_empty() {
                return;
            }
            let (x, y) = (pos.x.to_mm(), pos.y.to_mm());
            let across = text.width().to_mm() * ts.sx.get();
            let cap = text.font.metrics().cap_height.at(text.size).to_mm() * ts.sy.get();
            runs.push(Placed {
                order: runs.len(),
                x: (x.min(x + across), x.max(x + across)),
                y: (y - cap.abs(), y),
                text: text.text.clone(),
            });
        });
        let page_no = index + 1;
        if let Some(off) = runs.iter().find(|r| {
            r.x.0 < -OVERLAP_ACROSS_MM
                || r.x.1 > width + OVERLAP_ACROSS_MM
                || r.y.0 < 0.0
                || r.y.1 > height
        }) {
            return Some(format!(
                "on page {page_no}, “{}” runs off the page",
                quoted(off)
            ));
        }
        runs.sort_by(|a, b| a.y.0.total_cmp(&b.y.0));
        for (i, a) in runs.iter().enumerate() {
            for b in runs[i + 1..].iter().take_while(|b| b.y.0 < a.y.1) {
                let across = a.x.1.min(b.x.1) - a.x.0.max(b.x.0);
                let one_cluster =
                    (a.y.1 - b.y.1).abs() < 0.01 && a.order.abs_diff(b.order) <= CLUSTER_RUNS;
                if across > OVERLAP_ACROSS_MM && !one_cluster {
                    return Some(format!(
                        "on page {page_no}, “{}” is printed over “{}”",
                        quoted(b),
                        quoted(a)
                    ));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::misprinted;

    fn typeset(body: &str) -> typst_layout::PagedDocument {
        crate::typeset::typeset_alone(&format!(
            "#set page(width: 80mm, height: 60mm, margin: 10mm)\n{body}"
        ))
    }

    #[test]
    fn what_lays_out_in_turn_is_printed_well() {
        let lines = "#for i in range(40) [Line #i of a paragraph that wraps. ]";
        for body in [
            lines.to_string(),
            format!("#table(columns: 3, ..range(60).map(str))\n{lines}"),
            "Ab#text(font: \"DejaVu Sans Mono\")[cd]ef".to_string(),
            "#text(size: 30pt)[Big] \\ #text(size: 6pt)[small] \\ x".to_string(),
            "#rotate(90deg)[Turned] Upright".to_string(),
        ] {
            assert_eq!(misprinted(&typeset(&body)), None, "{body}");
        }
    }

    #[test]
    fn text_over_text_is_found() {
        let found = misprinted(&typeset(
            "#place(top + left)[Hello]\n#place(top + left, dx: 1mm, dy: 0.5mm)[World]",
        ));
        assert_eq!(
            found.as_deref(),
            Some("on page 1, “World” is printed over “Hello”")
        );
        // Text that only meets another on its line is not over it.
        assert_eq!(
            misprinted(&typeset("#place[Hello]#place(dx: 12mm)[World]")),
            None
        );
    }

    #[test]
    fn text_off_the_page_is_found() {
        for (body, text) in [
            ("#place(dx: 50mm)[Words that run off]", "Words"),
            ("#place(dy: 55mm)[Below]", "Below"),
            ("#place(dx: -12mm)[Left]", "Left"),
        ] {
            let found = misprinted(&typeset(body)).unwrap_or_default();
            assert!(
                found.starts_with("on page 1, “") && found.ends_with("” runs off the page"),
                "{body}: {found}"
            );
            assert!(found.contains(text), "{found}");
        }
    }

    #[test]
    fn a_block_too_long_for_its_page_is_found() {
        let found = misprinted(&typeset(
            "Before\n#block(breakable: false)[#for i in range(30) [Line #i \\ ]]",
        ));
        assert!(found.is_some());
        let found = misprinted(&typeset(
            "#block(breakable: false, table(columns: 2, ..range(80).map(str)))",
        ));
        assert!(found.is_some());
    }
}
