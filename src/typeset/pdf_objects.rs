//! The objects of a PDF that the steps after Typst's export change, as a
//! lopdf `Document`, without parsing the rest.
//!
//! lopdf parses a whole PDF before anything can be asked of it: every
//! structure element, annotation and metadata object, half a millisecond for
//! an invitation, and a twentieth of a large build. The text layer needs the
//! Type0 fonts, their descendants, their text maps and the trailer, and,
//! where it mends a cluster, the pages with their contents and resources; the
//! bleed box needs the pages. hayro-syntax, which Typst already uses to read
//! the PDFs it places, finds objects through the cross-reference table and
//! parses only those asked for; they are copied into a lopdf `Document` that
//! the update is written against as before. A PDF this does not read as
//! lopdf would (a cross-reference stream, a page tree that loops) is
//! declined, and the caller parses the whole of it.

use std::collections::HashSet;
use std::sync::Arc;

use hayro_syntax::object::{Dict, MaybeRef, Name, Object as Read, ObjectIdentifier};
use hayro_syntax::xref::XRef;
use lopdf::xref::{Xref, XrefType};
use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};

/// The Type0 fonts of `pdf` with their descendant fonts and `ToUnicode`
/// maps, and its trailer; with `pages`, also its catalog, page tree, and each
/// page's contents, resources and font resources. None when the PDF is not
/// one this reads.
pub fn read(pdf: &Arc<Vec<u8>>, pages: bool) -> Option<Document> {
    let (mut trailer, xref_start) = trailer(pdf)?;
    // Cross-reference tables, as Typst and lopdf write them; the trailer
    // without its link to the one before, as lopdf reads it.
    if trailer.has(b"XRefStm") || !trailer.has(b"Root") {
        return None;
    }
    trailer.remove(b"Prev");
    let size = u32::try_from(trailer.get(b"Size").ok()?.as_i64().ok()?).ok()?;
    let parsed = hayro_syntax::Pdf::new(Arc::clone(pdf)).ok()?;
    let xref = parsed.xref();
    let mut document = Document::new();
    for object in parsed.objects() {
        let Read::Dict(font) = object else { continue };
        if font.get::<Name>(b"Subtype").as_deref() != Some(b"Type0".as_slice()) {
            continue;
        }
        copy(&mut document, xref, id(font.obj_id()?)?)?;
        let descendants = font.get::<hayro_syntax::object::Array>(b"DescendantFonts");
        if let Some(MaybeRef::Ref(r)) = descendants.and_then(|a| a.raw_iter().next()) {
            copy(&mut document, xref, id(r.into())?)?;
        }
        if let Some(r) = font.get_ref(b"ToUnicode") {
            copy(&mut document, xref, id(r.into())?)?;
        }
    }
    document.trailer = trailer;
    if pages {
        page_tree(&mut document, xref)?;
    }
    document.max_id = size.checked_sub(1)?;
    document.xref_start = xref_start;
    document.reference_table = Xref::new(size, XrefType::CrossReferenceTable);
    Some(document)
}

/// What [`read`] reads of `pdf`, else the whole of it parsed by lopdf.
pub fn read_or_parse(pdf: Vec<u8>, pages: bool) -> (Vec<u8>, lopdf::Result<Document>) {
    let pdf = Arc::new(pdf);
    let document = read(&pdf, pages).map(Ok);
    let pdf = Arc::unwrap_or_clone(pdf);
    let document = document.unwrap_or_else(|| Document::load_mem(&pdf));
    (pdf, document)
}

/// Copies the catalog, the page tree, and each page's contents and
/// resources.
fn page_tree(document: &mut Document, xref: &XRef) -> Option<()> {
    let root = document.trailer.get(b"Root").ok()?.as_reference().ok()?;
    let catalog = copy(document, xref, root)?.as_dict().ok()?;
    let mut todo = vec![catalog.get(b"Pages").ok()?.as_reference().ok()?];
    let mut seen = HashSet::new();
    while let Some(node) = todo.pop() {
        // A page tree that loops, or is larger than a document of a few
        // pages has, is left to lopdf.
        if !seen.insert(node) || seen.len() > MAX_NODES {
            return None;
        }
        let node = copy(document, xref, node)?.as_dict().ok()?.clone();
        if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
            for kid in kids {
                todo.push(kid.as_reference().ok()?);
            }
        }
        let resources = match node.get(b"Resources") {
            Ok(Object::Reference(r)) => copy(document, xref, *r)?.as_dict().ok()?.clone(),
            Ok(Object::Dictionary(d)) => d.clone(),
            _ => Dictionary::new(),
        };
        if let Ok(Object::Reference(r)) = resources.get(b"Font") {
            copy(document, xref, *r)?;
        }
        let contents = match node.get(b"Contents") {
            Ok(Object::Reference(r)) => match copy(document, xref, *r)? {
                Object::Array(parts) => parts.clone(),
                _ => Vec::new(),
            },
            Ok(Object::Array(parts)) => parts.clone(),
            _ => Vec::new(),
        };
        for part in contents {
            copy(document, xref, part.as_reference().ok()?)?;
        }
    }
    Some(())
}

/// The most page-tree nodes read (pages and the nodes above them).
const MAX_NODES: usize = 64;

/// Copies an object into `document`, once.
fn copy<'d>(document: &'d mut Document, xref: &XRef, r: ObjectId) -> Option<&'d Object> {
    match document.objects.entry(r) {
        std::collections::btree_map::Entry::Occupied(entry) => Some(entry.into_mut()),
        std::collections::btree_map::Entry::Vacant(entry) => Some(entry.insert(indirect(xref, r)?)),
    }
}

/// The object `r` as lopdf holds it, a stream's data as it is written
/// (still deflated); None if there is none or it is not read as lopdf
/// would.
pub(super) fn indirect(xref: &XRef, r: ObjectId) -> Option<Object> {
    let at = ObjectIdentifier::new(i32::try_from(r.0).ok()?, i32::from(r.1));
    Some(match xref.get::<Read>(at)? {
        Read::Stream(stream) => Object::Stream(lopdf::Stream::new(
            dictionary(stream.dict())?,
            stream.raw_data().into_owned(),
        )),
        other => object(MaybeRef::NotRef(other))?,
    })
}

/// The last trailer dictionary and where the cross-reference table starts.
fn trailer(pdf: &[u8]) -> Option<(Dictionary, usize)> {
    // Both are in the last few hundred bytes of what Typst and lopdf write.
    let tail = &pdf[pdf.len().saturating_sub(TAIL)..];
    let start = find_last(tail, b"startxref")?;
    let digits = tail[start + b"startxref".len()..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| char::from(b))
        .collect::<String>();
    let xref_start = digits.parse().ok()?;
    let at = find_last(&tail[..start], b"trailer")? + b"trailer".len();
    let body = &tail[at..start];
    let body = &body[body.iter().position(|b| !b.is_ascii_whitespace())?..];
    let dict = <Dict as hayro_syntax::object::FromBytes>::from_bytes(body)?;
    Some((dictionary(&dict)?, xref_start))
}

/// How far from the end the trailer is looked for.
const TAIL: usize = 4096;

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

pub(super) fn id(id: ObjectIdentifier) -> Option<ObjectId> {
    Some((
        u32::try_from(id.obj_number).ok()?,
        u16::try_from(id.gen_number).ok()?,
    ))
}

/// A dictionary as lopdf holds it, its keys in the order they are written
/// (so that what is written again reads as before, byte for byte).
fn dictionary(dict: &Dict) -> Option<Dictionary> {
    let mut out = Dictionary::new();
    for key in keys(dict)? {
        out.set(key.to_vec(), object(dict.get_raw::<Read>(&key[..])?)?);
    }
    Some(out)
}

/// A dictionary's keys in the order they are written: hayro-syntax keeps
/// them in a hash map.
fn keys<'a>(dict: &Dict<'a>) -> Option<Vec<Name<'a>>> {
    use hayro_syntax::reader::{Reader, ReaderExt};
    let mut reader = Reader::new(dict.data());
    reader.forward_tag(b"<<")?;
    let mut keys = Vec::with_capacity(dict.len());
    loop {
        reader.skip_white_spaces_and_comments();
        if reader.forward_tag(b">>").is_some() {
            break;
        }
        keys.push(reader.read_without_context::<Name>()?);
        reader.skip_white_spaces_and_comments();
        reader.skip::<MaybeRef<Read>>(false)?;
    }
    // Every key found, once: else the dictionary is not as lopdf reads it.
    (keys.len() == dict.len()).then_some(keys)
}

fn object(value: MaybeRef<Read>) -> Option<Object> {
    Some(match value {
        MaybeRef::Ref(r) => Object::Reference(id(r.into())?),
        MaybeRef::NotRef(value) => match value {
            Read::Null(_) => Object::Null,
            Read::Boolean(b) => Object::Boolean(b),
            // lopdf reads a number written without a fraction as an
            // integer, as Typst writes whole numbers.
            Read::Number(n) if n.as_f64().fract() == 0.0 && n.as_f64().abs() < 2f64.powi(53) => {
                Object::Integer(n.as_i64())
            }
            Read::Number(n) => Object::Real(n.as_f32()),
            Read::String(s) => Object::String(s.as_bytes().to_vec(), StringFormat::Literal),
            Read::Name(n) => Object::Name(n.to_vec()),
            Read::Dict(d) => Object::Dictionary(dictionary(&d)?),
            Read::Array(a) => Object::Array(a.raw_iter().map(object).collect::<Option<_>>()?),
            // A stream is never inside another object.
            Read::Stream(_) => return None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every object read is as lopdf reads it of the whole PDF, key for key
    /// and in the same order, so what is written from them is what would be
    /// written from lopdf's.
    fn as_lopdf_reads(pdf: &[u8], pages: bool) -> Document {
        let whole = Document::load_mem(pdf).unwrap();
        let read = read(&Arc::new(pdf.to_vec()), pages).expect("the PDF is read");
        assert!(read.objects.len() < whole.objects.len() / 2);
        for (id, object) in &read.objects {
            let expected = &whole.objects[id];
            assert_eq!(object, expected, "object {id:?}");
            let dicts = match (object, expected) {
                (Object::Stream(a), Object::Stream(b)) => Some((&a.dict, &b.dict)),
                (Object::Dictionary(a), Object::Dictionary(b)) => Some((a, b)),
                _ => None,
            };
            if let Some((a, b)) = dicts {
                assert!(
                    a.iter().map(|(k, _)| k).eq(b.iter().map(|(k, _)| k)),
                    "keys of {id:?}"
                );
            }
        }
        assert!(read.trailer.iter().eq(whole.trailer.iter()));
        assert_eq!(read.max_id, whole.max_id);
        assert_eq!(read.xref_start, whole.xref_start);
        assert!(matches!(
            whole.reference_table.cross_reference_type,
            XrefType::CrossReferenceTable
        ));
        read
    }

    fn type0_fonts(document: &Document) -> usize {
        let type0 = |o: &Object| {
            o.as_dict()
                .and_then(|d| d.get(b"Subtype"))
                .and_then(Object::as_name)
                .ok()
                == Some(b"Type0".as_slice())
        };
        document.objects.values().filter(|o| type0(o)).count()
    }

    #[test]
    fn the_fonts_and_pages_read_are_what_lopdf_reads_of_the_whole_pdf() {
        // Two faces and a script of its own, over two pages of a tagged
        // document with a link.
        let source = "#set text(font: \"Noto Serif\")\nAn address, *bold*, \
            #link(\"https://example.org\")[a link] and 東京都千代田区 \
            #pagebreak() #text(font: \"Noto Sans CJK JP\")[丸の内]";
        let pdf = crate::typeset::exported(source);
        let fonts = as_lopdf_reads(&pdf, false);
        assert!(
            type0_fonts(&fonts) >= 2,
            "{} Type0 fonts",
            type0_fonts(&fonts)
        );
        assert!(fonts.get_pages().is_empty(), "no page without `pages`");
        let pages = as_lopdf_reads(&pdf, true);
        let whole = Document::load_mem(&pdf).unwrap();
        assert_eq!(pages.get_pages(), whole.get_pages());
        for page in whole.get_pages().into_values() {
            assert_eq!(
                pages.get_page_content(page).unwrap(),
                whole.get_page_content(page).unwrap()
            );
            assert_eq!(
                pages.get_page_fonts(page).unwrap(),
                whole.get_page_fonts(page).unwrap()
            );
        }
    }

    /// After an update (the text layer's, before the bleed box is
    /// recorded), what is read is each object's last version.
    #[test]
    fn an_updated_pdf_reads_as_its_last_version() {
        let pdf = crate::typeset::exported("#set page(width: 90mm, height: 55mm, bleed: 3mm)\nA");
        let updated = crate::typeset::finish::record_bleed(pdf.clone()).unwrap();
        assert!(updated.len() > pdf.len());
        let read = as_lopdf_reads(&updated, true);
        let page = *read.get_pages().values().next().unwrap();
        assert!(read.get_dictionary(page).unwrap().has(b"BleedBox"));
    }

    /// A title is written out in the Info dictionary, near the end: one
    /// that reads like the end of a PDF does not mislead the search for it.
    #[test]
    fn a_title_that_reads_like_a_trailer_is_not_taken_for_one() {
        let source = "#set document(title: \"trailer <</Size 1>> startxref 9 %%EOF\")\nA";
        as_lopdf_reads(&crate::typeset::exported(source), true);
    }

    #[test]
    fn what_is_not_a_whole_pdf_is_declined() {
        let pdf = crate::typeset::exported("A");
        assert!(read(&Arc::new(pdf[..pdf.len() / 2].to_vec()), true).is_none());
        let bare = b"%PDF-1.7\ntrailer\n<</Size 1>>\nstartxref\n9\n%%EOF";
        assert!(read(&Arc::new(bare.to_vec()), false).is_none());
        assert!(read(&Arc::new(Vec::new()), false).is_none());
        assert!(read(&Arc::new(pdf), true).is_some());
    }
}
