//! An importer's output as the importer tests read it: the graph file `g.json` it wrote in
//! a directory, validated, and its findings at 2026-11-01.

use super::{Run, authpath_in};
use serde_json::Value;
use std::path::Path;

pub struct Imported {
    pub graph: Value,
    pub findings: Value,
    pub stderr: String,
}

impl Imported {
    /// After `run` imported into `dir/g.json`: checks it succeeded, validates the graph and
    /// analyses it.
    pub fn check(dir: &Path, run: Run) -> Imported {
        assert_eq!(run.code, 0, "import failed: {}", run.stderr);
        let v = authpath_in(dir, &["validate", "g.json"]);
        assert_eq!(v.code, 0, "the imported graph must validate: {}", v.stderr);
        let a = authpath_in(
            dir,
            &[
                "analyze",
                "g.json",
                "--format",
                "json",
                "--now",
                "2026-11-01T00:00:00Z",
            ],
        );
        assert!(a.code == 0 || a.code == 1, "analyze failed: {}", a.stderr);
        Imported {
            graph: serde_json::from_str(&std::fs::read_to_string(dir.join("g.json")).unwrap())
                .unwrap(),
            findings: serde_json::from_str(&a.stdout).unwrap(),
            stderr: run.stderr,
        }
    }

    pub fn finding(&self, rule: &str, subject: &str, target: &str) -> Option<&Value> {
        self.findings["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule && f["subject"] == subject && f["target"] == target)
    }

    /// The path of the `rule` finding `subject` → `target`, or a panic listing what was
    /// found instead.
    pub fn path_of(&self, rule: &str, subject: &str, target: &str) -> Vec<String> {
        let Some(f) = self.finding(rule, subject, target) else {
            let found: Vec<String> = self.findings["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| format!("{} {} -> {}", f["rule"], f["subject"], f["target"]))
                .collect();
            panic!(
                "no {rule} {subject} -> {target}; found:\n{}",
                found.join("\n")
            );
        };
        f["path"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect()
    }

    pub fn edge(&self, from: &str, to: &str, kind: &str) -> Option<&Value> {
        self.graph["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["from"] == from && e["to"] == to && e["kind"] == kind)
    }

    pub fn find_node(&self, id: &str) -> Option<&Value> {
        self.graph["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
    }

    /// The node `id`, which must be there.
    pub fn node(&self, id: &str) -> &Value {
        self.find_node(id).unwrap_or_else(|| panic!("no node {id}"))
    }
}
