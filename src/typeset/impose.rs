//! Imposition: badges placed N-up on print sheets, with crop marks.
//!
//! The sheets reuse the typeset badge pages as they are: each badge's page is
//! placed on the sheet ([`super::assemble`]), nothing is typeset again. A badge's artwork runs into
//! its bleed; on the sheet each badge keeps its bleed up to the middle of the
//! gap to its neighbour, and the crop marks start outside it.
//!
//! (Longer than most files here because the geometry's tests, which check
//! every mark and bleed against every slot, sit below the code.)

/// How badges sit on a sheet; all lengths in millimetres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SheetLayout {
    pub sheet: (f64, f64),
    pub badge: (f64, f64),
    pub columns: u32,
    pub rows: u32,
    pub gap: f64,
    /// How far each badge's artwork runs past its trim.
    pub bleed: f64,
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
    pub bleed: f64,
    pub columns: Option<u32>,
    pub rows: Option<u32>,
    pub marks: bool,
}

/// A line from one point to another, in millimetres from the sheet's top left
/// corner.
pub type Segment = ((f64, f64), (f64, f64));

/// Crop marks: this long, at least this far from the trim and this far
/// outside the bleed, this thin.
const MARK_LENGTH: f64 = 5.0;
const MARK_OFFSET: f64 = 2.0;
const MARK_CLEARANCE: f64 = 1.0;
pub const MARK_THICKNESS_PT: f64 = 0.25;
/// The shortest mark a blade is lined up with.
const MARK_MIN_LENGTH: f64 = 3.0;
/// Marks end this far from the sheet's edge, where printers still print.
const MARK_EDGE: f64 = 3.0;

/// Works out how many badges fit, or says why none or not the requested number do.
///
/// With crop marks, the margin is at least the room they need outside the
/// bleed, so every cut line has its marks.
pub fn layout(req: LayoutRequest) -> Result<SheetLayout, String> {
    let (sw, sh) = req.sheet;
    let (bw, bh) = req.badge;
    let marks_need = if req.marks {
        mark_offset(req.bleed) + MARK_MIN_LENGTH + MARK_EDGE
    } else {
        0.0
    };
    let margin = req.margin.max(marks_need);
    let margins = if marks_need > req.margin {
        format!(
            "{margin:.0} mm margins (the room its crop marks need past a {} mm bleed)",
            req.bleed
        )
    } else {
        format!("{margin} mm margins")
    };
    let (aw, ah) = (sw - 2.0 * margin, sh - 2.0 * margin);
    if bw > aw || bh > ah {
        return Err(format!(
            "a {bw} x {bh} mm badge does not fit on a {sw} x {sh} mm sheet with {margins}"
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
             {block_h:.1} mm, but the {sw} x {sh} mm sheet has {aw:.1} x {ah:.1} mm inside \
             its {margins}: use fewer columns or rows, or a smaller gap",
            req.gap
        ));
    }
    Ok(SheetLayout {
        sheet: req.sheet,
        badge: req.badge,
        columns,
        rows,
        gap: req.gap,
        bleed: req.bleed,
        origin: ((sw - block_w) / 2.0, (sh - block_h) / 2.0),
        marks: req.marks,
    })
}

/// How far crop marks start from the trim: outside the bleed.
fn mark_offset(bleed: f64) -> f64 {
    MARK_OFFSET.max(bleed + MARK_CLEARANCE)
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
    pub fn marks(&self) -> Vec<Segment> {
        if !self.marks {
            return Vec::new();
        }
        let (x0, y0) = self.origin;
        let (x1, y1) = self.block_end();
        // Marks start outside the bleed and take the margin there is, up to
        // their full length (`layout` leaves room for the shortest).
        let offset = mark_offset(self.bleed);
        let room = |space: f64| (space - offset - MARK_EDGE).min(MARK_LENGTH);
        let mut marks = Vec::new();
        let (top, bottom) = (room(y0), room(self.sheet.1 - y1));
        for c in 0..self.columns {
            let left = x0 + c as f64 * (self.badge.0 + self.gap);
            for x in [left, left + self.badge.0] {
                if top > 0.0 {
                    marks.push(((x, y0 - offset - top), (x, y0 - offset)));
                }
                if bottom > 0.0 {
                    marks.push(((x, y1 + offset), (x, y1 + offset + bottom)));
                }
            }
        }
        let (left, right) = (room(x0), room(self.sheet.0 - x1));
        for r in 0..self.rows {
            let top_edge = y0 + r as f64 * (self.badge.1 + self.gap);
            for y in [top_edge, top_edge + self.badge.1] {
                if left > 0.0 {
                    marks.push(((x0 - offset - left, y), (x0 - offset, y)));
                }
                if right > 0.0 {
                    marks.push(((x1 + offset, y), (x1 + offset + right, y)));
                }
            }
        }
        marks
    }

    /// The part of the sheet a badge whose trim starts at (x, y) may print on:
    /// its trim grown by the bleed, but only to the middle of the gap towards a
    /// neighbour and never past the sheet's edge. As (left, top, right, bottom).
    pub fn bleed_area(&self, (x, y): (f64, f64)) -> (f64, f64, f64, f64) {
        let (bw, bh) = self.badge;
        let (x1, y1) = self.block_end();
        let toward = |edge: f64, block_edge: f64, sheet_edge: f64| {
            if (edge - block_edge).abs() < 1e-6 {
                self.bleed.min((edge - sheet_edge).abs())
            } else {
                self.bleed.min(self.gap / 2.0)
            }
        };
        // The block is centred, so a back sheet, mirrored, has the same outer edges.
        let left = toward(x, self.origin.0, 0.0);
        let right = toward(x + bw, x1, self.sheet.0);
        let top = toward(y, self.origin.1, 0.0);
        let bottom = toward(y + bh, y1, self.sheet.1);
        (x - left, y - top, x + bw + right, y + bh + bottom)
    }

    /// The bottom right corner of the block of badges.
    fn block_end(&self) -> (f64, f64) {
        let span = |n: u32, size: f64| n as f64 * size + (n - 1) as f64 * self.gap;
        (
            self.origin.0 + span(self.columns, self.badge.0),
            self.origin.1 + span(self.rows, self.badge.1),
        )
    }
}

/// A badge on a sheet: which member, which of its pages (0 its front, 1 its
/// back), where its trim's top left corner goes and the area it may print on
/// ([`SheetLayout::bleed_area`]), in millimetres from the sheet's top left
/// corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slot {
    pub member: usize,
    pub page: usize,
    pub at: (f64, f64),
    pub area: (f64, f64, f64, f64),
}

/// The sheets the badges go on, given each member's page count: fronts row by
/// row; with `double_sided`, each front sheet followed by its back sheet,
/// mirrored, each back behind its front.
pub fn sheets(layout: &SheetLayout, pages: &[usize], double_sided: bool) -> Vec<Vec<Slot>> {
    let fronts: Vec<usize> = (0..pages.len()).filter(|&m| pages[m] >= 1).collect();
    let backs: Vec<usize> = (0..pages.len()).filter(|&m| pages[m] >= 2).collect();
    let slot = |member: usize, page: usize, at: (f64, f64)| Slot {
        member,
        page,
        at,
        area: layout.bleed_area(at),
    };
    let mut sheets = Vec::new();
    for (n, chunk) in fronts.chunks(layout.per_sheet()).enumerate() {
        let start = n * layout.per_sheet();
        sheets.push(
            chunk
                .iter()
                .enumerate()
                .map(|(i, &m)| slot(m, 0, layout.slot(i)))
                .collect(),
        );
        if double_sided {
            let end = (start + chunk.len()).min(backs.len());
            let backs = backs.get(start..end).unwrap_or_default();
            sheets.push(
                backs
                    .iter()
                    .enumerate()
                    .map(|(i, &m)| slot(m, 1, layout.back_slot(i)))
                    .collect(),
            );
        }
    }
    sheets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a4(badge: (f64, f64)) -> LayoutRequest {
        LayoutRequest {
            sheet: (210.0, 297.0),
            badge,
            margin: 10.0,
            gap: 6.0,
            bleed: 3.0,
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

    /// Every badge's printable area, on front and back sheets.
    fn areas(l: &SheetLayout) -> Vec<(f64, f64, f64, f64)> {
        (0..l.per_sheet())
            .flat_map(|i| [l.bleed_area(l.slot(i)), l.bleed_area(l.back_slot(i))])
            .collect()
    }

    #[test]
    fn marks_start_outside_every_bleed() {
        for gap in [0.0, 2.0, 4.0, 6.0, 10.0] {
            let l = layout(LayoutRequest {
                gap,
                ..a4((90.0, 55.0))
            })
            .unwrap();
            let marks = l.marks();
            assert!(!marks.is_empty());
            for ((x1, y1), (x2, y2)) in marks {
                for (left, top, right, bottom) in areas(&l) {
                    // Both ends and every point between: a mark is a straight
                    // line along one axis, so its box tells.
                    let (lo_x, hi_x) = (x1.min(x2), x1.max(x2));
                    let (lo_y, hi_y) = (y1.min(y2), y1.max(y2));
                    let apart = hi_x < left || lo_x > right || hi_y < top || lo_y > bottom;
                    assert!(apart, "gap {gap}: mark {x1},{y1}-{x2},{y2} over a bleed");
                }
                let on_sheet =
                    |x: f64, y: f64| (0.0..=210.0).contains(&x) && (0.0..=297.0).contains(&y);
                assert!(on_sheet(x1, y1) && on_sheet(x2, y2));
            }
        }
    }

    #[test]
    fn bleeds_reach_the_middle_of_a_gap_and_never_a_neighbour() {
        for gap in [0.0, 2.0, 4.0, 6.0, 10.0] {
            let l = layout(LayoutRequest {
                gap,
                ..a4((90.0, 55.0))
            })
            .unwrap();
            let fronts: Vec<_> = (0..l.per_sheet())
                .map(|i| l.bleed_area(l.slot(i)))
                .collect();
            for (i, a) in fronts.iter().enumerate() {
                let (x, y) = l.slot(i);
                // Each side: the full bleed where it is free, half the gap where
                // a neighbour is.
                let sides = [x - a.0, y - a.1, a.2 - x - 90.0, a.3 - y - 55.0];
                assert!(
                    sides.iter().all(|&s| s == 3.0 || s == (gap / 2.0).min(3.0)),
                    "{sides:?}"
                );
                for b in &fronts[i + 1..] {
                    let overlap_x = a.0.max(b.0) < a.2.min(b.2) - 1e-9;
                    let overlap_y = a.1.max(b.1) < a.3.min(b.3) - 1e-9;
                    assert!(!(overlap_x && overlap_y), "gap {gap}: bleeds overlap");
                }
            }
            // The outer edges of the block keep the whole bleed.
            assert_eq!(fronts[0].0, l.origin.0 - 3.0);
            assert_eq!(fronts[0].1, l.origin.1 - 3.0);
        }
    }

    #[test]
    fn back_sheets_keep_the_fronts_bleeds() {
        let l = layout(a4((90.0, 55.0))).unwrap();
        for i in 0..l.per_sheet() {
            let (front, back) = (l.bleed_area(l.slot(i)), l.bleed_area(l.back_slot(i)));
            assert!(((front.2 - front.0) - (back.2 - back.0)).abs() < 1e-9);
            // Mirrored: the front's left allowance is the back's right one.
            let (x, _) = l.slot(i);
            let (bx, _) = l.back_slot(i);
            assert!(((x - front.0) - (back.2 - bx - 90.0)).abs() < 1e-9);
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

    #[test]
    fn crop_marks_are_drawn_at_every_cut_or_the_layout_is_refused() {
        // Four A6 badges fill an A4 sheet: no room for marks when asked for
        // two by two; one per sheet when left to fit.
        let full = LayoutRequest {
            margin: 0.0,
            gap: 0.0,
            columns: Some(2),
            rows: Some(2),
            ..a4((105.0, 148.0))
        };
        let refused = layout(full).unwrap_err();
        assert!(refused.contains("crop marks need"), "{refused}");
        let fitted = layout(LayoutRequest {
            columns: None,
            rows: None,
            ..full
        })
        .unwrap();
        assert_eq!((fitted.columns, fitted.rows), (1, 1));
        // Pre-cut stock needs no room for marks.
        assert!(
            layout(LayoutRequest {
                marks: false,
                ..full
            })
            .is_ok()
        );
        // Whatever the layout, every cut line has a mark at each end, at
        // least MARK_MIN_LENGTH long and MARK_EDGE inside the sheet.
        let badges = [
            (90.0, 55.0),
            (85.6, 54.0),
            (105.0, 74.0),
            (100.0, 139.5),
            (92.0, 55.0),
            (20.0, 20.0),
        ];
        for badge in badges {
            for margin in [0.0, 2.0, 5.0, 10.0] {
                for bleed in [0.0, 3.0, 10.0] {
                    let request = LayoutRequest {
                        margin,
                        bleed,
                        gap: 2.0 * bleed,
                        ..a4(badge)
                    };
                    let Ok(l) = layout(request) else {
                        continue;
                    };
                    let marks = l.marks();
                    let vertical = marks.iter().filter(|((x1, _), (x2, _))| x1 == x2).count();
                    let horizontal = marks.len() - vertical;
                    assert_eq!(vertical as u32, 2 * 2 * l.columns, "{badge:?}");
                    assert_eq!(horizontal as u32, 2 * 2 * l.rows, "{badge:?}");
                    for ((x1, y1), (x2, y2)) in marks {
                        let length = (x2 - x1).abs() + (y2 - y1).abs();
                        assert!(length >= MARK_MIN_LENGTH - 1e-9, "{badge:?}: {length}");
                        for (x, y) in [(x1, y1), (x2, y2)] {
                            assert!((MARK_EDGE - 1e-9..=210.0 - MARK_EDGE + 1e-9).contains(&x));
                            assert!((MARK_EDGE - 1e-9..=297.0 - MARK_EDGE + 1e-9).contains(&y));
                        }
                    }
                }
            }
        }
    }
}
