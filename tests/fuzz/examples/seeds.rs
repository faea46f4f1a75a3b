//! Writes the seed corpus of every fuzz target: `cargo run --example seeds`
//! (in `tests/fuzz`) fills `corpus/<target>/`, or the directory given.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("corpus"), PathBuf::from);
    let n = constnet_fuzz::write_seeds(&dir)?;
    println!("wrote {n} seeds under {}", dir.display());
    Ok(())
}
