//! Trust at the edges: a damaged cache never reaches the zip, nothing outside
//! the programme folder is read or written, every input is bounded, and the
//! YAML is read one way only.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A small programme that builds in a fraction of a second.
const MINI: &str = "\
programme:
  id: mini
  title: Mini programme
  reference: MINI
  host: host
  start: 2024-05-13
  end: 2024-05-14
  contact:
    name: Secretariat
    email: secretariat@example.org

signatories:
  - id: director
    name: Ada Director
    title: Director

documents:
  invitations: {enabled: false}
  requests: {enabled: false}
  thank-you: {enabled: false}
  certificates:
    signed_by: [director]
    min_attendance: 0.5

organisations:
  - id: host
    name: Host Institute
    group: host

participants:
  - id: P-01
    name: Somchai Jaidee
    native_name: สมชาย ใจดี
    country: TH
    organisation: Ministry of Labour
  - id: P-02
    name: Nguyen Thi Thao
    country: VN
    organisation: Ministry of Home Affairs

days:
  - date: 2024-05-13
    title: Opening
    sessions:
      - {time: \"09:00-10:00\", kind: ceremony, title: Opening, with: [host]}
  - date: 2024-05-14
    title: Closing
";

/// A folder holding `programme.yaml` with `text`.
fn folder(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("programme.yaml"), text).unwrap();
    dir
}

/// Runs the binary, killing it if it has not finished within `limit`: no
/// input may make it hang.
fn run_within(args: &[&str], env: &[(&str, &str)], limit: Duration) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_secretariat"));
    command
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("{args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn check(dir: &Path) -> (Option<i32>, String) {
    let yaml = dir.join("programme.yaml");
    let output = run_within(
        &["check", yaml.to_str().unwrap()],
        &[],
        Duration::from_secs(20),
    );
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn build_mini(dir: &Path, out: &Path) -> (Option<i32>, String) {
    run_build(&dir.join("programme.yaml"), out)
}

// ---------------------------------------------------------------------------
// 1. What goes into the zip is what was typeset.

/// Where the document cache holds the zip member `member`: its pack, and
/// where in it its packed PDF lies, as the line of an index that lists it
/// says; and that index.
struct Held {
    pack: PathBuf,
    at: usize,
    len: usize,
    index: PathBuf,
}

fn held_in_cache(out: &Path, zip: &Path, member: &str) -> Held {
    let bytes = unzip(zip)
        .into_iter()
        .find(|(name, _)| name == member)
        .unwrap()
        .1;
    let sha256 = secretariat::typeset::sha256(&bytes);
    // The latest run's index first: its entry is the one a build reads.
    let mut indexes: Vec<PathBuf> = std::fs::read_dir(out.join(".cache"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "index"))
        .collect();
    indexes.sort();
    for index in indexes.into_iter().rev() {
        for line in std::fs::read_to_string(&index).unwrap().lines() {
            let record: serde_json::Value = serde_json::from_str(&line[65..]).unwrap();
            if record["sha256"] == sha256.as_str() {
                return Held {
                    pack: index.with_extension("pack"),
                    at: record["packed_at"].as_u64().unwrap() as usize,
                    len: record["packed_len"].as_u64().unwrap() as usize,
                    index,
                };
            }
        }
    }
    panic!("no cache entry holds {member}");
}

#[test]
fn a_damaged_cache_entry_is_typeset_again_and_never_reaches_the_zip() {
    let dir = folder(MINI);
    let out = dir.path().join("out");
    let (code, stderr) = build_mini(dir.path(), &out);
    assert_eq!(code, Some(0), "{stderr}");
    let zip = out.join("mini.zip");
    let good = std::fs::read(&zip).unwrap();
    let member = "certificates/P-01.pdf";
    let other = "certificates/P-02.pdf";
    let named = format!("the cache entry for {member} was damaged; typeset again");
    let line = "1 line of the document cache's index was damaged; the document it listed \
                is typeset again"
        .to_string();

    type Tamper = fn(&Held, &Held);
    let tampering: [(&str, Tamper, &String); 7] = [
        (
            "flipped",
            |held, _| {
                let mut bytes = std::fs::read(&held.pack).unwrap();
                let middle = held.at + held.len / 2;
                for b in &mut bytes[middle - 32..middle + 32] {
                    *b ^= 0xFF;
                }
                std::fs::write(&held.pack, bytes).unwrap();
            },
            &named,
        ),
        (
            "another's PDF in its place",
            |held, other| {
                let theirs = std::fs::read(&other.pack).unwrap()[other.at..][..other.len].to_vec();
                let mut bytes = std::fs::read(&held.pack).unwrap();
                let n = held.len.min(other.len);
                bytes[held.at..held.at + n].copy_from_slice(&theirs[..n]);
                std::fs::write(&held.pack, bytes).unwrap();
            },
            &named,
        ),
        (
            "its pack cut short",
            |held, _| {
                let bytes = std::fs::read(&held.pack).unwrap();
                std::fs::write(&held.pack, &bytes[..held.at + held.len / 3]).unwrap();
            },
            &named,
        ),
        (
            "a page size changed in its record",
            |held, _| {
                let text = std::fs::read_to_string(&held.index).unwrap();
                let lines: Vec<String> = text
                    .lines()
                    .map(|line| {
                        if line.contains(&format!("\"packed_at\":{}}}", held.at)) {
                            line.replacen("297.0", "397.0", 1)
                        } else {
                            line.to_string()
                        }
                    })
                    .collect();
                std::fs::write(&held.index, lines.join("\n") + "\n").unwrap();
            },
            &line,
        ),
        (
            "a folder in place of its pack",
            |held, _| {
                std::fs::remove_file(&held.pack).unwrap();
                std::fs::create_dir(&held.pack).unwrap();
            },
            &named,
        ),
        (
            "an empty pack",
            |held, _| {
                std::fs::write(&held.pack, b"").unwrap();
            },
            &named,
        ),
        (
            "its pack gone",
            |held, _| {
                std::fs::remove_file(&held.pack).unwrap();
            },
            &named,
        ),
    ];
    for (how, tamper, note) in tampering {
        let held = held_in_cache(&out, &zip, member);
        let other = held_in_cache(&out, &zip, other);
        tamper(&held, &other);
        let (code, stderr) = build_mini(dir.path(), &out);
        assert_eq!(code, Some(0), "{how}: {stderr}");
        assert!(stderr.contains(note.as_str()), "{how}: {stderr}");
        assert!(
            std::fs::read(&zip).unwrap() == good,
            "{how}: the zip differs from the one built before"
        );
    }
    // And the next build finds a whole cache again.
    let (code, stderr) = build_mini(dir.path(), &out);
    assert_eq!(code, Some(0));
    assert!(!stderr.contains("damaged"), "{stderr}");
}

#[test]
fn a_cache_folder_that_is_not_one_never_fails_a_build_or_leads_elsewhere() {
    let dir = folder(MINI);
    let out = dir.path().join("out");
    assert_eq!(build_mini(dir.path(), &out).0, Some(0));
    let good = std::fs::read(out.join("mini.zip")).unwrap();
    // A file where the cache folder goes.
    std::fs::remove_dir_all(out.join(".cache")).unwrap();
    std::fs::write(out.join(".cache"), b"not a folder").unwrap();
    let (code, stderr) = build_mini(dir.path(), &out);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(std::fs::read(out.join("mini.zip")).unwrap() == good);
    // A link to someone's folder: replaced, their files untouched.
    let victim = dir.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    std::fs::write(victim.join("settings.json"), b"{}").unwrap();
    std::fs::write(victim.join("backup.zip"), b"z").unwrap();
    std::fs::remove_dir_all(out.join(".cache")).unwrap();
    #[cfg(unix)]
    symlink(&victim, &out.join(".cache"));
    let (code, stderr) = build_mini(dir.path(), &out);
    assert_eq!(code, Some(0), "{stderr}");
    let mut theirs: Vec<_> = std::fs::read_dir(&victim)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    theirs.sort();
    assert_eq!(theirs, ["backup.zip", "settings.json"]);
    // `--out ~`: a .cache folder of someone else's is refused, not pruned.
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".cache")).unwrap();
    std::fs::write(home.join(".cache/prefs.json"), b"{}").unwrap();
    let (code, stderr) = build_mini(dir.path(), &home);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("holds files this tool did not make"),
        "{stderr}"
    );
    assert!(home.join(".cache/prefs.json").exists());
    // A link where the lock goes is not followed.
    #[cfg(unix)]
    {
        let out = dir.path().join("locked");
        std::fs::create_dir(&out).unwrap();
        symlink(&victim.join("created"), &out.join(".secretariat.lock"));
        let (code, stderr) = build_mini(dir.path(), &out);
        assert_eq!(code, Some(1), "{stderr}");
        assert!(!victim.join("created").exists());
    }
}

#[test]
fn ctrl_c_at_any_moment_leaves_no_temporary_file() {
    let dir = folder(MINI);
    let out = dir.path().join("out");
    for delay in [60, 120, 180, 240, 300, 360, 420, 480] {
        interrupted_after(
            &[
                "build",
                dir.path().join("programme.yaml").to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--no-cache",
            ],
            delay,
        );
        for folder in [out.clone(), out.join(".cache")] {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries {
                let name = entry.unwrap().file_name().into_string().unwrap();
                assert!(!name.ends_with(".partial"), "after {delay} ms: {name}");
            }
        }
    }
}

#[test]
fn a_killed_runs_temporary_files_are_removed_by_the_next() {
    let dir = folder(MINI);
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join(".cache")).unwrap();
    let stale = [
        out.join(".secretariat-k1ll3d.zip.partial"),
        out.join(".cache/.secretariat-k1ll3d.partial"),
        out.join(".cache/.entry-0ld.partial"),
    ];
    for path in &stale {
        std::fs::write(path, b"half a file").unwrap();
    }
    // Not ours: kept.
    std::fs::write(out.join("notes.partial"), b"mine").unwrap();
    let (code, stderr) = build_mini(dir.path(), &out);
    assert_eq!(code, Some(0), "{stderr}");
    for path in &stale {
        assert!(!path.exists(), "{} left", path.display());
    }
    assert!(out.join("notes.partial").exists());
}

#[test]
fn two_builds_into_one_folder_both_end_correctly() {
    let one = folder(MINI);
    let two = folder(&replace_once(MINI, "id: mini", "id: other"));
    // Each alone, for reference.
    let alone = tempfile::tempdir().unwrap();
    assert_eq!(build_mini(one.path(), alone.path()).0, Some(0));
    assert_eq!(build_mini(two.path(), alone.path()).0, Some(0));
    let shared = tempfile::tempdir().unwrap();
    for _ in 0..3 {
        let spawn = |dir: &Path| {
            Command::new(env!("CARGO_BIN_EXE_secretariat"))
                .args([
                    "build",
                    dir.join("programme.yaml").to_str().unwrap(),
                    "--out",
                    shared.path().to_str().unwrap(),
                ])
                .env_remove("SOURCE_DATE_EPOCH")
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(one.path()), spawn(two.path()));
        for child in [a, b] {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        for name in ["mini.zip", "other.zip"] {
            assert!(
                std::fs::read(shared.path().join(name)).unwrap()
                    == std::fs::read(alone.path().join(name)).unwrap(),
                "{name} differs from the one built alone"
            );
        }
    }
}

#[test]
fn a_failed_build_says_only_what_is_true() {
    // The certificates' template fails in Typst, after other documents have
    // been typeset into the cache.
    let dir = folder(MINI);
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("templates/certificates.typ.j2"),
        "#panic(\"broken\")\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("mini.zip"), b"previous").unwrap();
    let (code, stderr) = build_mini(dir.path(), &out);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(!stderr.contains("nothing was written"), "{stderr}");
    assert!(
        stderr.contains("no zip was written; any earlier one is unchanged"),
        "{stderr}"
    );
    assert!(out.join(".cache").read_dir().unwrap().next().is_some());
    assert_eq!(std::fs::read(out.join("mini.zip")).unwrap(), b"previous");
}

#[test]
fn an_interrupted_proof_leaves_no_page_images_or_all_of_them() {
    // The reference programme: 127 pages, several seconds of rendering, so
    // interruptions land while images are made.
    let dir = fixture(|text| text);
    let out = dir.path().join("out");
    let png = dir.path().join("png");
    // A build first, so the proof's own work is what is interrupted.
    assert_eq!(build_mini(dir.path(), &out).0, Some(0));
    let mut interrupted = 0;
    for delay in [400, 2500, 5000] {
        let _ = std::fs::remove_dir_all(&png);
        let output = interrupted_after(
            &[
                "proof",
                dir.path().join("programme.yaml").to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--png",
                png.to_str().unwrap(),
            ],
            delay,
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut images = Vec::new();
        let mut hidden = Vec::new();
        if let Ok(walk) = walk(&png) {
            for path in walk {
                let name = path.file_name().unwrap().to_str().unwrap().to_string();
                if name.starts_with('.') {
                    hidden.push(path);
                } else {
                    images.push(path);
                }
            }
        }
        assert!(hidden.is_empty(), "after {delay} ms: left {hidden:?}");
        if output.status.success() {
            assert!(!images.is_empty());
        } else {
            assert_eq!(output.status.code(), Some(130), "{stderr}");
            interrupted += 1;
            let moved = stderr.contains("page images were moved into");
            assert!(
                images.is_empty() || moved,
                "after {delay} ms: {} images left unannounced: {stderr}",
                images.len()
            );
        }
    }
    assert!(interrupted > 0, "no proof was interrupted");
}

/// Every file under `dir`, and every hidden folder.
fn walk(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            if path.file_name().unwrap().to_str().unwrap().starts_with('.') {
                found.push(path.clone());
            }
            found.extend(walk(&path)?);
        } else {
            found.push(path);
        }
    }
    Ok(found)
}

// ---------------------------------------------------------------------------
// 2. Nothing outside the programme folder is read or written.

/// A file outside every programme folder, holding something that must never
/// be printed.
fn secret() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.txt");
    std::fs::write(&path, "TOP-SECRET-CONTENTS\nid,name\n").unwrap();
    (dir, path)
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(unix)]
#[test]
fn imports_outside_the_folder_are_refused_without_their_contents() {
    let (_keep, secret) = secret();
    let dir = folder("");
    symlink(&secret, &dir.path().join("link.csv"));
    symlink(
        Path::new("/proc/self/environ"),
        &dir.path().join("environ.csv"),
    );
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    for from in [
        secret.to_str().unwrap(),
        "../secret.csv",
        "sub/../../secret.csv",
        "link.csv",
        "environ.csv",
    ] {
        let text = format!(
            "{}participants:\n  from: {from}\n{}",
            &MINI[..MINI.find("participants:").unwrap()],
            &MINI[MINI.find("\ndays:").unwrap()..]
        );
        std::fs::write(dir.path().join("programme.yaml"), text).unwrap();
        let output = run_within(
            &["check", dir.path().join("programme.yaml").to_str().unwrap()],
            &[("CERTIFICATE_KEY", "KEY-THAT-MUST-NOT-SHOW")],
            Duration::from_secs(20),
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{from}: {stderr}");
        assert!(
            stderr.contains("outside the programme folder"),
            "{from}: {stderr}"
        );
        assert!(!stderr.contains("TOP-SECRET"), "{from}: {stderr}");
        assert!(
            !stderr.contains("KEY-THAT-MUST-NOT-SHOW"),
            "{from}: {stderr}"
        );
        assert!(stderr.contains("programme.yaml:"), "located: {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn templates_and_includes_outside_the_folder_are_refused_without_their_contents() {
    let (_keep, secret) = secret();
    let outside = secret.parent().unwrap();
    type Setup = fn(&Path, &Path);
    let cases: [(&str, Setup); 3] = [
        ("a template linked from outside", |dir, secret| {
            symlink(secret, &dir.join("templates/certificates.typ.j2"));
        }),
        ("an include linked from outside", |dir, secret| {
            std::fs::write(
                dir.join("templates/certificates.typ.j2"),
                "{% include \"partials/secret.typ\" %}\n",
            )
            .unwrap();
            std::fs::create_dir(dir.join("templates/partials")).unwrap();
            symlink(secret, &dir.join("templates/partials/secret.typ"));
        }),
        (
            "a folder of templates linked from outside",
            |dir, secret| {
                symlink(secret.parent().unwrap(), &dir.join("templates/etc"));
                let yaml = dir.join("programme.yaml");
                let text = std::fs::read_to_string(&yaml).unwrap().replace(
                    "    signed_by: [director]\n",
                    "    signed_by: [director]\n    template: etc/secret.txt\n",
                );
                std::fs::write(yaml, text).unwrap();
            },
        ),
    ];
    for (what, setup) in cases {
        let dir = folder(MINI);
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        setup(dir.path(), &secret);
        let out = dir.path().join("out");
        let (code, stderr) = build_mini(dir.path(), &out);
        assert_eq!(code, Some(1), "{what}: {stderr}");
        assert!(
            stderr.contains("lies outside the programme folder"),
            "{what}: {stderr}"
        );
        assert!(!stderr.contains("TOP-SECRET"), "{what}: {stderr}");
        assert!(!out.join("mini.zip").exists());
    }
    let _ = outside;
}

#[cfg(unix)]
#[test]
fn files_a_document_reads_must_be_regular_files_inside_the_folder() {
    let (_keep, secret) = secret();
    let fifo = |path: &Path| {
        let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    };
    type Setup = Box<dyn Fn(&Path)>;
    let cases: [(&str, &str, Setup); 3] = [
        (
            "a FIFO read by a template",
            "not a regular file",
            Box::new(move |dir: &Path| fifo(&dir.join("pipe.txt"))),
        ),
        (
            "a link out of the folder read by a template",
            "outside the programme folder",
            Box::new({
                let secret = secret.clone();
                move |dir: &Path| symlink(&secret, &dir.join("pipe.txt"))
            }),
        ),
        (
            "a folder read by a template",
            "",
            Box::new(|dir: &Path| std::fs::create_dir(dir.join("pipe.txt")).unwrap()),
        ),
    ];
    for (what, says, setup) in cases {
        let dir = folder(MINI);
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("templates/certificates.typ.j2"),
            "#read(\"/pipe.txt\")\n",
        )
        .unwrap();
        setup(dir.path());
        let out = dir.path().join("out");
        let output = run_within(
            &[
                "build",
                dir.path().join("programme.yaml").to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            &[],
            Duration::from_secs(60),
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{what}: {stderr}");
        assert!(stderr.contains(says), "{what}: {stderr}");
        assert!(!stderr.contains("TOP-SECRET"), "{what}: {stderr}");
    }
    // An asset that is a FIFO is refused by `check`, at once.
    let dir = folder(&replace_once(
        MINI,
        "    title: Director\n",
        "    title: Director\n    signature: sig.svg\n",
    ));
    fifo(&dir.path().join("sig.svg"));
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("`sig.svg` is a FIFO"), "{stderr}");
    // So is a programme file that is one.
    let dir = tempfile::tempdir().unwrap();
    fifo(&dir.path().join("programme.yaml"));
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("FIFO"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn templates_export_never_writes_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("templates");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&target).unwrap();
    // A dangling link where a template would go, and a linked folder.
    symlink(
        &elsewhere.join("certificates.typ.j2"),
        &target.join("certificates.typ.j2"),
    );
    std::fs::create_dir(&elsewhere).unwrap();
    symlink(&elsewhere, &target.join("partials"));
    let output = secretariat(&["templates", "export", target.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        std::fs::read_dir(&elsewhere).unwrap().next().is_none(),
        "wrote outside: {stderr}"
    );
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("leads outside"), "{stderr}");
}

// ---------------------------------------------------------------------------
// 3. Bounded: no input can exhaust memory or time.

#[test]
fn deep_flow_nesting_is_refused_at_once() {
    let text = format!(
        "{MINI}unused: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let dir = folder(&text);
    let started = Instant::now();
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("nests more than 24 levels"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let dir = folder(&format!("{MINI}unused: {}\n", "{a: ".repeat(50_000)));
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("nests more than 24 levels"), "{stderr}");
}

#[test]
fn a_file_over_the_limit_is_refused_unread() {
    let mut text = MINI.to_string();
    text.push_str("# ");
    text.push_str(&"x".repeat(33 << 20));
    let dir = folder(&text);
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("larger than 32 MB"), "{stderr}");
    assert!(stderr.len() < 2000, "{} bytes of message", stderr.len());
}

#[test]
fn a_file_of_too_many_values_is_refused_at_once() {
    let dates = vec!["2024-05-13"; 2_500_000].join(", ");
    let dir = folder(&replace_once(
        MINI,
        "    organisation: Ministry of Labour\n",
        &format!("    organisation: Ministry of Labour\n    absent: [{dates}]\n"),
    ));
    let started = Instant::now();
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("holds more than 300,000 values"),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn reports_are_capped() {
    let absent: Vec<String> = (0..5000).map(|_| "2099-01-01".to_string()).collect();
    let text = replace_once(
        MINI,
        "    organisation: Ministry of Labour\n",
        &format!(
            "    organisation: Ministry of Labour\n    absent: [{}]\n",
            absent.join(", ")
        ),
    );
    let dir = folder(&text);
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1));
    assert!(stderr.contains("problems found"), "{stderr}");
    assert!(stderr.contains("more problems, not shown"), "{stderr}");
    assert!(stderr.len() < 100_000, "{} bytes of report", stderr.len());
    let yaml = dir.path().join("programme.yaml");
    let output = secretariat(&["check", yaml.to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["problems"].as_array().unwrap().len(), 50);
    assert!(json["not_shown"].as_u64().unwrap() > 4000);
}

#[test]
fn dates_and_the_programmes_length_are_bounded() {
    for (end, says) in [
        ("+99999-11-07", "is not a plausible date"),
        ("2118-11-07", "a programme may run at most 732 days"),
        ("1066-10-14", "is not a plausible date"),
    ] {
        let dir = folder(&replace_once(
            MINI,
            "end: 2024-05-14",
            &format!("end: {end}"),
        ));
        let started = Instant::now();
        let (code, stderr) = check(dir.path());
        assert_eq!(code, Some(1), "{end}: {stderr}");
        assert!(stderr.contains(says), "{end}: {stderr}");
        assert!(
            stderr.contains("programme.yaml:7"),
            "{end}: located: {stderr}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }
    // A long but real course is fine.
    let dir = folder(&replace_once(MINI, "end: 2024-05-14", "end: 2026-05-12"));
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_huge_value_is_quoted_as_an_excerpt() {
    let huge = "X".repeat(200_000);
    let dir = folder(&replace_once(
        MINI,
        "min_attendance: 0.5",
        &format!("min_attendance: {huge}"),
    ));
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{}", &stderr[..stderr.len().min(2000)]);
    assert!(stderr.len() < 4000, "{} bytes of message", stderr.len());
}

// ---------------------------------------------------------------------------
// 4. One reading of the YAML.

#[test]
fn a_byte_order_mark_keeps_the_guards_and_the_lines() {
    let dir = folder(&format!("\u{FEFF}{MINI}"));
    assert_eq!(check(dir.path()).0, Some(0), "a BOM alone is fine");
    let text = format!("\u{FEFF}{MINI}more: &a [1]\nagain: *a\n");
    let line = line_of(&text, "more: &a");
    let dir = folder(&text);
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("anchors and aliases"), "{stderr}");
    assert!(
        stderr.contains(&format!("programme.yaml:{line}:")),
        "{stderr}"
    );
}

#[test]
fn tabs_are_refused_with_their_line_and_the_guards_still_hold() {
    let text = replace_once(MINI, "  title: Mini programme", "  title:\tMini programme")
        + "more: &a [1]\nagain: *a\n";
    let dir = folder(&text);
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    // Either reading must locate the problem; none may pass unguarded.
    assert!(
        stderr.contains("use spaces, not tabs") || stderr.contains("anchors and aliases"),
        "{stderr}"
    );
    assert!(stderr.contains("programme.yaml:"), "located: {stderr}");
    assert!(!stderr.contains("programme.yaml\n"), "{stderr}");
}

#[test]
fn characters_the_readers_disagree_on_are_refused_with_their_line() {
    for (c, name) in [
        ('\u{2028}', "U+2028"),
        ('\u{85}', "U+0085"),
        ('\u{0}', "U+0000"),
    ] {
        // After a comment: one reader would read on as comment, the other
        // as YAML.
        let text = replace_once(
            MINI,
            "  title: Mini programme\n",
            &format!("  # note{c}  title: !!str &t Mini programme\n  title: Mini programme\n"),
        );
        let dir = folder(&text);
        let (code, stderr) = check(dir.path());
        assert_eq!(code, Some(1), "{name}: {stderr}");
        assert!(stderr.contains(name), "{name}: {stderr}");
        assert!(stderr.contains("programme.yaml:3:"), "{name}: {stderr}");
    }
}

#[test]
fn a_long_import_path_is_quoted_as_an_excerpt() {
    let from = format!("{}bad.xlsx", "./".repeat(2000));
    let text = format!(
        "{}participants:\n  from: {from}\n{}",
        &MINI[..MINI.find("participants:").unwrap()],
        &MINI[MINI.find("\ndays:").unwrap()..]
    );
    let dir = folder(&text);
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("longer than 255 characters"), "{stderr}");
    assert!(stderr.lines().all(|l| l.chars().count() < 300), "{stderr}");
}

#[test]
fn quoted_lines_never_carry_terminal_commands() {
    let dir = folder("programme:\n  id: x\n  title: [\u{1b}]0;PWNED\u{7}\u{1b}[31mRED\n");
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

#[test]
fn duplicate_keys_and_tags_are_errors_with_their_line() {
    let text = replace_once(
        MINI,
        "  contact:\n",
        "  countries:\n    TH: Thailand\n    TH: Siam\n  contact:\n",
    );
    let line = line_of(&text, "    TH: Siam");
    let dir = folder(&text);
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("`TH` is written twice"), "{stderr}");
    assert!(
        stderr.contains(&format!("programme.yaml:{line}:")),
        "{stderr}"
    );

    for tagged in ["!!binary aGVsbG8=", "!secret Mini", "!!str Mini"] {
        let text = replace_once(MINI, "title: Mini programme", &format!("title: {tagged}"));
        let dir = folder(&text);
        let (code, stderr) = check(dir.path());
        assert_eq!(code, Some(1), "{tagged}: {stderr}");
        assert!(stderr.contains("YAML tags"), "{tagged}: {stderr}");
        assert!(stderr.contains("programme.yaml:3:"), "{tagged}: {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn fonts_are_read_from_the_folder_only() {
    let (_keep, secret) = secret();
    let outside = secret.with_file_name("Outside.ttf");
    std::fs::copy(
        reference().join("../templates/fonts/NotoSans-Regular.ttf"),
        &outside,
    )
    .unwrap();
    type Setup = Box<dyn Fn(&Path, &Path)>;
    let cases: [(&str, &str, Setup); 4] = [
        (
            "a font linked from outside",
            "lies outside the programme folder",
            Box::new(|fonts, outside| symlink(outside, &fonts.join("Outside.ttf"))),
        ),
        (
            "a folder of fonts linked from outside",
            "is a link to a folder",
            Box::new(|fonts, outside| symlink(outside.parent().unwrap(), &fonts.join("linked"))),
        ),
        (
            "links in a loop",
            "is a link to a folder",
            Box::new(|fonts, _| {
                symlink(Path::new("."), &fonts.join("a"));
                symlink(Path::new("."), &fonts.join("b"));
            }),
        ),
        (
            "fonts/ itself linked from outside",
            "is a link to a folder",
            Box::new(|fonts, outside| {
                std::fs::remove_dir(fonts).unwrap();
                symlink(outside.parent().unwrap(), fonts);
            }),
        ),
    ];
    for (what, says, setup) in cases {
        let dir = folder(MINI);
        std::fs::create_dir(dir.path().join("fonts")).unwrap();
        setup(&dir.path().join("fonts"), &outside);
        let (code, stderr) = check(dir.path());
        assert_eq!(code, Some(1), "{what}: {stderr}");
        assert!(stderr.contains(says), "{what}: {stderr}");
        // No name from outside the folder is listed.
        assert!(!stderr.contains("secret"), "{what}: {stderr}");
    }
}
