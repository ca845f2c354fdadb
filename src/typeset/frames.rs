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
