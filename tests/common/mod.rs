//! What the end-to-end tests share: run the real binary, write inputs to temp files.

#![allow(dead_code)]

pub mod dotcheck;
pub mod imported;

/// The example graph of docs/format.md, with its four findings.
pub const FORMAT_EXAMPLE: &str = r#"{
  "version": 1,
  "as_of": "2026-11-01T00:00:00Z",
  "nodes": [
    {"id": "partner:acme", "kind": "partner", "name": "Acme Logistics", "contract_end": "2026-06-30T00:00:00Z"},
    {"id": "key:ak-1", "kind": "credential", "credential_type": "api_key", "org": "partner:acme",
     "owner": "human:bob", "issued_at": "2025-01-10T00:00:00Z", "last_used_at": "2026-10-30T00:00:00Z"},
    {"id": "svc:sync", "kind": "service", "owner": "human:bob"},
    {"id": "grp:ops", "kind": "group"},
    {"id": "db:prod", "kind": "resource", "sensitivity": "critical"},
    {"id": "human:bob", "kind": "human", "status": "disabled"}
  ],
  "edges": [
    {"from": "partner:acme", "to": "key:ak-1", "kind": "holds"},
    {"from": "key:ak-1", "to": "svc:sync", "kind": "authenticates_as"},
    {"from": "svc:sync", "to": "grp:ops", "kind": "member_of"},
    {"from": "grp:ops", "to": "db:prod", "kind": "grants", "level": "admin"}
  ]
}"#;
pub mod uniform;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out
                .status
                .code()
                .expect("the binary was killed by a signal"),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

pub fn authpath(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_authpath"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    Run::from(out)
}

pub fn authpath_stdin(args: &[&str], input: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_authpath"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    Run::from(child.wait_with_output().unwrap())
}

/// Writes `content` to a fresh file named `name` in `dir` and returns its path.
pub fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

/// The repository's root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `who-can FILE --reach ID --format json` run in `dir` (with `extra` arguments): each
/// subject with its level, in the answer's order.
pub fn who_can(dir: &Path, file: &str, id: &str, extra: &[&str]) -> Vec<(String, String)> {
    let mut args = vec!["who-can", file, "--reach", id, "--format", "json"];
    args.extend_from_slice(extra);
    let run = authpath_in(dir, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["node"].as_str().unwrap().to_string(),
                s["level"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Fails the test, in one line naming the command that sets the tool up, when a tool it
/// needs is missing: a test that needs a tool never skips.
pub fn require(tool: &str, present: bool) {
    assert!(
        present,
        "{tool} is not installed: run `scripts/test`, which installs what the tests need and runs them"
    );
}

/// The Python interpreter of the test environment `scripts/test` makes (pinned Kùzu and
/// Playwright in a virtual environment under target/), or the one `AUTHPATH_TEST_PYTHON`
/// names; fails the test when `module` cannot be imported there.
pub fn python_with(module: &str) -> PathBuf {
    let python = std::env::var_os("AUTHPATH_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/test-env/bin/python"));
    let imports = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success());
    require(
        &format!("the Python module {module} (in {})", python.display()),
        imports,
    );
    python
}

/// Runs the binary in `dir`, so relative paths in its output do not depend on temp names.
pub fn authpath_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_authpath"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    Run::from(out)
}

/// An `analyze --format json` document's findings as one line each, for snapshots:
/// `severity rule subject -> target via a > b > c`, with ` [reasons]` when asked.
pub fn finding_lines(report: &serde_json::Value, with_reasons: bool) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("a findings document")
        .iter()
        .map(|f| {
            let path: Vec<&str> = f["path"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            let mut line = format!(
                "{} {} {} -> {} via {}",
                f["severity"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                f["subject"].as_str().unwrap_or("-"),
                f["target"].as_str().unwrap_or("-"),
                path.join(" > ")
            );
            if with_reasons {
                let reasons: Vec<&str> = f["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap())
                    .collect();
                line.push_str(&format!(" [{}]", reasons.join(",")));
            }
            line
        })
        .collect()
}

/// Names that must stay text in every output: quotes, backslashes, a newline, a DOT
/// attribute breakout, markup and script, emoji, right-to-left text, a bidirectional
/// override.
pub const HOSTILE_NAMES: [&str; 8] = [
    r#"Quote "the" partner"#,
    r"back\slash\nnot a newline\",
    "line one\nline two",
    r#""]; n0 [image="/etc/passwd"#,
    "<b>bold</b> & <script>alert(1)</script>",
    "🔑 partner key 🚀",
    "مفتاح الشريك",
    "safe\u{202E}txt.exe",
];

/// A graph whose node names are `names` (services `svc:0`…, in a cycle of `assumes`), with a
/// critical resource whose id is 10,000 characters long reached from `svc:7`, and a partner
/// whose id is full of punctuation: the hostile names the pictures and the report must
/// show as text.
pub fn hostile_names_graph(names: &[&str]) -> String {
    let long_id = "x".repeat(10_000);
    let mut nodes: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!(
                r#"{{"id": "svc:{i}", "kind": "service", "name": {}}}"#,
                serde_json::to_string(n).unwrap()
            )
        })
        .collect();
    nodes.push(format!(
        r#"{{"id": "{long_id}", "kind": "resource", "sensitivity": "critical"}}"#
    ));
    nodes.push(r#"{"id": "id \"with\" quotes } { | <>", "kind": "partner"}"#.into());
    let mut edges: Vec<String> = (0..names.len())
        .map(|i| {
            format!(
                r#"{{"from": "svc:{i}", "to": "svc:{}", "kind": "assumes"}}"#,
                (i + 1) % names.len()
            )
        })
        .collect();
    edges.push(format!(
        r#"{{"from": "svc:7", "to": "{long_id}", "kind": "grants"}}"#
    ));
    edges.push(
        r#"{"from": "id \"with\" quotes } { | <>", "to": "svc:0", "kind": "assumes"}"#.into(),
    );
    format!(
        r#"{{"version": 1, "as_of": "2026-11-01T00:00:00Z", "nodes": [{}], "edges": [{}]}}"#,
        nodes.join(","),
        edges.join(",")
    )
}
