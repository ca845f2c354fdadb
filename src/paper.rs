//! Paper sizes and lengths as people write them: `A4`, `90mm x 55mm`, `90x55mm`,
//! `3.5in x 2in`, `4mm`.

/// Named sizes, portrait, in millimetres.
const NAMED: &[(&str, (f64, f64))] = &[
    ("a3", (297.0, 420.0)),
    ("a4", (210.0, 297.0)),
    ("a5", (148.0, 210.0)),
    ("a6", (105.0, 148.0)),
    ("a7", (74.0, 105.0)),
    ("a8", (52.0, 74.0)),
    ("b5", (176.0, 250.0)),
    ("letter", (215.9, 279.4)),
    ("legal", (215.9, 355.6)),
    // ISO/IEC 7810 ID-1, the size of a credit card.
    ("cr80", (85.6, 53.98)),
];

/// Parses a size: a name from the table, or `W x H` with units (`90mm x 55mm`,
/// `90x55mm`, `9 x 5.5 cm`). Returns (width, height) in millimetres.
pub fn size(text: &str) -> Option<(f64, f64)> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    if let Some((_, size)) = NAMED.iter().find(|(name, _)| *name == compact) {
        return Some(*size);
    }
    let (w, h) = compact.split_once(['x', '×'])?;
    let (w_num, w_unit) = unit(w)?;
    let (h_num, h_unit) = unit(h)?;
    // Millimetres unless told; a unit written once, at the end, applies to both.
    let h_factor = if h_unit == 0.0 { 1.0 } else { h_unit };
    let w_factor = if w_unit == 0.0 { h_factor } else { w_unit };
    let (w, h) = (w_num * w_factor, h_num * h_factor);
    (w > 0.0 && h > 0.0 && w.is_finite() && h.is_finite()).then_some((w, h))
}

/// Parses a length in millimetres: `4`, `4mm`, `0.5cm`, `0.2in`.
pub fn length(text: &str) -> Option<f64> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (n, factor) = unit(&compact.to_lowercase())?;
    let mm = n * if factor == 0.0 { 1.0 } else { factor };
    (mm >= 0.0 && mm.is_finite()).then_some(mm)
}

/// Splits `55mm` into (55, mm per unit); the factor is 0 when no unit is written.
fn unit(text: &str) -> Option<(f64, f64)> {
    const UNITS: &[(&str, f64)] = &[("mm", 1.0), ("cm", 10.0), ("in", 25.4), ("pt", 25.4 / 72.0)];
    let (number, factor) = UNITS
        .iter()
        .find_map(|(u, f)| text.strip_suffix(u).map(|n| (n, *f)))
        .unwrap_or((text, 0.0));
    Some((number.parse().ok()?, factor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_as_written() {
        assert_eq!(size("90mm x 55mm"), Some((90.0, 55.0)));
        assert_eq!(size("90x55mm"), Some((90.0, 55.0)));
        assert_eq!(size("9 x 5.5 cm"), Some((90.0, 55.0)));
        assert_eq!(size("A6"), Some((105.0, 148.0)));
        assert_eq!(size("a4"), Some((210.0, 297.0)));
        assert_eq!(size("large"), None);
        assert_eq!(size("0x55mm"), None);
    }

    #[test]
    fn lengths_as_written() {
        assert_eq!(length("4"), Some(4.0));
        assert_eq!(length("4mm"), Some(4.0));
        assert_eq!(length("0.5cm"), Some(5.0));
        assert_eq!(length("-1mm"), None);
    }
}
