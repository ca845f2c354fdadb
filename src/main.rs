//! The command line: parses arguments and hands each subcommand to its module
//! under `cli`, then reports a failure.

mod cli;

use std::process::ExitCode;

use clap::Parser;

use cli::args::{Cli, Command, TemplatesCommand};

fn main() -> ExitCode {
    let args = Cli::parse();
    let building = matches!(args.command, Command::Build(_) | Command::Proof(_));
    // Ctrl-C: remove what is half-written, leaving earlier outputs as they
    // were, and say what the run leaves.
    let _ = ctrlc::set_handler(|| {
        let left = secretariat::files::interrupted();
        eprintln!("interrupted; {left}");
        std::process::exit(130);
    });
    let result = match args.command {
        Command::Build(args) => cli::build::run(args),
        Command::Proof(args) => cli::proof::run(args),
        Command::Init { dir } => cli::init::run(&dir),
        Command::Templates(TemplatesCommand::List { programme }) => cli::templates::list(programme),
        Command::Templates(TemplatesCommand::Export { dir }) => cli::templates::export(&dir),
        Command::Verify { code, programme } => cli::verify::run(&code, programme),
        Command::Check(args) => cli::check::run(args),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            cli::report::failure(&failure, building);
            ExitCode::from(1)
        }
    }
}
