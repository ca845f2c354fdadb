//! The command line's arguments: the subcommands, their options and help
//! texts, and the parsers of option values.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use secretariat::programme::Kind;

/// Turns one programme file into every printed document of the programme.
#[derive(Parser)]
#[command(name = "secretariat", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Build all documents into <OUT>/<programme id>.zip
    Build(BuildArgs),
    /// Build, then render every page into <OUT>/<zip name>-proof.pdf, a contact
    /// sheet of labelled thumbnails, to review the set before printing
    Proof(ProofArgs),
    /// Create a new programme folder with a small example, ready to build
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
    Verify {
        /// The code printed on the certificate, e.g. 7K2QF-M9XAT (case, spaces and dashes do not matter)
        code: String,
        /// The programme file [default: programme.yaml here, else data/programme.yaml]
        programme: Option<PathBuf>,
    },
    /// Check the programme file and report every problem; writes nothing
    Check(CheckArgs),
}

// The options of `build`; its help is the doc comment on `Command::Build`.
#[derive(Args)]
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
    /// Print nothing but errors
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also list every file written and how long each stage took
    #[arg(long, short)]
    pub verbose: bool,
    /// Build only this kind of document (a key of `documents`); repeatable
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
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
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
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
    List {
        /// The programme file whose templates/ folder to look in [default: as for build]
        programme: Option<PathBuf>,
    },
    /// Copy the built-in templates into DIR for editing (existing files are kept)
    Export {
        /// Where to copy them, e.g. the programme's templates/ folder
        dir: PathBuf,
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

fn parse_kind(key: &str) -> Result<Kind, String> {
    Kind::from_key(key).ok_or_else(|| {
        let keys: Vec<_> = Kind::ALL.iter().map(|k| k.key()).collect();
        format!("not a kind of document; use one of {}", keys.join(", "))
    })
}
