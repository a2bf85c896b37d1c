//! Writes a plain valid graph of the given size to standard output, for load measurements:
//! `cargo run --release --example uniform_graph -- 1000000 5000000 > big.json`

#[path = "../tests/common/uniform.rs"]
mod uniform;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("usage: uniform_graph NODES EDGES"))
        .collect();
    let [nodes, edges] = args[..] else {
        eprintln!("usage: uniform_graph NODES EDGES");
        std::process::exit(2);
    };
    print!("{}", uniform::uniform_graph(nodes, edges));
}
