//! Imposition: badges placed N-up on print sheets, with crop marks.
//!
//! The sheets reuse the typeset badge pages as they are: each badge's frame is
//! placed on the sheet, nothing is typeset again.

use typst::layout::{Abs, Frame, FrameItem, Point, Size};
use typst::syntax::Span;
use typst::visualize::{Cmyk, Color, FixedStroke, Geometry, ProcessColor};
use typst_layout::Page;

/// How badges sit on a sheet; all lengths in millimetres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SheetLayout {
    pub sheet: (f64, f64),
    pub badge: (f64, f64),
    pub columns: u32,
    pub rows: u32,
    pub gap: f64,
    /// Top left corner of the block of badges, which is centred on the sheet.
    pub origin: (f64, f64),
    pub marks: bool,
}

/// What the programme asks for.
#[derive(Debug, Clone, Copy)]
pub struct LayoutRequest {
    pub sheet: (f64, f64),
    pub badge: (f64, f64),
    pub margin: f64,
    pub gap: f64,
    pub columns: Option<u32>,
    pub rows: Option<u32>,
    pub marks: bool,
}

/// Crop marks: this long, this far from the badges, this thin.
const MARK_LENGTH: f64 = 5.0;
const MARK_OFFSET: f64 = 2.0;
const MARK_THICKNESS_PT: f64 = 0.25;

/// Works out how many badges fit, or says why none or not the requested number do.
pub fn layout(req: LayoutRequest) -> Result<SheetLayout, String> {
    let (sw, sh) = req.sheet;
    let (bw, bh) = req.badge;
    let (aw, ah) = (sw - 2.0 * req.margin, sh - 2.0 * req.margin);
    if bw > aw || bh > ah {
        return Err(format!(
            "a {bw} x {bh} mm badge does not fit on a {sw} x {sh} mm sheet with {} mm margins",
            req.margin
        ));
    }
    let fit = |available: f64, size: f64| ((available + req.gap) / (size + req.gap)).floor() as u32;
    let span = |n: u32, size: f64| n as f64 * size + n.saturating_sub(1) as f64 * req.gap;
    let columns = req.columns.unwrap_or_else(|| fit(aw, bw));
    let rows = req.rows.unwrap_or_else(|| fit(ah, bh));
    if columns == 0 || rows == 0 {
        return Err("columns and rows must be at least 1".into());
    }
    let (block_w, block_h) = (span(columns, bw), span(rows, bh));
    if block_w > aw + 1e-6 || block_h > ah + 1e-6 {
        return Err(format!(
            "{columns} x {rows} badges of {bw} x {bh} mm with {} mm gaps need {block_w:.1} x \
             {block_h:.1} mm, but the {sw} x {sh} mm sheet has {aw:.1} x {ah:.1} mm inside its margins",
            req.gap
        ));
    }
    Ok(SheetLayout {
        sheet: req.sheet,
        badge: req.badge,
        columns,
        rows,
        gap: req.gap,
        origin: ((sw - block_w) / 2.0, (sh - block_h) / 2.0),
        marks: req.marks,
    })
}

impl SheetLayout {
    pub fn per_sheet(&self) -> usize {
        (self.columns * self.rows) as usize
    }

    /// Top left corner of the `i`-th badge of a front sheet, row by row.
    pub fn slot(&self, i: usize) -> (f64, f64) {
        let (col, row) = (i as u32 % self.columns, i as u32 / self.columns);
        (
            self.origin.0 + col as f64 * (self.badge.0 + self.gap),
            self.origin.1 + row as f64 * (self.badge.1 + self.gap),
        )
    }

    /// Where the back of the `i`-th badge goes on the back sheet: mirrored left to
    /// right, since a sheet printed long-edge duplex turns over about its long
    /// (vertical) axis.
    pub fn back_slot(&self, i: usize) -> (f64, f64) {
        let (x, y) = self.slot(i);
        (self.sheet.0 - x - self.badge.0, y)
    }

    /// Crop marks as line segments ((x1, y1), (x2, y2)): at both ends of every
    /// cut line, in the margin outside the block of badges, so none crosses a badge.
    pub fn marks(&self) -> Vec<((f64, f64), (f64, f64))> {
        if !self.marks {
            return Vec::new();
        }
        let (x0, y0) = self.origin;
        let x1 = x0 + self.columns as f64 * self.badge.0 + (self.columns - 1) as f64 * self.gap;
        let y1 = y0 + self.rows as f64 * self.badge.1 + (self.rows - 1) as f64 * self.gap;
        // Marks shrink to the margin there is, and vanish where there is none.
        let room = |space: f64| (space - MARK_OFFSET - 1.0).min(MARK_LENGTH);
        let mut marks = Vec::new();
        let (top, bottom) = (room(y0), room(self.sheet.1 - y1));
        for c in 0..self.columns {
            let left = x0 + c as f64 * (self.badge.0 + self.gap);
            for x in [left, left + self.badge.0] {
                if top > 0.0 {
                    marks.push(((x, y0 - MARK_OFFSET - top), (x, y0 - MARK_OFFSET)));
                }
                if bottom > 0.0 {
                    marks.push(((x, y1 + MARK_OFFSET), (x, y1 + MARK_OFFSET + bottom)));
                }
            }
        }
        let (left, right) = (room(x0), room(self.sheet.0 - x1));
        for r in 0..self.rows {
            let top_edge = y0 + r as f64 * (self.badge.1 + self.gap);
            for y in [top_edge, top_edge + self.badge.1] {
                if left > 0.0 {
                    marks.push(((x0 - MARK_OFFSET - left, y), (x0 - MARK_OFFSET, y)));
                }
                if right > 0.0 {
                    marks.push(((x1 + MARK_OFFSET, y), (x1 + MARK_OFFSET + right, y)));
                }
            }
        }
        marks
    }
}

/// Places badge pages on sheets: fronts row by row; with `backs`, each front
/// sheet is followed by its back sheet, mirrored.
pub fn impose(layout: &SheetLayout, fronts: &[&Page], backs: Option<&[&Page]>) -> Vec<Page> {
    let mut sheets = Vec::new();
    let Some(template) = fronts.first() else {
        return sheets;
    };
    for (n, chunk) in fronts.chunks(layout.per_sheet()).enumerate() {
        let start = n * layout.per_sheet();
        sheets.push(sheet(layout, template, chunk, |i| layout.slot(i)));
        if let Some(backs) = backs {
            let end = (start + chunk.len()).min(backs.len());
            sheets.push(sheet(layout, template, &backs[start..end], |i| {
                layout.back_slot(i)
            }));
        }
    }
    sheets
}

/// Crop marks in black ink alone (CMYK 0/0/0/100), so they print from one
/// plate and cannot misregister.
const REGISTRATION_BLACK: Color = Color::Process(ProcessColor::Cmyk(Cmyk {
    c: 0.0,
    m: 0.0,
    y: 0.0,
    k: 1.0,
}));

fn sheet(
    layout: &SheetLayout,
    template: &Page,
    badges: &[&Page],
    place: impl Fn(usize) -> (f64, f64),
) -> Page {
    let mm = Abs::mm;
    let mut frame = Frame::hard(Size::new(mm(layout.sheet.0), mm(layout.sheet.1)));
    for (i, badge) in badges.iter().enumerate() {
        let (x, y) = place(i);
        frame.push_frame(Point::new(mm(x), mm(y)), badge.frame.clone());
    }
    let stroke = FixedStroke::from_pair(REGISTRATION_BLACK, Abs::pt(MARK_THICKNESS_PT));
    for ((x1, y1), (x2, y2)) in layout.marks() {
        let line = Geometry::Line(Point::new(mm(x2 - x1), mm(y2 - y1))).stroked(stroke.clone());
        frame.push(
            Point::new(mm(x1), mm(y1)),
            FrameItem::Shape(line, Span::detached()),
        );
    }
    let mut page = template.clone();
    page.frame = frame;
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a4(badge: (f64, f64)) -> LayoutRequest {
        LayoutRequest {
            sheet: (210.0, 297.0),
            badge,
            margin: 10.0,
            gap: 4.0,
            columns: None,
            rows: None,
            marks: true,
        }
    }

    #[test]
    fn default_badges_fit_eight_to_an_a4_sheet() {
        let l = layout(a4((90.0, 55.0))).unwrap();
        assert_eq!((l.columns, l.rows), (2, 4));
        // Centred: equal space left and right, top and bottom.
        let (x, y) = l.slot(7);
        assert!((l.origin.0 - (210.0 - x - 90.0)).abs() < 1e-9);
        assert!((l.origin.1 - (297.0 - y - 55.0)).abs() < 1e-9);
    }

    #[test]
    fn back_slots_mirror_front_slots() {
        let l = layout(a4((90.0, 55.0))).unwrap();
        for i in 0..l.per_sheet() {
            let (front, back) = (l.slot(i), l.back_slot(i));
            assert_eq!(front.1, back.1);
            assert!((front.0 + 90.0 / 2.0 - (210.0 - (back.0 + 90.0 / 2.0))).abs() < 1e-9);
        }
    }

    #[test]
    fn marks_never_cross_a_badge() {
        let l = layout(a4((90.0, 55.0))).unwrap();
        let marks = l.marks();
        assert!(!marks.is_empty());
        for ((x1, y1), (x2, y2)) in marks {
            for i in 0..l.per_sheet() {
                let (bx, by) = l.slot(i);
                let inside = |x: f64, y: f64| x > bx && x < bx + 90.0 && y > by && y < by + 55.0;
                let mid = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
                assert!(!inside(x1, y1) && !inside(x2, y2) && !inside(mid.0, mid.1));
            }
        }
    }

    #[test]
    fn impossible_layouts_are_refused() {
        assert!(layout(a4((220.0, 55.0))).is_err());
        let too_many = LayoutRequest {
            columns: Some(3),
            ..a4((90.0, 55.0))
        };
        assert!(layout(too_many).is_err());
    }
}
