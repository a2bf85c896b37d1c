//! `import k8s` on generated manifests (one file each, as a directory of manifests is read):
//! reading and parsing, the derivations, and writing the graph.

use authpath::import::k8s::{Options, generate, import};

fn main() {
    divan::main();
}

#[divan::bench(args = [1_000, 10_000], sample_count = 5)]
fn import_manifests(bencher: divan::Bencher, n: usize) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (i, m) in generate::manifests(n).iter().enumerate() {
        std::fs::write(dir.path().join(format!("m{i:06}.yaml")), m).expect("write");
    }
    let paths = [dir.path().to_path_buf()];
    bencher.bench(|| {
        let imported = import(&paths, &Options::default());
        let graph = imported.graph.expect("the generated manifests import");
        graph.to_json(None).len()
    });
}
