//! Times the reachability primitives on a loaded graph, for side-by-side comparison with
//! other libraries: a forward search with levels and witness ranking from one node, the
//! same levels without witnesses, the reverse labels towards one node, and strongly
//! connected components (ours on the CSR, and petgraph's).
//! `cargo run --release --example primitives -- graph.json ID`

use authpath::graph::AuthGraph;
use authpath::model::Level;
use authpath::reach::{Engine, ReachOptions, Scratch};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(file), Some(id)) = (args.first(), args.get(1)) else {
        eprintln!("usage: primitives GRAPH.json ID");
        std::process::exit(2);
    };
    let t = Instant::now();
    let loaded = authpath::load::load_path(std::path::Path::new(file));
    let Some(model) = loaded.graph else {
        eprint!("{}", loaded.diagnostics.render());
        std::process::exit(2);
    };
    println!("load: {:.2} s", t.elapsed().as_secs_f64());
    let g = AuthGraph::build(&model);
    let engine = Engine::new(
        &g,
        model
            .as_of
            .unwrap_or_else(authpath::timestamp::Timestamp::now),
        ReachOptions::default(),
    );
    let Some(n) = g.node_ix(id) else {
        eprintln!("unknown id {id}");
        std::process::exit(2);
    };
    let mut scratch = Scratch::default();
    for _ in 0..2 {
        let t = Instant::now();
        let s = engine.search(&[n], Level::Admin, None, None, &mut scratch);
        let reached = s.reached().count();
        println!(
            "forward search with levels from {id}: {reached} states in {:.3} s",
            t.elapsed().as_secs_f64()
        );
    }
    for _ in 0..2 {
        let t = Instant::now();
        let need = engine.need_to_reach(&[n], Level::Read);
        let count = (0..engine.node_count())
            .filter(|i| need.reaches(authpath::model::NodeIx(*i as u32)))
            .count();
        println!(
            "reverse labels towards {id}: {count} nodes in {:.3} s",
            t.elapsed().as_secs_f64()
        );
    }
    for _ in 0..2 {
        let t = Instant::now();
        let labels = engine.levels_from(&[n], Level::Admin);
        let count = labels.iter().filter(|l| l.is_some()).count();
        println!(
            "forward levels from {id} (no witnesses): {count} nodes in {:.3} s",
            t.elapsed().as_secs_f64()
        );
    }
    for _ in 0..2 {
        let t = Instant::now();
        let sccs = g.strong_components(|_| true);
        println!(
            "strongly connected components (iterative Tarjan on the CSR): {} in {:.3} s",
            sccs.len(),
            t.elapsed().as_secs_f64()
        );
    }
    // The same question through petgraph: its graph must be built first (the analysis
    // graph is the CSR adjacency, not a petgraph graph).
    let t = Instant::now();
    let mut pg = petgraph::graph::DiGraph::<(), u32, u32>::with_capacity(
        model.nodes.len(),
        model.edges.len(),
    );
    for _ in &model.nodes {
        pg.add_node(());
    }
    for (i, e) in model.edges.iter().enumerate() {
        pg.add_edge(
            petgraph::graph::NodeIndex::new(e.from.index()),
            petgraph::graph::NodeIndex::new(e.to.index()),
            i as u32,
        );
    }
    let built = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let sccs = petgraph::algo::kosaraju_scc(&pg);
    println!(
        "strongly connected components (petgraph kosaraju_scc): {} in {:.3} s, after {built:.3} s building its graph",
        sccs.len(),
        t.elapsed().as_secs_f64()
    );
}
