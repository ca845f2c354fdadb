//! Volumes: print files too long for one file are split into several, never
//! within a document.

use super::PrintFile;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programme::Kind;

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
