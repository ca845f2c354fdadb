//! `secretariat init`: a new programme folder that builds at once.

mod common;

use std::process::Command;

#[test]
fn a_new_programme_builds_at_once_and_init_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("seminar");
    let init = common::secretariat(&["init", folder.to_str().unwrap()]);
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    for file in [
        "programme.yaml",
        "assets/logo.svg",
        "assets/signature.svg",
        "templates/README.md",
        "fonts/README.md",
    ] {
        assert!(folder.join(file).is_file(), "{file}");
    }

    // `build` with no arguments, in the new folder.
    let output = Command::new(env!("CARGO_BIN_EXE_secretariat"))
        .arg("build")
        .current_dir(&folder)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let files = common::unzip(&folder.join("out/my-programme.zip"));
    assert!(files.iter().any(|(n, _)| n == "certificates/TH-01.pdf"));
    assert!(files.iter().any(|(n, _)| n == "badges/S-01.pdf"));

    // Into a folder that is not empty, init refuses and touches nothing.
    std::fs::write(folder.join("programme.yaml"), "# mine\n").unwrap();
    std::fs::remove_file(folder.join("assets/logo.svg")).unwrap();
    let again = common::secretariat(&["init", folder.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("not empty"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("programme.yaml")).unwrap(),
        "# mine\n"
    );
    assert!(!folder.join("assets/logo.svg").exists());
}
