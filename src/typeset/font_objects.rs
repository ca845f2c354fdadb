//! A PDF's fonts and trailer as a lopdf `Document`, without parsing the rest.
//!
//! lopdf parses a whole PDF before anything can be asked of it: every
//! structure element, annotation and metadata object, half a millisecond for
//! an invitation, and a twentieth of a large build. Where the text layer only
//! writes fonts' widths again (a document that draws no cluster), it needs
//! the Type0 fonts, their descendants, their text maps and the trailer.
//! hayro-syntax, which Typst already uses to read the PDFs it places, finds
//! objects through the cross-reference table and parses only those asked
//! for; they are copied into a lopdf `Document` that the update is written
//! against as before. A PDF this does not read as lopdf would (a
//! cross-reference stream, an earlier update) is declined, and the caller
//! parses the whole of it.

use std::sync::Arc;

use hayro_syntax::object::{Dict, MaybeRef, Name, Object as Read, ObjectIdentifier, Stream};
use lopdf::xref::{Xref, XrefType};
use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};

/// The Type0 fonts of `pdf` with their descendant fonts and `ToUnicode`
/// maps, and its trailer; none when the PDF is not one this reads.
pub fn read(pdf: &Arc<Vec<u8>>) -> Option<Document> {
    let (trailer, xref_start) = trailer(pdf)?;
    // One cross-reference table and nothing before it: what Typst writes.
    if trailer.has(b"Prev") || trailer.has(b"XRefStm") || !trailer.has(b"Root") {
        return None;
    }
    let size = u32::try_from(trailer.get(b"Size").ok()?.as_i64().ok()?).ok()?;
    let parsed = hayro_syntax::Pdf::new(Arc::clone(pdf)).ok()?;
    let xref = parsed.xref();
    let mut document = Document::new();
    for object in parsed.objects() {
        let Read::Dict(font) = object else { continue };
        if font.get::<Name>(b"Subtype").as_deref() != Some(b"Type0".as_slice()) {
            continue;
        }
        document
            .objects
            .insert(id(font.obj_id()?)?, Object::Dictionary(dictionary(&font)?));
        let descendants = font.get::<hayro_syntax::object::Array>(b"DescendantFonts");
        let first = descendants.and_then(|a| a.raw_iter().next());
        if let Some(MaybeRef::Ref(r)) = first {
            let descendant: Dict = xref.get(r.into())?;
            document
                .objects
                .insert(id(r.into())?, Object::Dictionary(dictionary(&descendant)?));
        }
        if let Some(r) = font.get_ref(b"ToUnicode") {
            let map: Stream = xref.get(r.into())?;
            let dict = dictionary(map.dict())?;
            let stream = lopdf::Stream::new(dict, map.raw_data().into_owned());
            document
                .objects
                .insert(id(r.into())?, Object::Stream(stream));
        }
    }
    document.trailer = trailer;
    document.max_id = size.checked_sub(1)?;
    document.xref_start = xref_start;
    document.reference_table = Xref::new(size, XrefType::CrossReferenceTable);
    Some(document)
}

/// The last trailer dictionary and where the cross-reference table starts.
fn trailer(pdf: &[u8]) -> Option<(Dictionary, usize)> {
    // Both are in the last kilobyte of what Typst writes.
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

fn id(id: ObjectIdentifier) -> Option<ObjectId> {
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

    /// The objects read here are those lopdf reads, key for key and in the
    /// same order, so what is written from them is what was written before.
    #[test]
    fn the_fonts_read_are_what_lopdf_reads_of_the_whole_pdf() {
        // Two faces and a script of its own, in a tagged document with a link.
        let source = "#set text(font: \"Noto Serif\")\nAn address, *bold*, \
            #link(\"https://example.org\")[a link] and 東京都千代田区 #text(font: \"Noto Sans CJK JP\")[丸の内]";
        let pdf = Arc::new(crate::typeset::exported(source));
        let whole = Document::load_mem(&pdf).unwrap();
        let read = read(&pdf).expect("Typst's PDF is read");
        let type0 = read
            .objects
            .values()
            .filter(|o| o.type_name().ok() == Some(b"Font".as_slice()))
            .filter(|o| {
                o.as_dict()
                    .unwrap()
                    .get(b"Subtype")
                    .unwrap()
                    .as_name()
                    .unwrap()
                    == b"Type0"
            })
            .count();
        assert!(type0 >= 2, "{type0} Type0 fonts");
        assert!(read.objects.len() < whole.objects.len() / 2);
        for (id, object) in &read.objects {
            let expected = &whole.objects[id];
            assert_eq!(object, expected, "object {id:?}");
            if let (Ok(a), Ok(b)) = (object.as_dict(), expected.as_dict()) {
                assert!(
                    a.iter().map(|(k, _)| k).eq(b.iter().map(|(k, _)| k)),
                    "key order of {id:?}"
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
    }

    #[test]
    fn a_pdf_not_as_typst_writes_it_is_declined() {
        let pdf = crate::typeset::exported("A");
        // An earlier update: the trailer names the table before it.
        let updated = crate::typeset::finish::record_bleed(crate::typeset::exported(
            "#set page(width: 90mm, height: 55mm, bleed: 3mm)\nA",
        ))
        .unwrap();
        assert!(read(&Arc::new(updated)).is_none());
        // Cut short, or no PDF at all.
        assert!(read(&Arc::new(pdf[..pdf.len() / 2].to_vec())).is_none());
        assert!(
            read(&Arc::new(
                b"%PDF-1.7\ntrailer\n<</Size 1>>\nstartxref\n9\n%%EOF".to_vec()
            ))
            .is_none()
        );
        assert!(read(&Arc::new(Vec::new())).is_none());
        assert!(read(&Arc::new(pdf)).is_some());
    }
}
