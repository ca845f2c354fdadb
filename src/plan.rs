//! Planning: which documents a programme gets, under which names, from which
//! template and with which context. Nothing is rendered here.

use minijinja::Value;
use minijinja::value::Serde;

use crate::context::{self, CertificateContext, CertificateView};
use crate::diagnostic::Diagnostic;
use crate::programme::{Kind, Participant, Programme};
use crate::render::Templates;

/// One document to produce.
pub struct Document {
    pub kind: Kind,
    /// Path inside the zip, e.g. `certificates/TH-01.pdf`.
    pub path: String,
    /// Who or what it is for, for messages: `certificate for TH-01 (Siriporn Chaiyaphum)`.
    pub label: String,
    pub template: String,
    pub context: Value,
}

/// A file for the printer gathering documents of one kind, in order.
pub struct PrintFile {
    pub kind: Kind,
    pub path: String,
    /// Indices into [`Plan::documents`].
    pub members: Vec<usize>,
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
}

#[derive(Default)]
pub struct Plan {
    pub documents: Vec<Document>,
    pub print: Vec<PrintFile>,
    pub register: Vec<RegisterRow>,
    /// Things the secretariat should know, e.g. who gets no certificate and why.
    pub notes: Vec<String>,
}

/// Plans every enabled kind.
pub fn plan(programme: &Programme, templates: &Templates) -> Result<Plan, Vec<Diagnostic>> {
    let mut plan = Plan::default();
    let mut diags = Vec::new();
    let settings = programme.documents.settings(Kind::Certificates);
    if settings.enabled {
        match template_for(programme, templates, Kind::Certificates) {
            Ok(template) => certificates(programme, &template, &mut plan),
            Err(diag) => diags.push(diag),
        }
    }
    if diags.is_empty() {
        Ok(plan)
    } else {
        Err(diags)
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

/// Whether a participant earned a certificate, and the reason either way.
fn attendance(programme: &Programme, p: &Participant) -> (bool, String) {
    let total = programme.days.len();
    let required = programme.documents.certificates.min_attendance;
    if total == 0 {
        return (true, "the programme lists no days".into());
    }
    let share = p.days_attended as f64 / total as f64;
    // Compare in whole days, so 0.8 of 10 days is exactly 8, not 7.999….
    let needed = (required * total as f64 - 1e-9).ceil().max(0.0) as usize;
    let eligible = p.days_attended >= needed;
    let reason = format!(
        "attended {} of {} programme days ({:.0}%); {:.0}% required",
        p.days_attended,
        total,
        share * 100.0,
        required * 100.0
    );
    (eligible, reason)
}

fn certificates(programme: &Programme, template: &str, plan: &mut Plan) {
    let settings = &programme.documents.certificates;
    let view = context::programme(programme);
    let signatories: Vec<_> = settings
        .signed_by
        .iter()
        .map(|id| context::signatory(programme, programme.signatory(id)))
        .collect();
    let issued_on = settings.issued_on.unwrap_or(programme.end);
    let mut members = Vec::new();
    for p in &programme.participants {
        let number = context::number(&programme.reference, 'C', p.number);
        let (eligible, reason) = attendance(programme, p);
        plan.register.push(RegisterRow {
            number: number.clone(),
            participant: p.id.clone(),
            name: p.name.clone(),
            country: p.country.name.clone(),
            days_attended: p.days_attended,
            eligible,
            reason: reason.clone(),
        });
        if !eligible {
            plan.notes.push(format!(
                "no certificate for {} ({}): {reason}",
                p.id, p.name
            ));
            continue;
        }
        let context = CertificateContext {
            programme: view.clone(),
            participant: context::participant(p),
            certificate: CertificateView {
                number,
                issued_on: issued_on.into(),
            },
            signatories: signatories.clone(),
        };
        members.push(plan.documents.len());
        plan.documents.push(Document {
            kind: Kind::Certificates,
            path: format!("certificates/{}.pdf", p.id),
            label: format!("certificate for {} ({})", p.id, p.name),
            template: template.to_string(),
            context: Value::from(Serde(&context)),
        });
    }
    plan.print.push(PrintFile {
        kind: Kind::Certificates,
        path: "print/certificates.pdf".into(),
        members,
    });
}
