//! Planning: which documents a programme gets, under which names, from which
//! template and with which context. Nothing is rendered here.

use minijinja::Value;
use minijinja::value::Serde;

use crate::context::{
    self, BadgeContext, BadgeView, CalendarDate, CertificateContext, CertificateView, CountryGroup,
    InvitationContext, LetterView, OrganisationLetterContext, OverviewContext,
    ParticipantListContext, ScheduleContext, SignInContext,
};
use crate::diagnostic::Diagnostic;
use crate::programme::{Kind, Language, LetterSettings, Participant, Programme};
use crate::render::Templates;
use crate::schema::{Group, SessionKind};
use crate::typeset::impose::SheetLayout;

/// One document to produce.
pub struct Document {
    pub kind: Kind,
    /// Path inside the zip, e.g. `certificates/TH-01.pdf`.
    pub path: String,
    /// Who or what it is for, for messages: `certificate for TH-01 (Siriporn Chaiyaphum)`.
    pub label: String,
    pub template: String,
    pub context: Value,
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

impl Document {
    /// The participant, staff member or organisation the document is for, when it
    /// is for one: its file is named after that id.
    pub fn subject(&self) -> Option<&str> {
        match self.kind {
            Kind::Invitations
            | Kind::Requests
            | Kind::Badges
            | Kind::Certificates
            | Kind::ThankYou => std::path::Path::new(&self.path).file_stem()?.to_str(),
            Kind::Schedules | Kind::SignIn | Kind::Participants => None,
        }
    }
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
    /// The `programme` every context shares (see `share_programme`).
    programme: Option<Value>,
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
    // Kinds are planned in their fixed order, which is the zip's order.
    let letters = &programme.documents.letters;
    if let Some(settings) = letters.get(&Kind::Invitations) {
        invitations(programme, templates, settings, &mut plan, &mut diags);
    }
    if let Some(settings) = letters.get(&Kind::Requests) {
        organisation_letters(
            programme,
            templates,
            Kind::Requests,
            settings,
            &mut plan,
            &mut diags,
        );
    }
    if programme.documents.settings(Kind::Badges).enabled {
        match template_for(programme, templates, Kind::Badges) {
            Ok(template) => badges(programme, &template, &mut plan),
            Err(diag) => diags.push(diag),
        }
    }
    if programme.documents.settings(Kind::Schedules).enabled {
        match template_for(programme, templates, Kind::Schedules) {
            Ok(template) => schedules(programme, templates, &template, &mut plan, &mut diags),
            Err(diag) => diags.push(diag),
        }
    }
    let settings = programme.documents.settings(Kind::Certificates);
    if settings.enabled {
        match template_for(programme, templates, Kind::Certificates) {
            Ok(template) => certificates(programme, &template, &mut plan),
            Err(diag) => diags.push(diag),
        }
    }
    if programme.documents.settings(Kind::SignIn).enabled {
        match template_for(programme, templates, Kind::SignIn) {
            Ok(template) => sign_in(programme, &template, &mut plan),
            Err(diag) => diags.push(diag),
        }
    }
    if programme.documents.settings(Kind::Participants).enabled {
        match template_for(programme, templates, Kind::Participants) {
            Ok(template) => participant_list(programme, &template, &mut plan),
            Err(diag) => diags.push(diag),
        }
    }
    if let Some(settings) = letters.get(&Kind::ThankYou) {
        organisation_letters(
            programme,
            templates,
            Kind::ThankYou,
            settings,
            &mut plan,
            &mut diags,
        );
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
            && (who.is_empty() || doc.subject().is_some_and(|s| who.iter().any(|w| w == s)))
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
            .retain(|note| who.iter().any(|w| note.contains(&format!(" {w} "))));
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

/// A letter kind's template for a recipient writing in `language`: the kind's
/// `template:` setting, else `<kind>.<language>.typ.j2`, else `<kind>.typ.j2`.
/// `Err` carries the names looked for.
fn letter_template(
    programme: &Programme,
    templates: &Templates,
    kind: Kind,
    language: Language,
) -> Result<String, String> {
    if let Some(name) = programme.documents.settings(kind).template {
        return Ok(name);
    }
    let specific = format!("{}.{}.typ.j2", kind.key(), language.code());
    let general = format!("{}.typ.j2", kind.key());
    [&specific, &general]
        .into_iter()
        .find(|name| templates.exists(name))
        .cloned()
        .ok_or(format!("neither {specific} nor {general}"))
}

/// The letter particulars shared by every letter kind.
fn letter_view(
    kind: Kind,
    letter: char,
    position: usize,
    language: Language,
    programme: &Programme,
    settings: &LetterSettings,
) -> LetterView {
    LetterView {
        kind: kind.key(),
        number: context::number(&programme.reference, letter, position),
        date: settings.dated.into(),
        language: language.code(),
        window: settings.window.unwrap_or(language.default_window()),
        reply_by: settings.reply_by.map(Into::into),
    }
}

/// An error for a recipient whose language has no template.
fn no_template(
    programme: &Programme,
    path: &str,
    entry: &str,
    language: Language,
    looked: &str,
) -> Diagnostic {
    programme
        .positions
        .at(
            &format!("{path}.language"),
            format!(
                "no {} template for letters in `{}` ({looked} exists); add one to the \
                 templates/ folder or choose another language",
                entry.split(' ').next().unwrap_or(entry),
                language.code()
            ),
        )
        .entry(entry.to_string())
}

fn invitations(
    programme: &Programme,
    templates: &Templates,
    settings: &LetterSettings,
    plan: &mut Plan,
    diags: &mut Vec<Diagnostic>,
) {
    let view = context::programme(programme);
    let signatory = context::signatory(programme, programme.signatory(&settings.signed_by));
    let mut venues: Vec<String> = Vec::new();
    for day in &programme.days {
        if let Some(place) = &day.place
            && !venues.contains(place)
        {
            venues.push(place.clone());
        }
    }
    let presentations: Vec<_> = programme
        .days
        .iter()
        .flat_map(|d| d.sessions.iter().map(move |s| (d, s)))
        .filter(|(_, s)| s.kind == SessionKind::Presentation)
        .map(|(d, s)| context::session(programme, d, s))
        .collect();
    let mut members = Vec::new();
    for (i, p) in programme.participants.iter().enumerate() {
        let template = match letter_template(programme, templates, Kind::Invitations, p.language) {
            Ok(t) => t,
            Err(looked) => {
                let path = format!("participants[{i}]");
                let entry = format!("{path} ({})", p.id);
                diags.push(no_template(
                    programme,
                    &path,
                    &format!("invitations {entry}"),
                    p.language,
                    &looked,
                ));
                continue;
            }
        };
        let context = InvitationContext {
            programme: view.clone(),
            letter: letter_view(
                Kind::Invitations,
                'I',
                p.number,
                p.language,
                programme,
                settings,
            ),
            signatory: signatory.clone(),
            participant: p.clone(),
            purpose: match p.language {
                Language::Ja => programme.purpose_ja.clone().or(programme.purpose.clone()),
                Language::En => programme.purpose.clone(),
            },
            venues: venues.clone(),
            presentations: presentations.clone(),
        };
        members.push(add(
            plan,
            Kind::Invitations,
            format!("invitations/{}.pdf", p.id),
            format!("invitation for {} ({})", p.id, p.name),
            &template,
            Value::from(Serde(&context)),
        ));
    }
    plan.print.push(PrintFile {
        kind: Kind::Invitations,
        path: "print/invitations.pdf".into(),
        members,
        start_odd: true,
        imposition: None,
    });
}

/// Request letters (to organisations that give or host a session) and thank-you
/// letters (to every organisation marked `thank: true`).
fn organisation_letters(
    programme: &Programme,
    templates: &Templates,
    kind: Kind,
    settings: &LetterSettings,
    plan: &mut Plan,
    diags: &mut Vec<Diagnostic>,
) {
    let view = context::programme(programme);
    let signatory = context::signatory(programme, programme.signatory(&settings.signed_by));
    let (letter, noun) = match kind {
        Kind::Requests => ('R', "request letter"),
        _ => ('T', "thank-you letter"),
    };
    let mut members = Vec::new();
    for (i, org) in programme.organisations.iter().enumerate() {
        if !org.thank {
            continue;
        }
        let sessions: Vec<_> = programme
            .days
            .iter()
            .flat_map(|d| d.sessions.iter().map(move |s| (d, s)))
            .filter(|(_, s)| s.with.contains(&org.id))
            .map(|(d, s)| context::session(programme, d, s))
            .collect();
        if kind == Kind::Requests && sessions.is_empty() {
            continue;
        }
        let template = match letter_template(programme, templates, kind, org.language) {
            Ok(t) => t,
            Err(looked) => {
                let path = format!("organisations[{i}]");
                let entry = format!("{path} ({})", org.id);
                diags.push(no_template(
                    programme,
                    &path,
                    &format!("{} {entry}", kind.key()),
                    org.language,
                    &looked,
                ));
                continue;
            }
        };
        let nationals = match (&org.country, org.group) {
            (Some(country), Group::Embassy) => programme
                .participants
                .iter()
                .filter(|p| p.country.code == country.code)
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        let context = OrganisationLetterContext {
            programme: view.clone(),
            letter: letter_view(kind, letter, i + 1, org.language, programme, settings),
            signatory: signatory.clone(),
            organisation: context::organisation(org),
            sessions,
            nationals,
        };
        members.push(add(
            plan,
            kind,
            format!("{}/{}.pdf", kind.key(), org.id),
            format!("{noun} to {} ({})", org.id, org.name),
            &template,
            Value::from(Serde(&context)),
        ));
    }
    plan.print.push(PrintFile {
        kind,
        path: format!("print/{}.pdf", kind.key()),
        members,
        start_odd: true,
        imposition: None,
    });
}

/// A badge for every participant and staff member, imposed on print sheets.
fn badges(programme: &Programme, template: &str, plan: &mut Plan) {
    let settings = &programme.documents.badges;
    let view = context::programme(programme);
    let badge = BadgeView {
        width: settings.size.0,
        height: settings.size.1,
        bleed: settings.sheet.bleed,
        double_sided: settings.double_sided,
    };
    let people = programme
        .participants
        .iter()
        .map(|p| (context::person_participant(p), &p.name))
        .chain(
            programme
                .staff
                .iter()
                .map(|s| (context::person_staff(programme, s), &s.name)),
        );
    let mut members = Vec::new();
    for (person, name) in people {
        let label = format!("badge for {} ({name})", person.id);
        let context = BadgeContext {
            programme: view.clone(),
            badge: badge.clone(),
            qr: context::qr_svg(&person.id),
            person,
        };
        let i = add(
            plan,
            Kind::Badges,
            format!("badges/{}.pdf", context.person.id),
            label,
            template,
            Value::from(Serde(&context)),
        );
        plan.documents[i].pages = Some(PageSpec {
            size: settings.size,
            bleed: settings.sheet.bleed,
            count: if settings.double_sided { 2 } else { 1 },
        });
        members.push(i);
    }
    plan.print.push(PrintFile {
        kind: Kind::Badges,
        path: "print/badges.pdf".into(),
        members,
        start_odd: false,
        imposition: Some(Imposition {
            layout: settings.sheet,
            double_sided: settings.double_sided,
        }),
    });
}

/// Adds a document and returns its index.
fn add(
    plan: &mut Plan,
    kind: Kind,
    path: String,
    label: String,
    template: &str,
    context: Value,
) -> usize {
    let context = share_programme(plan, context);
    plan.documents.push(Document {
        kind,
        path,
        label,
        template: template.to_string(),
        context,
        pages: None,
    });
    plan.documents.len() - 1
}

/// The context with its `programme` replaced by the one value all documents
/// share: it is the same for every document, and a programme of ten thousand
/// participants would otherwise hold thirty thousand copies of it.
fn share_programme(plan: &mut Plan, context: Value) -> Value {
    let Ok(keys) = context.try_iter() else {
        return context;
    };
    let Ok(own) = context.get_attr("programme") else {
        return context;
    };
    if own.is_undefined() {
        return context;
    }
    let shared = plan.programme.get_or_insert_with(|| own.clone()).clone();
    if shared != own {
        return context;
    }
    let map: std::collections::BTreeMap<String, Value> = keys
        .map(|key| {
            let value = match key.as_str() {
                Some("programme") => shared.clone(),
                _ => context.get_item(&key).unwrap_or_default(),
            };
            (key.to_string(), value)
        })
        .collect();
    Value::from(map)
}

/// Pages per print file at most: a larger set is split into volumes
/// (`print/invitations.1.pdf`, `.2`, …), each a manageable file for the printer,
/// and each assembled within bounded memory.
pub const VOLUME_PAGES: usize = 500;

/// Splits print files of more than [`VOLUME_PAGES`] pages into volumes, never
/// within a document; badge volumes hold whole sheets. `pages` tells a
/// document's page count.
pub fn volumes(print: &[PrintFile], pages: impl Fn(usize) -> usize) -> Vec<PrintFile> {
    let mut split = Vec::with_capacity(print.len());
    for print in print {
        let mut chunks: Vec<Vec<usize>> = Vec::new();
        match &print.imposition {
            Some(i) => {
                let size = (VOLUME_PAGES / i.layout.per_sheet()).max(1) * i.layout.per_sheet();
                chunks.extend(print.members.chunks(size).map(<[usize]>::to_vec));
            }
            None => {
                let mut filled = 0;
                for &member in &print.members {
                    // With blank pages, as the print file will have them.
                    let n = match print.start_odd {
                        true => pages(member).next_multiple_of(2),
                        false => pages(member),
                    };
                    if chunks.is_empty() || (filled + n > VOLUME_PAGES && filled > 0) {
                        chunks.push(Vec::new());
                        filled = 0;
                    }
                    chunks.last_mut().expect("just pushed").push(member);
                    filled += n;
                }
            }
        }
        if chunks.len() <= 1 {
            split.push(print.clone());
            continue;
        }
        let stem = print.path.trim_end_matches(".pdf");
        for (n, members) in chunks.into_iter().enumerate() {
            split.push(PrintFile {
                path: format!("{stem}.{}.pdf", n + 1),
                members,
                ..print.clone()
            });
        }
    }
    split
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

/// A schedule per programme day, then the overview.
fn schedules(
    programme: &Programme,
    templates: &Templates,
    template: &str,
    plan: &mut Plan,
    diags: &mut Vec<Diagnostic>,
) {
    let view = context::programme(programme);
    let mut members = Vec::new();
    for (i, d) in programme.days.iter().enumerate() {
        let context = ScheduleContext {
            programme: view.clone(),
            day: context::day(programme, i),
        };
        members.push(add(
            plan,
            Kind::Schedules,
            format!("schedules/{}.pdf", d.date),
            format!("schedule for {} (day {})", d.date, i + 1),
            template,
            Value::from(Serde(&context)),
        ));
    }
    if programme.documents.overview {
        let name = "schedules.overview.typ.j2";
        if !templates.exists(name) {
            diags.push(
                programme
                    .positions
                    .at(
                        "documents.schedules.overview",
                        format!("template `{name}` not found"),
                    )
                    .entry("documents.schedules"),
            );
            return;
        }
        let calendar = programme
            .start
            .iter_days()
            .take_while(|d| *d <= programme.end)
            .map(|date| CalendarDate {
                date: date.into(),
                day: programme
                    .days
                    .iter()
                    .position(|d| d.date == date)
                    .map(|i| context::day(programme, i)),
            })
            .collect();
        let context = OverviewContext {
            programme: view,
            calendar,
        };
        members.push(add(
            plan,
            Kind::Schedules,
            "schedules/overview.pdf".into(),
            "schedule overview".into(),
            name,
            Value::from(Serde(&context)),
        ));
    }
    print_file(plan, Kind::Schedules, "print/schedules.pdf", members);
}

/// An attendance sheet per programme day.
/// Participants per sign-in sheet: a very large programme signs in at several
/// desks, each with its own sheet of about thirty pages, rather than at one
/// sheet of hundreds. It also keeps each document, and so memory, bounded.
pub const SIGN_IN_PART: usize = 500;

/// Participants per part of the participant list, for the same reasons.
pub const LIST_PART: usize = 1000;

/// Splits `n` participants into parts of at most `size`: (part, index range).
fn parts(n: usize, size: usize) -> Vec<(Option<context::Part>, std::ops::Range<usize>)> {
    let count = n.div_ceil(size).max(1);
    (0..count)
        .map(|i| {
            let range = i * size..((i + 1) * size).min(n);
            let part = (count > 1).then(|| context::Part {
                number: i + 1,
                of: count,
                first: range.start + 1,
                last: range.end,
            });
            (part, range)
        })
        .collect()
}

/// `dir/stem.pdf`, or `dir/stem.N.pdf` for part N of several.
fn part_path(dir: &str, stem: &str, part: &Option<context::Part>) -> String {
    match part {
        Some(part) => format!("{dir}/{stem}.{}.pdf", part.number),
        None => format!("{dir}/{stem}.pdf"),
    }
}

fn sign_in(programme: &Programme, template: &str, plan: &mut Plan) {
    let view = context::programme(programme);
    let participants = programme.participants.to_vec();
    let staff: Vec<_> = programme
        .staff
        .iter()
        .map(|s| context::person_staff(programme, s))
        .collect();
    let mut members = Vec::new();
    for (i, d) in programme.days.iter().enumerate() {
        let parts = parts(participants.len(), SIGN_IN_PART);
        let count = parts.len();
        for (n, (part, range)) in parts.into_iter().enumerate() {
            let label = match &part {
                Some(p) => format!(
                    "sign-in sheet for {} (day {}), part {} of {}",
                    d.date,
                    i + 1,
                    p.number,
                    p.of
                ),
                None => format!("sign-in sheet for {} (day {})", d.date, i + 1),
            };
            let context = SignInContext {
                programme: view.clone(),
                day: context::day(programme, i),
                participants: participants[range].to_vec(),
                staff: if n + 1 == count {
                    staff.clone()
                } else {
                    Vec::new()
                },
                part: part.clone(),
            };
            members.push(add(
                plan,
                Kind::SignIn,
                part_path("sign-in", &d.date.to_string(), &part),
                label,
                template,
                Value::from(Serde(&context)),
            ));
        }
    }
    print_file(plan, Kind::SignIn, "print/sign-in.pdf", members);
}

/// The welcome pack's participant list.
fn participant_list(programme: &Programme, template: &str, plan: &mut Plan) {
    let parts = parts(programme.participants.len(), LIST_PART);
    let count = parts.len();
    let mut members = Vec::new();
    for (n, (part, range)) in parts.into_iter().enumerate() {
        let mut countries: Vec<CountryGroup> = Vec::new();
        for p in &programme.participants[range] {
            let view = p.clone();
            match countries
                .iter_mut()
                .find(|g| g.country.code == p.country.code)
            {
                Some(group) => group.participants.push(view),
                None => countries.push(CountryGroup {
                    country: view.country.clone(),
                    participants: vec![view],
                }),
            }
        }
        let context = ParticipantListContext {
            programme: context::programme(programme),
            countries,
            staff: if n + 1 == count {
                programme
                    .staff
                    .iter()
                    .map(|s| context::person_staff(programme, s))
                    .collect()
            } else {
                Vec::new()
            },
            part: part.clone(),
        };
        let label = match &part {
            Some(p) => format!("participant list, part {} of {}", p.number, p.of),
            None => "participant list".into(),
        };
        members.push(add(
            plan,
            Kind::Participants,
            part_path("participants", "list", &part),
            label,
            template,
            Value::from(Serde(&context)),
        ));
    }
    print_file(plan, Kind::Participants, "print/participants.pdf", members);
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
        let code = crate::verify::code(
            settings.secret.as_deref(),
            &programme.id,
            &number,
            &p.id,
            &p.name,
        );
        plan.register.push(RegisterRow {
            number: number.clone(),
            participant: p.id.clone(),
            name: p.name.clone(),
            country: p.country.name.clone(),
            days_attended: p.days_attended,
            eligible,
            reason: reason.clone(),
            code: if eligible {
                code.clone()
            } else {
                String::new()
            },
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
            participant: p.clone(),
            certificate: CertificateView {
                number,
                issued_on: issued_on.into(),
                code_qr: context::qr_svg(&code),
                code,
            },
            signatories: signatories.clone(),
        };
        members.push(add(
            plan,
            Kind::Certificates,
            format!("certificates/{}.pdf", p.id),
            format!("certificate for {} ({})", p.id, p.name),
            template,
            Value::from(Serde(&context)),
        ));
    }
    print_file(plan, Kind::Certificates, "print/certificates.pdf", members);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letters(members: usize) -> PrintFile {
        PrintFile {
            kind: Kind::Invitations,
            path: "print/invitations.pdf".into(),
            members: (0..members).collect(),
            start_odd: true,
            imposition: None,
        }
    }

    #[test]
    fn long_print_files_are_split_into_volumes_between_documents() {
        // One-page letters take two pages each (a blank follows): 250 a volume.
        let split = volumes(&[letters(600)], |_| 1);
        let paths: Vec<&str> = split.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "print/invitations.1.pdf",
                "print/invitations.2.pdf",
                "print/invitations.3.pdf"
            ]
        );
        assert_eq!(split[0].members.len(), 250);
        assert_eq!(split[2].members, (500..600).collect::<Vec<_>>());
        // A document longer than a volume is never cut.
        let split = volumes(&[letters(3)], |i| if i == 1 { 900 } else { 1 });
        assert_eq!(split.len(), 3);
        assert_eq!(split[1].members, [1]);
        // Short files keep their name.
        assert_eq!(
            volumes(&[letters(10)], |_| 1)[0].path,
            "print/invitations.pdf"
        );
    }
}
