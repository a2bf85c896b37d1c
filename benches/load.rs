//! Loader throughput (parse and validate a generated graph held in memory) and full analyses.
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
            .packed
            .len()
    });
}

static PRIVILEGED: LazyLock<authpath::model::Graph> = LazyLock::new(|| {
    authpath::load::load_bytes(
        "bench.json",
        uniform::privileged_graph(100_000, 500_000).as_bytes(),
    )
    .graph
    .expect("the generated graph is valid")
});

/// Every rule over 100k nodes / 500k edges where 90k subjects reach critical groups
/// through `assumes` (about 270k findings).
#[divan::bench(sample_count = 3)]
fn analyze_100k_privileged(b: divan::Bencher) {
    let model = &*PRIVILEGED;
    b.bench(|| {
        authpath::analyze::analyze(
            divan::black_box(model),
            &authpath::analyze::Options::default(),
        )
        .findings
        .len()
    });
}

/// Every rule over each bundled scenario graph.
#[divan::bench]
fn analyze_bundled_graphs(b: divan::Bencher) {
    let graphs: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/graphs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| authpath::load::load_path(&p).graph.unwrap())
        .collect();
    b.bench(|| {
        graphs
            .iter()
            .map(|g| {
                authpath::analyze::analyze(g, &authpath::analyze::Options::default())
                    .findings
                    .len()
            })
            .sum::<usize>()
    });
}

/// The DOT of the 100k graph's findings with --paths-only (analysis done beforehand; the
/// default node cap of 300 applies, as on the command line).
#[divan::bench(sample_count = 5)]
fn dot_paths_only_100k(b: divan::Bencher) {
    let model = &*PRIVILEGED;
    let report = authpath::analyze::analyze(model, &authpath::analyze::Options::default());
    let g = authpath::graph::AuthGraph::build(model);
    let options = authpath::picture::PictureOptions {
        paths_only: true,
        ..Default::default()
    };
    b.bench(|| {
        authpath::render::dot::draw(&g, report.as_of, &report.findings, &options, "bench")
            .map(|(dot, _)| dot.len())
    });
}
