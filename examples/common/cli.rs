//! What an example's `main` does with its command line, read with lexopt:
//! runs the configuration, prints the usage for `--help`, and reports a bad
//! command line in one line that names the flag at fault.

use std::error::Error;
use std::fmt::Display;
use std::process::ExitCode;
use std::str::FromStr;

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
/// value`, `--epochs x: invalid digit found in string` (from [`value`]).
pub fn message(e: &lexopt::Error) -> String {
    match e {
        lexopt::Error::UnexpectedOption(flag) => format!("unknown flag {flag}"),
        lexopt::Error::MissingValue { option: Some(flag) } => format!("{flag} needs a value"),
        other => other.to_string(),
    }
}

/// The value of `flag`, the option `args` just returned, parsed as a `T`.
/// lexopt's own `parse` loses the flag (`cannot parse argument "x": …`);
/// this error names it: `--epochs x: invalid digit found in string`.
pub fn value<T>(args: &mut lexopt::Parser, flag: &str) -> Result<T, lexopt::Error>
where
    T: FromStr,
    T::Err: Display,
{
    let value = args.value()?;
    let text = value
        .into_string()
        .map_err(|v| format!("{flag} {}: not valid UTF-8", v.to_string_lossy()))?;
    text.parse()
        .map_err(|e| format!("{flag} {text}: {e}").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message of the first error parsing `args` as one `--epochs N`
    /// flag and a `--data DIR` flag.
    fn error(args: &[&str]) -> String {
        let mut parser = lexopt::Parser::from_args(args);
        let result = (|| {
            use lexopt::prelude::*;
            while let Some(arg) = parser.next()? {
                match arg {
                    Long("epochs") => {
                        let _: usize = value(&mut parser, "--epochs")?;
                    }
                    Long("data") => {
                        let _ = parser.value()?;
                    }
                    _ => return Err(arg.unexpected()),
                }
            }
            Ok(())
        })();
        result.map_or_else(|e| message(&e), |()| "ok".into())
    }

    #[test]
    fn every_error_names_its_flag() {
        for (args, want) in [
            (&["--epochs", "3"][..], "ok"),
            (
                &["--epochs", "x"],
                "--epochs x: invalid digit found in string",
            ),
            (
                &["--epochs=-1"],
                "--epochs -1: invalid digit found in string",
            ),
            (
                &["--epochs", ""],
                "--epochs : cannot parse integer from empty string",
            ),
            (&["--epochs"], "--epochs needs a value"),
            (&["--data"], "--data needs a value"),
            (&["--bogus"], "unknown flag --bogus"),
            (&["--epochs", "3", "--bogus"], "unknown flag --bogus"),
            (&["--data", "d", "--bogus"], "unknown flag --bogus"),
            (&["--bogus=3"], "unknown flag --bogus"),
            (&["-x"], "unknown flag -x"),
        ] {
            assert_eq!(error(args), want, "{args:?}");
        }
    }
}
