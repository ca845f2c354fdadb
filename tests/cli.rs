//! The command line as Rust and Typst users expect it: `-q`, `-v` and
//! `--color` on every subcommand, help that lists the environment and an
//! example per subcommand, `--only` checked against the kinds with the nearest
//! proposed, shell completions, `templates export DIR NAME…`, errors that name
//! the path, and `watch`.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let output = secretariat_with(args, &[("NO_COLOR", None)]);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn help_lists_the_environment_and_an_example_per_subcommand() {
    let (code, top, _) = run(&["--help"]);
    assert_eq!(code, Some(0));
    for word in [
        "SOURCE_DATE_EPOCH",
        "CERTIFICATE_KEY",
        "NO_COLOR",
        "--color",
        "--quiet",
    ] {
        assert!(top.contains(word), "{word} not in\n{top}");
    }
    let (_, build, _) = run(&["build", "--help"]);
    for word in [
        "SOURCE_DATE_EPOCH",
        "CERTIFICATE_KEY",
        "NO_COLOR",
        "certificates, ",
    ] {
        assert!(build.contains(word), "{word} not in\n{build}");
    }
    for subcommand in [
        &["build"][..],
        &["watch"],
        &["proof"],
        &["init"],
        &["check"],
        &["verify"],
        &["completions"],
        &["templates", "list"],
        &["templates", "export"],
    ] {
        let mut args = subcommand.to_vec();
        args.push("--help");
        let (code, help, _) = run(&args);
        assert_eq!(code, Some(0));
        let example = format!("secretariat {}", subcommand.join(" "));
        assert!(
            help.contains("Example") && help.contains(&example),
            "no example in\n{help}"
        );
        // Global options are on every subcommand.
        assert!(
            help.contains("--verbose") && help.contains("--color <WHEN>"),
            "{help}"
        );
    }
}

#[test]
fn only_takes_a_kind_and_proposes_the_nearest() {
    let (code, _, stderr) = run(&["build", "--only", "certificate"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("'certificates'"), "{stderr}");
    assert!(stderr.contains("possible values"), "{stderr}");
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, script, stderr) = run(&["completions", shell]);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(script.contains("secretariat"), "{shell}");
        assert!(script.contains("templates"), "{shell}");
    }
    let (code, _, stderr) = run(&["completions", "tcsh"]);
    assert_eq!(code, Some(2), "{stderr}");
}

#[test]
fn quiet_verbose_and_color_go_on_every_subcommand() {
    let programme = reference().join("programme.yaml");
    let programme = programme.to_str().unwrap();
    let (code, _, stderr) = run(&["check", programme, "--quiet"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr, "");
    let (code, _, stderr) = run(&["-q", "check", programme]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr, "");
    let (code, _, stderr) = run(&["check", programme, "-q", "-v"]);
    assert_eq!(code, Some(2), "{stderr}");

    // Colour on a pipe only when asked; `NO_COLOR` counts only when not empty.
    let dir = fixture(|y| replace_once(&y, "  - id: PH-02\n", "  - id: PH/02\n"));
    let broken = dir.path().join("programme.yaml");
    let broken = broken.to_str().unwrap();
    let coloured = |args: &[&str], no_color: Option<&str>| {
        let output = secretariat_with(args, &[("NO_COLOR", no_color)]);
        assert_eq!(output.status.code(), Some(1));
        String::from_utf8_lossy(&output.stderr).contains('\u{1b}')
    };
    assert!(coloured(&["check", broken, "--color", "always"], None));
    assert!(coloured(&["--color=always", "check", broken], Some("")));
    assert!(!coloured(&["check", broken], None));
    assert!(!coloured(&["check", broken, "--color", "never"], None));
    assert!(!coloured(&["check", broken, "--color", "auto"], Some("1")));
}

#[test]
fn a_missing_programme_is_named_with_where_it_was_looked_for() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["check"][..], &["build"], &["verify", "7K2QF-M9XAT"]] {
        let output = Command::new(env!("CARGO_BIN_EXE_secretariat"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("no programme.yaml here or in data/"),
            "{stderr}"
        );
    }
    // As JSON too, for scripts.
    let output = Command::new(env!("CARGO_BIN_EXE_secretariat"))
        .args(["check", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        report["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no programme.yaml here or in data/"),
        "{report}"
    );
    let (code, _, stderr) = run(&["check", dir.path().join("nothing.yaml").to_str().unwrap()]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("nothing.yaml"), "{stderr}");
}

#[test]
fn templates_export_copies_only_the_named_templates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("templates");
    let out_str = out.to_str().unwrap();
    let (code, _, stderr) = run(&[
        "templates",
        "export",
        out_str,
        "certificates",
        "requests",
        "thank-you.ja.typ.j2",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "certificates.typ.j2",
            "requests.en.typ.j2",
            "requests.ja.typ.j2",
            "thank-you.ja.typ.j2"
        ]
    );
    let builtin =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/certificates.typ.j2"))
            .unwrap();
    assert_eq!(
        std::fs::read(out.join("certificates.typ.j2")).unwrap(),
        builtin
    );

    // An unknown name writes nothing, and lists the names.
    let elsewhere = dir.path().join("elsewhere");
    let (code, _, stderr) = run(&[
        "templates",
        "export",
        elsewhere.to_str().unwrap(),
        "certificate",
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("no built-in template is called `certificate`"),
        "{stderr}"
    );
    assert!(stderr.contains("certificates, "), "{stderr}");
    assert!(!elsewhere.exists());

    // Quiet says nothing; all of them, when no name is given.
    let (code, _, stderr) = run(&["templates", "export", out_str, "-q"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr, "");
    assert!(out.join("partials").is_dir());
}

/// What a running `watch` has printed so far.
type Said = Arc<Mutex<String>>;

/// Waits until `done` holds, up to `limit`; on timeout, kills the process and
/// fails with what it said.
fn wait_for(
    child: &mut std::process::Child,
    said: &Said,
    limit: Duration,
    what: &str,
    mut done: impl FnMut() -> bool,
) {
    let started = Instant::now();
    while !done() {
        if started.elapsed() > limit || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{what}: not within {limit:?}; watch said:\n{}",
                said.lock().unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The process's CPU time so far, in clock ticks.
#[cfg(target_os = "linux")]
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // After the command name in parentheses: utime and stime are fields 14, 15.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn watch_rebuilds_on_a_change_and_keeps_watching_after_a_failure() {
    let limit = Duration::from_secs(300);
    let dir = fixture(|y| y);
    let programme = dir.path().join("programme.yaml");
    // The output inside the programme folder: what a build writes there must
    // not start another build.
    let out = dir.path().join("out");
    let zip = out.join("kccp-2018-atip.zip");
    let mut child = Command::new(env!("CARGO_BIN_EXE_secretariat"))
        .args(["watch", programme.to_str().unwrap(), "--out"])
        .arg(&out)
        .env_remove("SOURCE_DATE_EPOCH")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let said: Said = Arc::default();
    let stderr = child.stderr.take().unwrap();
    let reader = {
        let said = said.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let line = line.unwrap_or_default();
                let mut said = said.lock().unwrap();
                said.push_str(&line);
                said.push('\n');
            }
        })
    };
    let builds = || said.lock().unwrap().matches("\nwrote ").count();

    wait_for(&mut child, &said, limit, "the first build", || {
        builds() == 1
    });
    let first = std::fs::read(&zip).unwrap();

    // A broken programme: its problems, and the zip left as it was.
    let text = std::fs::read_to_string(&programme).unwrap();
    std::fs::write(
        &programme,
        replace_once(&text, "  - id: PH-02\n", "  - id: PH/02\n"),
    )
    .unwrap();
    wait_for(&mut child, &said, limit, "the failed build", || {
        said.lock().unwrap().contains("the last one is unchanged")
    });
    assert!(said.lock().unwrap().contains("PH/02"));
    assert_eq!(std::fs::read(&zip).unwrap(), first);

    // Fixed, with a name changed: built again.
    let renamed = replace_once(&text, "Siriporn Chaiyaphum", "Siriporn Chaiyaphum-Test");
    std::fs::write(&programme, renamed).unwrap();
    wait_for(&mut child, &said, limit, "the rebuild", || builds() == 2);
    assert_ne!(std::fs::read(&zip).unwrap(), first);

    // Idle: no build of its own writing, and next to no CPU.
    #[cfg(target_os = "linux")]
    let before = cpu_ticks(child.id());
    std::thread::sleep(Duration::from_secs(3));
    #[cfg(target_os = "linux")]
    {
        let used = cpu_ticks(child.id()) - before;
        assert!(used < 30, "{used} ticks of CPU in 3 s idle");
    }
    assert_eq!(builds(), 2, "{}", said.lock().unwrap());

    // Ctrl-C ends it, leaving no temporary file.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("watch did not stop on Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    reader.join().unwrap();
    assert_eq!(status.code(), Some(130), "{}", said.lock().unwrap());
    assert!(said.lock().unwrap().contains("interrupted"));
    let stray: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}
