//! The build, stage by stage: load → validate → plan → render → typeset → package.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime};

use crate::context::Views;
use crate::diagnostic::{Diagnostic, Failure, Severity};
use crate::files::OutputLock;
use crate::package::cache::Cache;
use crate::package::{self, Cached, Entry, job_sheet};
use crate::plan::{self, Plan};
use crate::programme::{Kind, Programme};
use crate::render::{self, Templates};
use crate::typeset::{self, Done, FontOptions, Run, Typesetter};
use crate::{contradictions, fallbacks, load, preflight, validate};

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
    /// Each document (not print file) of the zip, in plan order, with where
    /// its packed PDF lies in the cache.
    pub documents: Vec<Entry>,
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
        Ok(p) => (p.info.end, timestamp(p)?),
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
    warnings.extend(contradictions::dates(&programme));
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
        programme.info.end,
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
        .map(|row| (programme.info.title.clone(), row)))
}

/// `secretariat check`: every problem `build` would find before typesetting,
/// and the warnings (errors when `strict`).
pub fn check_all(
    path: &Path,
    fonts: &FontOptions,
    strict: bool,
) -> Result<(Programme, Vec<Diagnostic>), Failure> {
    let (programme, _, plan, templates, warnings) = check_with_fonts(path, fonts, strict)?;
    // Every document's template, rendered with its context as `build` will:
    // a misspelt field in a template of the programme's own is found here.
    let views = Views::new(&programme);
    if let Err(Failure::Invalid(mut problems)) = render::keys(&plan, &templates, &views, "", 0) {
        problems.extend(warnings);
        return Err(Failure::Invalid(problems));
    }
    Ok((programme, warnings))
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
    let views = Views::new(&programme);
    let rendered = render::keys(
        &plan,
        &templates,
        &views,
        &fingerprint,
        render::KEPT_SOURCES_BYTES,
    )?;
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
        views: &views,
    };
    let (documents, kind_seconds) = typeset::documents(&plan, &rendered, &run, options.progress)?;
    lap("typeset");
    let mut summary = summary(&plan, &documents, &kind_seconds);
    plan.print = plan::volumes(&plan.print, |i| documents[i].record.pages.len());
    let mut entries = package::documents(&plan, &documents, &rendered.keys)?;
    let listed: Vec<Entry> = entries
        .iter()
        .filter(|e| e.cached.is_some())
        .cloned()
        .collect();
    let prints = typeset::print_files(&plan, &documents, &run)?;
    for entry in &prints {
        if let Some(s) = summary.iter_mut().find(|s| s.kind.key() == entry.kind) {
            s.print_pages += entry.pages.len();
        }
    }
    entries.extend(prints);
    job_sheet::add(&programme, &run, timestamp, &mut entries)?;
    lap("print files");
    let zip = options.out.join(zip_name(&programme, options));
    package::write_zip(&zip, &entries, timestamp)?;
    // After a full build the cache keeps just what this build used; a subset
    // leaves it alone, so the next full build still finds the rest.
    let cached: Vec<&Cached> = entries.iter().filter_map(|e| e.cached.as_ref()).collect();
    if options.only.is_empty() && options.who.is_empty() {
        cache.prune(&cached.iter().map(|c| c.key.clone()).collect());
    }
    lap("package");

    let typeset: Vec<String> = entries
        .iter()
        .filter(|e| e.cached.as_ref().is_some_and(|c| !c.reused))
        .map(|e| e.path.clone())
        .collect();
    let mut notes: Vec<String> = plan.notes.into_iter().map(|note| note.text).collect();
    notes.extend(run.notes.into_inner().expect("notes lock"));
    Ok(BuildReport {
        zip,
        warnings,
        summary,
        print_files: plan.print.len(),
        notes,
        reused: cached.len() - typeset.len(),
        typeset,
        documents: listed,
        timings,
    })
}

/// Per kind: documents, pages and typesetting time; print sheets are added
/// once the print files are made.
fn summary(plan: &Plan, documents: &[Done], kind_seconds: &[(Kind, f64)]) -> Vec<KindSummary> {
    let mut summary: Vec<KindSummary> = Vec::new();
    for (doc, made) in plan.documents.iter().zip(documents) {
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
    summary
}

/// `<programme id>.zip`; a subset is named for what it holds, so it cannot be
/// taken for the full set (`<id>.certificates.TH-01.zip`).
fn zip_name(programme: &Programme, options: &BuildOptions) -> String {
    let mut name = vec![programme.info.id.clone()];
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
    format!("{}.zip", name.join("."))
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
        Err(_) => Ok(programme
            .info
            .end
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")),
    }
}
