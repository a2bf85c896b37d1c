//! `import k8s` on generated manifests (one file each, as a directory of manifests is read):
//! reading and parsing, the derivations, and writing the graph; `import aws-iam` on
//! generated accounts (`authpath::import::aws::generate`).

use authpath::import::aws::generate;
use authpath::import::k8s::{Options, import};

fn main() {
    divan::main();
}

#[divan::bench(args = [1_000, 10_000], sample_count = 5)]
fn import_manifests(bencher: divan::Bencher, n: usize) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (i, m) in authpath::import::k8s::generate::manifests(n)
        .iter()
        .enumerate()
    {
        std::fs::write(dir.path().join(format!("m{i:06}.yaml")), m).expect("write");
    }
    let paths = [dir.path().to_path_buf()];
    bencher.bench(|| {
        let imported = import(&paths, &Options::default());
        let graph = imported.graph.expect("the generated manifests import");
        graph.to_json(None).len()
    });
}

#[divan::bench(args = [1_000, 5_000], sample_count = 3)]
fn import_aws_iam(bencher: divan::Bencher, roles: usize) {
    // The account the importer has always been measured on: no seams.
    let text = generate::account(&generate::Options::new("111122223333", roles)).json;
    bencher.bench(|| {
        let imported = authpath::import::aws::import_text("authz.json", &text, None);
        let graph = imported.graph.expect("the generated account imports");
        graph.to_json(None).len()
    });
}
