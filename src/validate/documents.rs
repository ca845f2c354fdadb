//! Document settings: which kinds are made and from which templates, who
//! signs, and the settings of letters, certificates and badges (badge size and
//! sheet layout).

use std::collections::BTreeMap;

use super::Validator;
use super::ids::Ids;
use crate::limits::MAX_PAPER_MM;
use crate::paper;
use crate::programme::{
    self, BadgeSettings, CertificateSettings, Documents, Kind, KindSettings, LetterSettings,
    WINDOW_PRESETS,
};
use crate::schema::{self, OneOrMany, Window};
use crate::typeset::impose::{self, LayoutRequest};

impl Validator<'_> {
    /// The `documents` section, kind by kind, each checked for its template and
    /// signatories, then for its own settings.
    pub(super) fn documents(&mut self, docs: schema::Documents, signatories: &Ids) -> Documents {
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
