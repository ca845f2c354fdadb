//! The command line's arguments: the subcommands, their options and help
//! texts, and the parsers of option values.

use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use secretariat::programme::Kind;

/// What the top-level help and `build --help` end with: the environment a
/// build reads.
const ENVIRONMENT: &str = "\
Environment:
  SOURCE_DATE_EPOCH  The date the zip's files carry, in seconds since 1970
                     [default: midnight after programme.end]
  CERTIFICATE_KEY    The key of the certificates' verification codes, when
                     documents.certificates.secret_env names this variable
  NO_COLOR           When set and not empty, no colour (as --color never)";

/// Turns one programme file into every printed document of the programme.
#[derive(Parser)]
#[command(
    name = "secretariat",
    version,
    about,
    after_help = format!("{ENVIRONMENT}\n\nExamples:\n  secretariat init my-seminar\n  secretariat check my-seminar/programme.yaml\n  secretariat build my-seminar/programme.yaml --out out")
)]
pub struct Cli {
    #[command(flatten)]
    pub output: Output,
    #[command(subcommand)]
    pub command: Command,
}

/// How much a run says, and in what colours: the same for every subcommand.
#[derive(Args, Clone, Copy, Debug)]
pub struct Output {
    /// Print nothing but errors
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Say more: every file typeset and each stage's time (build, watch), the
    /// ids made for imported rows (check)
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// When to colour messages
    #[arg(long, value_enum, value_name = "WHEN", global = true, default_value_t = Colour::Auto)]
    pub color: Colour,
}

/// `--color`: `auto` colours on a terminal, unless `NO_COLOR` is set and not
/// empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Colour {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
pub enum Command {
    /// Build all documents into <OUT>/<programme id>.zip
    #[command(after_help = format!("{ENVIRONMENT}\n\nExamples:\n  secretariat build\n  secretariat build data/programme.yaml --out out\n  secretariat build --only certificates --who TH-01"))]
    Build(BuildArgs),
    /// Build again on every change to the programme folder (programme file,
    /// imports, assets, templates, fonts), reusing the cache; Ctrl-C stops
    #[command(
        after_help = "Examples:\n  secretariat watch\n  secretariat watch my-seminar/programme.yaml --only badges"
    )]
    Watch(BuildArgs),
    /// Build, then render every page into <OUT>/<zip name>-proof.pdf, a contact
    /// sheet of labelled thumbnails, to review the set before printing
    #[command(
        after_help = "Examples:\n  secretariat proof\n  secretariat proof --only badges --png out/png --dpi 100"
    )]
    Proof(ProofArgs),
    /// Create a new programme folder with a small example, ready to build
    #[command(after_help = "Example:\n  secretariat init my-seminar")]
    Init {
        /// The folder to create (it must not exist, or be empty)
        dir: PathBuf,
    },
    /// Show or copy out the built-in templates. A programme's templates/ folder,
    /// next to its programme file, is looked in first, then the built-in ones
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Tell whether a certificate verification code belongs to a certificate of
    /// the programme, and whose it is
    #[command(after_help = "Example:\n  secretariat verify 7K2QF-M9XAT data/programme.yaml")]
    Verify {
        /// The code printed on the certificate, e.g. 7K2QF-M9XAT (case, spaces and dashes do not matter)
        code: String,
        /// The programme file [default: programme.yaml here, else data/programme.yaml]
        programme: Option<PathBuf>,
    },
    /// Check the programme file and report every problem; writes nothing
    #[command(
        after_help = "Examples:\n  secretariat check\n  secretariat check --verbose data/programme.yaml\n  secretariat check --format json > problems.json"
    )]
    Check(CheckArgs),
    /// Print the completion script of a shell, to be sourced by it
    #[command(
        after_help = "Examples:\n  secretariat completions bash > ~/.local/share/bash-completion/completions/secretariat\n  secretariat completions zsh > ~/.zfunc/_secretariat\n  secretariat completions fish > ~/.config/fish/completions/secretariat.fish"
    )]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
}

// The options of `build` and `watch`; their help is the doc comment on
// `Command::Build`.
#[derive(Args, Clone)]
pub struct BuildArgs {
    /// The programme file [default: programme.yaml here, else data/programme.yaml]
    pub programme: Option<PathBuf>,
    /// Where the zip goes
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Also use fonts installed on this machine (output then depends on the machine)
    #[arg(long)]
    pub system_fonts: bool,
    /// Print how long each stage took
    #[arg(long)]
    pub timings: bool,
    /// Build only this kind of document (a key of `documents`); repeatable
    #[arg(long, value_name = "KIND", value_parser = kind_parser())]
    pub only: Vec<Kind>,
    /// Build only the documents for this participant, staff member or
    /// organisation id; repeatable
    #[arg(long, value_name = "ID")]
    pub who: Vec<String>,
    /// Typeset every document, reusing nothing from <OUT>/.cache
    #[arg(long)]
    pub no_cache: bool,
    /// Treat warnings (what a recipient would send back) as errors
    #[arg(long)]
    pub strict: bool,
}

// The options of `proof`.
#[derive(Args)]
pub struct ProofArgs {
    /// The programme file [default: programme.yaml here, else data/programme.yaml]
    pub programme: Option<PathBuf>,
    /// Where the zip and the proof go
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Proof only this kind of document; repeatable
    #[arg(long, value_name = "KIND", value_parser = kind_parser())]
    pub only: Vec<Kind>,
    /// Proof only the documents for this id; repeatable
    #[arg(long, value_name = "ID")]
    pub who: Vec<String>,
    /// Also write each page as a PNG under DIR, named after its document
    /// (`DIR/certificates/TH-01-1.png`)
    #[arg(long, value_name = "DIR")]
    pub png: Option<PathBuf>,
    /// Resolution of the --png images
    #[arg(long, default_value_t = 144.0, value_parser = parse_dpi)]
    pub dpi: f32,
    /// Also use fonts installed on this machine
    #[arg(long)]
    pub system_fonts: bool,
}

// The options of `check`.
#[derive(Args)]
pub struct CheckArgs {
    /// The programme file [default: programme.yaml here, else data/programme.yaml]
    pub programme: Option<PathBuf>,
    /// How to report: for people, or as JSON for scripts (on standard output)
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also use fonts installed on this machine
    #[arg(long)]
    pub system_fonts: bool,
    /// Treat warnings (what a recipient would send back) as errors
    #[arg(long)]
    pub strict: bool,
}

#[derive(Subcommand)]
pub enum TemplatesCommand {
    /// List the built-in templates, and which a programme overrides
    #[command(after_help = "Example:\n  secretariat templates list my-seminar/programme.yaml")]
    List {
        /// The programme file whose templates/ folder to look in [default: as for build]
        programme: Option<PathBuf>,
    },
    /// Copy the built-in templates into DIR for editing (existing files are kept)
    #[command(
        after_help = "Examples:\n  secretariat templates export templates\n  secretariat templates export templates certificates requests.ja"
    )]
    Export {
        /// Where to copy them, e.g. the programme's templates/ folder
        dir: PathBuf,
        /// Only these templates, as `templates list` names them, with or
        /// without `.typ.j2`; a name also takes those under it (`requests`:
        /// every language's, `partials`: all partials) [default: all]
        names: Vec<String>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

fn parse_dpi(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
        Ok(dpi) if (18.0..=1200.0).contains(&dpi) => Ok(dpi),
        _ => Err(format!(
            "`{text}` is not a resolution between 18 and 1200 dpi"
        )),
    }
}

/// The kinds of document by their keys, which `--help` lists and a typo is
/// matched against (`certificate` → `certificates`).
fn kind_parser() -> impl TypedValueParser<Value = Kind> {
    PossibleValuesParser::new(Kind::ALL.map(Kind::key))
        .map(|key| Kind::from_key(&key).expect("a possible value is a kind's key"))
}
