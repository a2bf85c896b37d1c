//! Loader throughput: parse and validate a generated graph held in memory.
//! `cargo bench --bench load`

#[path = "../tests/common/uniform.rs"]
mod uniform;

use std::sync::LazyLock;

static SMALL: LazyLock<String> = LazyLock::new(|| uniform::uniform_graph(10_000, 50_000));
static LARGE: LazyLock<String> = LazyLock::new(|| uniform::uniform_graph(100_000, 500_000));

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 10)]
fn load_10k_nodes(b: divan::Bencher) {
    let text = SMALL.as_bytes();
    b.counter(divan::counter::BytesCount::new(text.len()))
        .bench(|| authpath::load::load_bytes("bench.json", divan::black_box(text)));
}

#[divan::bench(sample_count = 5)]
fn load_100k_nodes(b: divan::Bencher) {
    let text = LARGE.as_bytes();
    b.counter(divan::counter::BytesCount::new(text.len()))
        .bench(|| authpath::load::load_bytes("bench.json", divan::black_box(text)));
}

#[divan::bench(sample_count = 5)]
fn build_analysis_graph_100k(b: divan::Bencher) {
    let model = authpath::load::load_bytes("bench.json", LARGE.as_bytes())
        .graph
        .expect("the generated graph is valid");
    b.bench(|| {
        authpath::graph::AuthGraph::build(divan::black_box(&model))
            .graph
            .edge_count()
    });
}
