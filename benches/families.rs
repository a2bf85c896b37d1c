//! Each rule family, full analyze, the incident queries, diff and DOT on synthetic
//! enterprises of 10k and 100k nodes (`authpath::synth`). `cargo bench --bench families`
//!
//! A family is measured as `analyze` with only its rules enabled, so shared set-up (graph,
//! engine, reverse labels) is included in every family's time.

use authpath::analyze::{Options, analyze};
use authpath::findings::Rule;
use authpath::model::Graph;
use authpath::policy::{Policy, RuleConfig};
use std::sync::LazyLock;

static G10K: LazyLock<Graph> = LazyLock::new(|| graph(10_000));
static G100K: LazyLock<Graph> = LazyLock::new(|| graph(100_000));

fn graph(n: usize) -> Graph {
    authpath::load::load_bytes("synth.json", authpath::synth::generate(n, 1).as_bytes())
        .graph
        .expect("the synthetic graph is valid")
}

fn sized(n: usize) -> &'static Graph {
    if n == 10_000 { &G10K } else { &G100K }
}

fn only(rules: &[Rule]) -> Options {
    let mut policy = Policy::default();
    for r in Rule::ALL {
        policy.rules.insert(
            r,
            RuleConfig {
                enabled: rules.contains(&r),
                severity: None,
            },
        );
    }
    Options {
        policy,
        max_findings: Some(100_000),
        ..Options::default()
    }
}

fn main() {
    divan::main();
}

#[divan::bench(args = [10_000, 100_000], sample_count = 3)]
fn load(b: divan::Bencher, n: usize) {
    let text = authpath::synth::generate(n, 1);
    b.counter(divan::counter::BytesCount::new(text.len()))
        .bench(|| {
            authpath::load::load_bytes("synth.json", text.as_bytes())
                .graph
                .is_some()
        });
}

#[divan::bench(args = [10_000, 100_000], sample_count = 2)]
fn privilege(b: divan::Bencher, n: usize) {
    let g = sized(n);
    let opts = only(&[Rule::TransitivePrivilege, Rule::ExternalCriticalAccess]);
    b.bench(|| analyze(g, &opts).findings.len());
}

#[divan::bench(args = [10_000, 100_000], sample_count = 3)]
fn partner(b: divan::Bencher, n: usize) {
    let g = sized(n);
    let opts = only(&[Rule::IndirectPartnerAccess]);
    b.bench(|| analyze(g, &opts).findings.len());
}

#[divan::bench(args = [10_000, 100_000], sample_count = 3)]
fn delegation(b: divan::Bencher, n: usize) {
    let g = sized(n);
    let opts = only(&[Rule::DelegationCycle, Rule::RedelegableAdmin]);
    b.bench(|| analyze(g, &opts).findings.len());
}

#[divan::bench(args = [10_000, 100_000], sample_count = 3)]
fn credentials(b: divan::Bencher, n: usize) {
    let g = sized(n);
    let opts = only(&[
        Rule::OrphanedCredential,
        Rule::StaleCredential,
        Rule::OverScopedCredential,
        Rule::SharedCredential,
    ]);
    b.bench(|| analyze(g, &opts).findings.len());
}

#[divan::bench(args = [10_000, 100_000], sample_count = 3)]
fn governance(b: divan::Bencher, n: usize) {
    let g = sized(n);
    let opts = only(&[Rule::UngovernedAccess]);
    b.bench(|| analyze(g, &opts).findings.len());
}

#[divan::bench(args = [10_000, 100_000], sample_count = 2)]
fn full_analyze(b: divan::Bencher, n: usize) {
    let g = sized(n);
    let opts = Options {
        max_findings: Some(100_000),
        ..Options::default()
    };
    b.bench(|| analyze(g, &opts).findings.len());
}

#[divan::bench(args = [10_000, 100_000], sample_count = 3)]
fn blast_radius(b: divan::Bencher, n: usize) {
    let g = sized(n);
    let ag = authpath::graph::AuthGraph::build(g);
    let engine = authpath::reach::Engine::new(&ag, g.as_of.unwrap(), Default::default());
    let from = ag.node_ix("partner:0").unwrap();
    b.bench(|| {
        authpath::incident::blast::blast_radius(
            &engine,
            &[from],
            authpath::model::Level::Read,
            &[],
            usize::MAX,
        )
        .expect("no path limit")
        .reached
        .len()
    });
}

#[divan::bench(args = [10_000, 100_000], sample_count = 3)]
fn who_can(b: divan::Bencher, n: usize) {
    let g = sized(n);
    let ag = authpath::graph::AuthGraph::build(g);
    let engine = authpath::reach::Engine::new(&ag, g.as_of.unwrap(), Default::default());
    let target = ag.node_ix("res:0").unwrap();
    b.bench(|| {
        authpath::incident::whocan::who_can(
            &engine,
            target,
            authpath::model::Level::Read,
            authpath::rules::Subjects::Default,
            usize::MAX,
        )
        .expect("no path limit")
        .subjects
        .len()
    });
}

#[divan::bench(args = [10_000, 100_000], sample_count = 2)]
fn diff(b: divan::Bencher, n: usize) {
    let old = sized(n);
    let new = graph_with_change(n);
    let opts = Options {
        max_findings: Some(100_000),
        ..Options::default()
    };
    b.bench(|| authpath::diff::diff(old, &new, &opts, None).access.len());
}

fn graph_with_change(n: usize) -> Graph {
    let text = authpath::synth::generate(n, 1);
    let end = text.rfind("\n]}").unwrap();
    let changed = format!(
        "{},\n{{\"from\": \"partner:1\", \"to\": \"grp:0\", \"kind\": \"member_of\"}}{}",
        &text[..end],
        &text[end..]
    );
    authpath::load::load_bytes("new.json", changed.as_bytes())
        .graph
        .unwrap()
}

#[divan::bench(args = [10_000, 100_000], sample_count = 3)]
fn dot_of_finding_paths(b: divan::Bencher, n: usize) {
    let g = sized(n);
    let report = analyze(
        g,
        &Options {
            max_findings: Some(100_000),
            ..Options::default()
        },
    );
    let ag = authpath::graph::AuthGraph::build(g);
    let options = authpath::picture::PictureOptions {
        paths_only: true,
        ..Default::default()
    };
    b.bench(|| {
        authpath::render::dot::draw(&ag, report.as_of, &report.findings, &options, "bench")
            .map(|(d, _)| d.len())
    });
}
