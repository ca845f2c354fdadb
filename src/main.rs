//! The command line: parses arguments and hands each subcommand to its module
//! under `cli`, then reports a failure.

mod cli;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use cli::args::{Cli, Command, TemplatesCommand};

// Typesetting allocates and frees many small values on every worker thread at
// once; glibc's allocator spends a sixth of a large build in malloc and free
// (measured with perf), mimalloc a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    secretariat::no_huge_pages();
    let args = Cli::parse();
    let output = args.output;
    let building = matches!(args.command, Command::Build(_) | Command::Proof(_));
    // Ctrl-C: remove what is half-written, leaving earlier outputs as they
    // were, and say what the run leaves.
    let _ = ctrlc::set_handler(|| {
        let left = secretariat::files::interrupted();
        eprintln!("interrupted; {left}");
        std::process::exit(130);
    });
    let result = match args.command {
        Command::Build(args) => cli::build::run(args, &output),
        Command::Watch(args) => cli::watch::run(args, &output),
        Command::Proof(args) => cli::proof::run(args, &output),
        Command::Init { dir } => cli::init::run(&dir, &output),
        Command::Templates(TemplatesCommand::List { programme }) => cli::templates::list(programme),
        Command::Templates(TemplatesCommand::Export { dir, names }) => {
            cli::templates::export(&dir, &names, &output)
        }
        Command::Verify { code, programme } => cli::verify::run(&code, programme),
        Command::Check(args) => cli::check::run(args, &output),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "secretariat",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            cli::report::failure(&failure, building, &output);
            ExitCode::from(1)
        }
    }
}
