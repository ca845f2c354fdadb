//! A synthetic programme of any size, deterministic, with names in every
//! script the tool serves and of realistic lengths: measured by `make bench`
//! and read back by the tests.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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
pub fn generate(n: usize, dir: &Path) -> PathBuf {
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

pub fn copy_dir(from: &Path, to: &Path) {
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
