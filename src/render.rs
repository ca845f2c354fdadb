//! Rendering templates: MiniJinja templates that emit Typst markup.
//!
//! Every value a template prints is escaped for Typst markup, so no data can
//! become Typst code; `typst_str` renders a value as a Typst string literal for
//! the places where markup would be wrong (`#image(...)`, `#link(...)`).

use std::path::{Path, PathBuf};

use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Value, ValueKind};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};

use crate::context::Views;
use crate::diagnostic::{Diagnostic, Failure, excerpt};
use crate::files::{Refused, Root};
use crate::limits::MAX_TEMPLATE_BYTES;
use crate::package::cache::Cache;
use crate::plan::Plan;
use crate::typeset::parallel;

mod undefined;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

pub use embedded::FONTS as BUILTIN_FONTS;

/// The template set of one run: a programme's `templates/` folder over the
/// built-in templates, file by file.
pub struct Templates {
    env: Environment<'static>,
    overrides: PathBuf,
    /// The programme folder, through which overrides are read (`None` when
    /// it cannot be opened: then only built-in templates exist).
    root: Option<Root>,
}

/// The names of the built-in templates, in order.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    embedded::TEMPLATES.iter().map(|(name, _)| *name)
}

/// Copies the built-in templates into `dir` (its `partials/` too) for editing,
/// never overwriting a file or writing through a link out of `dir`; returns
/// the files written and those left alone.
pub fn export(dir: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let (mut written, mut kept) = (Vec::new(), Vec::new());
    for (name, source) in embedded::TEMPLATES {
        let path = dir.join(name);
        if crate::files::create_new_inside(dir, name, source.as_bytes())? {
            written.push(path);
        } else {
            kept.push(path);
        }
    }
    Ok((written, kept))
}

/// The text of the programme's own template `name` (under `templates/`), if
/// it has one; read through the programme folder's one door, so a template
/// (or a folder of them) linked from outside the folder, a FIFO, or a huge
/// file is refused, naming the path and never its contents.
fn read_override(root: Option<&Root>, name: &str) -> Result<Option<String>, String> {
    if name.contains("..") || name.starts_with('/') || name.contains('\\') {
        return Err(format!(
            "template `{}` must be named by a path inside templates/, without `..`",
            excerpt(name)
        ));
    }
    let Some(root) = root else { return Ok(None) };
    let written = format!("templates/{name}");
    match root.read(&written, MAX_TEMPLATE_BYTES) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("`{written}` is not UTF-8 text; save it as UTF-8")),
        Err(Refused::NotFound) => Ok(None),
        Err(refused) => Err(refused.describe(&written)),
    }
}

/// The built-in template of this name, if there is one.
pub fn builtin(name: &str) -> Option<&'static str> {
    embedded::TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, source)| *source)
}

impl Templates {
    /// Templates for the programme in `folder`; its `templates/` folder wins.
    pub fn new(folder: &Path) -> Self {
        let overrides = folder.join("templates");
        let root = Root::new(folder).ok();
        let mut env = Environment::new();
        let loader_root = root.clone();
        env.set_loader(
            move |name| match read_override(loader_root.as_ref(), name) {
                Ok(Some(source)) => Ok(Some(source)),
                Ok(None) => Ok(builtin(name).map(str::to_string)),
                Err(message) => Err(Error::new(ErrorKind::InvalidOperation, message)),
            },
        );
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".typ.j2") || name.ends_with(".typ") {
                AutoEscape::Custom("typst".into())
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(|out, state, value| {
            if value.is_none() {
                return Ok(());
            }
            let escape = matches!(state.auto_escape(), AutoEscape::Custom(name) if name == "typst");
            // Numbers print as they are, so they also work in code (`{{ w }}mm`);
            // their digits cannot form Typst syntax.
            let number = value.kind() == ValueKind::Number;
            if value.is_safe() || !escape || number {
                write!(out, "{value}").map_err(Error::from)
            } else {
                let mut text = String::new();
                escape_markup(&value.to_string(), &mut text);
                out.write_str(&text).map_err(Error::from)
            }
        });
        env.add_filter("typst_str", |value: Value| -> Value {
            Value::from_safe_string(typst_str(&value.to_string()))
        });
        env.set_syntax(
            SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()
                .expect("a valid syntax configuration"),
        );
        Self {
            env,
            overrides,
            root,
        }
    }

    /// Whether the programme has its own template of this name.
    pub fn overridden(&self, name: &str) -> bool {
        matches!(read_override(self.root.as_ref(), name), Ok(Some(_)))
    }

    /// Whether a template of this name exists, in the programme or built in.
    /// One the programme has but that cannot be read (it leads outside the
    /// folder, say) exists: rendering it reports why it cannot be read.
    pub fn exists(&self, name: &str) -> bool {
        match read_override(self.root.as_ref(), name) {
            Ok(Some(_)) | Err(_) => true,
            Ok(None) => builtin(name).is_some(),
        }
    }

    /// Where a template comes from, for messages.
    pub fn origin(&self, name: &str) -> PathBuf {
        if self.overridden(name) {
            self.overrides.join(name)
        } else {
            Path::new("templates").join(format!("{name} (built-in)"))
        }
    }

    /// Renders `name` with `context` into Typst source.
    pub fn render(&self, name: &str, context: &Value) -> Result<String, Diagnostic> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| self.diagnostic(name, &e, None))?;
        template
            .render(context)
            .map_err(|e| self.diagnostic(name, &e, Some(context)))
    }

    fn diagnostic(&self, name: &str, err: &Error, context: Option<&Value>) -> Diagnostic {
        let name = err.name().unwrap_or(name);
        let file = self.origin(name);
        let mut message = err.kind().to_string();
        if let Some(detail) = err.detail() {
            message = format!("{message}: {detail}");
        }
        let line = err.line().unwrap_or(0);
        let source = self.source(name);
        let quoted = source
            .as_deref()
            .and_then(|s| s.lines().nth(line.checked_sub(1)?).map(str::to_owned));
        // An undefined value is most often a misspelt field: say which, what
        // its parent has, and the nearest.
        let unknown = match (err.kind(), context, &source, &quoted) {
            (ErrorKind::UndefinedError, Some(context), Some(source), Some(quoted)) => {
                undefined::field(quoted, source, context)
            }
            _ => None,
        };
        if let Some(unknown) = &unknown {
            message = unknown.message();
        }
        let mut diag = Diagnostic::new(&file, (line, 0), message);
        if !self.overridden(name) {
            diag.source = builtin(name).map(std::sync::Arc::from);
        }
        match (unknown, quoted) {
            (Some(unknown), _) => diag.hint(unknown.hint()),
            (None, Some(quoted)) => diag.hint(format!("line {line}: {}", excerpt(quoted.trim()))),
            (None, None) => diag,
        }
    }

    /// The template line that most likely produced `generated`, a line of Typst
    /// the template rendered: the line whose literal text (outside its tags) is
    /// found in order in it, preferring the most literal text.
    pub fn nearest_line(&self, name: &str, generated: &str) -> Option<(usize, String)> {
        let source = self.source(name)?;
        let mut best: Option<(usize, usize, String)> = None;
        for (i, line) in source.lines().enumerate() {
            let fragments = literal_fragments(line);
            let weight: usize = fragments.iter().map(|f| f.len()).sum();
            if weight < 3 {
                continue;
            }
            let mut at = 0;
            let found = fragments
                .iter()
                .all(|f| match generated[at..].find(f.as_str()) {
                    Some(pos) => {
                        at += pos + f.len();
                        true
                    }
                    None => false,
                });
            if found && best.as_ref().is_none_or(|(w, ..)| weight > *w) {
                best = Some((weight, i + 1, line.trim().to_string()));
            }
        }
        best.map(|(_, line, text)| (line, text))
    }

    /// A template's text, as the loader would find it.
    fn source(&self, name: &str) -> Option<String> {
        match read_override(self.root.as_ref(), name) {
            Ok(Some(source)) => Some(source),
            Ok(None) => builtin(name).map(str::to_string),
            Err(_) => None,
        }
    }
}

/// The parts of a template line outside `{{ … }}`, `{% … %}` and `{# … #}`.
fn literal_fragments(line: &str) -> Vec<String> {
    let mut fragments = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find(['{']) {
        let closing = match rest[start..].chars().nth(1) {
            Some('{') => "}}",
            Some('%') => "%}",
            Some('#') => "#}",
            _ => {
                // A lone brace is literal text.
                fragments.push(rest[..start + 1].to_string());
                rest = &rest[start + 1..];
                continue;
            }
        };
        fragments.push(rest[..start].to_string());
        rest = match rest[start..].find(closing) {
            Some(end) => &rest[start + end + 2..],
            None => "",
        };
    }
    fragments.push(rest.to_string());
    fragments
        .into_iter()
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
        .collect()
}

/// Escapes `text` so that Typst markup prints it literally.
///
/// Every ASCII punctuation character is escaped with a backslash: that is always
/// valid in markup and yields the character itself, so none of them can start
/// code (`#`), math (`$`), emphasis, a label, a reference, a comment, a smart quote,
/// a shorthand (`--`, `...`, `~`) or a URL. Line breaks become spaces: values are
/// single lines of print.
pub fn escape_markup(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// Renders `text` as a Typst string literal.
pub fn typst_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The rendered sources kept from [`keys`] for the typesetting workers, in
/// bytes at most: the 1,000-participant programme's are about 35 MB, all
/// kept, so no document is rendered twice; of the 10,000-participant one's,
/// hundreds of MB, the rest are rendered again in their worker.
pub const KEPT_SOURCES_BYTES: usize = 64 << 20;

/// Every document's cache key, and the sources [`keys`] kept.
pub struct Rendered {
    pub keys: Vec<String>,
    sources: Vec<std::sync::Mutex<Option<String>>>,
}

impl Rendered {
    /// Document `i`'s source, when it was kept and not taken yet: only once,
    /// so it is freed as soon as its document is typeset.
    pub fn take(&self, i: usize) -> Option<String> {
        self.sources.get(i)?.lock().expect("source lock").take()
    }
}

/// Renders every document's template to learn its cache key; all template
/// errors are reported together, before anything is typeset. Sources are
/// kept up to `keep` bytes in all: a programme of ten thousand participants
/// renders hundreds of megabytes of them, and a document whose source was
/// not kept renders again in its worker.
pub fn keys(
    plan: &Plan,
    templates: &Templates,
    views: &Views,
    fingerprint: &str,
    keep: usize,
) -> Result<Rendered, Failure> {
    let kept = std::sync::atomic::AtomicUsize::new(0);
    let rendered = parallel(plan.documents.len(), |i| {
        let doc = &plan.documents[i];
        templates
            .render(&doc.template, &views.value(&doc.context))
            .map(|source| {
                // The pages it is checked for are part of what the entry
                // promises, whether or not the template reads them.
                let pages = doc.pages.map(|spec| spec.key()).unwrap_or_default();
                let key = Cache::key(&[
                    fingerprint.as_bytes(),
                    doc.path.as_bytes(),
                    source.as_bytes(),
                    &pages,
                ]);
                let size = source.len();
                let room =
                    kept.fetch_add(size, std::sync::atomic::Ordering::Relaxed) + size <= keep;
                (key, room.then_some(source))
            })
            .map_err(|diag| diag.entry(doc.label.clone()))
    })?;
    let mut keys = Vec::with_capacity(rendered.len());
    let mut sources = Vec::with_capacity(rendered.len());
    let mut diags: Vec<Diagnostic> = Vec::new();
    for result in rendered {
        match result {
            Ok((key, source)) => {
                keys.push(key);
                sources.push(std::sync::Mutex::new(source));
            }
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
        Ok(Rendered { keys, sources })
    } else {
        Err(Failure::Invalid(diags))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference programme's plan, templates and views, for `keys`.
    fn reference() -> (crate::programme::Programme, Templates, Plan) {
        let programme =
            crate::pipeline::check(std::path::Path::new("data/programme.yaml")).unwrap();
        let templates = Templates::new(&programme.folder);
        let plan = crate::plan::plan(&programme, &templates).unwrap();
        (programme, templates, plan)
    }

    #[test]
    fn kept_sources_are_the_documents_own_within_the_bound_and_taken_once() {
        let (programme, templates, plan) = reference();
        let views = Views::new(&programme);
        let fresh = |i: usize| {
            let doc = &plan.documents[i];
            templates
                .render(&doc.template, &views.value(&doc.context))
                .unwrap()
        };
        let all = keys(&plan, &templates, &views, "tool", usize::MAX).unwrap();
        let none = keys(&plan, &templates, &views, "tool", 0).unwrap();
        // What is kept changes no key.
        assert_eq!(all.keys, none.keys);
        for i in 0..plan.documents.len() {
            assert_eq!(none.take(i), None);
            assert_eq!(all.take(i).as_deref(), Some(fresh(i).as_str()));
            assert_eq!(all.take(i), None, "a source is taken once");
        }
        // A bound of a few documents' sources keeps no more than it.
        let bound = 3 * fresh(0).len();
        let some = keys(&plan, &templates, &views, "tool", bound).unwrap();
        let kept: Vec<String> = (0..plan.documents.len())
            .filter_map(|i| some.take(i))
            .collect();
        assert!(!kept.is_empty());
        assert!(kept.iter().map(String::len).sum::<usize>() <= bound);
    }

    #[test]
    fn escapes_every_markup_character() {
        let mut out = String::new();
        escape_markup("#panic(\"x\") $y$ *b*", &mut out);
        assert_eq!(out, "\\#panic\\(\\\"x\\\"\\) \\$y\\$ \\*b\\*");
    }

    #[test]
    fn string_literals_escape_quotes_and_backslashes() {
        assert_eq!(typst_str("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }

    /// The built-in TrueType fonts carry no hinting (templates/fonts/README.md):
    /// it was half of every font subset a PDF embeds, and print, rasterised at
    /// 600 dpi and more, has no use for it. A font added with its hinting
    /// fails here.
    #[test]
    fn builtin_fonts_carry_no_hinting() {
        let mut truetype = 0;
        for (name, data) in BUILTIN_FONTS {
            // The table directory: the table count at 4, then 16-byte
            // records from 12, each opening with its tag.
            let count = usize::from(u16::from_be_bytes([data[4], data[5]]));
            let tags: Vec<&[u8]> = (0..count)
                .map(|i| &data[12 + 16 * i..12 + 16 * i + 4])
                .collect();
            if tags.contains(&b"glyf".as_slice()) {
                truetype += 1;
            }
            for hinting in [b"fpgm", b"prep", b"cvt ", b"hdmx", b"VDMX", b"LTSH"] {
                assert!(
                    !tags.contains(&hinting.as_slice()),
                    "{name} has a {} table",
                    String::from_utf8_lossy(hinting)
                );
            }
        }
        assert!(truetype >= 20, "{truetype} TrueType fonts found");
    }
}
