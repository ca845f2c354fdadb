//! Every bound on what input can make the tool read, allocate or do, in one
//! place. Each is far above any real programme and far below what would hurt a
//! laptop; each is checked before the work it bounds is done, and a value past
//! it is refused with a message naming the limit. The README lists them.

use std::time::Duration;

/// The largest programme file read: 10,000 participants take about 3 MB.
pub const MAX_FILE_BYTES: u64 = 32 << 20;

/// How deep mappings and lists may nest, block or flow style alike; a
/// programme file needs five levels.
pub const MAX_DEPTH: usize = 24;

/// The most values (texts, numbers, dates, lists and mappings; keys are not
/// counted) the programme file may hold: the 10,000-participant programme of
/// the benchmark holds about 100,000. Every value costs memory at each stage, so this bounds them
/// all (a 32 MB list of dates would otherwise take gigabytes to report on).
pub const MAX_VALUES: usize = 300_000;

/// The most problems reported in one entry of the file (a participant, a
/// day): each is reported and the entry read again without it, so this
/// bounds the rereading; an entry with more is beyond repair by hints.
pub const MAX_ENTRY_PROBLEMS: usize = 20;

/// The largest template file read (the largest built-in one is under 10 KB).
pub const MAX_TEMPLATE_BYTES: u64 = 1 << 20;

/// The largest file a document may read: a logo, a seal, a signature, an
/// image or data file read by a template.
pub const MAX_ASSET_BYTES: u64 = 64 << 20;

/// The largest font file in a programme's `fonts/` folder (a full Noto CJK
/// font is about 20 MB).
pub const MAX_FONT_BYTES: u64 = 64 << 20;

/// The most a programme's `fonts/` folder may hold in all: fonts are read
/// into memory when the run starts.
pub const MAX_FONTS_TOTAL_BYTES: u64 = 256 << 20;

/// The longest path a registration export may be named by (a file name is
/// at most 255 bytes on common file systems).
pub const MAX_PATH_CHARS: usize = 255;

/// The largest registration export (`participants: {from: …}`) read from disk.
pub const MAX_IMPORT_BYTES: u64 = 32 << 20;

/// The most a registration export may hold once decompressed: an .xlsx or
/// .ods is a zip, and each part of it is measured as it is inflated, never
/// trusting the size it declares.
pub const MAX_IMPORT_INFLATED_BYTES: u64 = 128 << 20;

/// The most rows a registration export's sheet may span (header included):
/// three times the benchmark's largest programme, and within [`MAX_VALUES`]
/// once each row's fields are values.
pub const MAX_IMPORT_ROWS: usize = 30_000;

/// The most columns a registration export's sheet may span.
pub const MAX_IMPORT_COLUMNS: usize = 200;

/// The longest side of a badge or print sheet, in millimetres: A0 is
/// 841 x 1189. A sheet is laid out in memory at its size, so a size past any
/// press would otherwise exhaust it.
pub const MAX_PAPER_MM: f64 = 1200.0;

/// The earliest and latest year a date of the programme may have.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2200;

/// The longest programme, from `start` to `end` inclusive: long-term courses
/// run up to two years.
pub const MAX_PROGRAMME_DAYS: i64 = 2 * 366;

/// The most problems printed in one run; the rest are counted ("and 1,204
/// more"). They are all found, but no one reads past the first screens, and a
/// broken file must not flood a terminal or a log.
pub const MAX_REPORTED_PROBLEMS: usize = 50;

/// The longest excerpt of input (a value, a cell, a line of a file) that a
/// message quotes; longer text is cut with `…`.
pub const MAX_EXCERPT_CHARS: usize = 80;

/// How long a build waits for another build into the same output folder to
/// finish before giving up.
pub const LOCK_WAIT: Duration = Duration::from_secs(30 * 60);

/// The longest line of a document cache index read: a record is a few
/// hundred bytes (a few kilobytes with many fonts read); anything much
/// longer is not one.
pub const MAX_RECORD_BYTES: u64 = 1 << 20;

/// The largest document cache index read: one line per document a run
/// stored, about 27 MB for the 30,000 documents of the 10,000-participant
/// programme.
pub const MAX_CACHE_INDEX_BYTES: u64 = 512 << 20;
