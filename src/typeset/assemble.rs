//! Print files assembled from their members' PDFs by copying their pages,
//! object for object: nothing typeset, decoded or deflated again.
//!
//! Members that follow one another have their pages copied as pages; badges
//! have theirs copied as form XObjects and placed N-up on sheets, each clipped
//! to its area with the crop marks around them (the geometry is
//! [`super::impose`]'s). Typst could place every member page as an image, but
//! its PDF embedding decodes each page's content, deflates it again and
//! writes it out anew, most of what a print file cost, and draws it through a
//! transform that moves glyph edges by a pixel here and there. Copied, a page
//! keeps its content, resources and boxes (media, crop, trim, bleed) exactly
//! and prints as it does in its member. What only a member as a whole has
//! stays with the member: its structure tree, links and metadata. A print
//! file is for the press; the members are the documents read on screen.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDateTime;
use hayro_syntax::object::ObjectIdentifier;
use hayro_syntax::xref::XRef;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};
use sha2::{Digest as _, Sha256};

use super::impose::Segment;
use super::pdf_objects::{id, indirect};

/// What a print file says of itself: a print shop's software shows its title
/// and author; a PDF reader and preflight read its language.
pub struct Metadata<'a> {
    pub title: &'a str,
    pub author: &'a str,
    /// A BCP 47 language tag ("en", "ja").
    pub lang: &'a str,
    /// What the file identifier is made from: what the print file is made
    /// of, not which build of the tool made it, so the same print file made
    /// again has the same bytes.
    pub ident: &'a [u8],
    /// Its creation date: the run's, never the clock's.
    pub date: NaiveDateTime,
}

/// A print file being assembled, page after page.
pub struct Assembly {
    document: Document,
    /// The page tree every page hangs from.
    tree: ObjectId,
    pages: Vec<ObjectId>,
    /// One empty content stream, shared by every blank page.
    empty: Option<ObjectId>,
    /// Every object copied from the members, by content.
    shared: HashMap<Digest, Written>,
}

/// A member's page copied as a form XObject.
#[derive(Debug, Clone, Copy)]
pub struct Form {
    id: ObjectId,
    /// Where its trim's top left corner is in the form's space, in points.
    trim_corner: (f64, f64),
}

/// A form on a sheet: its trim's top left corner `at`, and the `area` it may
/// print on (left, top, right, bottom), in millimetres from the sheet's top
/// left corner.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    pub form: Form,
    pub at: (f64, f64),
    pub area: (f64, f64, f64, f64),
}

/// A page's entries that say where it is and how it turns: copied, and
/// taken by a blank page from the page before it.
const BOXES: [&[u8]; 6] = [
    b"MediaBox",
    b"CropBox",
    b"BleedBox",
    b"TrimBox",
    b"ArtBox",
    b"Rotate",
];

/// A page's other entries that are copied: what it draws. Those left are its
/// member's (parent, structure, links, thumbnails, transitions).
const DRAWN: [&[u8]; 5] = [b"Type", b"Resources", b"Contents", b"Group", b"UserUnit"];

/// The entries a page inherits from the page-tree nodes above it when it
/// does not have them itself (ISO 32000-1, 7.7.3.4).
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

/// Objects a page's resources never need: reaching one means a reference
/// back into the member's own structure, and it is copied as null.
const MEMBER_ONLY: [&[u8]; 6] = [
    b"Catalog",
    b"Pages",
    b"Page",
    b"StructTreeRoot",
    b"StructElem",
    b"Annot",
];

/// The most page-tree nodes read of a member for each page it has: Typst
/// hangs every page from one node.
const NODES_PER_PAGE: usize = 2;

impl Default for Assembly {
    fn default() -> Self {
        Self::new()
    }
}

impl Assembly {
    pub fn new() -> Self {
        let mut document = Document::with_version("1.7");
        let tree = document.new_object_id();
        Self {
            document,
            tree,
            pages: Vec::new(),
            empty: None,
            shared: HashMap::new(),
        }
    }

    /// Appends every page of `pdf`, which has `expected` pages.
    pub fn push(&mut self, pdf: Vec<u8>, expected: usize) -> Result<(), String> {
        let (parsed, pages) = member(pdf, expected)?;
        let xref = parsed.xref();
        let mut pages: Vec<Object> = pages.into_iter().map(Object::Dictionary).collect();
        copy(&mut self.document, &mut self.shared, xref, &mut pages)
            .ok_or("an object a member's page draws cannot be read")?;
        for page in pages {
            let Object::Dictionary(mut page) = page else {
                unreachable!("pages are dictionaries")
            };
            page.set("Parent", Object::Reference(self.tree));
            let id = self.document.add_object(page);
            self.pages.push(id);
        }
        Ok(())
    }

    /// Copies every page of `pdf`, which has `expected` pages, as a form
    /// XObject to be placed on sheets ([`Assembly::sheet`]).
    pub fn forms(&mut self, pdf: Vec<u8>, expected: usize) -> Result<Vec<Form>, String> {
        let (parsed, pages) = member(pdf, expected)?;
        let xref = parsed.xref();
        let unreadable = || "a member page's boxes or content cannot be read".to_string();
        let mut forms = Vec::with_capacity(pages.len());
        let mut corners = Vec::with_capacity(pages.len());
        for page in &pages {
            let media = rectangle(xref, page.get(b"MediaBox").ok()).ok_or_else(unreadable)?;
            let trim = match page.get(b"TrimBox") {
                Ok(trim) => rectangle(xref, Some(trim)).ok_or_else(unreadable)?,
                Err(_) => media,
            };
            let (mut dict, content) = contents(xref, page).ok_or_else(unreadable)?;
            dict.set("Type", Object::Name(b"XObject".to_vec()));
            dict.set("Subtype", Object::Name(b"Form".to_vec()));
            dict.set(
                "BBox",
                media
                    .iter()
                    .map(|&v| Object::Real(v as f32))
                    .collect::<Vec<_>>(),
            );
            for key in [&b"Resources"[..], b"Group"] {
                if let Ok(value) = page.get(key) {
                    dict.set(key, value.clone());
                }
            }
            forms.push(Object::Stream(Stream::new(dict, content)));
            // The trim's top left corner, in the page's own space.
            corners.push((trim[0], trim[3]));
        }
        copy(&mut self.document, &mut self.shared, xref, &mut forms)
            .ok_or("an object a member's page draws cannot be read")?;
        Ok(forms
            .into_iter()
            .zip(corners)
            .map(|(form, trim_corner)| Form {
                id: self.document.add_object(form),
                trim_corner,
            })
            .collect())
    }

    /// Appends a sheet `size` millimetres wide and high holding `placed`
    /// forms and the crop marks `marks` (segments, in millimetres from the
    /// sheet's top left corner), drawn `mark_width` points thick in black ink
    /// alone (CMYK 0/0/0/100), so they print from one plate.
    pub fn sheet(
        &mut self,
        size: (f64, f64),
        placed: &[Placed],
        marks: &[Segment],
        mark_width: f64,
    ) -> std::io::Result<()> {
        let pt = |mm: f64| mm / 25.4 * 72.0;
        let height = pt(size.1);
        // PDF space runs up from the bottom left corner.
        let (x, y) = (|mm: f64| pt(mm), |mm: f64| height - pt(mm));
        let mut content = String::new();
        let mut forms = Dictionary::new();
        for (n, p) in placed.iter().enumerate() {
            let (left, top, right, bottom) = p.area;
            let name = format!("B{n}");
            let (tx, ty) = (
                x(p.at.0) - p.form.trim_corner.0,
                y(p.at.1) - p.form.trim_corner.1,
            );
            content.push_str(&format!(
                "q {} {} {} {} re W n 1 0 0 1 {} {} cm /{name} Do Q\n",
                number(x(left)),
                number(y(bottom)),
                number(pt(right - left)),
                number(pt(bottom - top)),
                number(tx),
                number(ty),
            ));
            forms.set(name, Object::Reference(p.form.id));
        }
        if !marks.is_empty() {
            content.push_str(&format!("q 0 0 0 1 K {} w\n", number(mark_width)));
            for ((x1, y1), (x2, y2)) in marks {
                content.push_str(&format!(
                    "{} {} m {} {} l S\n",
                    number(x(*x1)),
                    number(y(*y1)),
                    number(x(*x2)),
                    number(y(*y2))
                ));
            }
            content.push_str("Q\n");
        }
        let mut stream = Stream::new(Dictionary::new(), deflated(content.as_bytes())?);
        stream
            .dict
            .set("Filter", Object::Name(b"FlateDecode".to_vec()));
        let contents = self.document.add_object(stream);
        let mut page = Dictionary::new();
        page.set("Type", Object::Name(b"Page".to_vec()));
        page.set(
            "MediaBox",
            vec![
                0.into(),
                0.into(),
                Object::Real(pt(size.0) as f32),
                Object::Real(height as f32),
            ],
        );
        page.set("Resources", dict_of("XObject", forms));
        page.set("Contents", Object::Reference(contents));
        page.set("Parent", Object::Reference(self.tree));
        let id = self.document.add_object(page);
        self.pages.push(id);
        Ok(())
    }

    /// Appends an empty page with the boxes of the last one, so the next
    /// member starts on a sheet of its own in duplex.
    pub fn blank(&mut self) {
        let Some(&last) = self.pages.last() else {
            return;
        };
        let empty = *self.empty.get_or_insert_with(|| {
            self.document
                .add_object(Stream::new(Dictionary::new(), Vec::new()))
        });
        let last = self
            .document
            .get_dictionary(last)
            .expect("a page just written");
        let mut blank = Dictionary::new();
        blank.set("Type", Object::Name(b"Page".to_vec()));
        for key in BOXES {
            if let Ok(value) = last.get(key) {
                blank.set(key, value.clone());
            }
        }
        blank.set("Resources", Dictionary::new());
        blank.set("Contents", Object::Reference(empty));
        blank.set("Parent", Object::Reference(self.tree));
        let id = self.document.add_object(blank);
        self.pages.push(id);
    }

    /// The finished PDF.
    pub fn finish(mut self, metadata: &Metadata) -> std::io::Result<Vec<u8>> {
        let document = &mut self.document;
        let count = i64::try_from(self.pages.len()).unwrap_or(i64::MAX);
        let mut tree = Dictionary::new();
        tree.set("Type", Object::Name(b"Pages".to_vec()));
        tree.set(
            "Kids",
            self.pages
                .iter()
                .map(|&id| Object::Reference(id))
                .collect::<Vec<_>>(),
        );
        tree.set("Count", count);
        document.objects.insert(self.tree, Object::Dictionary(tree));

        let digest = super::sha256(metadata.ident);
        let identifier = Object::String(digest.as_bytes()[..32].to_vec(), StringFormat::Literal);
        let date = format!("D:{}Z", metadata.date.format("%Y%m%d%H%M%S"));
        let xmp = xmp(metadata, &digest[..32], self.pages.len());
        let mut xmp = Stream::new(Dictionary::new(), xmp.into_bytes());
        xmp.dict.set("Type", Object::Name(b"Metadata".to_vec()));
        xmp.dict.set("Subtype", Object::Name(b"XML".to_vec()));
        let xmp = document.add_object(xmp);

        let mut info = Dictionary::new();
        info.set("Title", text(metadata.title));
        info.set("Author", text(metadata.author));
        info.set("ModDate", text(&date));
        info.set("CreationDate", text(&date));
        let info = document.add_object(info);

        let mut direction = Dictionary::new();
        direction.set("Direction", Object::Name(b"L2R".to_vec()));
        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference(self.tree));
        catalog.set("Metadata", Object::Reference(xmp));
        catalog.set("Lang", text(metadata.lang));
        catalog.set("ViewerPreferences", direction);
        let catalog = document.add_object(catalog);

        document.trailer.set("Root", Object::Reference(catalog));
        document.trailer.set("Info", Object::Reference(info));
        document
            .trailer
            .set("ID", vec![identifier.clone(), identifier]);
        let mut out = Vec::new();
        document.save_to(&mut out)?;
        Ok(out)
    }
}

/// A member PDF, read, with its page dictionaries ([`page_dictionaries`]),
/// which must be the `expected` many it was typeset with.
fn member(pdf: Vec<u8>, expected: usize) -> Result<(hayro_syntax::Pdf, Vec<Dictionary>), String> {
    let parsed = hayro_syntax::Pdf::new(Arc::new(pdf))
        .map_err(|e| format!("a member PDF cannot be read: {e:?}"))?;
    let pages = page_dictionaries(parsed.xref(), expected)
        .ok_or("a member PDF's page tree cannot be read")?;
    if pages.len() != expected {
        return Err(format!(
            "a member PDF has {} pages where {expected} were typeset",
            pages.len()
        ));
    }
    Ok((parsed, pages))
}

/// Copies what `roots` (a member's pages) refer to, and what that refers to
/// in turn, into `document`, pointing every reference at the copy. An object
/// the print file already holds, byte for byte and with the same objects
/// beneath it (a font subset, a logo, a colour profile every member shares),
/// is not copied again: `shared` holds every object written, by content.
fn copy(
    document: &mut Document,
    shared: &mut HashMap<Digest, Written>,
    xref: &XRef,
    roots: &mut [Object],
) -> Option<()> {
    // Every object the pages reach, as the member has it.
    let mut read = BTreeMap::new();
    let mut todo: Vec<ObjectId> = Vec::new();
    for root in roots.iter() {
        references(root, &mut todo);
    }
    while let Some(r) = todo.pop() {
        if read.contains_key(&r) {
            continue;
        }
        // An object that is not there is null (ISO 32000-1, 7.3.10).
        let object = match indirect(xref, r) {
            Some(object) if member_only(&object) => Object::Null,
            Some(object) => object,
            None if !exists(xref, r) => Object::Null,
            None => return None,
        };
        references(&object, &mut todo);
        read.insert(r, object);
    }
    let digests = digests(&read);
    // Points every reference in `object` at the print file's object of the
    // same content, giving it an id if it has none yet.
    let point =
        |document: &mut Document, shared: &mut HashMap<Digest, Written>, object: &mut Object| {
            visit_references(object, &mut |r| {
                let digest = digests.get(r).copied().unwrap_or(NULL);
                *r = shared
                    .entry(digest)
                    .or_insert_with(|| Written {
                        id: document.new_object_id(),
                        written: false,
                    })
                    .id;
            });
        };
    for (r, mut object) in read {
        point(document, shared, &mut object);
        let written = shared.entry(digests[&r]).or_insert_with(|| Written {
            id: document.new_object_id(),
            written: false,
        });
        if !written.written {
            written.written = true;
            document.objects.insert(written.id, object);
        }
    }
    for root in roots {
        point(document, shared, root);
    }
    Some(())
}

/// The digest of a reference to nothing, which reads as null.
const NULL: Digest = [0; 32];

/// The SHA-256 of an object's content with what it refers to in place of
/// each reference: equal digests, equal objects all the way down.
type Digest = [u8; 32];

/// An object of the print file, by content: its id, and whether it is
/// written yet (an id is given when the first reference to it is met).
struct Written {
    id: ObjectId,
    written: bool,
}

/// Each object's [`Digest`], children before parents. Objects that refer to
/// one another in a loop cannot be told by content, so a member whose objects
/// loop has its own copy of each (its digests are of where its objects are,
/// salted with its content).
fn digests(read: &BTreeMap<ObjectId, Object>) -> HashMap<ObjectId, Digest> {
    let mut done: HashMap<ObjectId, Digest> = HashMap::new();
    let mut open = HashSet::new();
    for &start in read.keys() {
        if done.contains_key(&start) {
            continue;
        }
        // Depth first without recursion: (object, its references, how many
        // of them are done).
        let mut stack = vec![(start, children(read, start), 0)];
        open.insert(start);
        while let Some((node, kids, next)) = stack.last_mut() {
            if let Some(&kid) = kids.get(*next) {
                *next += 1;
                if done.contains_key(&kid) || !read.contains_key(&kid) {
                    continue;
                }
                if !open.insert(kid) {
                    return unshared(read);
                }
                let grandchildren = children(read, kid);
                stack.push((kid, grandchildren, 0));
                continue;
            }
            let node = *node;
            let mut hasher = Sha256::new();
            feed(&mut hasher, &read[&node], &done);
            done.insert(node, hasher.finalize().into());
            open.remove(&node);
            stack.pop();
        }
    }
    done
}

/// Digests that share nothing with another member's.
fn unshared(read: &BTreeMap<ObjectId, Object>) -> HashMap<ObjectId, Digest> {
    let mut salt = Sha256::new();
    for object in read.values() {
        feed(&mut salt, object, &HashMap::new());
    }
    let salt: Digest = salt.finalize().into();
    read.keys()
        .map(|&(number, generation)| {
            let mut hasher = Sha256::new();
            hasher.update(b"unshared");
            hasher.update(salt);
            hasher.update(number.to_be_bytes());
            hasher.update(generation.to_be_bytes());
            ((number, generation), hasher.finalize().into())
        })
        .collect()
}

fn children(read: &BTreeMap<ObjectId, Object>, r: ObjectId) -> Vec<ObjectId> {
    let mut kids = Vec::new();
    if let Some(object) = read.get(&r) {
        references(object, &mut kids);
    }
    kids
}

/// Every reference in `object`, in the order written.
fn references(object: &Object, into: &mut Vec<ObjectId>) {
    match object {
        Object::Reference(r) => into.push(*r),
        Object::Array(items) => items.iter().for_each(|o| references(o, into)),
        Object::Dictionary(dict) => dict.iter().for_each(|(_, o)| references(o, into)),
        Object::Stream(stream) => stream.dict.iter().for_each(|(_, o)| references(o, into)),
        _ => {}
    }
}

fn visit_references(object: &mut Object, f: &mut impl FnMut(&mut ObjectId)) {
    match object {
        Object::Reference(r) => f(r),
        Object::Array(items) => items.iter_mut().for_each(|o| visit_references(o, f)),
        Object::Dictionary(dict) => dict.iter_mut().for_each(|(_, o)| visit_references(o, f)),
        Object::Stream(stream) => stream
            .dict
            .iter_mut()
            .for_each(|(_, o)| visit_references(o, f)),
        _ => {}
    }
}

/// Feeds an object to `hasher`, unambiguously: each value tagged with its
/// kind and each length written out, a reference as the digest of what it
/// refers to.
fn feed(hasher: &mut Sha256, object: &Object, done: &HashMap<ObjectId, Digest>) {
    let bytes = |hasher: &mut Sha256, tag: u8, bytes: &[u8]| {
        hasher.update([tag]);
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    };
    match object {
        Object::Null => hasher.update(b"n"),
        Object::Boolean(b) => hasher.update(if *b { b"t" } else { b"f" }),
        Object::Integer(i) => {
            hasher.update(b"i");
            hasher.update(i.to_be_bytes());
        }
        Object::Real(r) => {
            hasher.update(b"r");
            hasher.update(r.to_be_bytes());
        }
        Object::Name(name) => bytes(hasher, b'/', name),
        Object::String(text, format) => {
            let tag = match format {
                StringFormat::Literal => b'(',
                StringFormat::Hexadecimal => b'<',
            };
            bytes(hasher, tag, text);
        }
        Object::Reference(r) => match done.get(r) {
            Some(digest) => bytes(hasher, b'R', digest),
            // An object that is not there, null.
            None => hasher.update(b"n"),
        },
        Object::Array(items) => {
            hasher.update(b"[");
            hasher.update((items.len() as u64).to_be_bytes());
            for item in items {
                feed(hasher, item, done);
            }
        }
        Object::Dictionary(dict) => feed_dictionary(hasher, dict, done),
        Object::Stream(stream) => {
            hasher.update(b"s");
            feed_dictionary(hasher, &stream.dict, done);
            bytes(hasher, b'd', &stream.content);
        }
    }
}

fn feed_dictionary(hasher: &mut Sha256, dict: &Dictionary, done: &HashMap<ObjectId, Digest>) {
    hasher.update(b"<");
    hasher.update((dict.len() as u64).to_be_bytes());
    for (key, value) in dict.iter() {
        hasher.update((key.len() as u64).to_be_bytes());
        hasher.update(key);
        feed(hasher, value, done);
    }
}

fn exists(xref: &XRef, r: ObjectId) -> bool {
    let Ok(number) = i32::try_from(r.0) else {
        return false;
    };
    xref.get::<hayro_syntax::object::Object>(ObjectIdentifier::new(number, i32::from(r.1)))
        .is_some()
}

fn member_only(object: &Object) -> bool {
    let dict = match object {
        Object::Dictionary(dict) => dict,
        Object::Stream(stream) => &stream.dict,
        _ => return false,
    };
    dict.get(b"Type")
        .and_then(Object::as_name)
        .is_ok_and(|name| MEMBER_ONLY.contains(&name))
}

/// Each page's dictionary, in order, with what it inherits made its own and
/// only the entries in [`BOXES`] and [`DRAWN`]; None if the page tree is not one this
/// reads (a node missing or of no known type, a loop, more nodes than the
/// pages need).
fn page_dictionaries(xref: &XRef, expected: usize) -> Option<Vec<Dictionary>> {
    let catalog = indirect(xref, id(xref.root_id())?)?;
    let root = catalog
        .as_dict()
        .ok()?
        .get(b"Pages")
        .ok()?
        .as_reference()
        .ok()?;
    let budget = expected * NODES_PER_PAGE + 1;
    let mut seen = HashSet::new();
    let mut pages = Vec::new();
    // Depth first, kids in order: (node, what its ancestors pass down).
    let mut todo = vec![(root, Dictionary::new())];
    while let Some((node, inherited)) = todo.pop() {
        if !seen.insert(node) || seen.len() > budget {
            return None;
        }
        let node = indirect(xref, node)?;
        let node = node.as_dict().ok()?;
        let mut passed = inherited;
        for key in INHERITED {
            if let Ok(value) = node.get(key) {
                passed.set(key, value.clone());
            }
        }
        match node.get(b"Type").and_then(Object::as_name).ok()? {
            b"Pages" => {
                let kids = node.get(b"Kids").and_then(Object::as_array).ok()?;
                for kid in kids.iter().rev() {
                    todo.push((kid.as_reference().ok()?, passed.clone()));
                }
            }
            b"Page" => {
                let mut page = Dictionary::new();
                for (key, value) in node.iter() {
                    if BOXES.contains(&key.as_slice()) || DRAWN.contains(&key.as_slice()) {
                        page.set(key.clone(), value.clone());
                    }
                }
                for (key, value) in passed.iter() {
                    if !page.has(key) {
                        page.set(key.clone(), value.clone());
                    }
                }
                pages.push(page);
            }
            _ => return None,
        }
    }
    Some(pages)
}

/// A rectangle (a box of a page) as [x0, y0, x1, y1] in points, its corners
/// put in order.
fn rectangle(xref: &XRef, value: Option<&Object>) -> Option<[f64; 4]> {
    let value = match value? {
        Object::Reference(r) => indirect(xref, *r)?,
        other => other.clone(),
    };
    let numbers: Vec<f64> = value
        .as_array()
        .ok()?
        .iter()
        .map(|o| o.as_float().ok().map(f64::from))
        .collect::<Option<_>>()?;
    let [x0, y0, x1, y1] = numbers[..] else {
        return None;
    };
    Some([x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)])
}

/// A page's content as one stream: its one stream's filters and data as
/// they are, or several streams decoded and joined.
fn contents(xref: &XRef, page: &Dictionary) -> Option<(Dictionary, Vec<u8>)> {
    let stream = |r: ObjectId| match indirect(xref, r)? {
        Object::Stream(stream) => Some(stream),
        _ => None,
    };
    let parts = match page.get(b"Contents") {
        Err(_) => return Some((Dictionary::new(), Vec::new())),
        Ok(Object::Reference(r)) => match indirect(xref, *r)? {
            Object::Stream(one) => {
                let mut dict = Dictionary::new();
                for key in [&b"Filter"[..], b"DecodeParms"] {
                    if let Ok(value) = one.dict.get(key) {
                        dict.set(key, value.clone());
                    }
                }
                return Some((dict, one.content));
            }
            Object::Array(parts) => parts,
            _ => return None,
        },
        Ok(Object::Array(parts)) => parts.clone(),
        Ok(_) => return None,
    };
    let mut joined = Vec::new();
    for part in parts {
        let part = stream(part.as_reference().ok()?)?;
        let data = if part.dict.has(b"Filter") {
            part.decompressed_content().ok()?
        } else {
            part.content
        };
        joined.extend_from_slice(&data);
        joined.push(b'\n');
    }
    Some((Dictionary::new(), joined))
}

/// A number as content streams write it: at most four decimals, no
/// trailing zeros.
fn number(value: f64) -> String {
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

fn dict_of(key: &str, value: impl Into<Object>) -> Dictionary {
    let mut dict = Dictionary::new();
    dict.set(key, value);
    dict
}

/// Deflated at zlib's default level, as Typst deflates what it writes.
fn deflated(data: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data)?;
    encoder.finish()
}

/// A PDF text string: as it is if ASCII, else UTF-16BE with its mark.
fn text(value: &str) -> Object {
    if value.is_ascii() {
        return Object::String(value.as_bytes().to_vec(), StringFormat::Literal);
    }
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(value.encode_utf16().flat_map(u16::to_be_bytes));
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// The XMP metadata packet: what the Info dictionary says, as PDF 2.0 and
/// preflight tools read it.
fn xmp(metadata: &Metadata, identifier: &str, pages: usize) -> String {
    use xmp_writer::{DateTime, LangId, RenditionClass, XmpWriter};
    let d = metadata.date;
    let date = DateTime {
        year: u16::try_from(chrono::Datelike::year(&d)).unwrap_or(0),
        month: Some(chrono::Datelike::month(&d) as u8),
        day: Some(chrono::Datelike::day(&d) as u8),
        hour: Some(chrono::Timelike::hour(&d) as u8),
        minute: Some(chrono::Timelike::minute(&d) as u8),
        second: Some(chrono::Timelike::second(&d) as u8),
        timezone: Some(xmp_writer::Timezone::Utc),
    };
    let mut xmp = XmpWriter::new();
    xmp.title([(None, metadata.title)]);
    xmp.creator([metadata.author]);
    xmp.language([LangId(metadata.lang)]);
    xmp.modify_date(date);
    xmp.create_date(date);
    xmp.num_pages(u32::try_from(pages).unwrap_or(u32::MAX));
    xmp.format("application/pdf");
    xmp.instance_id(identifier);
    xmp.document_id(identifier);
    xmp.rendition_class(RenditionClass::Proof);
    xmp.pdf_version("1.7");
    xmp.finish(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::exported;
    use crate::typeset::finish::record_bleed;

    fn metadata() -> Metadata<'static> {
        Metadata {
            title: "Invitations: print file · Anti-Trafficking",
            author: "National Women's Education Center",
            lang: "en",
            ident: b"key",
            date: chrono::NaiveDate::from_ymd_opt(2018, 11, 7)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap(),
        }
    }

    fn concatenated(members: &[&[u8]], blank_after_odd: bool) -> Vec<u8> {
        let mut pdf = Assembly::new();
        for member in members {
            let pages = Document::load_mem(member).unwrap().get_pages().len();
            pdf.push(member.to_vec(), pages).unwrap();
            if blank_after_odd && pages % 2 == 1 {
                pdf.blank();
            }
        }
        pdf.finish(&metadata()).unwrap()
    }

    /// Each page as a reader draws it: its boxes, its decoded content and
    /// the fonts and images it names, followed to their bytes.
    fn drawn(pdf: &[u8]) -> Vec<String> {
        let doc = Document::load_mem(pdf).unwrap();
        doc.get_pages()
            .into_values()
            .map(|id| {
                let page = doc.get_dictionary(id).unwrap();
                let mut out = String::new();
                for key in [&b"MediaBox"[..], b"CropBox", b"TrimBox", b"BleedBox"] {
                    out.push_str(&format!("{:?} ", page.get(key).ok()));
                }
                out.push_str(&format!("{:?}", doc.get_page_content(id).unwrap()));
                let resources = page.get(b"Resources").unwrap();
                out.push_str(&resolved(&doc, resources, 0));
                out
            })
            .collect()
    }

    /// An object with what it refers to written in place, as far down as
    /// resources go.
    fn resolved(doc: &Document, object: &Object, depth: usize) -> String {
        assert!(depth < 40, "resources nest too deep");
        match object {
            Object::Reference(r) => resolved(doc, doc.get_object(*r).unwrap(), depth + 1),
            Object::Array(items) => items.iter().map(|o| resolved(doc, o, depth + 1)).collect(),
            Object::Dictionary(dict) => dict
                .iter()
                .map(|(k, v)| {
                    format!(
                        "/{} {}",
                        String::from_utf8_lossy(k),
                        resolved(doc, v, depth + 1)
                    )
                })
                .collect(),
            Object::Stream(stream) => format!(
                "{} stream {:x?}",
                resolved(doc, &Object::Dictionary(stream.dict.clone()), depth + 1),
                crate::typeset::sha256(&stream.content)
            ),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn pages_are_copied_as_they_draw_in_their_members() {
        // Tagged, with a link, two faces and a second script.
        let letter = exported(
            "#set text(font: \"Noto Serif\")\nDear *Ms. Wongsuwan*, \
             #link(\"https://example.org\")[a link]\n#pagebreak()\nYours, 東京",
        );
        let card = record_bleed(exported(
            "#set page(width: 90mm, height: 55mm, bleed: 3mm, fill: gray)\n#text(font: \"Noto Sans\")[Siriporn]",
        ))
        .unwrap();
        let out = concatenated(&[&letter, &card, &letter], true);
        let pages = drawn(&out);
        let letter_pages = drawn(&letter);
        let card_pages = drawn(&card);
        assert_eq!(pages.len(), 2 + 2 + 2);
        assert_eq!(pages[0..2], letter_pages[..]);
        assert_eq!(pages[2], card_pages[0]);
        assert_eq!(pages[4..6], letter_pages[..]);
        // The card's blank back has its boxes, and draws nothing.
        let doc = Document::load_mem(&out).unwrap();
        let ids: Vec<_> = doc.get_pages().into_values().collect();
        let blank = doc.get_dictionary(ids[3]).unwrap();
        let card_page = doc.get_dictionary(ids[2]).unwrap();
        for key in [&b"MediaBox"[..], b"TrimBox", b"BleedBox"] {
            assert_eq!(blank.get(key).unwrap(), card_page.get(key).unwrap());
        }
        let content = doc.get_page_content(ids[3]).unwrap();
        assert!(content.iter().all(u8::is_ascii_whitespace), "{content:?}");
        // Links, structure and the members' own metadata stay with them.
        for id in &ids {
            let page = doc.get_dictionary(*id).unwrap();
            assert!(!page.has(b"Annots") && !page.has(b"StructParents"));
        }
        let catalog = doc.catalog().unwrap();
        assert!(!catalog.has(b"StructTreeRoot") && !catalog.has(b"MarkInfo"));
        let of_type = |o: &Object, kind: &[u8]| {
            o.as_dict()
                .and_then(|d| d.get(b"Type"))
                .and_then(Object::as_name)
                .is_ok_and(|name| name == kind)
        };
        for kind in [&b"StructElem"[..], b"StructTreeRoot", b"Annot", b"Catalog"] {
            let count = doc.objects.values().filter(|o| of_type(o, kind)).count();
            assert_eq!(
                count,
                usize::from(kind == b"Catalog"),
                "{}",
                String::from_utf8_lossy(kind)
            );
        }
    }

    /// A member written by hand: `pages_node` entries on the page tree's
    /// node, `page` entries on its one page, and `extra` objects from 10 on.
    fn handmade(pages_node: Dictionary, page: Dictionary, extra: Vec<Object>) -> Vec<u8> {
        let mut doc = Document::with_version("1.7");
        let mut tree = pages_node;
        tree.set("Type", Object::Name(b"Pages".to_vec()));
        tree.set("Kids", vec![Object::Reference((3, 0))]);
        tree.set("Count", 1);
        doc.objects.insert((2, 0), Object::Dictionary(tree));
        let mut page = page;
        page.set("Type", Object::Name(b"Page".to_vec()));
        page.set("Parent", Object::Reference((2, 0)));
        doc.objects.insert((3, 0), Object::Dictionary(page));
        for (i, object) in extra.into_iter().enumerate() {
            doc.objects.insert((10 + i as u32, 0), object);
        }
        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference((2, 0)));
        doc.objects.insert((1, 0), Object::Dictionary(catalog));
        doc.max_id = 20;
        doc.trailer.set("Root", Object::Reference((1, 0)));
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    fn dict(entries: Vec<(&str, Object)>) -> Dictionary {
        let mut dict = Dictionary::new();
        for (key, value) in entries {
            dict.set(key, value);
        }
        dict
    }

    fn a4() -> Object {
        vec![
            0.into(),
            0.into(),
            Object::Real(595.2756),
            Object::Real(841.8898),
        ]
        .into()
    }

    #[test]
    fn what_members_share_is_written_once() {
        let letter = exported("#set text(font: \"Noto Serif\")\nDear *Ms. Wongsuwan*,\n\n東京");
        let one = concatenated(&[&letter], false);
        let three = concatenated(&[&letter, &letter, &letter], false);
        let fonts = |pdf: &[u8]| {
            Document::load_mem(pdf)
                .unwrap()
                .objects
                .values()
                .filter(|o| o.as_dict().is_ok_and(|d| d.has(b"FontFile2")))
                .count()
        };
        assert!(fonts(&one) >= 2);
        assert_eq!(fonts(&three), fonts(&one));
        // The pages are each their own; all they draw with is shared.
        assert!(
            three.len() < one.len() + 2 * 1024,
            "{} against {}",
            three.len(),
            one.len()
        );
        assert_eq!(
            drawn(&three),
            [drawn(&one), drawn(&one), drawn(&one)].concat()
        );
        // Another name is other glyphs: a font subset of its own.
        let other = exported("#set text(font: \"Noto Serif\")\nDear *Mr. Nguyen*,\n\n東京");
        let two = concatenated(&[&letter, &other], false);
        assert!(fonts(&two) > fonts(&one));
        assert_eq!(drawn(&two), [drawn(&letter), drawn(&other)].concat());
    }

    #[test]
    fn objects_that_refer_to_one_another_in_a_loop_are_copied_per_member() {
        // A form that names itself among its resources.
        let names_form: Object = dict(vec![(
            "XObject",
            dict(vec![("X", Object::Reference((10, 0)))]).into(),
        )])
        .into();
        let form = Object::Stream(Stream::new(
            dict(vec![
                ("Type", Object::Name(b"XObject".to_vec())),
                ("Subtype", Object::Name(b"Form".to_vec())),
                ("BBox", a4()),
                ("Resources", names_form.clone()),
            ]),
            b"0 0 10 10 re f".to_vec(),
        ));
        let contents = Object::Stream(Stream::new(Dictionary::new(), b"/X Do".to_vec()));
        let page = dict(vec![
            ("MediaBox", a4()),
            ("Resources", names_form),
            ("Contents", Object::Reference((11, 0))),
        ]);
        let member = handmade(
            Dictionary::new(),
            page.clone(),
            vec![form.clone(), contents],
        );
        // The same again, drawn twice.
        let contents = Object::Stream(Stream::new(Dictionary::new(), b"/X Do /X Do".to_vec()));
        let other = handmade(Dictionary::new(), page, vec![form, contents]);
        let out = concatenated(&[&member, &other], false);
        let doc = Document::load_mem(&out).unwrap();
        let forms: Vec<_> = doc
            .objects
            .iter()
            .filter(|(_, o)| {
                o.as_stream().is_ok_and(|s| {
                    s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Form")
                })
            })
            .collect();
        assert_eq!(forms.len(), 2);
        for (id, form) in forms {
            let resources = form
                .as_stream()
                .unwrap()
                .dict
                .get(b"Resources")
                .unwrap()
                .as_dict()
                .unwrap();
            let x = resources
                .get(b"XObject")
                .unwrap()
                .as_dict()
                .unwrap()
                .get(b"X")
                .unwrap();
            assert_eq!(x.as_reference().unwrap(), *id, "each copy names itself");
        }
    }

    #[test]
    fn what_a_page_inherits_becomes_its_own() {
        let node = dict(vec![
            ("MediaBox", a4()),
            (
                "Resources",
                dict(vec![("Font", Dictionary::new().into())]).into(),
            ),
            ("Rotate", 90.into()),
        ]);
        let page = dict(vec![("Rotate", 0.into())]);
        let out = concatenated(&[&handmade(node, page, vec![])], false);
        let doc = Document::load_mem(&out).unwrap();
        let id = *doc.get_pages().values().next().unwrap();
        let page = doc.get_dictionary(id).unwrap();
        assert_eq!(page.get(b"MediaBox").unwrap(), &a4());
        assert!(
            page.get(b"Resources")
                .unwrap()
                .as_dict()
                .unwrap()
                .has(b"Font")
        );
        // Its own entry wins over its parent's.
        assert_eq!(page.get(b"Rotate").unwrap(), &Object::Integer(0));
    }

    #[test]
    fn a_member_that_is_not_as_typeset_is_refused() {
        let letter = exported("A\n#pagebreak()\nB");
        let mut pdf = Assembly::new();
        let error = pdf.push(letter.clone(), 3).unwrap_err();
        assert!(error.contains("2 pages where 3"), "{error}");
        assert!(pdf.push(letter[..letter.len() / 2].to_vec(), 2).is_err());
        assert!(pdf.push(b"not a PDF".to_vec(), 1).is_err());
        // A page tree that loops.
        let looped = handmade(
            dict(vec![("MediaBox", a4())]),
            dict(vec![("Kids", vec![Object::Reference((2, 0))].into())]),
            vec![],
        );
        let mut doc = Document::load_mem(&looped).unwrap();
        doc.get_dictionary_mut((3, 0))
            .unwrap()
            .set("Type", Object::Name(b"Pages".to_vec()));
        let mut looped = Vec::new();
        doc.save_to(&mut looped).unwrap();
        assert!(pdf.push(looped, 1).is_err());
    }

    #[test]
    fn a_print_file_says_what_it_is_and_is_the_same_each_time() {
        let letter = exported("#set text(lang: \"en\")\nDear Ms. Wongsuwan,");
        let out = concatenated(&[&letter, &letter], true);
        assert_eq!(out, concatenated(&[&letter, &letter], true));
        let doc = Document::load_mem(&out).unwrap();
        let info = doc
            .trailer
            .get(b"Info")
            .and_then(Object::as_reference)
            .and_then(|r| doc.get_dictionary(r))
            .unwrap();
        let title = info.get(b"Title").unwrap().as_str().unwrap();
        assert!(
            title.starts_with(&[0xFE, 0xFF]),
            "a title with a middle dot is UTF-16"
        );
        assert_eq!(
            info.get(b"Author").unwrap().as_str().unwrap(),
            b"National Women's Education Center"
        );
        assert_eq!(
            info.get(b"CreationDate").unwrap().as_str().unwrap(),
            b"D:20181107000000Z"
        );
        let catalog = doc.catalog().unwrap();
        assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"en");
        let xmp = catalog
            .get(b"Metadata")
            .and_then(Object::as_reference)
            .and_then(|r| doc.get_object(r))
            .and_then(Object::as_stream)
            .unwrap();
        let xmp = String::from_utf8(xmp.content.clone()).unwrap();
        assert!(
            xmp.contains("Invitations: print file · Anti-Trafficking"),
            "{xmp}"
        );
        assert!(xmp.contains("<xmpTPg:NPages>4</xmpTPg:NPages>"), "{xmp}");
        let ids = doc.trailer.get(b"ID").unwrap().as_array().unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(doc.get_pages().len(), 4);
    }

    #[test]
    fn a_sheet_places_each_form_on_its_trim_clipped_to_its_area_with_its_marks() {
        // A 90 x 55 mm card with 3 mm of bleed, front and back.
        let card = record_bleed(exported(
            "#set page(width: 90mm, height: 55mm, bleed: 3mm, fill: gray)\nFront\n#pagebreak()\nBack",
        ))
        .unwrap();
        let mut pdf = Assembly::new();
        let forms = pdf.forms(card.clone(), 2).unwrap();
        assert_eq!(forms.len(), 2);
        let placed = [Placed {
            form: forms[1],
            at: (10.0, 20.0),
            area: (8.0, 17.0, 102.0, 78.0),
        }];
        let marks = [((10.0, 5.0), (10.0, 12.0))];
        pdf.sheet((210.0, 297.0), &placed, &marks, 0.25).unwrap();
        let out = pdf.finish(&metadata()).unwrap();
        let doc = Document::load_mem(&out).unwrap();
        let page = *doc.get_pages().values().next().unwrap();
        let pt = |mm: f64| mm / 25.4 * 72.0;
        let floats = |items: &[Object]| -> Vec<f64> {
            items
                .iter()
                .map(|o| f64::from(o.as_float().unwrap()))
                .collect()
        };
        let numbers = |op: &lopdf::content::Operation| floats(&op.operands);
        let array =
            |dict: &Dictionary, key: &[u8]| floats(dict.get(key).unwrap().as_array().unwrap());
        let close = |a: &[f64], b: &[f64]| {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| (a - b).abs() < 0.001)
        };
        let ops = doc.get_and_decode_page_content(page).unwrap().operations;
        let find = |name: &str| {
            ops.iter()
                .filter(|o| o.operator == name)
                .collect::<Vec<_>>()
        };
        // Clipped to its area, PDF space running up from the bottom.
        let clip = numbers(find("re")[0]);
        assert!(
            close(&clip, &[pt(8.0), pt(297.0 - 78.0), pt(94.0), pt(61.0)]),
            "{clip:?}"
        );
        assert_eq!(find("W").len(), 1);
        // Its trim's top left corner (3 mm into the page, from the top) at
        // 10 mm, 20 mm.
        let cm = numbers(find("cm")[0]);
        assert!(
            close(
                &cm,
                &[1.0, 0.0, 0.0, 1.0, pt(10.0 - 3.0), pt(297.0 - 20.0 - 58.0)]
            ),
            "{cm:?}"
        );
        // The form is the card's back page as it is.
        let dict = doc.get_dictionary(page).unwrap();
        let xobjects = dict
            .get(b"Resources")
            .unwrap()
            .as_dict()
            .unwrap()
            .get(b"XObject")
            .unwrap();
        let form = xobjects
            .as_dict()
            .unwrap()
            .get(b"B0")
            .unwrap()
            .as_reference()
            .unwrap();
        let form = doc.get_object(form).unwrap().as_stream().unwrap();
        let member = Document::load_mem(&card).unwrap();
        let back = *member.get_pages().values().nth(1).unwrap();
        assert_eq!(
            form.decompressed_content().unwrap().trim_ascii(),
            member.get_page_content(back).unwrap().trim_ascii()
        );
        let bbox = array(&form.dict, b"BBox");
        assert!(close(&bbox, &[0.0, 0.0, pt(96.0), pt(61.0)]), "{bbox:?}");
        // The mark, in black ink alone, where it was asked.
        assert!(close(&numbers(find("K")[0]), &[0.0, 0.0, 0.0, 1.0]));
        assert!(close(&numbers(find("w")[0]), &[0.25]));
        assert!(close(&numbers(find("m")[0]), &[pt(10.0), pt(297.0 - 5.0)]));
        assert!(close(&numbers(find("l")[0]), &[pt(10.0), pt(297.0 - 12.0)]));
        // The sheet is printed whole: no trim of its own.
        let media = array(dict, b"MediaBox");
        assert!(close(&media, &[0.0, 0.0, pt(210.0), pt(297.0)]));
        assert!(!dict.has(b"TrimBox"));
    }
}
