//! Times `analyze` in process after loading (the fastest of five runs), so it can be set
//! beside other tools' analysis times without process start-up and JSON reading:
//! `cargo run --release --example analysis_timing -- big.json [--max-findings N] [--choke-points K]`
//! Prints one JSON object: load and analysis seconds, and the findings counted.

use authpath::analyze::{Options, analyze};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |flag: &str| -> Option<usize> {
        let i = args.iter().position(|a| a == flag)?;
        args.get(i + 1)?.parse().ok()
    };
    let Some(file) = args.first() else {
        eprintln!("usage: analysis_timing FILE [--max-findings N] [--choke-points K]");
        std::process::exit(2);
    };
    let t = Instant::now();
    let loaded = authpath::load::load_path(std::path::Path::new(file));
    let Some(model) = loaded.graph else {
        eprint!("{}", loaded.diagnostics.render());
        std::process::exit(2);
    };
    let load = t.elapsed().as_secs_f64();
    let opts = Options {
        max_findings: Some(
            get("--max-findings").unwrap_or(authpath::analyze::DEFAULT_MAX_FINDINGS),
        ),
        choke_points: get("--choke-points"),
        ..Options::default()
    };
    let mut best = f64::MAX;
    let mut total = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let report = analyze(&model, &opts);
        best = best.min(t.elapsed().as_secs_f64());
        total = report.totals.total();
    }
    println!(r#"{{"load": {load:.4}, "analysis": {best:.4}, "findings": {total}}}"#);
}
