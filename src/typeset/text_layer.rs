//! The text layer of complex scripts, made exact for every viewer.
//!
//! Typst's PDF writer gives each glyph of a subset font one character code,
//! and each code one `ToUnicode` text. In Thai, Lao, Khmer and Myanmar one
//! glyph serves several clusters (the mark ิ in ศิ, ริ and มิ), and a cluster is
//! several glyphs: the writer puts a cluster's text on one glyph and wraps
//! clusters it cannot map in `/ActualText`, which Acrobat and Chrome read and
//! pdf.js, MuPDF and (partly) poppler do not; where both glyphs of a cluster
//! carry its text, those viewers read it twice ("ชัชั").
//!
//! Here every glyph *occurrence* gets a code of its own where it needs one: a
//! new CID drawing the same glyph (`CIDToGIDMap`), with the same width (`W`),
//! whose `ToUnicode` text is the cluster up to its first mark on the
//! cluster's first glyph, the rest on the second, and a zero-width space on
//! any others (see `mend` for why not all on the first). The glyphs drawn,
//! and so the pages, are unchanged; `/ActualText` stays for the viewers that
//! read it. Where the pen, by the widths, would stop short of the next glyph
//! inside a word, the glyph before takes the gap into its width
//! (`close_gaps`).
//!
//! Every font's widths are also written again in the one form every reader
//! parses, in every document of a few pages, whatever its script: some
//! readers take Typst's width ranges for zero widths and then read words of
//! a Japanese address apart, or a name and the line below it as one.

use std::collections::{BTreeMap, HashMap};

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, IncrementalDocument, Object, ObjectId, Stream};
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// The longest document whose text layer is mended (a letter runs to two or
/// three pages; a badge with its back, two).
const MAX_PAGES: usize = 4;

/// The text of the glyphs after a cluster's first: read as nothing.
const FOLLOWING: &str = "\u{200B}";

/// How many marks of a cluster Typst draws apart, each in a text object of
/// its own, at most (Lao ນ້ຳ: one; Thai ที่ on a looped face: one).
const MARKS_APART: usize = 3;

/// A Type0 font of the document, as its codes read.
struct Font {
    /// The CIDFont (descendant) object.
    cid_font: ObjectId,
    /// Code → glyph id.
    gid: BTreeMap<u16, u16>,
    /// Code → width.
    width: BTreeMap<u16, f32>,
    default_width: f32,
    /// Whether `W` gives some widths as ranges (`first last w`).
    ranged: bool,
    /// Whether new codes can draw its glyphs (a TrueType font whose codes
    /// are glyph ids).
    renumbered: bool,
    /// Code → text, as `ToUnicode` says.
    text: BTreeMap<u16, String>,
    /// (glyph, text, width) → code, for codes added here.
    added: BTreeMap<(u16, String, u32), u16>,
    next: u32,
}

impl Font {
    fn width(&self, code: u16) -> f32 {
        self.width.get(&code).copied().unwrap_or(self.default_width)
    }

    /// The code that draws `code`'s glyph and reads as `text`: an existing
    /// one when it does, else a new one.
    fn code(&mut self, code: u16, text: &str) -> Option<u16> {
        if self.text.get(&code).map(String::as_str) == Some(text) {
            return Some(code);
        }
        self.code_as(code, text, self.width(code))
    }

    /// The code that draws `code`'s glyph, reads as `text` and advances by
    /// `width`.
    fn code_as(&mut self, code: u16, text: &str, width: f32) -> Option<u16> {
        let gid = *self.gid.get(&code).unwrap_or(&code);
        let key = (gid, text.to_string(), width.to_bits());
        if let Some(&new) = self.added.get(&key) {
            return Some(new);
        }
        let new = u16::try_from(self.next).ok()?;
        self.next += 1;
        self.gid.insert(new, gid);
        self.width.insert(new, width);
        self.text.insert(new, text.to_string());
        self.added.insert(key, new);
        Some(new)
    }
}

/// One glyph shown: where its code is in the content, and its reading.
struct Shown {
    /// Operation, operand, element of a `TJ` array (0 for a `Tj`), byte offset.
    at: (usize, usize, usize, usize),
    font: ObjectId,
    code: u16,
    /// The innermost `/ActualText` span it is in: (the operation opening
    /// it, its text).
    span: Option<(usize, String)>,
    /// The line its text object starts on and the font size, in user space;
    /// unknown after a relative move.
    line: Option<(f32, f32)>,
}

/// Whether a typeset document draws a cluster of several glyphs, or one glyph
/// for several characters, beyond ASCII: only then can its content need
/// mending (a Latin ligature, "fi", maps as it is).
fn clusters(document: &typst_layout::PagedDocument) -> bool {
    let mut clusters = false;
    for page in document.pages() {
        super::frames::visit_text(&page.frame, &mut |item| {
            let mut previous: Option<std::ops::Range<usize>> = None;
            for glyph in &item.glyphs {
                let range = glyph.range();
                let text = &item.text[range.clone()];
                let several = range.len() > text.chars().next().map_or(1, char::len_utf8)
                    || previous.as_ref() == Some(&range);
                if several && !text.is_ascii() {
                    clusters = true;
                }
                previous = Some(range);
            }
        });
    }
    clusters
}

/// The PDF of `typeset` with its text layer made exact; unchanged when
/// nothing needs it.
pub fn exact(pdf: Vec<u8>, typeset: &typst_layout::PagedDocument) -> Result<Vec<u8>, String> {
    // Long lists (sign-in sheets, the participant list) keep the writer's
    // text layer: mending costs about 6 ms a page there, and the names that
    // are searched, copied and read aloud are on certificates, badges and
    // letters.
    if typeset.pages().len() > MAX_PAGES {
        return Ok(pdf);
    }
    let fail = |e: lopdf::Error| format!("making the text layer exact: {e}");
    // Only fonts that map some glyph to a cluster have anything to mend; the
    // others' widths are written again in the form every reader parses.
    // (A document that draws no cluster, only ligatures such as "fi", has
    // nothing to mend at all, and its pages are not read.)
    let mend_any = clusters(typeset);
    let (pdf, document) = super::pdf_objects::read_or_parse(pdf, mend_any);
    let document = document.map_err(fail)?;
    let (mut fonts, others): (BTreeMap<_, _>, BTreeMap<_, _>) = fonts(&document, mend_any)
        .into_iter()
        .partition(|(_, font)| {
            mend_any && font.renumbered && font.text.values().any(|t| t.chars().count() > 1)
        });
    if fonts.is_empty() && !others.values().any(|font| font.ranged) {
        return Ok(pdf);
    }
    // With no font to mend, no page's content is read: only widths change.
    let pages: Vec<ObjectId> = match fonts.is_empty() {
        true => Vec::new(),
        false => document.get_pages().into_values().collect(),
    };
    let mut read = Vec::new();
    for page in pages {
        let names = font_names(&document, page);
        let bytes = document.get_page_content(page).map_err(fail)?;
        let content = Content::decode(&bytes).map_err(fail)?;
        let shown = shown(&content, &names, &fonts);
        // A code the content shows may be in neither the widths (a mark
        // of the default width) nor the text map: new codes come after all.
        for glyph in &shown {
            if let Some(font) = fonts.get_mut(&glyph.font) {
                font.next = font.next.max(u32::from(glyph.code) + 1);
            }
        }
        read.push((page, names, content, shown));
    }
    let mut contents: Vec<(ObjectId, Content)> = Vec::new();
    for (page, names, mut content, shown) in read {
        if mend(&mut content, &shown, &mut fonts) {
            close_gaps(&mut content, &names, &mut fonts);
            contents.push((page, content));
        }
    }
    let rewritten = |font: &Font| font.ranged || !font.added.is_empty();
    if contents.is_empty() && !fonts.values().chain(others.values()).any(rewritten) {
        return Ok(pdf);
    }
    let mut update = IncrementalDocument::create_from(pdf, document);
    for (page, content) in contents {
        let mut stream = Stream::new(Dictionary::new(), content.encode().map_err(fail)?);
        compress(&mut stream).map_err(fail)?;
        let id = update.new_document.add_object(stream);
        update
            .opt_clone_object_to_new_document(page)
            .map_err(fail)?;
        let page = update.new_document.get_dictionary_mut(page).map_err(fail)?;
        page.set("Contents", Object::Reference(id));
    }
    for (type0, font) in &fonts {
        if !font.added.is_empty() {
            write_font(&mut update, *type0, font).map_err(fail)?;
        }
    }
    for font in fonts.values().chain(others.values()) {
        if rewritten(font) {
            write_widths(&mut update, font).map_err(fail)?;
        }
    }
    super::finish::save(update).map_err(|e| format!("making the text layer exact: {e}"))
}

/// Every Type0 font with a `ToUnicode` map, by its object id; the map is
/// read only when `mend` says a font may need mending (else the text of
/// every code is left empty: only the widths are rewritten).
fn fonts(document: &Document, mend: bool) -> BTreeMap<ObjectId, Font> {
    let mut found = BTreeMap::new();
    for (&id, object) in &document.objects {
        let Ok(dict) = object.as_dict() else { continue };
        if dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Type0".as_slice()) {
            continue;
        }
        let Some(cid_font) = dict
            .get(b"DescendantFonts")
            .and_then(Object::as_array)
            .ok()
            .and_then(|a| a.first())
            .and_then(|o| o.as_reference().ok())
        else {
            continue;
        };
        let Ok(descendant) = document.get_dictionary(cid_font) else {
            continue;
        };
        // Codes that are not glyph ids are not ours to renumber (nor are
        // those of a CFF font, which has no map from codes to glyphs).
        let renumbered = descendant
            .get(b"CIDToGIDMap")
            .and_then(Object::as_name)
            .ok()
            == Some(b"Identity".as_slice());
        let Some(map) = dict
            .get(b"ToUnicode")
            .and_then(Object::as_reference)
            .ok()
            .and_then(|r| document.get_object(r).ok())
            .and_then(|o| o.as_stream().ok())
        else {
            continue;
        };
        let text = match mend {
            true => match map.decompressed_content() {
                Ok(bytes) => to_unicode(&bytes),
                Err(_) => continue,
            },
            false => BTreeMap::new(),
        };
        let Some((width, default_width, ranged)) = widths(descendant) else {
            continue;
        };
        let next = width
            .keys()
            .chain(text.keys())
            .copied()
            .max()
            .map_or(0, |m| u32::from(m) + 1);
        found.insert(
            id,
            Font {
                cid_font,
                gid: BTreeMap::new(),
                width,
                default_width,
                ranged,
                renumbered,
                text,
                added: BTreeMap::new(),
                next,
            },
        );
    }
    found
}

/// A `ToUnicode` CMap's `bfchar` and `bfrange` entries: code → text.
fn to_unicode(cmap: &[u8]) -> BTreeMap<u16, String> {
    let text = String::from_utf8_lossy(cmap);
    let hex = |s: &str| -> Option<Vec<u8>> {
        let s = s.trim().trim_start_matches('<').trim_end_matches('>');
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
            .collect()
    };
    let code = |bytes: &[u8]| -> Option<u16> {
        match bytes {
            [a, b] => Some(u16::from_be_bytes([*a, *b])),
            [a] => Some(u16::from(*a)),
            _ => None,
        }
    };
    let mut map = BTreeMap::new();
    let mut section = "";
    for line in text.lines() {
        let line = line.trim();
        if line.ends_with("beginbfchar") {
            section = "char";
            continue;
        }
        if line.ends_with("beginbfrange") {
            section = "range";
            continue;
        }
        if line.starts_with("endbf") {
            section = "";
            continue;
        }
        let fields: Vec<&str> = line.split('>').filter(|f| !f.trim().is_empty()).collect();
        match (section, fields.as_slice()) {
            ("char", [from, to]) => {
                if let (Some(from), Some(to)) = (hex(from).as_deref().and_then(code), hex(to)) {
                    map.insert(from, utf16(&to));
                }
            }
            ("range", [first, last, to]) => {
                let (Some(first), Some(last), Some(to)) = (
                    hex(first).as_deref().and_then(code),
                    hex(last).as_deref().and_then(code),
                    hex(to),
                ) else {
                    continue;
                };
                let base = utf16(&to);
                let Some(start) = base.chars().last() else {
                    continue;
                };
                let prefix: String = base.chars().take(base.chars().count() - 1).collect();
                for (i, c) in (first..=last).enumerate() {
                    if let Some(ch) = char::from_u32(start as u32 + i as u32) {
                        map.insert(c, format!("{prefix}{ch}"));
                    }
                }
            }
            _ => {}
        }
    }
    map
}

/// A CIDFont's widths: code → width, the default, and whether some are
/// given as ranges; none when `W` is not a list this reads to its end (an
/// indirect or damaged one): such a font is left as it is, as its glyphs'
/// advances are not known here.
fn widths(font: &Dictionary) -> Option<(BTreeMap<u16, f32>, f32, bool)> {
    let default = match font.get(b"DW") {
        Ok(dw) => number(dw)?,
        Err(_) => 1000.0,
    };
    let mut widths = BTreeMap::new();
    let mut ranged = false;
    let w = match font.get(b"W") {
        Ok(w) => w.as_array().ok()?,
        Err(_) => return Some((widths, default, ranged)),
    };
    let mut i = 0;
    while i < w.len() {
        let first = w[i].as_i64().ok()?;
        match w.get(i + 1)? {
            Object::Array(list) => {
                for (k, width) in list.iter().enumerate() {
                    let code = u16::try_from(first.checked_add(k as i64)?).ok()?;
                    widths.insert(code, number(width)?);
                }
                i += 2;
            }
            last => {
                let last = last.as_i64().ok()?;
                let width = number(w.get(i + 2)?)?;
                for code in first..=last {
                    widths.insert(u16::try_from(code).ok()?, width);
                }
                ranged = true;
                i += 3;
            }
        }
    }
    Some((widths, default, ranged))
}

/// A page's font resource names → font object ids.
fn font_names(document: &Document, page: ObjectId) -> HashMap<Vec<u8>, ObjectId> {
    let mut names = HashMap::new();
    let (resources, ids) = document
        .get_page_resources(page)
        .unwrap_or((None, Vec::new()));
    let dicts = resources.into_iter().chain(
        ids.iter()
            .filter_map(|id| document.get_dictionary(*id).ok()),
    );
    for dict in dicts {
        let font = match dict.get(b"Font") {
            Ok(Object::Reference(r)) => document.get_dictionary(*r).ok(),
            Ok(Object::Dictionary(d)) => Some(d),
            _ => None,
        };
        for (name, value) in font.into_iter().flat_map(|d| d.iter()) {
            if let Ok(id) = value.as_reference() {
                names.insert(name.clone(), id);
            }
        }
    }
    names
}

/// Every glyph shown in `content` in one of `fonts`, in order.
fn shown(
    content: &Content,
    names: &HashMap<Vec<u8>, ObjectId>,
    fonts: &BTreeMap<ObjectId, Font>,
) -> Vec<Shown> {
    let mut out = Vec::new();
    let mut font: Option<ObjectId> = None;
    let mut size = 0.0;
    // Marked content: for each level, the ActualText span it opens, if any.
    let mut spans: Vec<Option<(usize, String)>> = Vec::new();
    // The graphics state's matrix; the text matrix.
    let mut ctm = Ctm::default();
    let mut matrix: Option<[f32; 6]> = None;
    for (op, operation) in content.operations.iter().enumerate() {
        ctm.follow(operation);
        match operation.operator.as_str() {
            "BT" => matrix = Some(IDENTITY),
            "Tm" => matrix = six(operation),
            "Td" | "TD" | "T*" => matrix = None,
            "Tf" => {
                font = selected(operation, names).filter(|id| fonts.contains_key(id));
                size = operation.operands.get(1).and_then(number).unwrap_or(0.0);
            }
            "BDC" => {
                let text = operation
                    .operands
                    .get(1)
                    .and_then(|o| o.as_dict().ok())
                    .and_then(|d| {
                        let bytes = d.get(b"ActualText").ok()?.as_str().ok()?;
                        Some(pdf_text(bytes))
                    });
                spans.push(text.map(|t| (op, t)));
            }
            "BMC" => spans.push(None),
            "EMC" => {
                spans.pop();
            }
            "Tj" | "TJ" | "'" | "\"" => {
                if matches!(operation.operator.as_str(), "'" | "\"") {
                    matrix = None;
                }
                let Some(id) = font else { continue };
                let span = spans.iter().rev().find_map(|s| s.clone());
                let line = matrix.map(|m| {
                    let m = multiply(m, ctm.now);
                    (apply(m, 0.0, 0.0).1, size * m[3].abs())
                });
                for (operand, object) in operation.operands.iter().enumerate() {
                    let strings: Vec<(usize, &[u8])> = match object {
                        Object::String(bytes, _) => vec![(0, bytes.as_slice())],
                        Object::Array(items) => items
                            .iter()
                            .enumerate()
                            .filter_map(|(k, o)| match o {
                                Object::String(bytes, _) => Some((k, bytes.as_slice())),
                                _ => None,
                            })
                            .collect(),
                        _ => continue,
                    };
                    for (element, bytes) in strings {
                        for (offset, pair) in bytes.chunks_exact(2).enumerate() {
                            out.push(Shown {
                                at: (op, operand, element, offset * 2),
                                font: id,
                                code: u16::from_be_bytes([pair[0], pair[1]]),
                                span: span.clone(),
                                line,
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// A PDF number, integer or real.
fn number(object: &Object) -> Option<f32> {
    object
        .as_float()
        .ok()
        .or_else(|| object.as_i64().ok().map(|i| i as f32))
}

/// The font a `Tf` sets, by its resource name.
fn selected(operation: &Operation, names: &HashMap<Vec<u8>, ObjectId>) -> Option<ObjectId> {
    operation
        .operands
        .first()
        .and_then(|o| o.as_name().ok())
        .and_then(|n| names.get(n).copied())
}

/// Writes `code` over the two bytes at `offset` of a `Tj`'s string, or of
/// string `element` of a `TJ`'s array; false when there is no such string.
fn set_code(operand: &mut Object, element: usize, offset: usize, code: u16) -> bool {
    let bytes = match operand {
        Object::String(bytes, _) => bytes,
        Object::Array(items) => match items.get_mut(element) {
            Some(Object::String(bytes, _)) => bytes,
            _ => return false,
        },
        _ => return false,
    };
    match bytes.get_mut(offset..offset + 2) {
        Some(pair) => {
            pair.copy_from_slice(&code.to_be_bytes());
            true
        }
        None => false,
    }
}

/// A PDF text string: UTF-16 with its byte-order mark, else PDFDocEncoding
/// (taken as Latin-1).
fn pdf_text(bytes: &[u8]) -> String {
    match bytes {
        [0xFE, 0xFF, rest @ ..] => utf16(rest),
        _ => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// Big-endian UTF-16, as ToUnicode maps and text strings hold it.
fn utf16(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// Gives each glyph occurrence the code it should read as; true when a code
/// changed.
///
/// A cluster's text is read on its first glyph, up to its first mark, and
/// the rest on its second: pdf.js takes a glyph whose text holds a mark for
/// a zero-width mark and neither advances past it nor checks where it is,
/// so a name whose first glyph read as ວິ joined the line above it, and a
/// base that read as ชั left a gap after it, read as a space.
fn mend(content: &mut Content, shown: &[Shown], fonts: &mut BTreeMap<ObjectId, Font>) -> bool {
    // Codes that share one cluster's text (both glyphs of ชั say "ชั"): the one
    // shown first keeps it, the others follow it.
    let mut lead: HashMap<(ObjectId, String), u16> = HashMap::new();
    let mut seen_span: Option<usize> = None;
    // The rest of the cluster just begun, for the glyph after its first.
    let mut rest: Option<String> = None;
    let mut changed = false;
    // Whether the glyph at `index` opens a span that goes on with the
    // cluster of the span before it: Typst draws a mark off the line in a
    // text object of its own, and has a span there, or after it, say the
    // whole cluster again ("นี่" … "นี่", "ນ້ຳ" … "ນ້ຳ"). Between the two
    // spans are only glyphs outside any (marks drawn apart). The same
    // cluster written twice starts again with the same glyph, on the same
    // line or a line apart.
    let continues = |index: usize| {
        let Some(glyph) = shown.get(index) else {
            return false;
        };
        let Some((span, text)) = &glyph.span else {
            return false;
        };
        let mut before = index;
        let previous = loop {
            let Some(i) = before.checked_sub(1) else {
                return false;
            };
            before = i;
            match &shown[i].span {
                Some(_) => break &shown[i],
                None if index - i <= MARKS_APART => continue,
                None => return false,
            }
        };
        let Some((other, then)) = &previous.span else {
            return false;
        };
        let mut first = before;
        while first > 0 && shown[first - 1].span.as_ref().map(|s| s.0) == Some(*other) {
            first -= 1;
        }
        let near = match (glyph.line, previous.line) {
            (Some((y, size)), Some((y0, _))) => (y - y0).abs() <= 0.5 * size,
            _ => false,
        };
        span != other
            && text == then
            && glyph.font == previous.font
            && glyph.code != shown[first].code
            && near
    };
    for (index, glyph) in shown.iter().enumerate() {
        let Some(font) = fonts.get_mut(&glyph.font) else {
            continue;
        };
        // A code whose text is a cluster's, shown first inside that
        // cluster's span, still leads: the same cluster's other glyph shown
        // outside follows it. (Inside another cluster's span, as a mark one
        // glyph serves in both วั and ชั, it leads nothing.)
        if let Some((_, span)) = &glyph.span
            && let Some(text) = font.text.get(&glyph.code).filter(|t| t.chars().count() > 1)
            && text == span
        {
            lead.entry((glyph.font, text.clone())).or_insert(glyph.code);
        }
        // Whether the next glyph shown is this cluster's: in its span, in a
        // span going on with it, or outside any, saying the same text in
        // another code.
        let followed = |text: &str| {
            shown
                .get(index + 1)
                .is_some_and(|next| match (&glyph.span, &next.span) {
                    (Some((span, _)), Some((other, _))) => span == other || continues(index + 1),
                    (_, None) => {
                        next.font == glyph.font
                            && next.code != glyph.code
                            && font.text.get(&next.code).map(String::as_str) == Some(text)
                    }
                    _ => false,
                })
        };
        let wanted: Option<String> = match &glyph.span {
            Some((span, _)) if seen_span != Some(*span) && continues(index) => {
                // A span going on with the one before reads the rest of the
                // cluster, if its other glyphs have not, and says so.
                seen_span = Some(*span);
                let reads = rest.take();
                set_actual_text(content, *span, reads.as_deref().unwrap_or(""));
                changed = true;
                Some(reads.unwrap_or_else(|| FOLLOWING.to_string()))
            }
            Some((span, text)) => {
                let first = seen_span != Some(*span);
                seen_span = Some(*span);
                // The span says its cluster's text: a glyph outside it that
                // says the same (a mark drawn apart) follows it.
                if first {
                    lead.entry((glyph.font, text.clone())).or_insert(glyph.code);
                    let head = begin(text, followed(text), &mut rest);
                    // A reader that takes the span's text for the glyphs in
                    // it (poppler, Acrobat) reads a mark drawn outside it by
                    // the mark's own: the span then says only its part.
                    let apart = shown
                        .get(index + 1)
                        .is_some_and(|next| next.span.is_none() || continues(index + 1));
                    if rest.is_some() && apart {
                        set_actual_text(content, *span, &head);
                        changed = true;
                    }
                    Some(head)
                } else {
                    Some(rest.take().unwrap_or_else(|| FOLLOWING.to_string()))
                }
            }
            None => {
                seen_span = None;
                match font.text.get(&glyph.code).cloned() {
                    Some(text) if text.chars().count() > 1 => {
                        let first = *lead.entry((glyph.font, text.clone())).or_insert(glyph.code);
                        Some(if first == glyph.code {
                            begin(&text, followed(&text), &mut rest)
                        } else {
                            rest.take().unwrap_or_else(|| FOLLOWING.to_string())
                        })
                    }
                    _ => {
                        rest = None;
                        None
                    }
                }
            }
        };
        let Some(wanted) = wanted else { continue };
        let Some(code) = font.code(glyph.code, &wanted) else {
            continue;
        };
        if code == glyph.code {
            continue;
        }
        let (op, operand, element, offset) = glyph.at;
        if set_code(
            &mut content.operations[op].operands[operand],
            element,
            offset,
            code,
        ) {
            changed = true;
        }
    }
    changed
}

/// Sets the `/ActualText` of the span `BDC` operation `op` opens.
fn set_actual_text(content: &mut Content, op: usize, text: &str) {
    let Some(Object::Dictionary(properties)) = content.operations[op].operands.get_mut(1) else {
        return;
    };
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    properties.set(
        "ActualText",
        Object::String(bytes, lopdf::StringFormat::Hexadecimal),
    );
}

/// The text a cluster's first glyph reads as: up to its first mark when
/// another glyph of it follows, which then reads the rest (`rest`); else
/// all of it.
fn begin(text: &str, followed: bool, rest: &mut Option<String>) -> String {
    let split = text
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c.general_category_group() == GeneralCategoryGroup::Mark)
        .map(|(at, _)| at);
    match split {
        Some(at) if followed => {
            *rest = Some(text[at..].to_string());
            text[..at].to_string()
        }
        _ => {
            *rest = None;
            text.to_string()
        }
    }
}

/// Where an extractor that ignores `/ActualText` puts each glyph: by the
/// widths (`W`), not where it is drawn. Typst draws a cluster's mark after a
/// backward adjustment and the next cluster at a `Tm` of its own, so by the
/// widths a cluster ends short of the next one (ศิ ends 0.6 em early), and
/// extractors read that gap, an adjustment or a new text position as a word
/// break ("ศิ ริ"). Here a glyph followed by an adjustment, or by a `Tm` on
/// the same line, gets a code whose width takes the pen exactly where the
/// next glyph is drawn, and the adjustment or the `Tm` goes. A glyph is
/// drawn where the pen is, whatever its width, so nothing drawn moves. A
/// text object that moves the pen otherwise (`Td`, `T*`, spacing, scaling)
/// is left as it is.
///
/// A mark Typst raises or lowers (Khmer ុ, Lao ົ) is drawn in a text object
/// of its own, a little off the line, back over its base; the glyph after
/// it, in the next object, is then ahead of the mark's pen by the distance
/// drawn back. That gap, too, goes into the mark's width, so the pen reaches
/// the next cluster; only there, in one font at one size, just off the
/// line, as nothing else is drawn that way (a superscript is smaller and
/// higher; the next word is on the line, after a space of its own).
fn close_gaps(
    content: &mut Content,
    names: &HashMap<Vec<u8>, ObjectId>,
    fonts: &mut BTreeMap<ObjectId, Font>,
) {
    /// A gap smaller than this, in thousandths of the font size, needs no
    /// new width (a hundred-thousandth of a point at 10 pt).
    const TOLERANCE: f32 = 0.001;
    /// How far off the line, in ems, a raised or lowered mark is drawn at
    /// most (Khmer ់ is drawn 0.07 em up; a superscript, 0.3 em or more).
    const MARK_RISE: f32 = 0.5;
    /// How far back over its base, in ems, a mark is drawn at most.
    const MARK_BACK: f32 = 1.0;
    /// How far, in thousandths of an em, a base ends past the start of the
    /// glyph after its marks: beyond any rounding of positions (a
    /// ten-thousandth of a point), so never short of it.
    const HAIR: f32 = 0.5;
    // A glyph's place: operation, element of a `TJ` (0 for a `Tj`), byte offset.
    type At = (usize, usize, usize);
    /// One text object's changes.
    #[derive(Default)]
    struct Block {
        /// Glyph → its code, font and the gap after it, in glyph units.
        gaps: BTreeMap<At, (u16, ObjectId, f32)>,
        /// `Tm`s the pen will reach by itself, with the glyph before.
        tms: Vec<(usize, At)>,
        /// Adjustments (operation, element) absorbed by the glyph before.
        adjustments: Vec<(usize, usize, At)>,
        /// Whether it moves the pen otherwise.
        relative: bool,
    }
    /// The last glyph of a text object: where, its code, font and size, and
    /// the pen after it, in user space, with the text-to-user matrix.
    struct Carried {
        at: At,
        code: u16,
        font: ObjectId,
        size: f32,
        pen: (f32, f32),
        matrix: [f32; 6],
    }
    // The graphics state's matrix.
    let mut ctm = Ctm::default();
    // The font and size set; the text matrix of the last `Tm`, and how far
    // the pen has moved since, in text space.
    let mut font: Option<(ObjectId, f32)> = None;
    let mut matrix: Option<[f32; 6]> = None;
    let mut pen = 0.0;
    // The last glyph shown: where, its code, font and size, the pen after it.
    let mut last: Option<(At, u16, ObjectId, f32, f32)> = None;
    let mut carried: Option<Carried> = None;
    // The glyph on the line before marks drawn off it.
    let mut anchor: Option<Carried> = None;
    let mut block = Block::default();
    let mut done: Vec<Block> = Vec::new();
    // Gaps after the last glyph of a text object, to the next object's first.
    let mut across: Vec<(At, u16, ObjectId, f32)> = Vec::new();
    for (op, operation) in content.operations.iter().enumerate() {
        ctm.follow(operation);
        match operation.operator.as_str() {
            "Tf" => {
                font = selected(operation, names).zip(operation.operands.get(1).and_then(number));
            }
            "Tm" => {
                let next = six(operation);
                if let (Some(m), Some(next), Some((at, code, id, size, end))) =
                    (matrix, next, last.take())
                    && m[..4] == next[..4]
                    && m[5] == next[5]
                    && m[0] != 0.0
                    && m[1] == 0.0
                    && size != 0.0
                {
                    let gap = ((next[4] - m[4]) / m[0] - end) * 1000.0 / size;
                    block.gaps.entry(at).or_insert((code, id, 0.0)).2 += gap;
                    block.tms.push((op, at));
                }
                matrix = next;
                pen = 0.0;
            }
            "Tj" | "TJ" => {
                let Some((id, size)) = font.filter(|(id, _)| fonts.contains_key(id)) else {
                    // A font whose widths are not read here: the pen is lost.
                    matrix = None;
                    last = None;
                    carried = None;
                    continue;
                };
                let Some(known) = fonts.get(&id) else {
                    continue;
                };
                let items: Vec<(usize, &Object)> = match operation.operands.first() {
                    Some(Object::Array(items)) => items.iter().enumerate().collect(),
                    Some(string) => vec![(0, string)],
                    None => continue,
                };
                // The glyph just before this item, in this array.
                let mut before: Option<(At, u16)> = None;
                for (element, item) in items {
                    if let Object::String(bytes, _) = item {
                        for (offset, pair) in bytes.chunks_exact(2).enumerate() {
                            let code = u16::from_be_bytes([pair[0], pair[1]]);
                            if let (Some(previous), Some(m)) = (carried.take(), matrix) {
                                let m = multiply(m, ctm.now);
                                let (x, y) = apply(m, pen, 0.0);
                                let em = size * m[0];
                                let (dx, dy) = (x - previous.pen.0, y - previous.pen.1);
                                let mark = previous.font == id
                                    && previous.size == size
                                    && previous.matrix[..4] == m[..4]
                                    && m[1] == 0.0
                                    && m[2] == 0.0
                                    && em > 0.0
                                    && dy != 0.0
                                    && dy.abs() <= MARK_RISE * em;
                                if mark && dx > 0.0 && dx <= MARK_BACK * em {
                                    across.push((previous.at, previous.code, id, dx * 1000.0 / em));
                                }
                                // Back on the line after marks drawn off it:
                                // the base before them ends a hair past
                                // this glyph's start, as pdf.js, which
                                // passes over marks, measures from the base
                                // and reads any step forward after a lone
                                // mark as a space.
                                match anchor.take() {
                                    Some(base) if mark && y == base.pen.1 => {
                                        let gap = (x - base.pen.0) * 1000.0 / em;
                                        if gap > -HAIR && gap <= MARK_BACK * 1000.0 {
                                            across.push((base.at, base.code, id, gap + HAIR));
                                        }
                                    }
                                    Some(base) if mark => anchor = Some(base),
                                    _ if mark => anchor = Some(previous),
                                    _ => {}
                                }
                            }
                            pen += known.width(code) / 1000.0 * size;
                            let at = (op, element, offset * 2);
                            last = Some((at, code, id, size, pen));
                            before = Some((at, code));
                        }
                    } else if let Some(n) = number(item) {
                        pen -= n / 1000.0 * size;
                        if let Some(l) = last.as_mut() {
                            l.4 = pen;
                        }
                        if let Some((at, code)) = before.take() {
                            block.gaps.entry(at).or_insert((code, id, 0.0)).2 -= n;
                            block.adjustments.push((op, element, at));
                        }
                    }
                }
            }
            "BT" | "ET" => {
                let ended = std::mem::take(&mut block);
                if !ended.relative {
                    done.push(ended);
                }
                // The pen is carried from one text object to the next, not
                // into one: a `BT` starts at a `Tm` of its own.
                if operation.operator == "ET" {
                    carried = last
                        .take()
                        .zip(matrix)
                        .map(|((at, code, font, size, end), m)| {
                            let matrix = multiply(m, ctm.now);
                            Carried {
                                at,
                                code,
                                font,
                                size,
                                pen: apply(matrix, end, 0.0),
                                matrix,
                            }
                        });
                }
                last = None;
                matrix = None;
            }
            "Td" | "TD" | "T*" | "'" | "\"" | "Tc" | "Tw" | "Tz" | "TL" => {
                block.relative = true;
                matrix = None;
                last = None;
                carried = None;
            }
            _ => {}
        }
    }
    // New widths first, while the content's places are as read.
    let mut gaps: BTreeMap<At, (u16, ObjectId, f32)> = BTreeMap::new();
    for block in &done {
        for (&at, &(code, id, gap)) in &block.gaps {
            gaps.entry(at).or_insert((code, id, 0.0)).2 += gap;
        }
    }
    for (at, code, id, gap) in across {
        gaps.entry(at).or_insert((code, id, 0.0)).2 += gap;
    }
    let mut failed = std::collections::BTreeSet::new();
    for (&(op, element, offset), &(code, id, gap)) in &gaps {
        if gap.abs() <= TOLERANCE {
            continue;
        }
        let new = fonts.get_mut(&id).and_then(|font| {
            let text = font.text.get(&code).cloned()?;
            let width = font.width(code) + gap;
            font.code_as(code, &text, width)
        });
        let set = new.is_some_and(|new| {
            set_code(
                &mut content.operations[op].operands[0],
                element,
                offset,
                new,
            )
        });
        if !set {
            failed.insert((op, element, offset));
        }
    }
    let mut gone_ops = std::collections::BTreeSet::new();
    let mut gone_items: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for block in done {
        for (tm, at) in block.tms {
            if !failed.contains(&at) {
                gone_ops.insert(tm);
            }
        }
        for (op, element, at) in block.adjustments {
            if !failed.contains(&at) {
                gone_items.entry(op).or_default().push(element);
            }
        }
    }
    for (op, elements) in gone_items {
        if let Some(Object::Array(items)) = content.operations[op].operands.first_mut() {
            let mut element = 0;
            items.retain(|_| {
                element += 1;
                !elements.contains(&(element - 1))
            });
        }
    }
    let mut op = 0;
    content.operations.retain(|_| {
        op += 1;
        !gone_ops.contains(&(op - 1))
    });
}

/// The identity matrix, `[a b c d e f]` as PDF writes it.
const IDENTITY: [f32; 6] = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// The graphics state's matrix as `q`, `Q` and `cm` change it.
struct Ctm {
    now: [f32; 6],
    saved: Vec<[f32; 6]>,
}

impl Default for Ctm {
    fn default() -> Self {
        Self {
            now: IDENTITY,
            saved: Vec::new(),
        }
    }
}

impl Ctm {
    fn follow(&mut self, operation: &Operation) {
        match operation.operator.as_str() {
            "q" => self.saved.push(self.now),
            "Q" => self.now = self.saved.pop().unwrap_or(IDENTITY),
            "cm" => self.now = six(operation).map_or(IDENTITY, |m| multiply(m, self.now)),
            _ => {}
        }
    }
}

/// The matrix a `cm` or `Tm` sets.
fn six(operation: &Operation) -> Option<[f32; 6]> {
    let values: Vec<f32> = operation.operands.iter().filter_map(number).collect();
    <[f32; 6]>::try_from(values).ok()
}

/// `first` then `second`: PDF's row-vector product.
fn multiply(first: [f32; 6], second: [f32; 6]) -> [f32; 6] {
    let [a, b, c, d, e, f] = first;
    let [a2, b2, c2, d2, e2, f2] = second;
    [
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    ]
}

/// The point `(x, y)` transformed by `m`.
fn apply(m: [f32; 6], x: f32, y: f32) -> (f32, f32) {
    (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])
}

/// Writes a font's new codes: glyphs, widths and texts.
fn write_font(
    update: &mut IncrementalDocument,
    type0: ObjectId,
    font: &Font,
) -> Result<(), lopdf::Error> {
    let last = font
        .gid
        .keys()
        .chain(font.text.keys())
        .copied()
        .max()
        .unwrap_or(0);
    let mut map = Vec::with_capacity((usize::from(last) + 1) * 2);
    for code in 0..=last {
        let gid = font.gid.get(&code).copied().unwrap_or(code);
        map.extend_from_slice(&gid.to_be_bytes());
    }
    let mut stream = Stream::new(Dictionary::new(), map);
    compress(&mut stream)?;
    let map = update.new_document.add_object(stream);
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = font.text.iter().collect();
    for chunk in entries.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (code, text) in chunk {
            let hex: String = text.encode_utf16().map(|u| format!("{u:04X}")).collect();
            cmap.push_str(&format!("<{code:04X}> <{hex}>\n"));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    let mut stream = Stream::new(Dictionary::new(), cmap.into_bytes());
    compress(&mut stream)?;
    let to_unicode = update.new_document.add_object(stream);
    update.opt_clone_object_to_new_document(type0)?;
    update
        .new_document
        .get_dictionary_mut(type0)?
        .set("ToUnicode", Object::Reference(to_unicode));
    update.opt_clone_object_to_new_document(font.cid_font)?;
    let descendant = update.new_document.get_dictionary_mut(font.cid_font)?;
    descendant.set("CIDToGIDMap", Object::Reference(map));
    Ok(())
}

/// Writes a font's widths, its new codes' among them.
fn write_widths(update: &mut IncrementalDocument, font: &Font) -> Result<(), lopdf::Error> {
    // Every width written as `first [w1 w2 …]`, the form every reader
    // parses: some (pdf-extract) misread the `first last w` ranges Typst
    // writes and take every glyph as zero wide, so that runs drawn apart
    // read as one word and runs drawn together as two.
    let mut w: Vec<Object> = Vec::new();
    let mut run: Option<(u16, Vec<Object>)> = None;
    for (&code, &width) in &font.width {
        let width = if width.fract() == 0.0 {
            Object::Integer(width as i64)
        } else {
            Object::Real(width)
        };
        match &mut run {
            Some((first, widths)) if usize::from(*first) + widths.len() == usize::from(code) => {
                widths.push(width);
            }
            _ => {
                if let Some((first, widths)) = run.take() {
                    w.push(Object::Integer(i64::from(first)));
                    w.push(Object::Array(widths));
                }
                run = Some((code, vec![width]));
            }
        }
    }
    if let Some((first, widths)) = run {
        w.push(Object::Integer(i64::from(first)));
        w.push(Object::Array(widths));
    }
    update.opt_clone_object_to_new_document(font.cid_font)?;
    update
        .new_document
        .get_dictionary_mut(font.cid_font)?
        .set("W", Object::Array(w));
    Ok(())
}

/// Deflates a new stream at the level Typst's PDF writer uses for its own.
/// lopdf's `compress` takes the slowest level, which on these streams (page
/// contents, maps of a few hundred codes) costs several times as long to save
/// a few bytes.
fn compress(stream: &mut Stream) -> Result<(), lopdf::Error> {
    use std::io::Write;
    let mut encoder =
        flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(DEFLATE_LEVEL));
    encoder.write_all(&stream.content)?;
    let deflated = encoder.finish()?;
    // As lopdf does: only when it saves more than the filter's own entry.
    if deflated.len() + 19 < stream.content.len() {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(deflated);
    }
    Ok(())
}

/// The deflate level of the streams written here (zlib's default).
const DEFLATE_LEVEL: u32 = 6;

#[cfg(test)]
mod tests {
    use super::*;

    fn font(w: Object) -> Dictionary {
        let mut font = Dictionary::new();
        font.set("DW", Object::Integer(0));
        font.set("W", w);
        font
    }

    #[test]
    fn widths_read_as_lists_and_ranges() {
        use Object::{Array, Integer, Real};
        let w = Array(vec![
            Integer(1),
            Array(vec![Integer(500), Real(250.5)]),
            Integer(5),
            Integer(7),
            Integer(600),
        ]);
        let (widths, default, ranged) = widths(&font(w)).unwrap();
        assert_eq!(default, 0.0);
        assert!(ranged);
        let expected = [(1, 500.0), (2, 250.5), (5, 600.0), (6, 600.0), (7, 600.0)];
        assert_eq!(widths, BTreeMap::from(expected));
    }

    /// A width not read would be taken as the default and, written back,
    /// would move every glyph after it: such a font is not touched.
    #[test]
    fn widths_not_read_to_the_end_leave_the_font_alone() {
        use Object::{Array, Integer, Name, Reference};
        for w in [
            Reference((12, 0)),
            Array(vec![Integer(1), Array(vec![Integer(500)]), Integer(3)]),
            Array(vec![Integer(1), Array(vec![Name(b"x".to_vec())])]),
            Array(vec![Integer(65535), Array(vec![Integer(1), Integer(2)])]),
            Array(vec![Integer(-1), Integer(2), Integer(500)]),
        ] {
            assert!(widths(&font(w.clone())).is_none(), "{w:?}");
        }
        assert!(widths(&Dictionary::new()).is_some());
    }
}
