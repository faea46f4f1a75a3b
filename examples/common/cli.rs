//! What an example's `main` does with its command line, read with lexopt:
//! runs the configuration, prints the usage for `--help`, and reports a bad
//! command line in one line that names the flag at fault.

use std::error::Error;
use std::process::ExitCode;

/// Runs `run` on the parsed configuration. `Ok(None)` (the example's parser
/// saw `--help` or `-h`) prints `usage`. A command-line error is printed
/// with the usage, exit code 2; an error of `run` alone, exit code 1.
pub fn run_main<C>(
    usage: &str,
    config: Result<Option<C>, lexopt::Error>,
    run: impl FnOnce(&C) -> Result<(), Box<dyn Error>>,
) -> ExitCode {
    match config {
        Ok(Some(config)) => match run(&config) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Ok(None) => {
            println!("{usage}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}\n{usage}", message(&e));
            ExitCode::from(2)
        }
    }
}

/// A command-line error in words: `unknown flag --epoch`, `--epochs needs a
/// value`, `cannot parse argument "x": invalid digit found in string`.
fn message(e: &lexopt::Error) -> String {
    match e {
        lexopt::Error::UnexpectedOption(flag) => format!("unknown flag {flag}"),
        lexopt::Error::MissingValue { option: Some(flag) } => format!("{flag} needs a value"),
        other => other.to_string(),
    }
}
