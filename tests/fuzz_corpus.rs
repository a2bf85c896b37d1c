//! The fuzz targets' checks (`fuzz/targets.rs`) replayed on the seeds the fuzzers start from
//! and on every input a fuzzer once broke (`fuzz/regressions/TARGET/`, each file named after
//! what it broke): no panic, and importers' graphs load.

mod common;

#[path = "../fuzz/targets.rs"]
mod targets;

use common::root;
use std::path::{Path, PathBuf};

fn files(dir: &Path, ext: &[&str]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_file()
                && (ext.is_empty() || p.extension().is_some_and(|x| ext.iter().any(|e| x == *e)))
        })
        .collect();
    out.sort();
    out
}

fn regressions(target: &str) -> Vec<PathBuf> {
    files(&root().join("fuzz/regressions").join(target), &[])
}

fn replay(target: &str, inputs: Vec<PathBuf>, check: fn(&[u8])) -> usize {
    let mut n = 0;
    for path in inputs.into_iter().chain(regressions(target)) {
        let data = std::fs::read(&path).unwrap();
        let result = std::panic::catch_unwind(|| check(&data));
        assert!(result.is_ok(), "{target}: {} panicked", path.display());
        n += 1;
    }
    n
}

#[test]
fn the_loader_and_analyze_on_their_seeds_and_regressions() {
    let graphs = files(&root().join("graphs"), &["json"]);
    assert!(replay("load", graphs.clone(), targets::load) >= 8);
    assert!(replay("analyze", graphs, targets::analyze) >= 8);
}

#[test]
fn the_policy_parser_on_its_seeds_and_regressions() {
    assert!(
        replay(
            "policy",
            files(&root().join("fuzz/seeds/policy"), &["toml"]),
            targets::policy
        ) >= 1
    );
}

#[test]
fn the_importers_on_their_seeds_and_regressions() {
    let mut k8s = files(&root().join("graphs/k8s/platform"), &["yaml", "json"]);
    k8s.extend(files(
        &root().join("tests/data/real/kube-state-metrics"),
        &["yaml"],
    ));
    assert!(replay("import_k8s", k8s, targets::import_k8s) >= 7);
    let aws = vec![
        root().join("graphs/aws/saas-partners/authz-details.json"),
        root().join("tests/data/real/aws-iam/example-authz-details.json"),
    ];
    assert!(replay("import_aws", aws, targets::import_aws) >= 2);
    let og = vec![root().join("tests/data/real/bloodhound-opengraph/opengraph-minimal.json")];
    assert!(replay("import_opengraph", og, targets::import_opengraph) >= 1);
    let mut mappings = files(&root().join("graphs/opengraph"), &["toml"]);
    mappings.extend(files(&root().join("fuzz/seeds/mapping"), &["toml"]));
    assert!(replay("mapping", mappings, targets::mapping) >= 2);
    let mut manifests = vec![root().join("graphs/estate/estate.toml")];
    manifests.extend(files(&root().join("fuzz/seeds/estate"), &["toml"]));
    assert!(replay("estate", manifests, targets::estate) >= 2);
    let mut answers = files(&root().join("graphs/estate/prod/eks/payments"), &["json"]);
    answers.extend(files(&root().join("fuzz/seeds/eks"), &["json"]));
    assert!(replay("eks", answers, targets::eks) >= 4);
    let ic = files(&root().join("fuzz/seeds/identity_center"), &["json"]);
    assert!(replay("identity_center", ic, targets::identity_center) >= 2);
    let mut entra = files(&root().join("fuzz/seeds/entra"), &["json"]);
    entra.extend(files(&root().join("graphs/entra"), &["json"]));
    entra.extend(files(&root().join("tests/data/real/entra"), &["json"]));
    assert!(replay("entra", entra, targets::entra) >= 3);
    let org = files(&root().join("fuzz/seeds/organization"), &["json"]);
    assert!(replay("organization", org, targets::organization) >= 2);
}
