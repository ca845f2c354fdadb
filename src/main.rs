//! The command line: parses arguments and hands each subcommand to the pipeline.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use secretariat::diagnostic::{Diagnostic, Failure};
use secretariat::pipeline::{self, BuildOptions};
use secretariat::programme::Kind;
use secretariat::typeset::FontOptions;

/// Turns one programme file into every printed document of the programme.
#[derive(Parser)]
#[command(name = "secretariat", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build all documents into <OUT>/<programme id>.zip
    Build {
        /// The programme file [default: programme.yaml here, else data/programme.yaml]
        programme: Option<PathBuf>,
        /// Where the zip goes
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Also use fonts installed on this machine (output then depends on the machine)
        #[arg(long)]
        system_fonts: bool,
        /// Print how long each stage took
        #[arg(long)]
        timings: bool,
        /// Print nothing but errors
        #[arg(long, short, conflicts_with = "verbose")]
        quiet: bool,
        /// Also list every file written and how long each stage took
        #[arg(long, short)]
        verbose: bool,
        /// Build only this kind of document (a key of `documents`); repeatable
        #[arg(long, value_name = "KIND", value_parser = parse_kind)]
        only: Vec<Kind>,
        /// Build only the documents for this participant, staff member or
        /// organisation id; repeatable
        #[arg(long, value_name = "ID")]
        who: Vec<String>,
        /// Typeset every document, reusing nothing from <OUT>/.cache
        #[arg(long)]
        no_cache: bool,
        /// Treat warnings (what a recipient would send back) as errors
        #[arg(long)]
        strict: bool,
    },
    /// Build, then render every page into <OUT>/<zip name>-proof.pdf, a contact
    /// sheet of labelled thumbnails, to review the set before printing
    Proof {
        /// The programme file [default: programme.yaml here, else data/programme.yaml]
        programme: Option<PathBuf>,
        /// Where the zip and the proof go
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Proof only this kind of document; repeatable
        #[arg(long, value_name = "KIND", value_parser = parse_kind)]
        only: Vec<Kind>,
        /// Proof only the documents for this id; repeatable
        #[arg(long, value_name = "ID")]
        who: Vec<String>,
        /// Also write each page as a PNG under DIR, named after its document
        /// (`DIR/certificates/TH-01-1.png`)
        #[arg(long, value_name = "DIR")]
        png: Option<PathBuf>,
        /// Resolution of the --png images
        #[arg(long, default_value_t = 144.0, value_parser = parse_dpi)]
        dpi: f32,
        /// Also use fonts installed on this machine
        #[arg(long)]
        system_fonts: bool,
    },
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
    Check {
        /// The programme file [default: programme.yaml here, else data/programme.yaml]
        programme: Option<PathBuf>,
        /// How to report: for people, or as JSON for scripts (on standard output)
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Also use fonts installed on this machine
        #[arg(long)]
        system_fonts: bool,
        /// Treat warnings (what a recipient would send back) as errors
        #[arg(long)]
        strict: bool,
    },
}

#[derive(Subcommand)]
enum TemplatesCommand {
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
enum Format {
    Human,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let building = matches!(cli.command, Command::Build { .. } | Command::Proof { .. });
    // Ctrl-C: remove what is half-written, leaving earlier outputs as they
    // were, and say what the run leaves.
    let _ = ctrlc::set_handler(|| {
        let left = secretariat::files::interrupted();
        eprintln!("interrupted; {left}");
        std::process::exit(130);
    });
    let result = match cli.command {
        Command::Build {
            programme,
            out,
            system_fonts,
            timings,
            only,
            who,
            quiet,
            verbose,
            no_cache,
            strict,
        } => {
            let out_cache = out.join(".cache");
            pipeline::build(&BuildOptions {
                progress: !quiet && std::io::stderr().is_terminal(),
                programme: programme_file(programme),
                out,
                fonts: FontOptions { system_fonts },
                only,
                who,
                cache: !no_cache,
                strict,
            })
            .map(|report| {
                if quiet {
                    return;
                }
                secretariat::diagnostic::emit(&report.warnings);
                for note in &report.notes {
                    eprintln!("note: {note}");
                }
                print_summary(&report.summary);
                if verbose {
                    for path in &report.typeset {
                        eprintln!("typeset {path}");
                    }
                }
                if report.reused > 0 {
                    eprintln!(
                        "typeset {} files, reused {} unchanged from {}",
                        report.typeset.len(),
                        report.reused,
                        out_cache.display()
                    );
                }
                if timings || verbose {
                    for (stage, time) in &report.timings {
                        eprintln!("timing: {stage}: {:.1} ms", time.as_secs_f64() * 1000.0);
                    }
                }
                eprintln!("wrote {}", report.zip.display());
            })
        }
        Command::Proof {
            programme,
            out,
            only,
            who,
            png,
            dpi,
            system_fonts,
        } => secretariat::proof::proof(
            &BuildOptions {
                progress: std::io::stderr().is_terminal(),
                programme: programme_file(programme),
                out,
                fonts: FontOptions { system_fonts },
                only,
                who,
                cache: true,
                strict: false,
            },
            png.as_deref(),
            dpi,
        )
        .map(|report| {
            if !report.pngs.is_empty() {
                eprintln!("wrote {} page images", report.pngs.len());
            }
            eprintln!(
                "wrote {} ({} pages in thumbnails)",
                report.sheet.display(),
                report.pages
            );
        }),
        Command::Init { dir } => match secretariat::init::init(&dir) {
            Ok(written) => {
                for path in &written {
                    eprintln!("wrote {}", path.display());
                }
                eprintln!(
                    "next: edit {}, then run `secretariat build {}`",
                    dir.join("programme.yaml").display(),
                    dir.join("programme.yaml").display()
                );
                Ok(())
            }
            Err(err) => Err(Failure::Other(anyhow::anyhow!(
                "cannot create {}: {err}",
                dir.display()
            ))),
        },
        Command::Templates(TemplatesCommand::List { programme }) => {
            let programme = programme_file(programme);
            let folder = match programme.parent() {
                Some(folder) if !folder.as_os_str().is_empty() => folder,
                _ => std::path::Path::new("."),
            };
            let templates = secretariat::render::Templates::new(folder);
            for name in secretariat::render::builtin_names() {
                if templates.overridden(name) {
                    println!(
                        "{name}  (overridden by {})",
                        templates.origin(name).display()
                    );
                } else {
                    println!("{name}");
                }
            }
            Ok(())
        }
        Command::Templates(TemplatesCommand::Export { dir }) => {
            match secretariat::render::export(&dir) {
                Ok((written, kept)) => {
                    for path in &written {
                        eprintln!("wrote {}", path.display());
                    }
                    for path in &kept {
                        eprintln!("kept {} (it exists)", path.display());
                    }
                    Ok(())
                }
                Err(err) => Err(Failure::Other(anyhow::anyhow!(
                    "cannot export templates to {}: {err}",
                    dir.display()
                ))),
            }
        }
        Command::Verify { code, programme } => {
            let programme = programme_file(programme);
            match pipeline::verify(&programme, &code) {
                Ok(Some((title, row))) => {
                    println!(
                        "valid: certificate {} issued to {} ({}, {}) for {title}",
                        row.number, row.name, row.participant, row.country
                    );
                    Ok(())
                }
                Ok(None) => {
                    println!(
                        "not valid: no certificate of {} has the code {code}",
                        programme.display()
                    );
                    return ExitCode::from(1);
                }
                Err(failure) => Err(failure),
            }
        }
        Command::Check {
            programme,
            format,
            system_fonts,
            strict,
        } => {
            let programme = programme_file(programme);
            let result = pipeline::check_all(&programme, &FontOptions { system_fonts }, strict);
            if format == Format::Json {
                let problems = match &result {
                    Ok((_, warnings)) => warnings.clone(),
                    Err(Failure::Invalid(diags)) => diags.clone(),
                    // Scripts read standard output: every failure is a problem there.
                    Err(Failure::Documents(errors)) => errors
                        .iter()
                        .map(|e| Diagnostic::new(&programme, (0, 0), e.clone()))
                        .collect(),
                    Err(Failure::Other(err)) => {
                        vec![Diagnostic::new(&programme, (0, 0), format!("{err:#}"))]
                    }
                };
                // As many as people are shown; the rest are counted.
                let shown = secretariat::limits::MAX_REPORTED_PROBLEMS;
                let report = serde_json::json!({
                    "ok": result.is_ok(),
                    "problems": &problems[..problems.len().min(shown)],
                    "not_shown": problems.len().saturating_sub(shown),
                });
                println!("{report:#}");
                return if result.is_ok() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                };
            }
            result.map(|(p, warnings)| {
                secretariat::diagnostic::emit(&warnings);
                let found = match warnings.len() {
                    0 => "no problems found".to_string(),
                    1 => "1 warning (--strict makes it an error)".to_string(),
                    n => format!("{n} warnings (--strict makes them errors)"),
                };
                eprintln!(
                    "{}: {} participants, {} staff, {} organisations, {} days: {found}",
                    programme.display(),
                    p.participants.len(),
                    p.staff.len(),
                    p.organisations.len(),
                    p.days.len()
                );
            })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            report(&failure);
            if building {
                // Only what is true: the document cache may have been filled,
                // and a proof may fail after its zip was written.
                let written = secretariat::files::written();
                if written.is_empty() {
                    eprintln!("no zip was written; any earlier one is unchanged");
                } else {
                    for path in written {
                        eprintln!("{} was written before the failure", path.display());
                    }
                }
            }
            ExitCode::from(1)
        }
    }
}

fn parse_dpi(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
        Ok(dpi) if (18.0..=1200.0).contains(&dpi) => Ok(dpi),
        _ => Err(format!(
            "`{text}` is not a resolution between 18 and 1200 dpi"
        )),
    }
}

/// The programme file: the one named, else `programme.yaml` in this folder (a
/// folder made by `init`), else `data/programme.yaml`.
fn programme_file(named: Option<PathBuf>) -> PathBuf {
    named.unwrap_or_else(|| {
        let here = PathBuf::from("programme.yaml");
        if here.is_file() {
            here
        } else {
            PathBuf::from("data/programme.yaml")
        }
    })
}

/// The table a build ends with: per kind, documents, pages, print sheets and time.
fn print_summary(summary: &[pipeline::KindSummary]) {
    eprintln!(
        "{:<14}{:>10}{:>8}{:>14}{:>9}",
        "kind", "documents", "pages", "print sheets", "time"
    );
    for s in summary {
        eprintln!(
            "{:<14}{:>10}{:>8}{:>14}{:>8.2}s",
            s.kind.key(),
            s.documents,
            s.pages,
            s.print_pages,
            s.seconds
        );
    }
    let total = |f: fn(&pipeline::KindSummary) -> usize| summary.iter().map(f).sum::<usize>();
    eprintln!(
        "{:<14}{:>10}{:>8}{:>14}{:>8.2}s",
        "total",
        total(|s| s.documents),
        total(|s| s.pages),
        total(|s| s.print_pages),
        summary.iter().map(|s| s.seconds).sum::<f64>()
    );
}

fn parse_kind(key: &str) -> Result<Kind, String> {
    Kind::from_key(key).ok_or_else(|| {
        let keys: Vec<_> = Kind::ALL.iter().map(|k| k.key()).collect();
        format!("not a kind of document; use one of {}", keys.join(", "))
    })
}

fn report(failure: &Failure) {
    match failure {
        Failure::Invalid(diags) => {
            secretariat::diagnostic::emit(diags);
            let n = diags.len();
            eprintln!("error: {n} problem{} found", if n == 1 { "" } else { "s" });
        }
        other => eprintln!("{other}"),
    }
}
