//! Planning: which documents a programme gets, under which names, from which
//! template and with which context. Nothing is rendered here.
//!
//! Each family of documents is planned in its own module: [`letters`]
//! (invitations, requests, thank-you letters), [`badges`], [`schedules`],
//! [`lists`] (sign-in sheets, the participant list) and [`certificates`] (with
//! the register); [`volumes`] splits long print files.

mod badges;
mod certificates;
mod letters;
mod lists;
mod schedules;
mod volumes;

use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::programme::{Kind, Programme};
use crate::render::Templates;
use crate::typeset::impose::SheetLayout;

use badges::badges;
use certificates::certificates;
use letters::{invitations, organisation_letters};
pub use lists::{LIST_PART, SIGN_IN_PART};
use lists::{participant_list, sign_in};
use schedules::schedules;
pub use volumes::{VOLUME_PAGES, volumes};

/// One document to produce.
pub struct Document {
    pub kind: Kind,
    pub subject: Subject,
    /// Path inside the zip, e.g. `certificates/TH-01.pdf`.
    pub path: String,
    /// Who or what it is for, for messages: `certificate for TH-01 (Siriporn Chaiyaphum)`.
    pub label: String,
    pub template: String,
    /// What its template context is made from (see [`crate::context::Views`]).
    pub context: Context,
    /// The pages it must have when it is imposed on sheets that are cut
    /// (badges); the build checks them.
    pub pages: Option<PageSpec>,
}

/// What the pages of an imposed document must be: the sheets, their crop
/// marks and the job sheet are laid out for exactly this.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSpec {
    /// Trim size (width, height) in millimetres.
    pub size: (f64, f64),
    /// Bleed on every side, in millimetres.
    pub bleed: f64,
    /// How many pages: a front, and a back when double-sided.
    pub count: usize,
}

impl PageSpec {
    /// Stable bytes for cache keys.
    pub fn key(&self) -> Vec<u8> {
        [self.size.0, self.size.1, self.bleed, self.count as f64]
            .iter()
            .flat_map(|n| n.to_bits().to_le_bytes())
            .collect()
    }
}

/// Whom or what a document is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A participant or a staff member, by id (ids are unique across both).
    Person(String),
    /// An organisation, by id.
    Organisation(String),
    /// The programme as a whole: schedules, sign-in sheets, the list.
    Programme,
}

impl Subject {
    /// The id `--who` names it by, when it is for one person or organisation.
    pub fn id(&self) -> Option<&str> {
        match self {
            Subject::Person(id) | Subject::Organisation(id) => Some(id),
            Subject::Programme => None,
        }
    }
}

/// Something the secretariat should know about the plan.
#[derive(Debug, Clone)]
pub struct Note {
    /// The participant it is about, if any: `--who` keeps only theirs.
    pub about: Option<String>,
    pub text: String,
}

/// A file for the printer gathering documents of one kind, in order.
#[derive(Debug, Clone)]
pub struct PrintFile {
    pub kind: Kind,
    pub path: String,
    /// Indices into [`Plan::documents`].
    pub members: Vec<usize>,
    /// Every member starts on an odd page (a blank page follows a member with an
    /// odd page count), so duplex printing never puts two letters on one sheet.
    pub start_odd: bool,
    /// Members are imposed N-up on sheets instead of following one another.
    pub imposition: Option<Imposition>,
}

/// How a print file places its members on sheets.
#[derive(Debug, Clone, Copy)]
pub struct Imposition {
    pub layout: SheetLayout,
    /// Members' second pages go on mirrored back sheets.
    pub double_sided: bool,
}

impl Imposition {
    /// Stable bytes for cache keys: every number that places a badge.
    pub fn key(&self) -> Vec<u8> {
        let l = &self.layout;
        let numbers = [
            l.sheet.0,
            l.sheet.1,
            l.badge.0,
            l.badge.1,
            f64::from(l.columns),
            f64::from(l.rows),
            l.gap,
            l.bleed,
            l.origin.0,
            l.origin.1,
            f64::from(u8::from(l.marks)),
            f64::from(u8::from(self.double_sided)),
        ];
        numbers
            .iter()
            .flat_map(|n| n.to_bits().to_le_bytes())
            .collect()
    }
}

/// One line of `certificates/register.csv`.
pub struct RegisterRow {
    pub number: String,
    pub participant: String,
    pub name: String,
    pub country: String,
    pub days_attended: usize,
    pub eligible: bool,
    pub reason: String,
    /// The certificate's verification code; empty without a certificate.
    pub code: String,
}

#[derive(Default)]
pub struct Plan {
    pub documents: Vec<Document>,
    pub print: Vec<PrintFile>,
    pub register: Vec<RegisterRow>,
    /// Things the secretariat should know, e.g. who gets no certificate and why.
    pub notes: Vec<Note>,
}

/// Plans every enabled kind.
pub fn plan(programme: &Programme, templates: &Templates) -> Result<Plan, Vec<Diagnostic>> {
    let mut plan = Plan::default();
    let mut diags = Vec::new();
    // Kinds are planned in their fixed order, which is the zip's order.
    let letters = &programme.documents.letters;
    if letters.contains_key(&Kind::Invitations) {
        invitations(programme, templates, &mut plan, &mut diags);
    }
    if letters.contains_key(&Kind::Requests) {
        organisation_letters(programme, templates, Kind::Requests, &mut plan, &mut diags);
    }
    if let Some(template) = enabled(programme, templates, Kind::Badges, &mut diags) {
        badges(programme, &template, &mut plan);
    }
    if let Some(template) = enabled(programme, templates, Kind::Schedules, &mut diags) {
        schedules(programme, templates, &template, &mut plan, &mut diags);
    }
    if let Some(template) = enabled(programme, templates, Kind::Certificates, &mut diags) {
        certificates(programme, &template, &mut plan);
    }
    if let Some(template) = enabled(programme, templates, Kind::SignIn, &mut diags) {
        sign_in(programme, &template, &mut plan);
    }
    if let Some(template) = enabled(programme, templates, Kind::Participants, &mut diags) {
        participant_list(programme, &template, &mut plan);
    }
    if letters.contains_key(&Kind::ThankYou) {
        organisation_letters(programme, templates, Kind::ThankYou, &mut plan, &mut diags);
    }
    if diags.is_empty() {
        Ok(plan)
    } else {
        Err(diags)
    }
}

/// Keeps only the documents of the kinds in `only` (all when empty) that are for
/// one of `who` (all when empty), with the print files and register rows that
/// hold them.
pub fn select(plan: &mut Plan, only: &[Kind], who: &[String]) {
    let keep = |doc: &Document| {
        (only.is_empty() || only.contains(&doc.kind))
            && (who.is_empty() || doc.subject.id().is_some_and(|s| who.iter().any(|w| w == s)))
    };
    let mut new_index = Vec::with_capacity(plan.documents.len());
    let mut kept = Vec::new();
    for doc in plan.documents.drain(..) {
        if keep(&doc) {
            new_index.push(Some(kept.len()));
            kept.push(doc);
        } else {
            new_index.push(None);
        }
    }
    plan.documents = kept;
    for print in &mut plan.print {
        print.members = print.members.iter().filter_map(|&i| new_index[i]).collect();
    }
    plan.print.retain(|p| !p.members.is_empty());
    if !only.is_empty() && !only.contains(&Kind::Certificates) {
        plan.register.clear();
    }
    if !who.is_empty() {
        plan.register.retain(|row| who.contains(&row.participant));
        plan.notes
            .retain(|note| note.about.as_ref().is_some_and(|id| who.contains(id)));
    }
}

/// The template of a kind that is enabled: `None` when the kind is not, or
/// when its template is missing (a problem added to `diags`).
fn enabled(
    programme: &Programme,
    templates: &Templates,
    kind: Kind,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    if !programme.documents.settings(kind).enabled {
        return None;
    }
    match template_for(programme, templates, kind) {
        Ok(template) => Some(template),
        Err(diag) => {
            diags.push(diag);
            None
        }
    }
}

/// The kind's template: its `template:` setting, else `<kind>.typ.j2`.
fn template_for(
    programme: &Programme,
    templates: &Templates,
    kind: Kind,
) -> Result<String, Diagnostic> {
    let settings = programme.documents.settings(kind);
    let name = settings
        .template
        .clone()
        .unwrap_or_else(|| format!("{}.typ.j2", kind.key()));
    if templates.exists(&name) {
        Ok(name)
    } else {
        let path = format!("documents.{}.template", kind.key());
        Err(programme
            .positions
            .at(&path, format!("template `{name}` not found in the programme's templates/ folder or among the built-in templates"))
            .entry(format!("documents.{}", kind.key())))
    }
}

/// Adds a document and returns its index.
fn add(
    plan: &mut Plan,
    kind: Kind,
    subject: Subject,
    path: String,
    label: String,
    template: &str,
    context: Context,
) -> usize {
    plan.documents.push(Document {
        kind,
        subject,
        path,
        label,
        template: template.to_string(),
        context,
        pages: None,
    });
    plan.documents.len() - 1
}

/// A print file of documents one after another.
fn print_file(plan: &mut Plan, kind: Kind, path: &str, members: Vec<usize>) {
    plan.print.push(PrintFile {
        kind,
        path: path.into(),
        members,
        start_odd: false,
        imposition: None,
    });
}
