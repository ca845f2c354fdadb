//! Asset paths: logos, signatures and seals must be files inside the
//! programme folder.

use super::Validator;

impl Validator<'_> {
    /// Checks that an asset is a regular file inside the programme folder,
    /// through the one door every read goes through.
    pub(super) fn asset(&mut self, path: &str, entry: &str, asset: &str) {
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
}
