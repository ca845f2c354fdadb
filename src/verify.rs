//! Certificate verification codes: a short code on each certificate, derived
//! from its number, the participant and the programme, so anyone holding a
//! certificate can have it confirmed (`secretariat verify CODE`).
//!
//! With `documents.certificates.secret_env` naming an environment variable, the
//! code is an HMAC-SHA256 under that key: only the secretariat can make valid
//! codes. Without a key it is a plain SHA-256, which catches altered names and
//! numbers but can be recomputed by anyone who has the programme file.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Crockford's base 32: no I, L, O or U, so a code read aloud or typed from
/// paper is hard to get wrong.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a code, shown in two groups of five (50 bits).
const LENGTH: usize = 10;

/// The code of one certificate, `XXXXX-XXXXX`.
pub fn code(
    key: Option<&[u8]>,
    programme: &str,
    number: &str,
    participant: &str,
    name: &str,
) -> String {
    // Fields separated by a byte no field can hold (control characters are
    // refused on input), so no two different certificates share a message.
    let message = [
        "secretariat certificate 1",
        programme,
        number,
        participant,
        name,
    ]
    .join("\u{1f}");
    let digest: Vec<u8> = match key {
        Some(key) => {
            let mut mac =
                Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
            mac.update(message.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        None => Sha256::digest(message.as_bytes()).to_vec(),
    };
    let mut bits: u64 = 0;
    for byte in &digest[..8] {
        bits = bits << 8 | u64::from(*byte);
    }
    let chars: String = (0..LENGTH)
        .map(|i| ALPHABET[((bits >> (64 - 5 * (i + 1))) & 31) as usize] as char)
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// A code as someone typed it, in the printed form: case, spaces and dashes
/// ignored, and the letters Crockford's alphabet leaves out read as the digits
/// they look like. `None` when it cannot be a code.
pub fn normalise(input: &str) -> Option<String> {
    let mut chars = String::new();
    for c in input.chars().filter(|c| !c.is_whitespace() && *c != '-') {
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c if ALPHABET.contains(&(c as u8)) && c.is_ascii() => c,
            _ => return None,
        };
        chars.push(c);
    }
    (chars.len() == LENGTH).then(|| format!("{}-{}", &chars[..5], &chars[5..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_depend_on_every_part() {
        let base = code(None, "p", "N-001", "TH-01", "Siriporn");
        assert_eq!(base, code(None, "p", "N-001", "TH-01", "Siriporn"));
        assert_eq!(base.len(), 11);
        for other in [
            code(None, "q", "N-001", "TH-01", "Siriporn"),
            code(None, "p", "N-002", "TH-01", "Siriporn"),
            code(None, "p", "N-001", "TH-02", "Siriporn"),
            code(None, "p", "N-001", "TH-01", "Siripom"),
            code(Some(b"key"), "p", "N-001", "TH-01", "Siriporn"),
        ] {
            assert_ne!(base, other);
        }
        assert_ne!(
            code(Some(b"key"), "p", "N-001", "TH-01", "Siriporn"),
            code(Some(b"kez"), "p", "N-001", "TH-01", "Siriporn")
        );
    }

    #[test]
    fn typed_codes_are_read_forgivingly() {
        assert_eq!(normalise("abcde fghjk").as_deref(), Some("ABCDE-FGHJK"));
        assert_eq!(normalise("O1L2I-33333").as_deref(), Some("01121-33333"));
        assert_eq!(normalise("ABCDE-FGHJ"), None);
        assert_eq!(normalise("ABCDE-FGHJU"), None);
        assert_eq!(normalise("ÄBCDE-FGHJK"), None);
    }
}
