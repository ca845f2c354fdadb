//! `make bench`: builds the reference programme and synthetic programmes of 100,
//! 1,000 and 10,000 participants with the release binary and prints, for each,
//! documents, wall time of a full build from a cold process and an empty cache,
//! documents per second, peak RSS, per-stage time, and the wall time of the
//! rebuild after one participant's name changes (with the cache), and CPU time
//! per wall time; then the floor: what each kind of document costs on one
//! thread, measured on distinct documents with Typst's memo cache cleared
//! before each (so no document is answered from another's work), then with
//! it kept from one document of a kind to the next (as a worker of the build
//! typesets them), and how a full build compares with the sums of both.
//!
//! The programmes come from `generate`, deterministic, with names in every script
//! the tool serves and of realistic lengths, written under `target/bench/`.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use secretariat::render::Templates;

// The floors are measured with the allocator the binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use secretariat::typeset::FontOptions;

#[path = "../tests/common/generated.rs"]
mod generated;
use generated::{copy_dir, generate};

/// What a run of the binary took.
struct Ran {
    wall: f64,
    stderr: String,
    /// Peak resident memory, MB.
    rss: f64,
    /// User and system CPU seconds.
    cpu: f64,
}

/// Runs the release binary.
fn run(binary: &Path, args: &[&str]) -> Ran {
    let start = Instant::now();
    // Reaped by wait4 below, which also reports the child's peak memory.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(binary)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run `make bin` first");
    let pid = child.id() as libc::pid_t;
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.unwrap(), &mut stderr).unwrap();
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child and writes into structs we own.
    unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed().as_secs_f64();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{stderr}"
    );
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ran {
        wall,
        stderr,
        rss: usage.ru_maxrss as f64 / 1024.0,
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
    }
}

/// Appends to the first participant's name, as a secretariat fixing a typo does.
fn rename_first_participant(programme: &Path) -> String {
    let yaml = std::fs::read_to_string(programme).unwrap();
    let from = yaml.find("\nparticipants:\n").unwrap();
    let at = from + yaml[from..].find("\n    name: ").unwrap() + 1;
    let end = at + yaml[at..].find('\n').unwrap();
    let mut edited = yaml.clone();
    edited.insert_str(end, "-Wong");
    std::fs::write(programme, edited).unwrap();
    yaml
}

fn main() {
    // As the binary runs.
    secretariat::no_huge_pages();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let binary = root.join("target/release/secretariat");
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|_| vec![100, 1000, 10000]);
    println!(
        "| programme | documents | full build s | documents/s | per-person docs/s | peak RSS MB | CPU/wall | load+plan | render | typeset | print files | package | rebuild after one name s | files typeset again |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    // The reference programme, then synthetic ones.
    let mut programmes = vec![("reference".to_string(), {
        let dir = root.join("target/bench/reference");
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(&root.join("data"), &dir);
        dir.join("programme.yaml")
    })];
    for n in sizes {
        programmes.push((
            format!("{n} participants"),
            generate(n, &root.join(format!("target/bench/{n}"))),
        ));
    }
    // The typeset stage of the build the floor is measured on.
    let mut floor_build: Option<f64> = None;
    for (name, programme) in programmes {
        let out = programme.parent().unwrap().join("out");
        let _ = std::fs::remove_dir_all(&out);
        let (programme, out) = (programme.to_str().unwrap(), out.to_str().unwrap());
        // From a cold process and an empty cache.
        let Ran {
            wall,
            stderr,
            rss,
            cpu,
        } = run(
            &binary,
            &["build", programme, "--out", out, "--timings", "--no-cache"],
        );
        // The summary table: kind, documents, pages, print sheets, time.
        let count = |kind: &str| -> usize {
            stderr
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>())
                .find(|cols| cols.first() == Some(&kind))
                .and_then(|cols| cols.get(1)?.parse().ok())
                .unwrap_or(0)
        };
        let documents = count("total");
        let per_person = count("invitations") + count("badges") + count("certificates");
        let stage = |name: &str| -> String {
            stderr
                .lines()
                .find_map(|l| l.strip_prefix(&format!("timing: {name}: ")))
                .map(|t| t.replace(" ms", ""))
                .map(|ms| format!("{:.2}", ms.parse::<f64>().unwrap_or(0.0) / 1000.0))
                .unwrap_or_default()
        };
        if name == "1000 participants" {
            floor_build = stage("typeset").parse().ok();
        }
        // One name changed, with the cache the full build left.
        let original = rename_first_participant(Path::new(programme));
        let again = run(&binary, &["build", programme, "--out", out]);
        let (rebuild, rebuilt) = (again.wall, again.stderr);
        std::fs::write(programme, original).unwrap();
        let again = rebuilt
            .lines()
            .find_map(|l| l.strip_prefix("typeset "))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or("?")
            .to_string();
        println!(
            "| {name} | {documents} | {wall:.2} | {:.0} | {:.0} | {rss:.0} | {:.2} | {} | {} | {} | {} | {} | {rebuild:.2} | {again} |",
            documents as f64 / wall,
            per_person as f64 / wall,
            cpu / wall,
            stage("load, validate, plan"),
            stage("render"),
            stage("typeset"),
            stage("print files"),
            stage("package"),
        );
    }

    // The floor, on the 1,000-participant programme (the reference when it is
    // not among the sizes): per kind, distinct documents typeset and exported
    // one after another on this thread, Typst's memo cache emptied before each (a desk's sign-in sheets: before the desk).
    let floor_programme = root.join("target/bench/1000/programme.yaml");
    let floor_programme = match floor_programme.exists() {
        true => floor_programme,
        false => root.join("data/programme.yaml"),
    };
    floors(&floor_programme, floor_build);
}

/// Distinct documents measured per kind.
const FLOOR_SAMPLE: usize = 100;

/// Prints each kind's floor, and how the typeset stage of the full build of
/// the programme (`build`, in seconds, when it was built) compares with it.
fn floors(programme_file: &Path, build: Option<f64>) {
    let programme = secretariat::pipeline::check(programme_file).unwrap();
    let templates = Templates::new(&programme.folder);
    let plan = secretariat::plan::plan(&programme, &templates).unwrap();
    let typesetter =
        secretariat::pipeline::typesetter(&programme, &FontOptions::default()).unwrap();
    let views = secretariat::context::Views::new(&programme);
    println!(
        "\nfloor on one thread, {} distinct documents per kind at most, memo cache emptied before each (before each desk for sign-in sheets) ({}):\n",
        FLOOR_SAMPLE,
        programme_file.display()
    );
    println!(
        "| kind | documents in the build | measured | typeset ms | PDF export ms | ms per document | ms per page | sum of floors s | ms per document, memo kept |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut total = 0.0;
    let mut total_kept = 0.0;
    let mut kinds: Vec<secretariat::programme::Kind> = Vec::new();
    for doc in &plan.documents {
        if !kinds.contains(&doc.kind) {
            kinds.push(doc.kind);
        }
    }
    for kind in kinds {
        let docs: Vec<_> = plan.documents.iter().filter(|d| d.kind == kind).collect();
        // Spread over the kind, so long and short names, first and last parts
        // are all in the sample.
        let step = (docs.len() / FLOOR_SAMPLE).max(1);
        let mut sample: Vec<_> = docs.iter().step_by(step).take(FLOOR_SAMPLE).collect();
        // A desk's sign-in sheets are typeset one day after another, as the
        // build does, so the memo cache is emptied only when the desk changes:
        // the later days' floor is what reusing the first day's table costs.
        sample.sort_by_key(|doc| doc.context.desk());
        let (mut typeset, mut export, mut pages) = (0.0, 0.0, 0);
        let mut desk = None;
        let sources: Vec<String> = sample
            .iter()
            .map(|doc| {
                templates
                    .render(&doc.template, &views.value(&doc.context))
                    .unwrap()
            })
            .collect();
        for (doc, source) in sample.iter().zip(&sources) {
            if doc.context.desk().is_none() || doc.context.desk() != desk {
                typst::comemo::evict(0);
            }
            desk = doc.context.desk();
            let start = Instant::now();
            let document = typesetter.compile(source).unwrap();
            typeset += start.elapsed().as_secs_f64();
            let start = Instant::now();
            typesetter.pdf(&document, "floor", kind.tagged()).unwrap();
            export += start.elapsed().as_secs_f64();
            pages += document.pages().len();
        }
        // The same distinct documents one after another with the memo cache
        // kept, as a worker of the build typesets them: what they share (a
        // letter's body, a badge's artwork) is laid out once.
        typst::comemo::evict(0);
        let start = Instant::now();
        for source in &sources {
            let document = typesetter.compile(source).unwrap();
            typesetter.pdf(&document, "floor", kind.tagged()).unwrap();
        }
        let kept = start.elapsed().as_secs_f64();
        typst::comemo::evict(0);
        let n = sample.len() as f64;
        let per_document = (typeset + export) / n;
        let sum = per_document * docs.len() as f64;
        total += sum;
        total_kept += kept / n * docs.len() as f64;
        println!(
            "| {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {sum:.2} | {:.2} |",
            kind.key(),
            docs.len(),
            sample.len(),
            typeset / n * 1000.0,
            export / n * 1000.0,
            per_document * 1000.0,
            (typeset + export) / pages as f64 * 1000.0,
            kept / n * 1000.0,
        );
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let spread = total / cores as f64;
    println!(
        "\nsum of the documents' floors: {total:.2} s on one thread, {spread:.2} s over {cores} cores"
    );
    let spread_kept = total_kept / cores as f64;
    println!(
        "with the memo cache kept within a kind: {total_kept:.2} s on one thread, {spread_kept:.2} s over {cores} cores"
    );
    if let Some(build) = build {
        println!(
            "the build's typeset stage: {build:.2} s, {:.2}x the floors spread over the cores \
             (1.0 would be no cost for building many documents at once), {:.2}x those with the memo cache kept",
            build / spread,
            build / spread_kept
        );
    }
}
