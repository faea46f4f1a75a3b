//! Runs a fuzz target's check on files, without libFuzzer: reproduces a
//! crash, or measures a corpus. `cargo run --release --example replay --
//! TARGET PATH...` (in `tests/fuzz`), each PATH a file or a directory of
//! inputs. Prints how many inputs passed and the largest peak heap use.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn inputs(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        for entry in std::fs::read_dir(path)? {
            inputs(&entry?.path(), out)?;
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(check) = args.next().as_deref().and_then(constnet_fuzz::check) else {
        eprintln!("usage: replay idx|idx_gzip|safetensors|le_bytes PATH...");
        return ExitCode::FAILURE;
    };
    let mut files = Vec::new();
    for path in args {
        if let Err(e) = inputs(Path::new(&path), &mut files) {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    files.sort();
    let (mut max_peak, mut max_ratio) = (0, 0.0_f64);
    for file in &files {
        let data = match std::fs::read(file) {
            Ok(data) => data,
            Err(e) => {
                eprintln!("{}: {e}", file.display());
                return ExitCode::FAILURE;
            }
        };
        eprintln!("{}", file.display());
        let ((), peak) = constnet_fuzz::peak_heap(|| check(&data));
        max_peak = max_peak.max(peak);
        max_ratio = max_ratio.max(peak as f64 / data.len().max(1) as f64);
    }
    println!(
        "{} inputs passed; peak heap at most {max_peak} bytes, at most {max_ratio:.1} bytes per input byte",
        files.len()
    );
    ExitCode::SUCCESS
}
