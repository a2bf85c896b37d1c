//! The shape of the crate that ARCHITECTURE.md promises: no two top-level modules depend on
//! each other (directly or through others), importers stand just above the model and the
//! loader, the Kubernetes escalation table depends on no build phase, and the command line
//! stays a thin layer.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Each top-level module and the top-level modules its code names as `crate::NAME`
/// (comments and unit tests left out: they are not dependencies of the product).
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel.iter().next().unwrap().to_string_lossy().into_owned();
        let module = first.trim_end_matches(".rs").to_owned();
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
        let entry = deps.entry(module.clone()).or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (i, _) in line.match_indices("crate::") {
                let name: String = line[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    entry.insert(name);
                }
            }
        }
    }
    deps
}

/// A dependency path from `from` back to `to`, if there is one.
fn path_between(
    deps: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    to: &str,
) -> Option<Vec<String>> {
    let mut stack = vec![vec![from.to_owned()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap().clone();
        if last == to {
            return Some(path);
        }
        if !seen.insert(last.clone()) {
            continue;
        }
        for next in deps.get(&last).into_iter().flatten() {
            let mut p = path.clone();
            p.push(next.clone());
            stack.push(p);
        }
    }
    None
}

#[test]
fn no_two_modules_depend_on_each_other() {
    let deps = dependencies();
    assert!(
        deps.contains_key("rules") && deps.contains_key("cli"),
        "{deps:?}"
    );
    assert!(
        deps["cli"].contains("request"),
        "the reader finds the edges"
    );
    for (module, uses) in &deps {
        for used in uses {
            if let Some(back) = path_between(&deps, used, module) {
                panic!("module circle: {module} -> {}", back.join(" -> "));
            }
        }
    }
}

#[test]
fn the_settings_and_the_answers_depend_on_no_output() {
    let deps = dependencies();
    for leaf in ["policy", "request", "analyze", "rules", "reach"] {
        assert!(
            path_between(&deps, leaf, "render").is_none(),
            "{leaf} must not reach the reporters"
        );
    }
    assert!(path_between(&deps, "policy", "rules").is_none());
}

#[test]
fn the_command_line_is_thin() {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cli.rs");
    let lines = std::fs::read_to_string(cli).unwrap().lines().count();
    assert!(
        lines < 500,
        "src/cli.rs has {lines} lines: move what is not parsing, calling or writing into the library"
    );
}

#[test]
fn importers_stand_just_above_the_model_and_the_loader() {
    // An importer writes graph files: it may read the model, the loader, diagnostics and
    // the shared vocabulary, never what analyses or renders a graph.
    let deps = dependencies();
    for importer in ["import", "estate"] {
        for above in [
            "analyze", "diff", "export", "render", "report", "rules", "reach", "request", "policy",
            "picture", "cli",
        ] {
            assert!(
                path_between(&deps, importer, above).is_none(),
                "{importer} must not depend on {above}: {:?}",
                path_between(&deps, importer, above)
            );
        }
    }
}

#[test]
fn the_kubernetes_escalation_table_depends_on_no_build_phase() {
    // The build calls the table; the table draws through its `Graph` trait.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/import/k8s/escalation.rs");
    let text = std::fs::read_to_string(src).unwrap();
    assert!(!text.contains("build::"), "escalation.rs names the build");
    assert!(text.contains("pub(super) trait Graph"));
}
