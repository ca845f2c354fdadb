//! Checking the programme as a whole and resolving it into a [`Programme`].
//!
//! Every rule is checked and every problem reported in one run, each naming its
//! entry and line, so a secretariat fixes the file in one pass.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::NaiveDate;

use crate::diagnostic::Diagnostic;
use crate::limits::{MAX_PAPER_MM, MAX_PROGRAMME_DAYS, MAX_YEAR, MIN_YEAR};
use crate::load::{Loaded, Positions};
use crate::paper;
use crate::programme::{
    self, BadgeSettings, CertificateSettings, Country, Day, Documents, Kind, KindSettings,
    LetterSettings, Organisation, Participant, Programme, Session, Signatory, Staff,
    WINDOW_PRESETS,
};
use crate::schema::{self, OneOrMany, Window};
use crate::typeset::impose::{self, LayoutRequest};

/// Validates a loaded programme; `folder` is where its asset paths start.
pub fn validate(loaded: Loaded, folder: &Path) -> Result<Programme, Vec<Diagnostic>> {
    let Loaded {
        file,
        positions,
        strings,
    } = loaded;
    let mut v = Validator {
        positions: &positions,
        folder,
        diags: Vec::new(),
    };
    for text in &strings {
        v.text(text);
    }
    let programme = v.programme(file, folder, &positions);
    if v.diags.is_empty() {
        Ok(programme)
    } else {
        let mut diags = v.diags;
        diags.sort_by_key(|d| (d.line, d.column));
        Err(diags)
    }
}

struct Validator<'a> {
    positions: &'a Positions,
    folder: &'a Path,
    diags: Vec<Diagnostic>,
}

/// The ids of one namespace, and where each was first defined.
#[derive(Default)]
struct Ids(HashMap<String, String>);

impl Ids {
    fn contains(&self, id: &str) -> bool {
        self.0.contains_key(id)
    }
}

/// The longest string each kind of field can print: a name on a badge or a
/// certificate, a title on a schedule, anything else in a letter.
fn max_chars(path: &str) -> usize {
    let key = path.rsplit('.').next().unwrap_or(path);
    let key = key.split('[').next().unwrap_or(key);
    let person = ["participants", "staff", "signatories"]
        .iter()
        .any(|list| path.starts_with(list));
    match key {
        "id" => 64,
        // A person's name goes on a badge; an organisation's name only in letters.
        "name" | "native_name" | "name_ja" | "honorific" if person => 120,
        "short" => 120,
        "title" | "title_ja" | "short_title" | "addressee" | "addressee_ja"
        | "addressee_name_ja" | "position" | "organisation" | "place" | "place_ja" | "email"
        | "phone" | "address" | "address_ja" | "speakers" => 300,
        _ => 1000,
    }
}

/// Characters no printed value may hold: controls (a value is one line of
/// print) and the bidirectional overrides and isolates, which can make text
/// display in an order other than the one it is stored in.
fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

impl Validator<'_> {
    /// Checks a string of the file: printable characters only, and no longer than
    /// its field can print.
    fn text(&mut self, text: &crate::load::Text) {
        if let Some(c) = text.value.chars().find(|&c| forbidden(c)) {
            let field = text.path.rsplit('.').next().unwrap_or(&text.path);
            self.error(
                &text.path,
                &text.entry,
                format!(
                    "`{field}` contains the invisible control character U+{:04X}; retype the \
                     value without it (it often comes from copying out of a form or a PDF)",
                    c as u32
                ),
            );
        }
        // Every date of the file, wherever it is: a year far off makes the
        // schedules, the overview and the era calendar meaningless or endless.
        if let Ok(date) = text.value.trim().parse::<NaiveDate>()
            && !(MIN_YEAR..=MAX_YEAR).contains(&chrono::Datelike::year(&date))
        {
            self.error(
                &text.path,
                &text.entry,
                format!(
                    "{} is not a plausible date for a programme: years run from {MIN_YEAR} to \
                     {MAX_YEAR}; dates are written YYYY-MM-DD, e.g. 2018-10-24",
                    crate::diagnostic::excerpt(text.value.trim())
                ),
            );
        }
        let length = text.value.chars().count();
        let max = max_chars(&text.path);
        if length > max {
            let field = text.path.rsplit('.').next().unwrap_or(&text.path);
            self.error(
                &text.path,
                &text.entry,
                format!("`{field}` is {length} characters long; it can print at most {max}"),
            );
        }
    }

    fn error(&mut self, path: &str, entry: &str, message: impl Into<String>) {
        let mut diag = self.positions.at(path, message);
        if !entry.is_empty() {
            diag = diag.entry(entry);
        }
        self.diags.push(diag);
    }

    fn error_hint(&mut self, path: &str, entry: &str, message: String, hint: String) {
        self.error(path, entry, message);
        let last = self.diags.last_mut().expect("just pushed");
        last.hint = Some(hint.into_boxed_str());
    }

    /// Checks an id's spelling and uniqueness within `ids`.
    fn id(&mut self, ids: &mut Ids, path: &str, entry: &str, id: &str) {
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            self.error(
                &format!("{path}.id"),
                entry,
                format!(
                    "id `{id}` may only use letters A-Z and a-z, digits, `.`, `_` and `-`, \
                     because it becomes a file name"
                ),
            );
        }
        if let Some(first) = ids.0.get(id) {
            let first = first.clone();
            self.error(
                &format!("{path}.id"),
                entry,
                format!("id `{id}` is already used by {first}"),
            );
        } else {
            ids.0.insert(id.to_string(), path.to_string());
        }
    }

    /// Checks that `id` names one of `ids`, suggesting the nearest one if not.
    fn reference(&mut self, ids: &Ids, what: &str, path: &str, entry: &str, id: &str) {
        if ids.contains(id) {
            return;
        }
        let message = format!("{what} `{id}` is not defined");
        match nearest(id, ids.0.keys()) {
            Some(near) => self.error_hint(path, entry, message, format!("did you mean `{near}`?")),
            None => self.error(path, entry, message),
        }
    }

    /// Checks that an asset is a regular file inside the programme folder,
    /// through the one door every read goes through.
    fn asset(&mut self, path: &str, entry: &str, asset: &str) {
        let resolved = match crate::files::Root::new(self.folder) {
            Ok(root) => root.resolve(asset).map(drop),
            Err(err) => Err(crate::files::Refused::Io(err)),
        };
        match resolved {
            Ok(()) => {}
            Err(crate::files::Refused::NotFound) => self.error(
                path,
                entry,
                format!(
                    "asset file `{}` not found (looked for {})",
                    crate::diagnostic::excerpt(asset),
                    crate::diagnostic::excerpt(&self.folder.join(asset).display().to_string())
                ),
            ),
            Err(refused) => self.error(path, entry, refused.describe(asset)),
        }
    }

    fn date_in_range(
        &mut self,
        path: &str,
        entry: &str,
        what: &str,
        date: NaiveDate,
        (start, end): (NaiveDate, NaiveDate),
    ) -> bool {
        if date < start || date > end {
            self.error(
                path,
                entry,
                format!("{what} {date} is outside the programme ({start} to {end})"),
            );
            false
        } else {
            true
        }
    }

    fn programme(
        &mut self,
        file: schema::ProgrammeFile,
        folder: &Path,
        positions: &Positions,
    ) -> Programme {
        let info = file.programme;
        let range = (info.start, info.end);
        let length = (info.end - info.start).num_days() + 1;
        if info.start > info.end {
            self.error(
                "programme.end",
                "programme",
                format!(
                    "the programme ends ({}) before it starts ({})",
                    info.end, info.start
                ),
            );
        } else if length > MAX_PROGRAMME_DAYS {
            self.error(
                "programme.end",
                "programme",
                format!(
                    "the programme runs {length} days, from {} to {}; a programme may run at \
                     most {MAX_PROGRAMME_DAYS} days (two years): check the years of `start` \
                     and `end`",
                    info.start, info.end
                ),
            );
        }
        let mut programme_ids = Ids::default();
        self.id(&mut programme_ids, "programme", "programme", &info.id);

        // Organisations first: most references point at them.
        let mut org_ids = Ids::default();
        for (i, org) in file.organisations.iter().enumerate() {
            let path = format!("organisations[{i}]");
            self.id(&mut org_ids, &path, &entry(&path, &org.id), &org.id);
        }
        self.reference(
            &org_ids,
            "host organisation",
            "programme.host",
            "programme",
            &info.host,
        );
        if let Some(id) = &info.commissioned_by {
            self.reference(
                &org_ids,
                "commissioning organisation",
                "programme.commissioned_by",
                "programme",
                id,
            );
        }

        let countries = self.countries(&info.countries);
        let country = |v: &mut Self, path: &str, entry: &str, code: &str| -> Country {
            match countries.get(code) {
                Some(name) => Country::new(code, name, true),
                None => match rust_iso3166::from_alpha2(code) {
                    Some(c) => Country::new(code, c.name, false),
                    None => {
                        v.error(
                            path,
                            entry,
                            format!(
                                "`{code}` is not an ISO 3166 alpha-2 country code; \
                                 use one (e.g. TH, VN) or name it under programme.countries"
                            ),
                        );
                        Country {
                            code: code.to_string(),
                            name: code.to_string(),
                            in_text: code.to_string(),
                        }
                    }
                },
            }
        };

        let organisations: Vec<Organisation> = file
            .organisations
            .into_iter()
            .enumerate()
            .map(|(i, mut org)| {
                let path = format!("organisations[{i}]");
                let entry = entry(&path, &org.id);
                if let Some(logo) = &org.logo {
                    self.asset(&format!("{path}.logo"), &entry, logo);
                }
                org.country = org
                    .country
                    .as_ref()
                    .map(|c| country(self, &format!("{path}.country"), &entry, &c.code));
                org.language = org.language_given.unwrap_or(info.language);
                org
            })
            .collect();

        let mut signatory_ids = Ids::default();
        let signatories: Vec<Signatory> = file
            .signatories
            .into_iter()
            .enumerate()
            .inspect(|(i, s)| {
                let path = format!("signatories[{i}]");
                let entry = entry(&path, &s.id);
                self.id(&mut signatory_ids, &path, &entry, &s.id);
                if let Some(org) = &s.organisation {
                    self.reference(
                        &org_ids,
                        "organisation",
                        &format!("{path}.organisation"),
                        &entry,
                        org,
                    );
                }
                if let Some(sig) = &s.signature {
                    self.asset(&format!("{path}.signature"), &entry, sig);
                }
                if let Some(seal) = &s.seal {
                    self.asset(&format!("{path}.seal"), &entry, seal);
                }
            })
            .map(|(_, s)| s)
            .collect();

        // Days before people: `absent` must name programme days.
        let mut day_dates = HashMap::new();
        let days: Vec<Day> = file
            .days
            .into_iter()
            .enumerate()
            .map(|(i, mut day)| {
                let path = format!("days[{i}]");
                let entry = entry(&path, &day.date.to_string());
                self.date_in_range(&format!("{path}.date"), &entry, "day", day.date, range);
                if let Some(first) = day_dates.insert(day.date, i) {
                    self.error(
                        &format!("{path}.date"),
                        &entry,
                        format!("{} is already described by days[{first}]", day.date),
                    );
                }
                for (j, session) in day.sessions.iter_mut().enumerate() {
                    self.session(&format!("{path}.sessions[{j}]"), &org_ids, session);
                }
                day
            })
            .collect();
        for pair in days.windows(2) {
            if pair[1].date < pair[0].date {
                let i = days
                    .iter()
                    .position(|d| d.date == pair[1].date)
                    .unwrap_or(0);
                self.error(
                    &format!("days[{i}].date"),
                    &entry(&format!("days[{i}]"), &pair[1].date.to_string()),
                    format!(
                        "days must be in date order: {} comes after {}",
                        pair[1].date, pair[0].date
                    ),
                );
            }
        }

        let mut people_ids = Ids::default();
        let participants: Vec<Participant> = file
            .participants
            .into_list()
            .into_iter()
            .enumerate()
            .map(|(i, mut p)| {
                let path = format!("participants[{i}]");
                let entry = entry(&path, &p.id);
                self.id(&mut people_ids, &path, &entry, &p.id);
                p.country = country(self, &format!("{path}.country"), &entry, &p.country.code);
                let mut seen = HashSet::new();
                for (j, date) in p.absent.iter().enumerate() {
                    let path = format!("{path}.absent[{j}]");
                    if !self.date_in_range(&path, &entry, "absent date", *date, range) {
                        continue;
                    }
                    if !day_dates.contains_key(date) {
                        self.error(
                            &path,
                            &entry,
                            format!("absent date {date} is not a programme day (see `days`)"),
                        );
                    } else if !seen.insert(*date) {
                        self.error(&path, &entry, format!("absent date {date} is listed twice"));
                    }
                }
                p.number = i + 1;
                p.language = p.language_given.unwrap_or(info.language);
                p.days_attended = days.len().saturating_sub(seen.len());
                p
            })
            .collect();

        let staff: Vec<Staff> = file
            .staff
            .into_list()
            .into_iter()
            .enumerate()
            .inspect(|(i, s)| {
                let path = format!("staff[{i}]");
                let entry = entry(&path, &s.id);
                self.id(&mut people_ids, &path, &entry, &s.id);
                if let Some(org) = &s.organisation {
                    self.reference(
                        &org_ids,
                        "organisation",
                        &format!("{path}.organisation"),
                        &entry,
                        org,
                    );
                }
            })
            .map(|(_, s)| s)
            .collect();

        let documents = self.documents(file.documents, &signatory_ids);

        Programme {
            folder: folder.to_path_buf(),
            positions: positions.clone(),
            id: info.id,
            title: info.title,
            title_ja: info.title_ja,
            short_title: info.short_title,
            series: info.series,
            series_ja: info.series_ja,
            purpose: info.purpose,
            purpose_ja: info.purpose_ja,
            reference: info.reference,
            host: info.host,
            commissioned_by: info.commissioned_by,
            start: info.start,
            end: info.end,
            language: info.language,
            contact: info.contact,
            signatories,
            documents,
            organisations,
            participants,
            staff,
            days,
        }
    }

    /// Checks the code → name overrides; returns them for lookup.
    fn countries(&mut self, overrides: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        for code in overrides.keys() {
            let valid = code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase());
            if !valid {
                self.error(
                    &format!("programme.countries.{code}"),
                    "programme.countries",
                    format!("`{code}` is not a two-letter upper-case country code"),
                );
            }
        }
        overrides.clone()
    }

    /// Checks a session and fills in its start and end.
    fn session(&mut self, path: &str, org_ids: &Ids, s: &mut Session) {
        let entry = entry(path, &s.title);
        (s.start, s.end) = match parse_time_range(&s.time) {
            Some(range) => range,
            None => {
                self.error(
                    &format!("{path}.time"),
                    &entry,
                    format!("time `{}` should read like `09:30-12:00`", s.time),
                );
                (s.time.clone(), String::new())
            }
        };
        for (k, org) in s.with.iter().enumerate() {
            self.reference(
                org_ids,
                "organisation",
                &format!("{path}.with[{k}]"),
                &entry,
                org,
            );
        }
    }

    fn documents(&mut self, docs: schema::Documents, signatories: &Ids) -> Documents {
        let mut kinds = BTreeMap::new();
        let mut common = |v: &mut Self,
                          kind: Kind,
                          enabled: Option<bool>,
                          template: Option<String>,
                          signed_by: Option<&OneOrMany>| {
            let path = format!("documents.{}", kind.key());
            let entry = format!("documents.{}", kind.key());
            if let Some(signed_by) = signed_by {
                for (i, id) in signed_by.to_vec().iter().enumerate() {
                    let at = match signed_by {
                        OneOrMany::One(_) => format!("{path}.signed_by"),
                        OneOrMany::Many(_) => format!("{path}.signed_by[{i}]"),
                    };
                    v.reference(signatories, "signatory", &at, &entry, id);
                }
            }
            if let Some(name) = &template
                && (name.is_empty() || name.contains("..") || name.starts_with('/'))
            {
                v.error(
                    &format!("{path}.template"),
                    &entry,
                    format!("template `{name}` must be a file name inside the templates folder"),
                );
            }
            kinds.insert(
                kind,
                KindSettings {
                    enabled: enabled.unwrap_or(true),
                    template,
                },
            );
        };

        let mut letters = BTreeMap::new();
        for (kind, settings) in [
            (Kind::Invitations, docs.invitations),
            (Kind::Requests, docs.requests),
            (Kind::ThankYou, docs.thank_you),
        ] {
            let d = settings.unwrap_or_default();
            common(
                self,
                kind,
                d.enabled,
                d.template.clone(),
                d.signed_by.as_ref(),
            );
            if d.enabled != Some(false)
                && let Some(settings) = self.letter_settings(kind, &d)
            {
                letters.insert(kind, settings);
            }
        }
        let mut badges = BadgeSettings::default();
        if let Some(d) = &docs.badges {
            common(self, Kind::Badges, d.enabled, d.template.clone(), None);
            if let Some(settings) = self.badge_settings(d) {
                badges = settings;
            }
        }
        let mut overview = true;
        if let Some(d) = &docs.schedules {
            common(self, Kind::Schedules, d.enabled, d.template.clone(), None);
            overview = d.overview.unwrap_or(true);
        }
        if let Some(d) = &docs.sign_in {
            common(self, Kind::SignIn, d.enabled, d.template.clone(), None);
        }
        if let Some(d) = &docs.participants {
            common(
                self,
                Kind::Participants,
                d.enabled,
                d.template.clone(),
                None,
            );
        }

        let mut certificates = CertificateSettings {
            signed_by: Vec::new(),
            min_attendance: 1.0,
            issued_on: None,
            secret: None,
        };
        let cert = docs.certificates.unwrap_or_default();
        common(
            self,
            Kind::Certificates,
            cert.enabled,
            cert.template.clone(),
            cert.signed_by.as_ref(),
        );
        if let Some(share) = cert.min_attendance {
            if !(0.0..=1.0).contains(&share) {
                self.error(
                    "documents.certificates.min_attendance",
                    "documents.certificates",
                    format!(
                        "min_attendance {share} must be a share between 0 and 1 (e.g. 0.8 for 80%)"
                    ),
                );
            }
            certificates.min_attendance = share;
        }
        certificates.signed_by = cert.signed_by.map(|s| s.to_vec()).unwrap_or_default();
        certificates.issued_on = cert.issued_on;
        if let Some(name) = &cert.secret_env {
            let at = "documents.certificates.secret_env";
            match std::env::var_os(name) {
                Some(key) if !key.is_empty() => {
                    certificates.secret = Some(key.as_encoded_bytes().to_vec());
                }
                _ => self.error(
                    at,
                    "documents.certificates",
                    format!(
                        "the environment variable {name} is not set: it must hold the key \
                         certificates are verified with (keep the key itself out of the \
                         programme file)"
                    ),
                ),
            }
        }

        Documents {
            kinds,
            certificates,
            letters,
            badges,
            overview,
        }
    }

    /// Badge size and sheet layout, checked; `None` (with errors) when impossible.
    fn badge_settings(&mut self, d: &schema::Badges) -> Option<BadgeSettings> {
        let entry = "documents.badges";
        let defaults = BadgeSettings::default();
        let size_of = |v: &mut Self, key: &str, text: &Option<String>, default| match text {
            None => Some(default),
            Some(text) => match paper::size(text) {
                None => {
                    v.error(
                        &format!("{entry}.{key}"),
                        entry,
                        format!(
                            "`{text}` is not a size; write it like `90mm x 55mm`, `90x55mm` or `A6`"
                        ),
                    );
                    None
                }
                Some((w, h)) if w.max(h) > MAX_PAPER_MM => {
                    v.error(
                        &format!("{entry}.{key}"),
                        entry,
                        format!(
                            "`{text}` is larger than any press prints: sides are at most \
                             {MAX_PAPER_MM} mm (A0 is 841 x 1189 mm)"
                        ),
                    );
                    None
                }
                size => size,
            },
        };
        let size = size_of(self, "size", &d.size, defaults.size);
        let sheet = size_of(self, "sheet", &d.sheet, defaults.sheet.sheet);
        let length = |v: &mut Self, key: &str, value: &Option<schema::Length>, default: f64| {
            let mm = match value {
                None => Some(default),
                Some(schema::Length::Millimetres(mm)) => {
                    (*mm >= 0.0 && mm.is_finite()).then_some(*mm)
                }
                Some(schema::Length::Text(text)) => paper::length(text),
            };
            if mm.is_none() {
                v.error(
                    &format!("{entry}.{key}"),
                    entry,
                    format!(
                        "`{key}` must be a length such as `4mm` or 4 (millimetres), not negative"
                    ),
                );
            }
            mm
        };
        let margin = length(self, "margin", &d.margin, 10.0);
        let bleed = length(self, "bleed", &d.bleed, programme::DEFAULT_BLEED).and_then(|mm| {
            if mm <= programme::MAX_BLEED {
                return Some(mm);
            }
            self.error(
                &format!("{entry}.bleed"),
                entry,
                format!(
                    "a bleed of {mm} mm is more than a print shop trims away; use 3mm (the usual) \
                     or at most {}mm",
                    programme::MAX_BLEED
                ),
            );
            None
        });
        let gap = length(
            self,
            "gap",
            &d.gap,
            programme::default_gap(bleed.unwrap_or(programme::DEFAULT_BLEED)),
        );
        let (size, sheet, margin, gap, bleed) = (size?, sheet?, margin?, gap?, bleed?);
        let request = LayoutRequest {
            sheet,
            badge: size,
            margin,
            gap,
            bleed,
            columns: d.columns,
            rows: d.rows,
            marks: d.marks != Some(schema::Marks::None),
        };
        match impose::layout(request) {
            Ok(layout) => Some(BadgeSettings {
                size,
                sheet: layout,
                double_sided: d.double_sided.unwrap_or(false),
            }),
            Err(problem) => {
                // The line of what the problem is most likely about.
                let at = if d.columns.is_some() {
                    "columns"
                } else if d.rows.is_some() {
                    "rows"
                } else {
                    "size"
                };
                self.error(&format!("{entry}.{at}"), entry, problem);
                None
            }
        }
    }

    /// A letter kind's settings, checked; `None` (with errors) when incomplete.
    fn letter_settings(&mut self, kind: Kind, d: &schema::Letters) -> Option<LetterSettings> {
        let path = format!("documents.{}", kind.key());
        let entry = path.clone();
        let off = "or switch the kind off with `enabled: false`";
        let signed_by = match &d.signed_by {
            Some(OneOrMany::One(id)) => Some(id.clone()),
            Some(OneOrMany::Many(ids)) if ids.len() == 1 => Some(ids[0].clone()),
            Some(OneOrMany::Many(_)) => {
                self.error(
                    &format!("{path}.signed_by"),
                    &entry,
                    "a letter has one signatory; name one id",
                );
                None
            }
            None => {
                self.error(
                    &path,
                    &entry,
                    format!("letters need `signed_by`, the signatory's id, {off}"),
                );
                None
            }
        };
        if d.dated.is_none() {
            let field = if kind == Kind::Invitations {
                "dated"
            } else {
                "sent_on"
            };
            self.error(
                &path,
                &entry,
                format!("letters need `{field}`, the date they carry, {off}"),
            );
        }
        let window = match &d.window {
            None => None,
            Some(Window::Custom(area)) => {
                let fits = area.top >= 0.0
                    && area.left >= 0.0
                    && area.width > 0.0
                    && area.height > 0.0
                    && area.left + area.width <= 210.0
                    && area.top + area.height <= 297.0;
                if !fits {
                    self.error(
                        &format!("{path}.window"),
                        &entry,
                        "the window must lie on an A4 page: top, left, width and height in mm",
                    );
                }
                Some(*area)
            }
            Some(Window::Preset(name)) => match WINDOW_PRESETS.iter().find(|(n, _)| n == name) {
                Some((_, area)) => Some(*area),
                None => {
                    let names: Vec<_> = WINDOW_PRESETS.iter().map(|(n, _)| *n).collect();
                    self.error(
                        &format!("{path}.window"),
                        &entry,
                        format!("unknown window `{name}`; use one of {}", names.join(", ")),
                    );
                    None
                }
            },
        };
        Some(LetterSettings {
            signed_by: signed_by?,
            dated: d.dated?,
            reply_by: d.reply_by,
            window,
        })
    }
}

/// `participants[3] (MM-02)`: how messages name an entry.
fn entry(path: &str, id: &str) -> String {
    format!("{path} ({id})")
}

/// Splits `09:30-12:00` into its two times, checking both.
fn parse_time_range(text: &str) -> Option<(String, String)> {
    let (start, end) = text.split_once('-')?;
    let (start, end) = (start.trim(), end.trim());
    let time = |t: &str| chrono::NaiveTime::parse_from_str(t, "%H:%M").ok();
    let (s, e) = (time(start)?, time(end)?);
    (s < e).then(|| (start.to_string(), end.to_string()))
}

/// The candidate closest to `word` by edit distance, when it is close enough to be
/// a plausible typo.
fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a String>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (c.chars().count().max(3) / 3).max(2))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_ranges() {
        assert_eq!(
            parse_time_range("09:30-12:00"),
            Some(("09:30".into(), "12:00".into()))
        );
        assert_eq!(parse_time_range("12:00-09:30"), None);
        assert_eq!(parse_time_range("9.30"), None);
    }

    #[test]
    fn suggests_near_ids() {
        let ids = ["nwec".to_string(), "jica".to_string(), "mofa".to_string()];
        assert_eq!(nearest("nwce", ids.iter()), Some("nwec"));
        assert_eq!(nearest("unrelated", ids.iter()), None);
    }
}
