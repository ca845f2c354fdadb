//! The build, stage by stage: load → validate → plan → render → typeset → package.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, NaiveDateTime};
use typst::ecow::EcoVec;
use typst::layout::{Abs, Frame};
use typst::model::DocumentInfo;
use typst_layout::PagedDocument;

use crate::cache::{Cache, Lookup, Record};
use crate::diagnostic::{Diagnostic, Failure, Severity, excerpt};
use crate::files::OutputLock;
use crate::impose;
use crate::package::{self, Content, Entry};
use crate::plan::{self, Plan};
use crate::programme::{Kind, Programme};
use crate::render::Templates;
use crate::typeset::{FontOptions, Typesetter, TypstError};
use crate::{fallbacks, job_sheet, load, preflight, validate};

/// What `build` is asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Show a progress bar while documents are typeset.
    pub progress: bool,
    pub programme: PathBuf,
    pub out: PathBuf,
    pub fonts: FontOptions,
    /// Only these kinds (all when empty).
    pub only: Vec<Kind>,
    /// Only documents for these participants, staff members or organisations
    /// (all when empty).
    pub who: Vec<String>,
    /// Reuse unchanged documents from `<out>/.cache/` (false: `--no-cache`).
    pub cache: bool,
    /// Warnings are errors (`--strict`).
    pub strict: bool,
}

/// What a successful build made.
#[derive(Debug)]
pub struct BuildReport {
    pub zip: PathBuf,
    /// What a recipient would notice, though the documents could be made.
    pub warnings: Vec<Diagnostic>,
    /// Per kind, in kind order: what was made and how long it took.
    pub summary: Vec<KindSummary>,
    pub print_files: usize,
    pub notes: Vec<String>,
    /// Files of the zip typeset in this run (the others came from the cache).
    pub typeset: Vec<String>,
    /// Files of the zip taken unchanged from the cache.
    pub reused: usize,
    /// Each document (not print file) of the zip: its path, where its packed
    /// PDF lies in the cache, and its record (see [`crate::cache::pdf_at`]).
    pub documents: Vec<(String, PathBuf, Record)>,
    /// Wall time of each stage, in order.
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// What a build made of one kind.
#[derive(Debug, Clone, PartialEq)]
pub struct KindSummary {
    pub kind: Kind,
    pub documents: usize,
    /// Pages of the documents themselves.
    pub pages: usize,
    /// Pages of the kind's print file (sheets for badges).
    pub print_pages: usize,
    /// Wall time typesetting the kind's documents.
    pub seconds: f64,
}

/// The folder a programme file lies in.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    }
}

/// Loads and validates a programme file.
pub fn check(path: &Path) -> Result<Programme, Failure> {
    let loaded = load::load(path)?;
    Ok(validate::validate(loaded, folder_of(path))?)
}

/// What `check` finds in a programme that can be built.
type Checked = (Programme, Typesetter, Plan, Templates, Vec<Diagnostic>);

/// Everything `check` can find without typesetting: the file, its references,
/// the templates every document needs, the fonts every character needs, and
/// what a recipient would send back (warnings; errors when `strict`).
/// Returns the programme and the typesetter its checks loaded, for `build`.
fn check_with_fonts(path: &Path, fonts: &FontOptions, strict: bool) -> Result<Checked, Failure> {
    let loaded = load::load(path)?;
    let strings = loaded.strings.clone();
    let positions = loaded.positions.clone();
    let folder = folder_of(path);
    // Fonts are loaded once per run; the date and timestamp are the programme's.
    let validated = validate::validate(loaded, folder);
    let (today, timestamp) = match &validated {
        Ok(p) => (p.end, timestamp(p)?),
        Err(_) => (chrono::NaiveDate::default(), NaiveDateTime::default()),
    };
    let typesetter = Typesetter::new(folder, fonts, today, timestamp)?;
    let mut diags = preflight::fonts(&strings, &positions, typesetter.book(), folder);
    let programme = match validated {
        Ok(programme) => programme,
        Err(mut problems) => {
            problems.append(&mut diags);
            problems.sort_by_key(|d| (d.line, d.column));
            return Err(Failure::Invalid(problems));
        }
    };
    let templates = Templates::new(&programme.folder);
    let plan = match plan::plan(&programme, &templates) {
        Ok(plan) if diags.is_empty() => plan,
        Ok(_) => return Err(Failure::Invalid(diags)),
        Err(mut problems) => {
            problems.append(&mut diags);
            return Err(Failure::Invalid(problems));
        }
    };
    let mut warnings = fallbacks::japanese(&programme);
    warnings.sort_by_key(|d| (d.line, d.column));
    if strict && !warnings.is_empty() {
        for warning in &mut warnings {
            warning.severity = Severity::Error;
        }
        return Err(Failure::Invalid(warnings));
    }
    Ok((programme, typesetter, plan, templates, warnings))
}

/// A typesetter for a validated programme, with the run's fixed dates: what
/// tests and benchmarks use to typeset a single document as `build` would.
pub fn typesetter(programme: &Programme, fonts: &FontOptions) -> Result<Typesetter, Failure> {
    Ok(Typesetter::new(
        &programme.folder,
        fonts,
        programme.end,
        timestamp(programme)?,
    )?)
}

/// `secretariat verify`: the certificate with verification code `code`, if any,
/// with the programme's title. Codes are made afresh from the programme file, as
/// a build makes them, so a certificate is valid exactly when the current
/// programme would issue it.
pub fn verify(path: &Path, code: &str) -> Result<Option<(String, plan::RegisterRow)>, Failure> {
    let programme = check(path)?;
    let Some(code) = crate::verify::normalise(code) else {
        return Ok(None);
    };
    let templates = Templates::new(&programme.folder);
    let plan = plan::plan(&programme, &templates).map_err(Failure::Invalid)?;
    Ok(plan
        .register
        .into_iter()
        .find(|row| row.eligible && row.code == code)
        .map(|row| (programme.title.clone(), row)))
}

/// `secretariat check`: every problem `build` would find before typesetting,
/// and the warnings (errors when `strict`).
pub fn check_all(
    path: &Path,
    fonts: &FontOptions,
    strict: bool,
) -> Result<(Programme, Vec<Diagnostic>), Failure> {
    check_with_fonts(path, fonts, strict).map(|(programme, .., warnings)| (programme, warnings))
}

/// Builds every document of the programme into `<out>/<programme.id>.zip`,
/// holding the output folder's lock (see [`OutputLock`]) from before it
/// touches the cache until the zip is written.
pub fn build(options: &BuildOptions) -> Result<BuildReport, Failure> {
    build_holding(options, None)
}

/// Takes the output folder's lock for what follows a build into it (a
/// proof), to hand to [`build_holding`].
pub fn lock(out: &Path) -> Result<OutputLock, Failure> {
    Ok(OutputLock::acquire(out, || {
        eprintln!(
            "waiting for another build into {} to finish…",
            out.display()
        )
    })?)
}

/// [`build`], with the output folder's lock already held by the caller, or
/// taken here when `None`.
pub fn build_holding(
    options: &BuildOptions,
    held: Option<&OutputLock>,
) -> Result<BuildReport, Failure> {
    let mut timings = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |stage: &'static str| {
        timings.push((stage, clock.elapsed()));
        clock = std::time::Instant::now();
    };
    let (programme, typesetter, mut plan, templates, warnings) =
        check_with_fonts(&options.programme, &options.fonts, options.strict)?;
    unknown_ids(&programme, &options.who)?;
    plan::select(&mut plan, &options.only, &options.who);
    lap("load, validate, plan");
    let fingerprint = typesetter.fingerprint();
    let keys = keys(&plan, &templates, &fingerprint)?;
    lap("render");
    let timestamp = timestamp(&programme)?;
    // Taken only once the programme is known to be valid: a programme that
    // is not creates nothing, not even the output folder.
    let _lock = match held {
        Some(_) => None,
        None => Some(lock(&options.out)?),
    };
    let (cache, cache_notes) =
        Cache::open(&options.out, options.cache, package::options(timestamp)?)?;
    let run = Run {
        typesetter: &typesetter,
        templates: &templates,
        cache: &cache,
        fingerprint: &fingerprint,
        notes: std::sync::Mutex::new(cache_notes),
        programme: &programme,
    };
    let (documents, kind_seconds) = typeset(&plan, &keys, &run, options.progress)?;
    lap("typeset");
    let mut summary: Vec<KindSummary> = Vec::new();
    for (doc, made) in plan.documents.iter().zip(&documents) {
        if summary.last().is_none_or(|s| s.kind != doc.kind) {
            summary.push(KindSummary {
                kind: doc.kind,
                documents: 0,
                pages: 0,
                print_pages: 0,
                seconds: kind_seconds
                    .iter()
                    .find(|(k, _)| *k == doc.kind)
                    .map_or(0.0, |(_, s)| *s),
            });
        }
        let entry = summary.last_mut().expect("just pushed");
        entry.documents += 1;
        entry.pages += made.record.pages.len();
    }
    let listed: Vec<(String, PathBuf, Record)> = plan
        .documents
        .iter()
        .zip(&documents)
        .zip(&keys)
        .map(|((doc, done), key)| (doc.path.clone(), cache.packed(key), done.record.clone()))
        .collect();
    plan.print = plan::volumes(&plan.print, |i| documents[i].record.pages.len());
    let (mut entries, mut made) = entries(&plan, documents, &keys, &run)?;
    for entry in entries.iter().filter(|e| e.path.starts_with("print/")) {
        if let Some(s) = summary.iter_mut().find(|s| s.kind.key() == entry.kind) {
            s.print_pages += entry.pages.len();
        }
    }
    job_sheet(&programme, &run, timestamp, &mut entries, &mut made)?;
    lap("print files");
    // A subset is named for what it holds, so it cannot be taken for the full set.
    let mut name = vec![programme.id.clone()];
    if !options.only.is_empty() {
        name.push(
            options
                .only
                .iter()
                .map(|k| k.key())
                .collect::<Vec<_>>()
                .join("+"),
        );
    }
    if !options.who.is_empty() {
        name.push(options.who.join("+"));
    }
    let zip = options.out.join(format!("{}.zip", name.join(".")));
    package::write_zip(&zip, &entries, timestamp)?;
    // After a full build the cache keeps just what this build used; a subset
    // leaves it alone, so the next full build still finds the rest.
    if options.only.is_empty() && options.who.is_empty() {
        cache.prune(&made.iter().map(|m| m.key.clone()).collect());
    }
    lap("package");

    let typeset: Vec<String> = made
        .iter()
        .filter(|m| !m.reused)
        .map(|m| m.path.clone())
        .collect();
    let mut notes = plan.notes;
    notes.extend(run.notes.into_inner().expect("notes lock"));
    Ok(BuildReport {
        zip,
        warnings,
        summary,
        print_files: plan.print.len(),
        notes,
        reused: made.len() - typeset.len(),
        typeset,
        documents: listed,
        timings,
    })
}

/// Adds the printer's job sheet, as PDF and CSV, when there are print files.
fn job_sheet(
    programme: &Programme,
    run: &Run,
    timestamp: NaiveDateTime,
    entries: &mut Vec<Entry>,
    made: &mut Vec<Made>,
) -> Result<(), Failure> {
    let jobs = job_sheet::jobs(entries, &programme.documents.badges);
    if jobs.is_empty() {
        return Ok(());
    }
    let name = "job-sheet.typ.j2";
    let path = "print/job-sheet.pdf";
    let context = job_sheet::JobSheetContext {
        programme: crate::context::programme(programme),
        date: timestamp.date().into(),
        jobs: jobs.clone(),
    };
    let value = minijinja::Value::from(minijinja::value::Serde(&context));
    let source = run
        .templates
        .render(name, &value)
        .map_err(|d| Failure::Invalid(vec![d]))?;
    let key = Cache::key(&[
        run.fingerprint.as_bytes(),
        path.as_bytes(),
        source.as_bytes(),
    ]);
    let sheet = typeset_one(run, &key, path, name, &source, None)
        .map_err(|e| Failure::Documents(vec![format!("print job sheet: {e}")]))?;
    entries.push(Entry {
        path: path.into(),
        kind: "job-sheet",
        content: Content::Packed {
            path: run.cache.packed(&key),
            len: sheet.record.packed_len,
            sha256: sheet.record.packed_sha256.clone(),
        },
        sha256: sheet.record.sha256.clone(),
        pages: sheet.record.pages.clone(),
    });
    made.push(Made {
        path: path.into(),
        key,
        reused: sheet.reused,
    });
    entries.push(Entry::data(
        "print/job-sheet.csv",
        "job-sheet",
        job_sheet::csv(&jobs)?,
    ));
    Ok(())
}

/// `--who` must name participants, staff members or organisations.
fn unknown_ids(programme: &Programme, who: &[String]) -> Result<(), Failure> {
    let known: Vec<&str> = programme
        .participants
        .iter()
        .map(|p| p.id.as_str())
        .chain(programme.staff.iter().map(|s| s.id.as_str()))
        .chain(programme.organisations.iter().map(|o| o.id.as_str()))
        .collect();
    let unknown: Vec<String> = who
        .iter()
        .filter(|id| !known.contains(&id.as_str()))
        .map(|id| {
            let near = known
                .iter()
                .min_by_key(|k| strsim::levenshtein(id, k))
                .filter(|k| strsim::levenshtein(id, k) <= 2);
            match near {
                Some(near) => format!("--who {id}: no participant, staff member or organisation has this id (did you mean {near}?)"),
                None => format!("--who {id}: no participant, staff member or organisation has this id"),
            }
        })
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(Failure::Other(anyhow::anyhow!(unknown.join("\n"))))
    }
}

/// Renders every document's template to learn its cache key; all template
/// errors are reported together, before anything is typeset. Sources are not
/// kept: a programme of ten thousand participants renders hundreds of
/// megabytes of them, and a document to be typeset renders again (cheaply) in
/// its worker.
fn keys(plan: &Plan, templates: &Templates, fingerprint: &str) -> Result<Vec<String>, Failure> {
    let rendered = parallel(plan.documents.len(), |i| {
        let doc = &plan.documents[i];
        templates
            .render(&doc.template, &doc.context)
            .map(|source| {
                // The bleed the pages are checked for is part of what the
                // entry promises, whether or not the template reads it.
                let bleed = doc
                    .bleed
                    .map(f64::to_bits)
                    .unwrap_or(u64::MAX)
                    .to_le_bytes();
                Cache::key(&[
                    fingerprint.as_bytes(),
                    doc.path.as_bytes(),
                    source.as_bytes(),
                    &bleed,
                ])
            })
            .map_err(|diag| diag.entry(doc.label.clone()))
    })?;
    let mut keys = Vec::with_capacity(rendered.len());
    let mut diags: Vec<Diagnostic> = Vec::new();
    for result in rendered {
        match result {
            Ok(key) => keys.push(key),
            Err(diag) => {
                // One broken template fails every document; say it once.
                if !diags.iter().any(|d| {
                    d.file == diag.file && d.line == diag.line && d.message == diag.message
                }) {
                    diags.push(diag);
                }
            }
        }
    }
    if diags.is_empty() {
        Ok(keys)
    } else {
        Err(Failure::Invalid(diags))
    }
}

/// What documents of one run share.
struct Run<'a> {
    typesetter: &'a Typesetter,
    templates: &'a Templates,
    cache: &'a Cache,
    /// [`Typesetter::fingerprint`], part of every key.
    fingerprint: &'a str,
    /// What the user should know about the run (damaged cache entries).
    notes: std::sync::Mutex<Vec<String>>,
    programme: &'a Programme,
}

/// A document (or print file) ready in the cache.
struct Done {
    record: Record,
    /// Taken from the cache rather than typeset.
    reused: bool,
}

/// A file of the zip that passed through the cache, for the report and for
/// pruning.
struct Made {
    path: String,
    key: String,
    reused: bool,
}

/// Every document made, and each kind's wall time.
type Typeset = (Vec<Done>, Vec<(Kind, f64)>);

/// Typesets all documents in parallel (see [`parallel`]), reusing those the
/// cache holds.
fn typeset(plan: &Plan, keys: &[String], run: &Run, progress: bool) -> Result<Typeset, Failure> {
    let bar = if progress {
        indicatif::ProgressBar::new(plan.documents.len() as u64).with_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} documents  {msg}")
                .expect("a valid progress template"),
        )
    } else {
        indicatif::ProgressBar::hidden()
    };
    let done = AtomicUsize::new(0);
    // All documents in one pass, the longest first (sheets and lists that grow
    // with the programme), so no core idles at the end of a kind waiting for
    // its last document, and no long document starts last.
    let mut order: Vec<usize> = (0..plan.documents.len()).collect();
    order.sort_by_key(|&i| match plan.documents[i].kind {
        Kind::SignIn | Kind::Participants => 0,
        _ => 1,
    });
    let timed = parallel(order.len(), |n| {
        let i = order[n];
        let doc = &plan.documents[i];
        let clock = std::time::Instant::now();
        let result = guarded(|| {
            if let Some(done) = reuse(run, &keys[i], &doc.path) {
                return Ok(done);
            }
            let source = run
                .templates
                .render(&doc.template, &doc.context)
                .map_err(|d| d.message)?;
            // Badges are imposed, and described to the print shop, with
            // the bleed of the programme's settings: their pages must have it.
            typeset_one(run, &keys[i], &doc.path, &doc.template, &source, doc.bleed)
        });
        bar.inc(1);
        // Typst memoises across compilations; evicting what has not been
        // used lately keeps memory flat however many documents a programme
        // has. Measured in pages, since a long sheet memoises as much as
        // dozens of letters.
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
    })?;
    // Back in plan order; each kind's time is its documents' time, summed
    // over the threads that typeset them.
    let mut results: Vec<Option<Result<Done, (String, String)>>> =
        (0..plan.documents.len()).map(|_| None).collect();
    let mut kind_seconds: Vec<(Kind, f64)> = Vec::new();
    for (i, seconds, result) in timed {
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
        .map(|(labels, error)| match labels.len() {
            n if n <= 3 => format!("{}: {error}", labels.join(", ")),
            n => format!(
                "{} and {} other documents: {error}",
                labels[..2].join(", "),
                n - 2
            ),
        })
        .collect();
    Err(Failure::Documents(errors))
}

/// Pages typeset between evictions of Typst's memoisation cache.
const EVICT_EVERY_PAGES: usize = 32;

/// `f(0)`, …, `f(n - 1)` on one thread per core, results in order.
///
/// Dedicated threads, not a rayon pool: Typst uses rayon inside a compilation,
/// and a rayon worker waiting there steals the next whole document and
/// compiles it on top of the first, on the same stack. Documents then pile up
/// unfinished (memory grew with every document, and stacks overflowed at a
/// few thousand). A plain thread waiting on Typst's inner work steals nothing,
/// so each worker holds one document at a time.
fn parallel<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Result<Vec<T>, Failure> {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(n.max(1));
    let next = AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<T>>> =
        (0..n).map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| -> Result<(), Failure> {
        let mut handles = Vec::new();
        for w in 0..workers {
            let handle = std::thread::Builder::new()
                .name(format!("typeset-{w}"))
                .stack_size(16 << 20)
                .spawn_scoped(scope, || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        let result = f(i);
                        *results[i].lock().expect("result lock") = Some(result);
                    }
                })
                .map_err(|e| anyhow::anyhow!("cannot start typesetting threads: {e}"))?;
            handles.push(handle);
        }
        for handle in handles {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Ok(())
    })?;
    Ok(results
        .into_iter()
        .map(|r| {
            r.into_inner()
                .expect("result lock")
                .expect("every index ran")
        })
        .collect())
}

/// Runs `f`; a panic inside Typst fails this document, not the run.
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(format!(
            "the typesetter failed unexpectedly ({what}); please report this"
        ))
    })
}

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

/// One document from the cache (see [`reuse`]), else typeset, checked for
/// missing glyphs (and, when `bleed` is given, for pages with that bleed in
/// millimetres), exported and stored.
fn typeset_one(
    run: &Run,
    key: &str,
    path: &str,
    template: &str,
    source: &str,
    bleed: Option<f64>,
) -> Result<Done, String> {
    if let Some(done) = reuse(run, key, path) {
        return Ok(done);
    }
    let (document, dependencies) = run.typesetter.compile_tracked(source);
    let document =
        document.map_err(|errors| typst_errors(run.templates, template, source, &errors))?;
    let missing = Typesetter::missing_glyphs(&document);
    if !missing.is_empty() {
        return Err(format!(
            "no font has a glyph for {}; add a font that covers {} to a fonts/ folder \
             next to the programme file",
            missing.join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        ));
    }
    if let Some(bleed) = bleed {
        let sides = |page: &typst_layout::Page| {
            let b = page.bleed;
            [b.left, b.top, b.right, b.bottom].map(|side| side.to_mm())
        };
        if let Some(found) = document
            .pages()
            .iter()
            .map(sides)
            .find(|sides| sides.iter().any(|side| (side - bleed).abs() > 0.05))
        {
            let found = found.map(|side| format!("{}", (side * 10.0).round() / 10.0));
            return Err(format!(
                "template {template} sets a bleed of {} mm, but documents.badges.bleed is \
                 {bleed} mm; set `#set page(bleed: {{{{ badge.bleed }}}}mm)` in the template \
                 and run artwork that touches the edge into it, or set `bleed: 0`",
                if found.iter().all(|side| *side == found[0]) {
                    found[0].clone()
                } else {
                    found.join("/")
                }
            ));
        }
    }
    store(run, key, path, &document, dependencies)
}

/// Exports a typeset document and puts it in the cache.
fn store(
    run: &Run,
    key: &str,
    path: &str,
    document: &PagedDocument,
    dependencies: crate::typeset::Dependencies,
) -> Result<Done, String> {
    let pdf = run.typesetter.pdf(document, path)?;
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

/// Orders the zip's files: each kind's documents, its data files, its print file.
fn entries(
    plan: &Plan,
    documents: Vec<Done>,
    keys: &[String],
    run: &Run,
) -> Result<(Vec<Entry>, Vec<Made>), Failure> {
    let mut entries = Vec::new();
    let mut made = Vec::new();
    for ((doc, done), key) in plan.documents.iter().zip(&documents).zip(keys) {
        entries.push(Entry {
            path: doc.path.clone(),
            kind: doc.kind.key(),
            content: Content::Packed {
                path: run.cache.packed(key),
                len: done.record.packed_len,
                sha256: done.record.packed_sha256.clone(),
            },
            sha256: done.record.sha256.clone(),
            pages: done.record.pages.clone(),
        });
        made.push(Made {
            path: doc.path.clone(),
            key: key.clone(),
            reused: done.reused,
        });
    }
    if !plan.register.is_empty() {
        entries.push(Entry::data(
            "certificates/register.csv",
            Kind::Certificates.key(),
            package::register(&plan.register)?,
        ));
    }
    // Print files side by side: each is one export, and there are several.
    let prints: Vec<Result<(String, Done), String>> = parallel(plan.print.len(), |p| {
        let print = &plan.print[p];
        // A print file is its members' PDFs, laid out: its key is theirs.
        let mut parts: Vec<&[u8]> = vec![
            run.fingerprint.as_bytes(),
            print.path.as_bytes(),
            if print.start_odd { b"odd" } else { b"any" },
        ];
        let layout = format!("{:?}", print.imposition);
        parts.push(layout.as_bytes());
        // Its metadata too: the title and the language it is marked with.
        let info = print_info(run.programme, print, plan);
        let title = info.title.clone().unwrap_or_default();
        let lang = match info.locale {
            typst::foundations::Smart::Custom(locale) => locale.rfc_3066(),
            typst::foundations::Smart::Auto => Default::default(),
        };
        parts.push(title.as_bytes());
        parts.push(lang.as_bytes());
        for &i in &print.members {
            parts.push(documents[i].record.sha256.as_bytes());
        }
        let key = Cache::key(&parts);
        let done = guarded(|| print_file(run, &key, print, info, &documents))
            .map_err(|e| format!("{}: {e}", print.path));
        // Typst memoises the members' parsed PDFs; one volume's are of no use
        // to the next.
        typst::comemo::evict(1);
        Ok((key, done?))
    })?;
    for (print, result) in plan.print.iter().zip(prints) {
        let (key, done) = result.map_err(|e| Failure::Documents(vec![e]))?;
        entries.push(Entry {
            path: print.path.clone(),
            kind: print.kind.key(),
            content: Content::Packed {
                path: run.cache.packed(&key),
                len: done.record.packed_len,
                sha256: done.record.packed_sha256.clone(),
            },
            sha256: done.record.sha256.clone(),
            pages: done.record.pages.clone(),
        });
        made.push(Made {
            path: print.path.clone(),
            key,
            reused: done.reused,
        });
    }
    Ok((entries, made))
}

/// A print file from the cache, or assembled from its members' PDFs: their
/// pages placed whole, one after another or imposed on sheets, so nothing is
/// typeset twice and no member's frames need be held in memory.
fn print_file(
    run: &Run,
    key: &str,
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
    let mut pdfs = Vec::with_capacity(print.members.len());
    for &i in &print.members {
        let pdf = run
            .cache
            .pdf(&documents[i].record)
            .map_err(|e| format!("cannot read a typeset document back: {e:#}"))?;
        pdfs.push((
            typst::foundations::Bytes::new(pdf),
            documents[i].record.pages.clone(),
        ));
    }
    let members = run.typesetter.pdf_pages(pdfs)?;
    let mut pages = EcoVec::new();
    if let Some(imposition) = &print.imposition {
        let fronts: Vec<_> = members.iter().filter_map(|m| m.first()).collect();
        let backs: Vec<_> = members.iter().filter_map(|m| m.get(1)).collect();
        let backs = imposition.double_sided.then_some(backs.as_slice());
        pages.extend(impose::impose(&imposition.layout, &fronts, backs));
    } else {
        for member in members {
            let odd = member.len() % 2 == 1;
            let blank = member.last().map(|last| {
                let mut blank = last.clone();
                blank.frame = Frame::hard(last.frame.size());
                blank
            });
            pages.extend(member);
            if print.start_odd && odd {
                pages.extend(blank);
            }
        }
    }
    let document = PagedDocument::new(pages, info);
    store(run, key, &print.path, &document, Default::default())
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
        std::cmp::Ordering::Equal => programme.language == crate::schema::Language::Ja,
    };
    DocumentInfo {
        title: Some(format!("{}: print file · {}", print.kind.title(), programme.title).into()),
        author: vec![programme.organisation(&programme.host).name.clone().into()],
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

/// The moment the output claims to be made: `SOURCE_DATE_EPOCH` when set (the
/// reproducible-builds convention), else midnight after the programme's end.
fn timestamp(programme: &Programme) -> Result<NaiveDateTime, Failure> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) => {
            let seconds: i64 = value.trim().parse().map_err(|_| {
                anyhow::anyhow!("SOURCE_DATE_EPOCH must be whole seconds since 1970, not `{value}`")
            })?;
            DateTime::from_timestamp(seconds, 0)
                .map(|t| t.naive_utc())
                .ok_or_else(|| {
                    anyhow::anyhow!("SOURCE_DATE_EPOCH {seconds} is out of range").into()
                })
        }
        Err(_) => Ok(programme.end.and_hms_opt(0, 0, 0).expect("midnight exists")),
    }
}
