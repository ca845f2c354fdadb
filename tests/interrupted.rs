//! A run that fails late, or is interrupted, leaves the previous zip as it was
//! and no temporary files behind.

mod common;

use common::reference;

/// What the output folder holds besides the document cache (which must hold no
/// temporary file either) and the lock file builds take turns on.
fn out_entries(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name != ".cache" && name != ".secretariat.lock")
        .collect();
    names.sort();
    if let Ok(cache) = std::fs::read_dir(dir.join(".cache")) {
        for entry in cache {
            let name = entry.unwrap().file_name().into_string().unwrap();
            assert!(!name.ends_with(".partial"), "left in the cache: {name}");
        }
    }
    names
}

#[test]
fn a_write_error_leaves_the_previous_output_and_no_temporary_file() {
    let out = tempfile::tempdir().unwrap();
    // Something that cannot be replaced by a file stands where the zip goes.
    let blocker = out.path().join("kccp-2018-atip.zip");
    std::fs::create_dir(&blocker).unwrap();
    std::fs::write(blocker.join("keep.txt"), "kept").unwrap();
    let yaml = reference().join("programme.yaml");
    let output = common::secretariat(&[
        "build",
        yaml.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("kccp-2018-atip.zip"),
        "names the file: {stderr}"
    );
    assert_eq!(out_entries(out.path()), vec!["kccp-2018-atip.zip"]);
    assert_eq!(
        std::fs::read_to_string(blocker.join("keep.txt")).unwrap(),
        "kept"
    );
}

#[test]
fn ctrl_c_leaves_the_previous_zip_or_a_complete_new_one() {
    let yaml = reference().join("programme.yaml");
    for delay in [50, 300, 700, 1200] {
        let out = tempfile::tempdir().unwrap();
        let zip = out.path().join("kccp-2018-atip.zip");
        std::fs::write(&zip, b"the previous, good zip").unwrap();
        let status = common::interrupted_after(
            &[
                "build",
                yaml.to_str().unwrap(),
                "--out",
                out.path().to_str().unwrap(),
            ],
            delay,
        )
        .status;
        assert_eq!(
            out_entries(out.path()),
            vec!["kccp-2018-atip.zip"],
            "after {delay} ms"
        );
        let bytes = std::fs::read(&zip).unwrap();
        if status.success() {
            assert!(
                zip::ZipArchive::new(std::io::Cursor::new(bytes)).is_ok(),
                "a whole zip"
            );
        } else {
            assert_eq!(status.code(), Some(130), "after {delay} ms");
            assert_eq!(bytes, b"the previous, good zip", "after {delay} ms");
        }
    }
}
