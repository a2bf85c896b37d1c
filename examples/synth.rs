//! Writes a synthetic enterprise graph (see `authpath::synth`) to standard output:
//! `cargo run --release --example synth -- --nodes 1000000 --seed 1 > big.json`

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |flag: &str, default: u64| -> u64 {
        match args.iter().position(|a| a == flag) {
            Some(i) => args
                .get(i + 1)
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| {
                    eprintln!("usage: synth --nodes N --seed S");
                    std::process::exit(2)
                }),
            None => default,
        }
    };
    let text = authpath::synth::generate(get("--nodes", 10_000) as usize, get("--seed", 1));
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("synth: {e}");
        std::process::exit(2);
    }
}
