//! `make bench`: builds the reference programme and synthetic programmes of 100,
//! 1,000 and 10,000 participants with the release binary and prints, for each,
//! documents, wall time of a full build from a cold process and an empty cache,
//! documents per second, peak RSS, per-stage time, and the wall time of the
//! rebuild after one participant's name changes (with the cache), and CPU time
//! per wall time; then the floor: what each kind of document costs on one
//! thread, measured on distinct documents with Typst's memo cache cleared
//! before each (so no document is answered from another's work), then with
//! it kept from one document of a kind to the next (as a worker of the build
//! typesets them), and how a full build compares with the sums of both;
//! last, each speed target against this run.
//!
//! This machine's speed drifts over minutes, so builds of up to 1,000
//! participants are repeated and their median reported, after one discarded
//! warm-up build, and a larger programme's rate is set against the
//! 1,000-participant builds just before and after it.
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

/// Full builds of programmes up to this many participants (and the
/// reference's) are repeated `BENCH_RUNS` times, 3 unless told, and the median
/// reported: this machine's speed drifts by a fifth from one minute to the
/// next. Larger ones, of minutes each, run once, between two builds of the
/// 1,000-participant programme that show the machine's speed around them.
const REPEATED_UP_TO: usize = 1000;

/// One full build of a programme, and the rebuild after one name changes.
struct Sample {
    wall: f64,
    documents: usize,
    per_person: usize,
    rss: f64,
    cpu: f64,
    /// Seconds of each of [`STAGES`], as `--timings` prints them.
    stages: Vec<String>,
    /// Each kind's documents, pages and the workers' seconds they took, as
    /// the build's summary table prints them.
    kinds: Vec<Kind>,
    rebuild: f64,
    /// Files the rebuild typeset again.
    again: String,
}

/// A row of the build's summary table.
struct Kind {
    name: String,
    documents: usize,
    pages: usize,
    seconds: f64,
}

const STAGES: [&str; 5] = [
    "load, validate, plan",
    "render",
    "typeset",
    "print files",
    "package",
];

/// A full build from a cold process and an empty cache, then the rebuild
/// after one name changes, with the cache the full build left.
fn sample(binary: &Path, programme: &Path) -> Sample {
    let out = programme.parent().unwrap().join("out");
    let _ = std::fs::remove_dir_all(&out);
    let (programme, out) = (programme.to_str().unwrap(), out.to_str().unwrap());
    let Ran {
        wall,
        stderr,
        rss,
        cpu,
    } = run(
        binary,
        &["build", programme, "--out", out, "--timings", "--no-cache"],
    );
    let stage = |name: &str| -> String {
        stderr
            .lines()
            .find_map(|l| l.strip_prefix(&format!("timing: {name}: ")))
            .map(|t| t.replace(" ms", ""))
            .map(|ms| format!("{:.2}", ms.parse::<f64>().unwrap_or(0.0) / 1000.0))
            .unwrap_or_default()
    };
    // Rows of the summary table, between its heading and its total: kind,
    // documents, pages, print sheets, time.
    let kinds = stderr
        .lines()
        .skip_while(|l| !l.starts_with("kind "))
        .skip(1)
        .take_while(|l| !l.starts_with("total "))
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let [name, documents, pages, _, time] = cols.as_slice() else {
                return None;
            };
            Some(Kind {
                name: name.to_string(),
                documents: documents.parse().ok()?,
                pages: pages.parse().ok()?,
                seconds: time.strip_suffix('s')?.parse().ok()?,
            })
        })
        .collect::<Vec<_>>();
    // The table's total is the sum of its kinds.
    let count = |names: &[&str]| -> usize {
        kinds
            .iter()
            .filter(|k| names.is_empty() || names.contains(&k.name.as_str()))
            .map(|k| k.documents)
            .sum()
    };
    let original = rename_first_participant(Path::new(programme));
    let again = run(binary, &["build", programme, "--out", out]);
    std::fs::write(programme, original).unwrap();
    Sample {
        wall,
        documents: count(&[]),
        per_person: count(&["invitations", "badges", "certificates"]),
        rss,
        cpu,
        stages: STAGES.iter().map(|s| stage(s)).collect(),
        kinds,
        rebuild: again.wall,
        again: again
            .stderr
            .lines()
            .find_map(|l| l.strip_prefix("typeset "))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or("?")
            .to_string(),
    }
}

/// The sample of median wall time (the later of the middle two of an even
/// count).
fn median(samples: &[Sample]) -> &Sample {
    let mut order: Vec<&Sample> = samples.iter().collect();
    order.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    order[order.len() / 2]
}

fn main() {
    // As the binary runs.
    secretariat::no_huge_pages();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let binary = root.join("target/release/secretariat");
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|_| vec![100, 1000, 10000]);
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(3)
        .max(1);
    // The reference programme (size 0 here), then synthetic ones.
    let mut programmes = vec![("reference".to_string(), 0, {
        let dir = root.join("target/bench/reference");
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(&root.join("data"), &dir);
        dir.join("programme.yaml")
    })];
    for n in sizes {
        programmes.push((
            format!("{n} participants"),
            n,
            generate(n, &root.join(format!("target/bench/{n}"))),
        ));
    }
    // Discarded: the first run after a compile pays for the binary, the
    // fonts and the disk's writeback of what the compile wrote.
    sample(&binary, &programmes[0].2);
    let mut samples: Vec<Vec<Sample>> = programmes.iter().map(|_| Vec::new()).collect();
    let repeated: Vec<usize> = (0..programmes.len())
        .filter(|&i| programmes[i].1 <= REPEATED_UP_TO)
        .collect();
    for _ in 0..runs {
        for &i in &repeated {
            samples[i].push(sample(&binary, &programmes[i].2));
        }
    }
    let thousand = programmes.iter().position(|p| p.1 == 1000);
    // Each large programme with the 1,000-participant builds just before and
    // after it: (large, before, after), the last two indices into the 1,000's
    // samples.
    let mut bracketed: Vec<(usize, usize, usize)> = Vec::new();
    for i in (0..programmes.len()).filter(|&i| programmes[i].1 > REPEATED_UP_TO) {
        samples[i].push(sample(&binary, &programmes[i].2));
        if let Some(k) = thousand {
            samples[k].push(sample(&binary, &programmes[k].2));
            let after = samples[k].len() - 1;
            bracketed.push((i, after - 1, after));
        }
    }

    println!(
        "full builds: the median of {runs} for programmes of up to {REPEATED_UP_TO} participants \
         (the 1,000 once more after each larger one; fastest and slowest in brackets), one for larger ones\n"
    );
    println!(
        "| programme | documents | full build s | documents/s | per-person docs/s | peak RSS MB | CPU/wall | load+plan | render | typeset | print files | package | rebuild after one name s | files typeset again |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for ((name, _, _), samples) in programmes.iter().zip(&samples) {
        let m = median(samples);
        let walls = samples.iter().map(|s| s.wall);
        let (fastest, slowest) = (
            walls.clone().fold(f64::INFINITY, f64::min),
            walls.fold(0.0, f64::max),
        );
        let wall = match samples.len() {
            1 => format!("{:.2}", m.wall),
            _ => format!("{:.2} ({fastest:.2}–{slowest:.2})", m.wall),
        };
        let mut rebuilds: Vec<f64> = samples.iter().map(|s| s.rebuild).collect();
        rebuilds.sort_by(f64::total_cmp);
        let rss = samples.iter().map(|s| s.rss).fold(0.0, f64::max);
        println!(
            "| {name} | {} | {wall} | {:.0} | {:.0} | {rss:.0} | {:.2} | {} | {:.2} | {} |",
            m.documents,
            m.documents as f64 / m.wall,
            m.per_person as f64 / m.wall,
            m.cpu / m.wall,
            m.stages.join(" | "),
            rebuilds[rebuilds.len() / 2],
            m.again,
        );
    }

    // Whether any cost grows with the programme: each kind's cost per page
    // (lists and letters listing people grow in pages, not in number), and
    // each stage's per 1,000 documents, in the large build and the
    // 1,000-participant builds around it.
    if let Some(k) = thousand {
        for &(i, before, after) in &bracketed {
            let columns = [&samples[k][before], &samples[i][0], &samples[k][after]];
            println!(
                "\ncosts per page and per document, {} against 1,000 participants just before and after it:\n",
                programmes[i].0
            );
            println!("| | 1,000 before | {} | 1,000 after |", programmes[i].0);
            println!("|---|---|---|---|");
            for kind in &columns[1].kinds {
                let cells: Vec<String> = columns
                    .iter()
                    .map(|s| match s.kinds.iter().find(|k| k.name == kind.name) {
                        Some(k) if k.pages > 0 => {
                            format!("{:.2}", k.seconds / k.pages as f64 * 1000.0)
                        }
                        _ => String::new(),
                    })
                    .collect();
                println!(
                    "| {}, ms of a worker's time per page | {} |",
                    kind.name,
                    cells.join(" | ")
                );
            }
            for (j, stage) in STAGES.iter().enumerate() {
                let cells: Vec<String> = columns
                    .iter()
                    .map(|s| {
                        let seconds: f64 = s.stages[j].parse().unwrap_or(0.0);
                        format!("{:.3}", seconds / s.documents as f64 * 1000.0)
                    })
                    .collect();
                println!(
                    "| {stage}, wall s per 1,000 documents | {} |",
                    cells.join(" | ")
                );
            }
        }
    }

    // The floor, on the 1,000-participant programme (the reference when it is
    // not among the sizes): per kind, distinct documents typeset and exported
    // one after another on this thread, Typst's memo cache emptied before each
    // (a desk's sign-in sheets: before the desk).
    let floor_programme = root.join("target/bench/1000/programme.yaml");
    let floor_programme = match floor_programme.exists() {
        true => floor_programme,
        false => root.join("data/programme.yaml"),
    };
    let floor_build = thousand.and_then(|k| median(&samples[k]).stages[2].parse().ok());
    let ratio = floors(&floor_programme, floor_build);

    // Each target of the speed work, against this run.
    println!("\n| target | this run | met |");
    println!("|---|---|---|");
    let verdict = |met: bool| if met { "yes" } else { "no" };
    let reference = median(&samples[0]);
    println!(
        "| reference programme, full build < 0.8 s | {:.2} s | {} |",
        reference.wall,
        verdict(reference.wall < 0.8)
    );
    let mut rebuilds: Vec<f64> = samples[0].iter().map(|s| s.rebuild).collect();
    rebuilds.sort_by(f64::total_cmp);
    let rebuild = rebuilds[rebuilds.len() / 2];
    println!(
        "| reference programme, rebuild after one name < 0.3 s | {rebuild:.2} s | {} |",
        verdict(rebuild < 0.3)
    );
    if let Some(k) = thousand {
        let m = median(&samples[k]);
        let rate = m.per_person as f64 / m.wall;
        println!(
            "| 1,000 participants, ≥ 250 per-person documents/s | {rate:.0} | {} |",
            verdict(rate >= 250.0)
        );
        println!(
            "| 1,000 participants, CPU/wall ≥ 1.8 | {:.2} | {} |",
            m.cpu / m.wall,
            verdict(m.cpu / m.wall >= 1.8)
        );
        let per_person = m.per_person as f64;
        for &(i, before, after) in &bracketed {
            let (before, after) = (samples[k][before].wall, samples[k][after].wall);
            let large = &samples[i][0];
            let rate = large.per_person as f64 / large.wall;
            let around = per_person / before.max(after);
            println!(
                "| {}, per-person documents/s no lower than at 1,000 (the 1,000's builds just before and after it: {:.0} and {:.0}) | {rate:.0} | {} |",
                programmes[i].0,
                per_person / before,
                per_person / after,
                verdict(rate >= around)
            );
        }
    }
    for i in (0..programmes.len()).filter(|&i| programmes[i].1 > REPEATED_UP_TO) {
        let rss = samples[i][0].rss;
        println!(
            "| {}, peak memory < 1 GiB | {rss:.0} MB | {} |",
            programmes[i].0,
            verdict(rss < 1024.0)
        );
    }
    if let Some(ratio) = ratio {
        println!(
            "| typeset stage within 1.2x its floors spread over the cores | {ratio:.2}x | {} |",
            verdict(ratio <= 1.2)
        );
    }
}

/// Distinct documents measured per kind.
const FLOOR_SAMPLE: usize = 100;

/// Prints each kind's floor, and how the typeset stage of the full build of
/// the programme (`build`, in seconds, when it was built) compares with it:
/// returns that ratio.
fn floors(programme_file: &Path, build: Option<f64>) -> Option<f64> {
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
    build.map(|build| build / spread)
}
