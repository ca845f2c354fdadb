//! Country codes: the programme's own names for them, and resolving each code
//! to the name it prints as.

use std::collections::BTreeMap;

use super::Validator;
use crate::programme::Country;

impl Validator<'_> {
    /// Checks the code → name overrides; returns them for lookup.
    pub(super) fn countries(
        &mut self,
        overrides: &BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
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

    /// The country a code names: the programme's own name for it, else the
    /// ISO 3166 one.
    pub(super) fn country(
        &mut self,
        countries: &BTreeMap<String, String>,
        path: &str,
        entry: &str,
        code: &str,
    ) -> Country {
        use crate::import::countries::{Resolved, resolve};
        // A code, else a country's name in any case (`Viet Nam`, `laos`).
        let code = match resolve(code) {
            Resolved::Code(resolved) if !countries.contains_key(code) => resolved,
            _ => code,
        };
        match countries.get(code) {
            Some(name) => Country::new(code, name, true),
            None => match rust_iso3166::from_alpha2(code) {
                Some(c) => Country::new(code, c.name, false),
                None => {
                    let message = format!(
                        "`{code}` is not a country: write its ISO 3166 alpha-2 code \
                         (e.g. TH, VN) or English name, or name it under programme.countries"
                    );
                    match resolve(code) {
                        Resolved::Unknown(Some((name, near))) => self.error_hint(
                            path,
                            entry,
                            message,
                            format!("did you mean {name} ({near})?"),
                        ),
                        _ => self.error(path, entry, message),
                    }
                    Country {
                        code: code.to_string(),
                        name: code.to_string(),
                        in_text: code.to_string(),
                    }
                }
            },
        }
    }
}
