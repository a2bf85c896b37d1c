//! Writes a plain valid graph of the given size to standard output, for load measurements:
//! `cargo run --release --example uniform_graph -- 1000000 5000000 > big.json`
//! Add `privileged` for a variant with critical groups reached through `assumes` edges
//! (something for `analyze` to find).

#[path = "../tests/common/uniform.rs"]
mod uniform;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || {
        eprintln!("usage: uniform_graph NODES EDGES [privileged]");
        std::process::exit(2);
    };
    let (Some(nodes), Some(edges)) = (
        args.first().and_then(|a| a.parse().ok()),
        args.get(1).and_then(|a| a.parse().ok()),
    ) else {
        return usage();
    };
    match args.get(2).map(String::as_str) {
        None => print!("{}", uniform::uniform_graph(nodes, edges)),
        Some("privileged") => print!("{}", uniform::privileged_graph(nodes, edges)),
        Some(_) => usage(),
    }
}
