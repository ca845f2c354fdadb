//! The PDF export, what the tool adds to a PDF after Typst's, before it is
//! cached, and what it reads back from one when its pages are placed again.
//!
//! Each step appends an incremental update (ISO 32000-1, 7.5.6): Typst's bytes
//! stay as they are and the objects that change are written again after them,
//! so a step cannot damage what it does not touch.

use std::collections::HashMap;

use chrono::Datelike;
use lopdf::{Document, IncrementalDocument};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::layout::{Abs, Frame, Point, Sides, Size};
use typst_layout::{Page, PagedDocument};
use typst_pdf::{PdfOptions, Timestamp};

use super::Typesetter;

impl Typesetter {
    /// Exports a typeset document as PDF, reproducibly: `ident` names it stably
    /// and the creation date is the run's fixed timestamp. A `tagged` PDF
    /// carries its structure (headings, paragraphs, tables, reading order)
    /// for screen readers.
    pub fn pdf(
        &self,
        document: &PagedDocument,
        ident: &str,
        tagged: bool,
    ) -> Result<Vec<u8>, String> {
        let t = self.timestamp;
        let datetime = Datetime::from_ymd_hms(
            t.year(),
            t.month() as u8,
            t.day() as u8,
            chrono::Timelike::hour(&t) as u8,
            chrono::Timelike::minute(&t) as u8,
            chrono::Timelike::second(&t) as u8,
        )
        .ok_or("timestamp out of range")?;
        let options = PdfOptions {
            ident: Smart::Custom(ident.to_string()),
            creator: Smart::Custom(None),
            timestamp: Some(Timestamp::new_utc(datetime)),
            tagged,
            ..PdfOptions::default()
        };
        let pdf = typst_pdf::pdf(document, &options).map_err(|errors| {
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        let pdf = super::text_layer::exact(pdf, document)?;
        if document.pages().iter().any(|page| !page.bleed.is_zero()) {
            return record_bleed(pdf);
        }
        Ok(pdf)
    }
}

/// Records the bleed box of every page that has a trim box.
///
/// Typst writes a page with bleed as its trim size plus the bleed all round
/// (the MediaBox) and says where the trim is (TrimBox), leaving the BleedBox to
/// default to the MediaBox. Print preflight reads the BleedBox to know how far
/// the artwork may be kept, so it is written out: the MediaBox, which is the
/// trim grown by the bleed.
pub fn record_bleed(pdf: Vec<u8>) -> Result<Vec<u8>, String> {
    let fail = |e: lopdf::Error| format!("recording the bleed box: {e}");
    let (pdf, previous) = super::pdf_objects::read_or_parse(pdf, true);
    let previous = previous.map_err(fail)?;
    let pages: Vec<_> = previous.get_pages().into_values().collect();
    let mut update = IncrementalDocument::create_from(pdf, previous);
    let mut changed = false;
    for id in pages {
        let page = update
            .get_prev_documents()
            .get_dictionary(id)
            .map_err(fail)?;
        if !page.has(b"TrimBox") || page.has(b"BleedBox") {
            continue;
        }
        let media = page.get(b"MediaBox").map_err(fail)?.clone();
        update.opt_clone_object_to_new_document(id).map_err(fail)?;
        let page = update.new_document.get_dictionary_mut(id).map_err(fail)?;
        page.set("BleedBox", media);
        changed = true;
    }
    if !changed {
        return Ok(update.get_prev_documents_bytes().to_vec());
    }
    save(update).map_err(|e| format!("recording the bleed box: {e}"))
}

/// The PDF with `update` appended.
pub(super) fn save(mut update: IncrementalDocument) -> std::io::Result<Vec<u8>> {
    let original = update.get_prev_documents_bytes().len();
    let mut out = Vec::new();
    update.save_to(&mut out)?;
    // lopdf opens the update with a second `%PDF-` header line, which the
    // format does not call for. It is blanked to a comment of the same
    // length, so no offset in the cross-reference table moves.
    if let Some(at) = out[original..].windows(5).position(|w| w == b"%PDF-") {
        let start = original + at + 1;
        let end = start + out[start..].iter().position(|&b| b == b'\n').unwrap_or(0);
        out[start..end].fill(b' ');
    }
    Ok(out)
}

/// How far each page's MediaBox reaches past its TrimBox, in points, as
/// (left, top, right, bottom); zero all round for a page without a TrimBox.
pub fn bleeds(pdf: &[u8]) -> Result<Vec<[f64; 4]>, String> {
    let fail = |e: lopdf::Error| format!("reading a page's trim box: {e}");
    let document = Document::load_mem(pdf).map_err(fail)?;
    let rect = |page: &lopdf::Dictionary, key: &[u8]| -> Result<Option<[f64; 4]>, String> {
        let Ok(array) = page.get(key).and_then(|o| o.as_array()) else {
            return Ok(None);
        };
        let numbers: Vec<f64> = array
            .iter()
            .map(|o| o.as_float().map(f64::from).map_err(fail))
            .collect::<Result<_, _>>()?;
        let [x0, y0, x1, y1] = numbers[..] else {
            return Err(format!(
                "a page's {} is not four numbers",
                String::from_utf8_lossy(key)
            ));
        };
        Ok(Some([x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)]))
    };
    document
        .get_pages()
        .into_values()
        .map(|id| {
            let page = document.get_dictionary(id).map_err(fail)?;
            let (Some(media), Some(trim)) = (rect(page, b"MediaBox")?, rect(page, b"TrimBox")?)
            else {
                return Ok([0.0; 4]);
            };
            Ok([
                trim[0] - media[0],
                media[3] - trim[3],
                media[2] - trim[2],
                trim[1] - media[1],
            ])
        })
        .collect()
}

impl Typesetter {
    /// The pages of finished PDFs, each drawn whole on a page of its own size,
    /// member by member, so a finished document's pages are looked at again
    /// (in proof sheets, and by tests) without typesetting it again. `members`
    /// are the PDFs with their pages' trim sizes in millimetres.
    ///
    /// A PDF page is drawn at its MediaBox. A page with bleed is larger than
    /// its trim, so it comes back as Typst made it: a trim-sized page with the
    /// bleed around it, the artwork running into the bleed.
    ///
    /// Members are served under fixed paths (`/member-0.pdf`, …) whatever the
    /// documents, so file ids are reused rather than interned anew (Typst
    /// holds at most 65,535 per process).
    pub fn pdf_pages(
        &self,
        members: Vec<(Bytes, Vec<(f64, f64)>)>,
    ) -> Result<Vec<Vec<Page>>, String> {
        let mut source = String::from("#set page(width: auto, height: auto, margin: 0pt)\n");
        let mut files = HashMap::new();
        for (i, (pdf, pages)) in members.iter().enumerate() {
            let path = format!("/member-{i}.pdf");
            for page in 1..=pages.len() {
                if i + page > 1 {
                    source.push_str("#pagebreak()\n");
                }
                source.push_str(&format!("#image(\"{path}\", page: {page})\n"));
            }
            files.insert(path, pdf.clone());
        }
        let document = self
            .compile_with_files(&source, files)
            .map_err(|e| format!("cannot place the typeset PDFs: {e}"))?;
        let mut pages = document.pages().iter().cloned();
        members
            .iter()
            .map(|(pdf, trims)| {
                let mut member: Vec<Page> = pages.by_ref().take(trims.len()).collect();
                let bled = |(page, trim): (&Page, &(f64, f64))| {
                    let size = page.frame.size();
                    (size.x.to_mm() - trim.0).abs() > 0.2 || (size.y.to_mm() - trim.1).abs() > 0.2
                };
                if member.iter().zip(trims).any(bled) {
                    let bleeds = bleeds(pdf)?;
                    for (page, bleed) in member.iter_mut().zip(bleeds) {
                        to_trim(page, bleed);
                    }
                }
                Ok(member)
            })
            .collect()
    }
}

/// Turns a page drawn at its MediaBox into a trim-sized page with `bleed`
/// (left, top, right, bottom, in points) around it, as Typst lays one out.
fn to_trim(page: &mut Page, [left, top, right, bottom]: [f64; 4]) {
    let pt = Abs::pt;
    let media = page.frame.size();
    let trim = Size::new(media.x - pt(left + right), media.y - pt(top + bottom));
    let mut frame = Frame::hard(trim);
    frame.push_frame(Point::new(-pt(left), -pt(top)), page.frame.clone());
    page.frame = frame;
    page.bleed = Sides::new(pt(left), pt(top), pt(right), pt(bottom));
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::Object;

    use crate::typeset::exported;

    fn boxes(pdf: &[u8]) -> Vec<(Object, Object, Object)> {
        let doc = Document::load_mem(pdf).unwrap();
        doc.get_pages()
            .into_values()
            .map(|id| {
                let page = doc.get_dictionary(id).unwrap();
                let get = |key: &[u8]| page.get(key).cloned().unwrap_or(Object::Null);
                (get(b"MediaBox"), get(b"TrimBox"), get(b"BleedBox"))
            })
            .collect()
    }

    #[test]
    fn a_page_with_a_trim_box_gets_its_bleed_box_and_the_rest_stays() {
        let pdf = exported("#set page(width: 90mm, height: 55mm, bleed: 3mm)\nA\n#pagebreak()\nB");
        let before = boxes(&pdf);
        assert!(
            before
                .iter()
                .all(|(_, trim, bleed)| *trim != Object::Null && *bleed == Object::Null)
        );
        let after = record_bleed(pdf.clone()).unwrap();
        // Typst's bytes are kept, the update follows them, with no second
        // header.
        assert!(after.starts_with(&pdf));
        assert!(!after[pdf.len()..].windows(5).any(|w| w == b"%PDF-"));
        for (media, trim, bleed) in boxes(&after) {
            assert_eq!(bleed, media);
            assert_ne!(trim, media);
        }
        // Twice is once: a page that has its bleed box is left alone.
        assert_eq!(record_bleed(after.clone()).unwrap(), after);
    }

    #[test]
    fn bleeds_are_read_back_side_by_side() {
        let pdf = exported(
            "#set page(width: 90mm, height: 55mm, bleed: (left: 1mm, top: 2mm, right: 3mm, bottom: 4mm))\nA\n\
             #set page(bleed: 0mm)\nB",
        );
        let bleeds = bleeds(&record_bleed(pdf).unwrap()).unwrap();
        let mm = |pt: f64| (pt / 72.0 * 25.4 * 1000.0).round() / 1000.0;
        assert_eq!(bleeds[0].map(mm), [1.0, 2.0, 3.0, 4.0]);
        assert_eq!(bleeds[1], [0.0; 4]);
    }

    #[test]
    fn a_page_without_bleed_is_left_as_it_is() {
        let pdf = exported("#set page(width: 90mm, height: 55mm)\nA");
        assert_eq!(record_bleed(pdf.clone()).unwrap(), pdf);
    }
}
