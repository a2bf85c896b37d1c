//! Times the incident-response queries on a graph after loading it, without output:
//! `cargo run --release --example query_timing -- big.json --from ID --reach ID`

use authpath::graph::AuthGraph;
use authpath::model::Level;
use authpath::reach::{Engine, ReachOptions};
use authpath::rules::Subjects;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let (Some(file), Some(from), Some(reach)) = (args.first(), get("--from"), get("--reach"))
    else {
        eprintln!("usage: query_timing FILE --from ID --reach ID");
        std::process::exit(2);
    };
    let t = Instant::now();
    let loaded = authpath::load::load_path(std::path::Path::new(file));
    let Some(model) = loaded.graph else {
        eprint!("{}", loaded.diagnostics.render());
        std::process::exit(2);
    };
    println!("load: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let g = AuthGraph::build(&model);
    let engine = Engine::new(
        &g,
        model
            .as_of
            .unwrap_or_else(authpath::timestamp::Timestamp::now),
        ReachOptions::default(),
    );
    println!("graph + engine: {:.2} s", t.elapsed().as_secs_f64());
    let (Some(from), Some(reach)) = (g.node_ix(&from), g.node_ix(&reach)) else {
        eprintln!("unknown id");
        std::process::exit(2);
    };
    for _ in 0..2 {
        let t = Instant::now();
        let b =
            authpath::incident::blast::blast_radius(&engine, &[from], Level::Read, &[], usize::MAX)
                .expect("no path limit");
        println!(
            "blast-radius: {} reached in {:.3} s",
            b.reached.len(),
            t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        let w = authpath::incident::whocan::who_can(
            &engine,
            reach,
            Level::Read,
            Subjects::Default,
            usize::MAX,
        )
        .expect("no path limit");
        println!(
            "who-can: {} subjects in {:.3} s",
            w.subjects.len(),
            t.elapsed().as_secs_f64()
        );
    }
}
