//! The documents of a run: each from the cache when it is whole and what it
//! read is unchanged, else rendered, typeset, checked and stored, on every core.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use typst::layout::Abs;
use typst_layout::PagedDocument;

use super::workers::{cores, guarded, parallel};
use super::{Typesetter, TypstError};
use crate::context::Views;
use crate::diagnostic::{DocumentError, Failure, excerpt};
use crate::package::cache::{Cache, Lookup, Record};
use crate::plan::{PageSpec, Plan};
use crate::programme::{Kind, Programme};
use crate::render::{Rendered, Templates};

/// What documents of one run share.
pub struct Run<'a> {
    pub typesetter: &'a Typesetter,
    pub templates: &'a Templates,
    pub cache: &'a Cache,
    /// [`Typesetter::fingerprint`], part of every key.
    pub fingerprint: &'a str,
    /// What the user should know about the run (damaged cache entries).
    pub notes: Mutex<Vec<String>>,
    pub programme: &'a Programme,
    /// Builds each document's template context.
    pub views: &'a Views<'a>,
}

/// A document (or print file) ready in the cache.
pub struct Done {
    pub record: Record,
    /// Taken from the cache rather than typeset.
    pub reused: bool,
}

/// Every document made, and each kind's wall time.
pub type Typeset = (Vec<Done>, Vec<(Kind, f64)>);

/// Typesets all documents in parallel (see [`parallel`]), reusing those the
/// cache holds.
pub fn documents(
    plan: &Plan,
    rendered: &Rendered,
    run: &Run,
    progress: bool,
) -> Result<Typeset, Failure> {
    let bar = if progress {
        indicatif::ProgressBar::new(plan.documents.len() as u64).with_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} documents  {msg}")
                .expect("a valid progress template"),
        )
    } else {
        indicatif::ProgressBar::hidden()
    };
    let keys = &rendered.keys;
    let done = AtomicUsize::new(0);
    let units = units(plan);
    let timed = parallel(units.len(), |u| {
        units[u]
            .iter()
            .map(|&i| {
                let doc = &plan.documents[i];
                let clock = std::time::Instant::now();
                let result = guarded(|| {
                    // Taken first, so a document reused from the cache frees
                    // its kept source too.
                    let kept = rendered.take(i);
                    if let Some(done) = reuse(run, &keys[i], &doc.path) {
                        return Ok(done);
                    }
                    let source = match kept {
                        Some(source) => source,
                        None => run
                            .templates
                            .render(&doc.template, &run.views.value(&doc.context))
                            .map_err(|d| d.message)?,
                    };
                    // The source again, knowing the page count of the first layout.
                    let longer = |pages: usize| {
                        let context = run.views.value(&doc.context);
                        let context = minijinja::context! { pages => pages, ..context };
                        run.templates
                            .render(&doc.template, &context)
                            .map_err(|d| d.message)
                    };
                    typeset_one(
                        run,
                        &keys[i],
                        &doc.path,
                        &doc.template,
                        &source,
                        Expect {
                            pages: doc.pages,
                            tagged: doc.kind.tagged(),
                        },
                        Some(&longer),
                    )
                });
                bar.inc(1);
                // Typst memoises across compilations; evicting what has not
                // been used lately keeps memory flat however many documents a
                // programme has. Measured in pages, since a long sheet
                // memoises as much as dozens of letters.
                let pages = match &result {
                    Ok(d) if !d.reused => d.record.pages.len(),
                    _ => 0,
                };
                let before = done.fetch_add(pages, Ordering::Relaxed);
                if before / EVICT_EVERY_PAGES != (before + pages) / EVICT_EVERY_PAGES {
                    typst::comemo::evict(2);
                }
                let seconds = clock.elapsed().as_secs_f64();
                (i, seconds, result.map_err(|e| (doc.label.clone(), e)))
            })
            .collect::<Vec<_>>()
    })?;
    // Back in plan order; each kind's time is its documents' time, summed
    // over the threads that typeset them.
    let mut results: Vec<Option<Result<Done, (String, String)>>> =
        (0..plan.documents.len()).map(|_| None).collect();
    let mut kind_seconds: Vec<(Kind, f64)> = Vec::new();
    for (i, seconds, result) in timed.into_iter().flatten() {
        let kind = plan.documents[i].kind;
        match kind_seconds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, total)) => *total += seconds,
            None => kind_seconds.push((kind, seconds)),
        }
        results[i] = Some(result);
    }
    let results = results.into_iter().map(|r| r.expect("every document ran"));
    typst::comemo::evict(0);
    bar.finish_and_clear();
    let mut documents = Vec::with_capacity(results.len());
    // A broken template fails every document made from it the same way: report
    // each distinct error once, with the documents it affects.
    let mut errors: Vec<(Vec<String>, String)> = Vec::new();
    for result in results {
        match result {
            Ok(d) => documents.push(d),
            Err((label, error)) => match errors.iter_mut().find(|(_, e)| *e == error) {
                Some((labels, _)) => labels.push(label),
                None => errors.push((vec![label], error)),
            },
        }
    }
    if errors.is_empty() {
        return Ok((documents, kind_seconds));
    }
    let errors = errors
        .into_iter()
        .map(|(documents, error)| DocumentError { documents, error })
        .collect();
    Err(Failure::Documents(errors))
}

/// The documents in the order they are typeset, in units that one worker
/// takes in turn: all documents in one pass, the longest first (sheets and
/// lists that grow with the programme), so no core idles at the end of a kind
/// waiting for its last document, and no long document starts last. A desk's
/// sign-in sheets are one unit, day after day: their tables are the same, so
/// the first day's layout is still in Typst's memo cache for the next, and no
/// two workers lay out the same table at once.
fn units(plan: &Plan) -> Vec<Vec<usize>> {
    let mut desks: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut lists = Vec::new();
    let mut rest = Vec::new();
    for (i, doc) in plan.documents.iter().enumerate() {
        match doc.context.desk() {
            Some(desk) => match desks.iter_mut().find(|(d, _)| *d == desk) {
                Some((_, days)) => days.push(i),
                None => desks.push((desk, vec![i])),
            },
            None if doc.kind == Kind::Participants => lists.push(vec![i]),
            None => rest.push(vec![i]),
        }
    }
    // With fewer desks than cores (the usual single desk), a desk's days are
    // split in runs, one per idle core: each run lays the table out once, and
    // no core waits while one lays out all twelve days.
    let runs = cores().div_ceil(desks.len().max(1));
    desks
        .into_iter()
        .flat_map(|(_, days)| {
            let length = days.len().div_ceil(runs).max(1);
            days.chunks(length)
                .map(<[usize]>::to_vec)
                .collect::<Vec<_>>()
        })
        .chain(lists)
        .chain(rest)
        .collect()
}

/// Pages typeset between evictions of Typst's memoisation cache. Every 32
/// pages, evicting cost a tenth of the 1,000-participant build (the scan
/// itself, and what the next documents typeset again); every 64, the build
/// is 7 to 11% faster and peaks at 0.55 GB instead of 0.50 (at 10,000
/// participants 0.85 GB instead of 0.69); every 256, no faster than 64 and
/// over 1 GB.
const EVICT_EVERY_PAGES: usize = 64;

/// A document from the cache, when its entry is whole and everything it read
/// is unchanged. A damaged entry is noted; the document is typeset again.
fn reuse(run: &Run, key: &str, path: &str) -> Option<Done> {
    match run.cache.get(key) {
        Lookup::Hit(record) => run
            .typesetter
            .unchanged(&record.dependencies)
            .then_some(Done {
                record,
                reused: true,
            }),
        Lookup::Miss => None,
        Lookup::Damaged => {
            run.notes.lock().expect("notes lock").push(format!(
                "the cache entry for {path} was damaged; typeset again"
            ));
            None
        }
    }
}

/// What a document's PDF must be, besides what its source says.
#[derive(Debug, Clone, Copy)]
pub struct Expect {
    /// The pages a document to be imposed must have (badges).
    pub pages: Option<PageSpec>,
    /// Whether its PDF is tagged, for screen readers (see [`Kind::tagged`]).
    pub tagged: bool,
}

/// The source of a document rendered again with `pages`, the page count of
/// its first layout, in its context.
pub type Longer<'a> = &'a dyn Fn(usize) -> Result<String, String>;

/// One document from the cache (see [`reuse`]), else typeset, checked for
/// missing glyphs (and, when `expect.pages` is given, for pages as it says)
/// and for text printed over text or off the page, exported and stored.
///
/// A document whose first layout runs to more than one page is laid out once
/// more from `longer`'s source, when that differs: a template adds what only a
/// longer document needs (a letter's running header with its page number)
/// from `pages`, instead of asking Typst where each page is, which costs a
/// second layout of every document, most of which have one page.
pub fn typeset_one(
    run: &Run,
    key: &str,
    path: &str,
    template: &str,
    source: &str,
    expect: Expect,
    longer: Option<Longer>,
) -> Result<Done, String> {
    if let Some(done) = reuse(run, key, path) {
        return Ok(done);
    }
    let (document, mut dependencies) = run.typesetter.compile_tracked(source);
    let mut document =
        document.map_err(|errors| typst_errors(run.templates, template, source, &errors))?;
    if let Some(longer) = longer
        && document.pages().len() > 1
    {
        let again = longer(document.pages().len())?;
        if again != source {
            let (second, read) = run.typesetter.compile_tracked(&again);
            document =
                second.map_err(|errors| typst_errors(run.templates, template, &again, &errors))?;
            dependencies = read;
        }
    }
    let missing = Typesetter::missing_glyphs(&document);
    if !missing.is_empty() {
        return Err(format!(
            "no font has a glyph for {}; add a font that covers {} to a fonts/ folder \
             next to the programme file",
            missing.join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        ));
    }
    if let Some(spec) = expect.pages {
        check_pages(&document, spec, template)?;
    }
    check_print(run, &document, template)?;
    store(run, key, path, &document, dependencies, expect.tagged)
}

/// Checks that no text of a document is printed over other text or off its
/// page (see [`super::misprinted`]), and says what to change when some is.
fn check_print(run: &Run, document: &PagedDocument, template: &str) -> Result<(), String> {
    let Some(misprint) = super::misprinted(document) else {
        return Ok(());
    };
    // The built-in templates let what may be long break across pages, so
    // with them the cause is text longer than its place holds.
    let own: Vec<String> = if run.templates.overridden(template) {
        vec![template.to_string()]
    } else {
        crate::render::builtin_names()
            .filter(|name| name.starts_with("partials/") && run.templates.overridden(name))
            .map(str::to_string)
            .collect()
    };
    let fix = if own.is_empty() {
        "shorten that text in the programme file".to_string()
    } else {
        let own: Vec<String> = own
            .iter()
            .map(|name| run.templates.origin(name).display().to_string())
            .collect();
        format!(
            "in {}, let a block too long for one page break across pages (one that may \
             not break runs past the foot of the page), and keep placed text clear of \
             other text",
            own.join(" or ")
        )
    };
    Err(format!(
        "{misprint}, so the document would print wrong; {fix}"
    ))
}

/// Checks that a document to be imposed has the pages its sheets, crop marks
/// and job sheet are laid out for: their number, trim size and bleed. A badge
/// template of the programme's own that sets another size or bleed would
/// otherwise be cut through or leave a white edge.
fn check_pages(document: &PagedDocument, spec: PageSpec, template: &str) -> Result<(), String> {
    let pages = document.pages();
    let (w, h) = spec.size;
    if pages.len() != spec.count {
        return Err(format!(
            "template {template} makes {} page{}, but badges have {} ({}); a badge is one \
             page, and a second one is its back only when `double_sided: true`",
            pages.len(),
            if pages.len() == 1 { "" } else { "s" },
            spec.count,
            if spec.count == 1 {
                "a front"
            } else {
                "a front and a back"
            },
        ));
    }
    let round = |mm: f64| (mm * 10.0).round() / 10.0;
    for page in pages {
        let size = page.frame.size();
        let (pw, ph) = (size.x.to_mm(), size.y.to_mm());
        if (pw - w).abs() > 0.05 || (ph - h).abs() > 0.05 {
            return Err(format!(
                "template {template} sets pages of {} x {} mm, but documents.badges.size is \
                 {w} x {h} mm: set `#set page(width: {{{{ badge.width }}}}mm, height: \
                 {{{{ badge.height }}}}mm)` in the template, or change `size`",
                round(pw),
                round(ph),
            ));
        }
        let b = page.bleed;
        let sides = [b.left, b.top, b.right, b.bottom].map(|side| round(side.to_mm()));
        if sides.iter().any(|side| (side - spec.bleed).abs() > 0.05) {
            return Err(format!(
                "template {template} sets a bleed of {} mm, but documents.badges.bleed is \
                 {} mm; set `#set page(bleed: {{{{ badge.bleed }}}}mm)` in the template \
                 and run artwork that touches the edge into it, or set `bleed: 0`",
                if sides.iter().all(|side| *side == sides[0]) {
                    sides[0].to_string()
                } else {
                    sides.map(|side| side.to_string()).join("/")
                },
                spec.bleed,
            ));
        }
    }
    Ok(())
}

/// Exports a typeset document, tagged or not, and puts it in the cache.
pub(super) fn store(
    run: &Run,
    key: &str,
    path: &str,
    document: &PagedDocument,
    dependencies: crate::typeset::Dependencies,
    tagged: bool,
) -> Result<Done, String> {
    let pdf = run.typesetter.pdf(document, path, tagged)?;
    let record = run
        .cache
        .put(key, &pdf, page_sizes(document), dependencies)
        .map_err(|e| format!("cannot write the document cache: {e:#}"))?;
    Ok(Done {
        record,
        reused: false,
    })
}

/// Typst's errors, located in the generated source and tied to the template.
fn typst_errors(
    templates: &Templates,
    template: &str,
    source: &str,
    errors: &[TypstError],
) -> String {
    errors
        .iter()
        .map(|e| {
            // A built-in template refuses what it cannot print with `panic`,
            // its message in plain words with the fix: that is all to say.
            let refusal = e.message.strip_prefix("panicked with: ");
            if let Some(refusal) = refusal
                && !templates.overridden(template)
            {
                return refusal.to_string();
            }
            let mut text = format!("Typst error from template {template}: {}", e.message);
            if let Some(range) = &e.range {
                let line = source[..range.start].matches('\n').count();
                if let Some(quoted) = source.lines().nth(line) {
                    if let Some((number, original)) = templates.nearest_line(template, quoted) {
                        text.push_str(&format!(
                            "\n      nearest template line: {}:{number}: {}",
                            templates.origin(template).display(),
                            excerpt(&original)
                        ));
                    }
                    text.push_str(&format!(
                        "\n      generated line {}: {}",
                        line + 1,
                        excerpt(quoted.trim())
                    ));
                }
            }
            // Typst's hints about its own command line do not apply here.
            for hint in e.hints.iter().filter(|h| !h.contains("--root")) {
                text.push_str(&format!("\n      hint: {hint}"));
            }
            text
        })
        .collect::<Vec<_>>()
        .join("\n  ")
}

fn page_sizes(document: &PagedDocument) -> Vec<(f64, f64)> {
    document
        .pages()
        .iter()
        .map(|p| {
            let size = p.frame.size();
            (mm(size.x), mm(size.y))
        })
        .collect()
}

fn mm(length: Abs) -> f64 {
    (length.to_mm() * 10.0).round() / 10.0
}
