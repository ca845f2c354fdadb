//! Print files: each kind's documents in one PDF for the print shop, their
//! pages placed whole or imposed on sheets (badges), never typeset again.

use typst::foundations::Smart;
use typst::model::DocumentInfo;

use super::assemble::{Assembly, Metadata, Placed};
use super::impose;
use super::run::{Done, Run};
use super::workers::{guarded, parallel};
use crate::diagnostic::{DocumentError, Failure};
use crate::package::Entry;
use crate::package::cache::{Cache, Lookup};
use crate::plan::{self, Plan};
use crate::programme::Programme;

/// Every print file of the plan, from the cache or assembled from its members
/// (`documents`, in plan order), as entries of the zip.
pub fn print_files(plan: &Plan, documents: &[Done], run: &Run) -> Result<Vec<Entry>, Failure> {
    let mut entries = Vec::new();
    // Print files side by side: each is one export, and there are several.
    let prints: Vec<Result<(String, Done), DocumentError>> = parallel(plan.print.len(), |p| {
        let print = &plan.print[p];
        // A print file is its members' PDFs, laid out: its key is theirs.
        let mut parts: Vec<&[u8]> = vec![
            run.fingerprint.as_bytes(),
            print.path.as_bytes(),
            if print.start_odd { b"odd" } else { b"any" },
        ];
        let layout = print
            .imposition
            .as_ref()
            .map(|imposition| imposition.key())
            .unwrap_or_default();
        parts.push(&layout);
        // Its metadata too: the title and the language it is marked with.
        let info = print_info(run.programme, print, plan);
        let title = info.title.clone().unwrap_or_default();
        let lang = lang(&info);
        parts.push(title.as_bytes());
        parts.push(lang.as_bytes());
        for &i in &print.members {
            parts.push(documents[i].record.sha256.as_bytes());
        }
        let key = Cache::key(&parts);
        // What the print file is, whichever build of the tool makes it.
        let identity = Cache::key(&parts[1..]);
        let done = guarded(|| print_file(run, plan, &key, &identity, print, info, documents))
            .map_err(|e| DocumentError::one(print.path.as_str(), e));
        Ok((key, done?))
    })?;
    for (print, result) in plan.print.iter().zip(prints) {
        let (key, done) = result.map_err(|e| Failure::Documents(vec![e]))?;
        entries.push(Entry::pdf(&print.path, print.kind.key(), key, &done));
    }
    Ok(entries)
}

/// A print file from the cache, or assembled from its members' PDFs: their
/// pages placed whole, one after another or imposed on sheets, so nothing is
/// typeset twice and no member's frames need be held in memory.
fn print_file(
    run: &Run,
    plan: &Plan,
    key: &str,
    identity: &str,
    print: &plan::PrintFile,
    info: DocumentInfo,
    documents: &[Done],
) -> Result<Done, String> {
    match run.cache.get(key) {
        Lookup::Hit(record) => {
            return Ok(Done {
                record,
                reused: true,
            });
        }
        Lookup::Miss => {}
        Lookup::Damaged => run.notes.lock().expect("notes lock").push(format!(
            "the cache entry for {} was damaged; assembled again",
            print.path
        )),
    }
    assembled(run, plan, key, identity, print, &info, documents)
}

/// A print file assembled from its members' PDFs (see
/// [`super::assemble`]): their pages one after another, or imposed on
/// sheets. Each member is read back from the cache in turn, so only the print
/// file is held in memory.
fn assembled(
    run: &Run,
    plan: &Plan,
    key: &str,
    identity: &str,
    print: &plan::PrintFile,
    info: &DocumentInfo,
    documents: &[Done],
) -> Result<Done, String> {
    let mut pdf = Assembly::new();
    let mut sizes = Vec::new();
    let mut forms = Vec::new();
    for &i in &print.members {
        let record = &documents[i].record;
        let member = run
            .cache
            .pdf(record)
            .map_err(|e| format!("cannot read a typeset document back: {e:#}"))?;
        let named = |e: String| format!("{e}: {}", plan.documents[i].path);
        if print.imposition.is_some() {
            forms.push(pdf.forms(member, record.pages.len()).map_err(named)?);
            continue;
        }
        pdf.push(member, record.pages.len()).map_err(named)?;
        sizes.extend_from_slice(&record.pages);
        if print.start_odd && record.pages.len() % 2 == 1 {
            pdf.blank();
            sizes.extend(record.pages.last().copied());
        }
    }
    if let Some(imposition) = &print.imposition {
        let layout = &imposition.layout;
        let pages: Vec<usize> = forms.iter().map(Vec::len).collect();
        for sheet in impose::sheets(layout, &pages, imposition.double_sided) {
            let placed: Vec<Placed> = sheet
                .iter()
                .map(|slot| Placed {
                    form: forms[slot.member][slot.page],
                    at: slot.at,
                    area: slot.area,
                })
                .collect();
            pdf.sheet(
                layout.sheet,
                &placed,
                &layout.marks(),
                impose::MARK_THICKNESS_PT,
            )
            .map_err(|e| format!("cannot write the print file: {e}"))?;
            sizes.push(layout.sheet);
        }
    }
    let lang = lang(info);
    let metadata = Metadata {
        title: info.title.as_deref().unwrap_or_default(),
        author: info.author.first().map(|a| a.as_str()).unwrap_or_default(),
        lang: &lang,
        ident: identity.as_bytes(),
        date: run.typesetter.timestamp,
    };
    let pdf = pdf
        .finish(&metadata)
        .map_err(|e| format!("cannot write the print file: {e}"))?;
    let record = run
        .cache
        .put_stored(key, &pdf, sizes)
        .map_err(|e| format!("cannot write the document cache: {e:#}"))?;
    Ok(Done {
        record,
        reused: false,
    })
}

/// The language a print file is marked with, as a BCP 47 tag.
fn lang(info: &DocumentInfo) -> String {
    match info.locale {
        Smart::Custom(locale) => locale.rfc_3066().to_string(),
        Smart::Auto => String::new(),
    }
}

/// A print file's metadata: a title and author a print shop's software shows,
/// and the language most of its members are written in (a PDF reader, a
/// screen reader and a preflight check all read it).
fn print_info(programme: &Programme, print: &plan::PrintFile, plan: &Plan) -> DocumentInfo {
    let count = |code: &str| {
        let marker = format!(".{code}.");
        print
            .members
            .iter()
            .filter(|&&i| plan.documents[i].template.contains(&marker))
            .count()
    };
    let (ja, en) = (count("ja"), count("en"));
    let japanese = match ja.cmp(&en) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => programme.info.language == crate::schema::Language::Ja,
    };
    DocumentInfo {
        title: Some(
            format!(
                "{}: print file · {}",
                print.kind.title(),
                programme.info.title
            )
            .into(),
        ),
        author: vec![
            programme
                .organisation(&programme.info.host)
                .name
                .clone()
                .into(),
        ],
        locale: typst::foundations::Smart::Custom(typst::text::Locale {
            lang: if japanese {
                typst::text::Lang::JAPANESE
            } else {
                typst::text::Lang::ENGLISH
            },
            region: None,
        }),
        ..DocumentInfo::default()
    }
}
