//! The mistakes people make in a programme file, one folder each under
//! `tests/broken/`: `check` explains each where it is (snapshots of its output),
//! exits with 1, and `build` leaves a previous zip exactly as it was.

mod common;

use std::path::Path;
use std::process::Command;

fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_secretariat"))
        .args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn every_broken_programme_is_explained_and_loses_nothing() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 11, "{cases:?}");
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let (code, stderr) = run(&case, &["check", "programme.yaml"]);
        assert_eq!(code, Some(1), "{name}: {stderr}");
        insta::assert_snapshot!(name.clone(), stderr);

        let out = tempfile::tempdir().unwrap();
        let previous = out.path().join("mini.zip");
        std::fs::write(&previous, b"the previous, good zip").unwrap();
        let (code, stderr) = run(
            &case,
            &[
                "build",
                "programme.yaml",
                "--out",
                out.path().to_str().unwrap(),
            ],
        );
        assert_eq!(code, Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains("no zip was written; any earlier one is unchanged"),
            "{name}: {stderr}"
        );
        assert_eq!(
            std::fs::read(&previous).unwrap(),
            b"the previous, good zip",
            "{name}"
        );
        assert_eq!(
            std::fs::read_dir(out.path()).unwrap().count(),
            1,
            "{name}: stray files"
        );
    }
}
