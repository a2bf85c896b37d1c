//! Using authpath as a library: load a graph, build the analysis graph, and list the nodes
//! that pass authority to the most others (a first look at where delegation concentrates).
//!
//! `cargo run --example top_delegators -- graphs/msp-delegated-admin.json`

use authpath::graph::AuthGraph;
use authpath::load::load_path;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(file) = std::env::args().nth(1) else {
        eprintln!("usage: top_delegators GRAPH.json");
        return ExitCode::from(2);
    };
    let loaded = load_path(Path::new(&file));
    let Some(model) = loaded.graph else {
        eprint!("{}", loaded.diagnostics.render());
        return ExitCode::from(2);
    };
    let g = AuthGraph::build(&model);
    let mut rows: Vec<(usize, &str, &str)> = g
        .ids
        .iter()
        .map(|(id, &ix)| {
            let n = model.node(ix);
            let inbound = g.in_edges(ix).len();
            (inbound, *id, n.kind.as_str())
        })
        .filter(|(inbound, _, _)| *inbound > 0)
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    println!("nodes whose authority the most others can use:");
    for (inbound, id, kind) in rows.iter().take(10) {
        println!("{inbound:>5}  {id} ({kind})");
    }
    ExitCode::SUCCESS
}
