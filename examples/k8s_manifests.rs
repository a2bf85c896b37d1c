//! Writes N generated Kubernetes manifests, one file each, for timing `authpath import k8s`
//! (the generator is `authpath::import::k8s::generate`).
//!
//!     cargo run --release --example k8s_manifests -- 10000 /tmp/manifests
//!     authpath import k8s /tmp/manifests -o /tmp/k8s.json

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "manifests".into()));
    std::fs::create_dir_all(&dir).expect("create the output directory");
    for (i, m) in authpath::import::k8s::generate::manifests(n)
        .iter()
        .enumerate()
    {
        std::fs::write(dir.join(format!("m{i:06}.yaml")), m).expect("write a manifest");
    }
    eprintln!("wrote {n} manifests to {}", dir.display());
}
