//! Certificate verification codes: printed on each certificate, listed in the
//! register, accepted by `secretariat verify`, and a changed code is refused.

mod common;

use common::*;

fn verify(code: &str, programme: &std::path::Path, key: Option<&str>) -> (Option<i32>, String) {
    let output = secretariat_with(
        &["verify", code, programme.to_str().unwrap()],
        &[("CERTIFICATE_KEY", key)],
    );
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    )
}

/// (participant, code) for every certificate in the register.
fn register_codes(files: &[(String, Vec<u8>)]) -> Vec<(String, String)> {
    let (_, register) = files
        .iter()
        .find(|(n, _)| n == "certificates/register.csv")
        .unwrap();
    let register = String::from_utf8(register.clone()).unwrap();
    let mut lines = register.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let code_at = header
        .iter()
        .position(|h| *h == "verification_code")
        .unwrap();
    let mut rows = Vec::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let code = cells[cells.len() - (header.len() - code_at)];
        if !code.is_empty() {
            rows.push((cells[1].to_string(), code.to_string()));
        }
    }
    rows
}

/// Changes one character of a code to another of the alphabet.
fn altered(code: &str) -> String {
    let mut chars: Vec<char> = code.chars().collect();
    chars[3] = if chars[3] == '7' { '8' } else { '7' };
    chars.into_iter().collect()
}

#[test]
fn every_certificate_carries_a_code_that_verify_accepts() {
    let out = tempfile::tempdir().unwrap();
    let yaml = reference().join("programme.yaml");
    let files = unzip(&build(&yaml, out.path()));
    let codes = register_codes(&files);
    assert_eq!(codes.len(), 12, "one code per certificate");
    for (participant, code) in &codes {
        assert!(
            code.len() == 11 && code.as_bytes()[5] == b'-',
            "{participant}: {code}"
        );
        let (_, pdf) = files
            .iter()
            .find(|(n, _)| *n == format!("certificates/{participant}.pdf"))
            .unwrap();
        let text = Pdf::parse(pdf).text();
        assert!(
            squeeze(&text).contains(&squeeze(code)),
            "{participant}: {code} not printed"
        );
        let (status, said) = verify(code, &yaml, None);
        assert_eq!(status, Some(0), "{said}");
        assert!(said.contains(participant.as_str()), "{said}");
        // Typed in lower case, without the dash: still found.
        let typed = code.replace('-', " ").to_lowercase();
        assert_eq!(verify(&typed, &yaml, None).0, Some(0));
        let (status, said) = verify(&altered(code), &yaml, None);
        assert_eq!(status, Some(1), "{said}");
        assert!(said.contains("not valid"), "{said}");
    }
    // No certificate, no code: MM-02 missed too many days.
    let (_, register) = files
        .iter()
        .find(|(n, _)| n == "certificates/register.csv")
        .unwrap();
    let register = String::from_utf8(register.clone()).unwrap();
    let mm02 = register.lines().find(|l| l.contains("MM-02")).unwrap();
    assert!(mm02.ends_with(','), "{mm02}");
}

#[test]
fn the_qr_code_on_a_certificate_holds_its_verification_code() {
    let programme = secretariat::pipeline::check(&reference().join("programme.yaml")).unwrap();
    let templates = secretariat::render::Templates::new(&programme.folder);
    let plan = secretariat::plan::plan(&programme, &templates).unwrap();
    let row = plan
        .register
        .iter()
        .find(|r| r.participant == "TH-01")
        .unwrap();
    let document = typeset(
        &reference().join("programme.yaml"),
        "certificates/TH-01.pdf",
    );
    let expected = secretariat::context::qr_svg(&row.code);
    assert!(
        secretariat::typeset::drawn_svgs(&document)
            .iter()
            .any(|svg| String::from_utf8_lossy(svg) == expected),
        "no QR code of {} on the certificate",
        row.code
    );
}

#[test]
fn a_keyed_programme_needs_its_key_to_verify() {
    let dir = fixture(|y| {
        replace_once(
            &y,
            "    issued_on: 2018-11-07\n",
            "    issued_on: 2018-11-07\n    secret_env: CERTIFICATE_KEY\n",
        )
    });
    let yaml = dir.path().join("programme.yaml");
    let out = dir.path().join("out");
    let output = secretariat_with(
        &[
            "build",
            yaml.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[(
            "CERTIFICATE_KEY",
            Some("a long secret only the secretariat holds"),
        )],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let keyed = register_codes(&unzip(&out.join("kccp-2018-atip.zip")));
    let plain = register_codes(&unzip(&build(
        &reference().join("programme.yaml"),
        &dir.path().join("plain"),
    )));
    let (_, code) = &keyed[0];
    assert_ne!(keyed[0], plain[0], "the key changes the codes");

    let key = Some("a long secret only the secretariat holds");
    assert_eq!(verify(code, &yaml, key).0, Some(0));
    assert_eq!(verify(code, &yaml, Some("another key")).0, Some(1));
    // Without the key the programme cannot be checked at all, and says why.
    let (status, said) = verify(code, &yaml, None);
    assert_eq!(status, Some(1));
    assert!(
        said.contains("CERTIFICATE_KEY") && said.contains("not set"),
        "{said}"
    );
}
