//! `make bench`: builds synthetic programmes of 100, 1,000 and 10,000
//! participants with the release binary and prints, for each, documents, wall
//! time, documents per second, peak RSS and per-stage time; then the compiler's
//! own floor, one certificate compiled repeatedly in-process on one thread.
//!
//! The programmes come from `generate`, deterministic, with names in every script
//! the tool serves and of realistic lengths, written under `target/bench/`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use secretariat::render::Templates;
use secretariat::typeset::FontOptions;

/// A name part in Latin script and in its own (empty when the same).
type Part = (&'static str, &'static str);

/// Given names and family names per country.
const PEOPLE: &[(&str, &[Part], &[Part])] = &[
    (
        "TH",
        &[
            ("Siriporn", "ศิริพร"),
            ("Anucha", "อนุชา"),
            ("Kanokwan", "กนกวรรณ"),
            ("Thanawat", "ธนวัฒน์"),
        ],
        &[
            ("Chaiyaphum", "ชัยภูมิ"),
            ("Srisawat", "ศรีสวัสดิ์"),
            ("Wongsuwan", "วงศ์สุวรรณ"),
            ("Phetcharat", "เพ็ชรรัตน์"),
        ],
    ),
    (
        "LA",
        &[
            ("Vilayphone", "ວິໄລພອນ"),
            ("Khamphet", "ຄຳເພັດ"),
            ("Souksavanh", "ສຸກສະຫວັນ"),
        ],
        &[
            ("Sisouvanh", "ສີສຸວັນ"),
            ("Phommachanh", "ພົມມະຈັນ"),
            ("Keomany", "ແກ້ວມະນີ"),
        ],
    ),
    (
        "KH",
        &[("Sokha", "សុខា"), ("Dara", "ដារ៉ា"), ("Sreymom", "ស្រីមុំ")],
        &[("Chan", "ចាន់"), ("Sok", "សុខ"), ("Heng", "ហេង")],
    ),
    (
        "MM",
        &[
            ("Khin Thandar", "ခင်သန္တာ"),
            ("Zaw Min", "ဇော်မင်း"),
            ("Aye Aye", "အေးအေး"),
        ],
        &[
            ("Aye", "အေး"),
            ("Htet", "ထက်"),
            ("Myint Myat Naing", "မြင့်မြတ်နိုင်"),
        ],
    ),
    (
        "VN",
        &[("Thị Thu Hằng", ""), ("Quốc Bảo", ""), ("Minh Châu", "")],
        &[("Nguyễn", ""), ("Trần", ""), ("Phạm", "")],
    ),
    (
        "PH",
        &[
            ("Maria Cristina", ""),
            ("Jose Miguel", ""),
            ("Ana Lourdes", ""),
        ],
        &[
            ("Dela Cruz-Villanueva", ""),
            ("Santos", ""),
            ("Reyes de los Santos", ""),
        ],
    ),
    (
        "MY",
        &[("Muhammad Hafiz", ""), ("Nurul Aina", "")],
        &[("bin Abdul Rahman", ""), ("binti Ismail", "")],
    ),
    (
        "ID",
        &[("Dewi Kartika", ""), ("Budi", "")],
        &[("Sari", ""), ("Santoso", "")],
    ),
];

const STAFF: &[(&str, &str)] = &[
    ("Yuko Takahashi", "高橋 裕子"),
    ("Daisuke Mori", "森 大輔"),
    ("Emi Fujita", "藤田 恵美"),
    ("Naomi Kobayashi", "小林 直美"),
    ("Kenta Watanabe", "渡辺 健太"),
];

/// Writes a programme of `n` participants (and one staff member per 25) to `dir`,
/// from the reference programme's organisations, documents and 12-day schedule.
fn generate(n: usize, dir: &Path) -> PathBuf {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let reference = std::fs::read_to_string(data.join("programme.yaml")).unwrap();
    let head = &reference[..reference.find("\nparticipants:\n").unwrap()];
    let days = &reference[reference.find("\ndays:\n").unwrap()..];
    let mut yaml = head.replace("id: kccp-2018-atip", &format!("id: bench-{n}"));
    yaml.push_str("\nparticipants:\n");
    // A linear congruential sequence: the same programme on every run.
    let mut seed: u64 = 0x5EC2_E7A2;
    let mut next = |m: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % m
    };
    for i in 0..n {
        let (country, given, family) = PEOPLE[i % PEOPLE.len()];
        let (g, g_native) = given[next(given.len())];
        let (f, f_native) = family[next(family.len())];
        let (name, native) = match country {
            "VN" | "KH" => (format!("{f} {g}"), format!("{f_native} {g_native}")),
            "MM" => (format!("{g} {f}"), format!("{g_native}{f_native}")),
            _ => (format!("{g} {f}"), format!("{g_native} {f_native}")),
        };
        let _ = writeln!(
            yaml,
            "  - id: {country}-{i:05}\n    honorific: {}\n    name: {name}",
            ["Ms.", "Mr.", "Dr."][next(3)]
        );
        if !native.trim().is_empty() {
            let _ = writeln!(yaml, "    native_name: {}", native.trim());
        }
        let _ = writeln!(
            yaml,
            "    country: {country}\n    organisation: Ministry of Social Development, Department {}\n    position: Officer\n    email: p{i}@example.org",
            next(40) + 1
        );
        if next(10) == 0 {
            let _ = writeln!(yaml, "    absent: [2018-10-29, 2018-10-30, 2018-10-31]");
        }
    }
    yaml.push_str("\nstaff:\n");
    for i in 0..(n / 25).max(2) {
        let (name, native) = STAFF[i % STAFF.len()];
        let role = ["secretariat", "coordinator", "interpreter", "lecturer"][i % 4];
        let _ = writeln!(
            yaml,
            "  - id: S-{i:04}\n    name: {name}\n    native_name: {native}\n    role: {role}\n    organisation: nwec"
        );
    }
    yaml.push_str(days);
    std::fs::create_dir_all(dir).unwrap();
    copy_dir(&data.join("assets"), &dir.join("assets"));
    let path = dir.join("programme.yaml");
    std::fs::write(&path, yaml).unwrap();
    path
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Peak resident memory of the largest child process so far, in MB.
fn peak_rss_of_children_mb() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss as f64 / 1024.0
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let binary = root.join("target/release/secretariat");
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        // 10,000 is opt-in (BENCH_SIZES=100,1000,10000) until memory is bounded: today
        // every typeset document is held until the zip is written.
        .unwrap_or_else(|_| vec![100, 1000]);
    println!(
        "| participants | documents | wall s | documents/s | per-person docs/s | peak RSS MB | load+plan | render | typeset | print files | package |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for n in sizes {
        let dir = root.join(format!("target/bench/{n}"));
        let programme = generate(n, &dir);
        let start = Instant::now();
        let output = Command::new(&binary)
            .args([
                "build",
                programme.to_str().unwrap(),
                "--out",
                dir.join("out").to_str().unwrap(),
                "--timings",
            ])
            .output()
            .expect("run `make bin` first");
        let wall = start.elapsed().as_secs_f64();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        // The summary table: kind, documents, pages, print sheets, time.
        let count = |kind: &str| -> usize {
            stderr
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>())
                .find(|cols| cols.first() == Some(&kind))
                .and_then(|cols| cols.get(1)?.parse().ok())
                .unwrap_or(0)
        };
        let documents: usize = [
            "invitations",
            "requests",
            "badges",
            "schedules",
            "certificates",
            "sign-in",
            "participants",
            "thank-you",
        ]
        .iter()
        .map(|k| count(k))
        .sum();
        let per_person = count("invitations") + count("badges") + count("certificates");
        let stage = |name: &str| -> String {
            stderr
                .lines()
                .find_map(|l| l.strip_prefix(&format!("timing: {name}: ")))
                .map(|t| t.replace(" ms", ""))
                .map(|ms| format!("{:.2}", ms.parse::<f64>().unwrap_or(0.0) / 1000.0))
                .unwrap_or_default()
        };
        println!(
            "| {n} | {documents} | {wall:.2} | {:.0} | {:.0} | {:.0} | {} | {} | {} | {} | {} |",
            documents as f64 / wall,
            per_person as f64 / wall,
            peak_rss_of_children_mb(),
            stage("load, validate, plan"),
            stage("render"),
            stage("typeset"),
            stage("print files"),
            stage("package"),
        );
    }

    // The floor: one document of each per-person kind compiled again and again
    // on this thread, typesetting and PDF export timed apart.
    let programme = secretariat::pipeline::check(&root.join("data/programme.yaml")).unwrap();
    let templates = Templates::new(&programme.folder);
    let plan = secretariat::plan::plan(&programme, &templates).unwrap();
    let typesetter =
        secretariat::pipeline::typesetter(&programme, &FontOptions::default()).unwrap();
    println!("\ncompiler floor, one thread (ms per document):\n");
    println!("| document | typeset | PDF export | total | per second |");
    println!("|---|---|---|---|---|");
    for path in [
        "certificates/TH-01.pdf",
        "badges/TH-01.pdf",
        "invitations/TH-01.pdf",
    ] {
        let doc = plan.documents.iter().find(|d| d.path == path).unwrap();
        let source = templates.render(&doc.template, &doc.context).unwrap();
        let runs = 200;
        let (mut typeset, mut export) = (0.0, 0.0);
        for i in 0..runs {
            // Vary the source a little, as documents do, so memoisation cannot
            // skip the work.
            let varied = source.replace("Siriporn", &format!("Siriporn{i}"));
            let start = Instant::now();
            let document = typesetter.compile(&varied).unwrap();
            typeset += start.elapsed().as_secs_f64();
            let start = Instant::now();
            typesetter.pdf(&document, "floor").unwrap();
            export += start.elapsed().as_secs_f64();
        }
        let (typeset, export) = (typeset / runs as f64, export / runs as f64);
        println!(
            "| {path} | {:.2} | {:.2} | {:.2} | {:.0} |",
            typeset * 1000.0,
            export * 1000.0,
            (typeset + export) * 1000.0,
            1.0 / (typeset + export)
        );
    }
}
