//! `authpath analyze` end to end: snapshots of every bundled graph, determinism across thread
//! counts, the findings schema, exit codes and options.
//!
//! Where a new test goes: a rule's firing and near-miss cases → `tests/rules.rs`; the engine
//! against brute force → `tests/reach_props.rs`; a command's behaviour → here.

mod common;

use common::{authpath, root};
use std::process::Command;

fn graph_files() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(root().join("graphs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn analyze_json(file: &std::path::Path, threads: Option<&str>) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_authpath"));
    cmd.args(["analyze", "--format", "json"])
        .arg(file)
        .current_dir(root());
    if let Some(t) = threads {
        cmd.env("RAYON_NUM_THREADS", t);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// Each graph's findings, pinned. A change here is a change of what authpath tells a
/// security reviewer: review the diff (`cargo insta review`) before accepting it.
#[test]
fn snapshot_of_every_bundled_graph() {
    for f in graph_files() {
        let rel = f.strip_prefix(root()).unwrap();
        let (code, json) = analyze_json(rel, None);
        assert!(code == 0 || code == 1, "{}: exit {code}", rel.display());
        let name = rel.file_stem().unwrap().to_str().unwrap().to_owned();
        insta::assert_snapshot!(name, json);
    }
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    for f in graph_files() {
        let one = analyze_json(&f, Some("1"));
        let two = analyze_json(&f, Some("2"));
        let default = analyze_json(&f, None);
        assert_eq!(one, default, "{}", f.display());
        assert_eq!(two, default, "{}", f.display());
    }
}

#[test]
fn json_output_validates_against_the_published_schema() {
    let committed =
        std::fs::read_to_string(root().join("schema/authpath-findings.schema.json")).unwrap();
    let run = authpath(&["schema", "--findings"]);
    assert_eq!(
        run.stdout, committed,
        "schema/authpath-findings.schema.json is stale: run `cargo run -- schema --findings -o schema/authpath-findings.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&committed).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for f in graph_files() {
        let (_, json) = analyze_json(&f, None);
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", f.display());
    }
    // The schema can fail: a finding without its id is rejected.
    let (_, json) = analyze_json(&root().join("graphs/ci-secrets.json"), None);
    let mut doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    doc["findings"][0].as_object_mut().unwrap().remove("id");
    assert!(!validator.is_valid(&doc));
}

use common::FORMAT_EXAMPLE as EXAMPLE;

fn example_file(dir: &std::path::Path) -> String {
    common::write(dir, "example.json", EXAMPLE.as_bytes())
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn the_format_example_yields_its_four_findings() {
    let dir = tempfile::tempdir().unwrap();
    let file = example_file(dir.path());
    let run = authpath(&["analyze", &file, "--format", "json"]);
    assert_eq!(
        run.code, 1,
        "a critical finding fails the default --fail-on high"
    );
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["as_of_source"], "graph");
    assert_eq!(
        doc["summary"],
        serde_json::json!({"critical": 1, "high": 1, "medium": 2, "low": 0, "info": 0})
    );
    let got: Vec<(String, String, Vec<String>)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        got,
        vec![
            ("transitive-privilege".into(), "critical".into(), vec![]),
            (
                "orphaned-credential".into(),
                "high".into(),
                s(&["owner-inactive", "partner-ended"])
            ),
            (
                "stale-credential".into(),
                "medium".into(),
                s(&["no-expiry", "outlives-contract", "rotation-overdue"])
            ),
            (
                "ungoverned-access".into(),
                "medium".into(),
                s(&["no-expiry", "no-granted-by", "no-purpose"])
            ),
        ]
    );
    assert_eq!(
        doc["findings"][0]["message"],
        "Acme Logistics (partner) can administer db:prod: it holds key:ak-1, which authenticates as svc:sync, a member of grp:ops, which has admin on db:prod."
    );
}

#[test]
fn fail_on_and_now_and_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = example_file(dir.path());
    assert_eq!(
        authpath(&[
            "analyze",
            &file,
            "--fail-on",
            "critical",
            "--format",
            "json"
        ])
        .code,
        1
    );
    assert_eq!(
        authpath(&["analyze", &file, "--fail-on", "never", "--format", "json"]).code,
        0
    );
    // Judged before the contract ended and before the key's rotation fell due, Acme's
    // key is neither ended nor overdue.
    let run = authpath(&[
        "analyze",
        &file,
        "--now",
        "2026-01-01T00:00:00Z",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["as_of"], "2026-01-01T00:00:00Z");
    assert_eq!(doc["as_of_source"], "now");
    let orphan = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "orphaned-credential")
        .unwrap();
    assert_eq!(orphan["reasons"], serde_json::json!(["owner-inactive"]));
    let bad = authpath(&["analyze", &file, "--now", "2026-01-01"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("a date alone is not a date-time"),
        "{}",
        bad.stderr
    );

    let out = dir.path().join("report.json");
    let run = authpath(&["analyze", &file, "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        doc["findings"].as_array().unwrap().len(),
        4,
        "a file gets json by default"
    );
}

#[test]
fn wall_clock_is_announced() {
    let dir = tempfile::tempdir().unwrap();
    let file = common::write(
        dir.path(),
        "g.json",
        br#"{"version": 1, "nodes": [], "edges": []}"#,
    );
    let run = authpath(&["analyze", file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.contains("has no as_of and no --now was given"),
        "{}",
        run.stderr
    );
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["as_of_source"], "wall-clock");
}

#[test]
fn bad_input_exits_2_with_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let file = common::write(
        dir.path(),
        "bad.json",
        b"{\"version\": 1, \"nodes\": [], \"edges\": [{}]}",
    );
    let run = authpath(&["analyze", file.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "bad.json:1:39: error: edges[0]: missing required field `from` [missing-field]"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn text_report_groups_shared_chains_and_has_no_colour_off_a_terminal() {
    let run = authpath(&["analyze", "graphs/sso-retrofit.json", "--format", "text"]);
    let t = &run.stdout;
    assert!(!t.contains('\u{1b}'), "colour escaped into a pipe");
    assert!(t.contains("\nCRITICAL (6)\n"), "{t}");
    // Each subject's whole path, not an abbreviation.
    assert!(
        t.contains("    - svc:bp-provisioning-cron -holds-> key:legacy-provisioning-key -authenticates_as-> svc:legacy-provisioner -member_of-> grp:platform-admins -grants-> db:tenant-directory  [ap-64acdd8d6d3f8be6]\n"),
        "{t}"
    );
    assert!(
        t.contains("    - partner:brightpath -admin_of-> svc:bp-provisioning-cron -holds-> key:legacy-provisioning-key -authenticates_as-> svc:legacy-provisioner -member_of-> grp:platform-admins -grants-> db:tenant-directory  [ap-4888b18cc14220db]\n"),
        "{t}"
    );
    assert!(!t.contains('…'), "{t}");
    assert!(t.contains("through one shared chain"), "{t}");
    assert!(t.contains("    chain: svc:bp-provisioning-cron -holds-> key:legacy-provisioning-key -authenticates_as-> svc:legacy-provisioner"), "{t}");
    let last = t.lines().last().unwrap();
    assert!(
        last.contains(
            "finding(s): 6 critical, 2 high, 3 medium, 2 low, 0 info; 8 at or above --fail-on high"
        ),
        "{last}"
    );
}

/// On a terminal (a pseudo-terminal made by util-linux `script`), text is the default format
/// and has colour unless NO_COLOR is set.
#[test]
fn terminal_gets_coloured_text_unless_no_color() {
    common::require(
        "util-linux `script` (for a pseudo-terminal)",
        Command::new("script").arg("--version").output().is_ok(),
    );
    let bin = env!("CARGO_BIN_EXE_authpath");
    let run = |no_color: bool| {
        let mut cmd = Command::new("script");
        cmd.args([
            "-qec",
            &format!("{bin} analyze graphs/ci-secrets.json"),
            "/dev/null",
        ])
        .current_dir(root())
        .env_remove("NO_COLOR");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned()
    };
    let coloured = run(false);
    assert!(
        coloured.contains("CRITICAL (4)"),
        "text is the default on a terminal: {coloured}"
    );
    assert!(
        coloured.contains("\u{1b}[1m\u{1b}[31mCRITICAL (4)"),
        "{coloured}"
    );
    let plain = run(true);
    assert!(plain.contains("CRITICAL (4)"));
    assert!(
        !plain.contains('\u{1b}'),
        "NO_COLOR must turn colour off: {plain}"
    );
}

#[test]
fn max_findings_keeps_the_first_in_order_and_says_what_it_left_out() {
    let full: serde_json::Value = serde_json::from_str(
        &analyze_json(&root().join("graphs/msp-delegated-admin.json"), None).1,
    )
    .unwrap();
    let run = authpath(&[
        "analyze",
        "graphs/msp-delegated-admin.json",
        "--format",
        "json",
        "--max-findings",
        "3",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let ids = |d: &serde_json::Value| -> Vec<String> {
        d["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&doc), ids(&full)[..3].to_vec());
    assert_eq!(doc["truncated"]["total"], 21);
    assert_eq!(doc["truncated"]["shown"], 3);
    assert_eq!(
        doc["truncated"]["per_rule"]["transitive-privilege"],
        serde_json::json!({"total": 10, "shown": 2})
    );
    // The summary counts every finding, not only those shown; by_rule is always there.
    assert_eq!(doc["summary"], full["summary"]);
    assert_eq!(
        doc["summary"],
        serde_json::json!({"critical": 11, "high": 7, "medium": 2, "low": 1, "info": 0})
    );
    assert_eq!(
        doc["by_rule"]["transitive-privilege"],
        serde_json::json!({"total": 10, "shown": 2})
    );
    assert_eq!(
        full["by_rule"]["transitive-privilege"],
        serde_json::json!({"total": 10, "shown": 10})
    );
    assert!(
        full.get("truncated").is_none(),
        "nothing is said when nothing is left out"
    );
    let text = authpath(&[
        "analyze",
        "graphs/msp-delegated-admin.json",
        "--format",
        "text",
        "--max-findings",
        "3",
    ])
    .stdout;
    // The first lines say how many findings exist and how many are shown.
    let head: Vec<&str> = text.lines().take(3).collect();
    assert!(
        head[2].starts_with(
            "21 findings (11 critical, 7 high, 2 medium, 1 low); the first 3 in order of severity are shown (--max-findings): "
        ),
        "{text}"
    );
    assert!(head[2].contains("transitive-privilege 2 of 10"), "{text}");
}

/// Every bundled graph: the summary and `by_rule` count exactly the findings an uncapped run
/// writes; the streamed uncapped document is byte for byte the capped one when nothing is
/// left out; and a cap changes what is shown, never what is counted.
#[test]
fn totals_count_every_finding_and_the_stream_matches() {
    for file in graph_files() {
        let f = file.to_str().unwrap();
        let args = ["analyze", f, "--format", "json", "--fail-on", "never"];
        let capped = authpath(&args).stdout;
        let streamed = authpath(&[&args[..], &["--max-findings", "0"]].concat()).stdout;
        assert_eq!(capped, streamed, "{f}");
        let doc: serde_json::Value = serde_json::from_str(&streamed).unwrap();
        let findings = doc["findings"].as_array().unwrap();
        let summed: u64 = ["critical", "high", "medium", "low", "info"]
            .iter()
            .map(|s| doc["summary"][s].as_u64().unwrap())
            .sum();
        assert_eq!(summed as usize, findings.len(), "{f}");
        let mut per_rule: std::collections::BTreeMap<String, u64> = Default::default();
        for x in findings {
            *per_rule
                .entry(x["rule"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        let by_rule: std::collections::BTreeMap<String, u64> = doc["by_rule"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(r, c)| {
                assert_eq!(c["total"], c["shown"], "{f} {r}");
                (r.clone(), c["total"].as_u64().unwrap())
            })
            .collect();
        assert_eq!(by_rule, per_rule, "{f}");
        let one = authpath(&[&args[..], &["--max-findings", "1"]].concat()).stdout;
        let one: serde_json::Value = serde_json::from_str(&one).unwrap();
        assert_eq!(one["summary"], doc["summary"], "{f}");
        assert!(one["findings"].as_array().unwrap().len() <= 1, "{f}");
        let shown: u64 = one["by_rule"]
            .as_object()
            .unwrap()
            .values()
            .map(|c| c["shown"].as_u64().unwrap())
            .sum();
        assert_eq!(
            shown,
            one["findings"].as_array().unwrap().len() as u64,
            "{f}"
        );
    }
}

/// Past 2,048 pairs, choke points are estimated from a sample: the interval holds the true
/// count, and a node every pair passes through is counted exactly (no spread to estimate).
#[test]
fn choke_points_are_estimated_with_an_interval_on_a_large_estate() {
    let dir = tempfile::tempdir().unwrap();
    let mut nodes = vec![
        r#"{"id": "hub", "kind": "group"}"#.to_owned(),
        r#"{"id": "hub-a", "kind": "group"}"#.to_owned(),
        r#"{"id": "hub-b", "kind": "group"}"#.to_owned(),
    ];
    let mut edges = vec![
        r#"{"from": "hub", "to": "hub-a", "kind": "assumes"}"#.to_owned(),
        r#"{"from": "hub", "to": "hub-b", "kind": "assumes"}"#.to_owned(),
    ];
    for i in 0..100 {
        nodes.push(format!(r#"{{"id": "svc:{i:03}", "kind": "service"}}"#));
        edges.push(format!(
            r#"{{"from": "svc:{i:03}", "to": "hub", "kind": "member_of"}}"#
        ));
    }
    // 100 subjects × 50 targets, 25 behind each of the two inner hubs: 5,000 pairs, half
    // through each inner hub, all through the outer one.
    for (hub, prefix) in [("hub-a", "a"), ("hub-b", "b")] {
        for j in 0..25 {
            nodes.push(format!(
                r#"{{"id": "db:{prefix}{j:02}", "kind": "resource", "sensitivity": "critical"}}"#
            ));
            edges.push(format!(
                r#"{{"from": "{hub}", "to": "db:{prefix}{j:02}", "kind": "grants"}}"#
            ));
        }
    }
    let text = format!(
        r#"{{"version": 1, "as_of": "2026-11-01T00:00:00Z", "nodes": [{}], "edges": [{}]}}"#,
        nodes.join(","),
        edges.join(",")
    );
    let path = common::write(dir.path(), "estate.json", text.as_bytes());
    let run = authpath(&[
        "analyze",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--fail-on",
        "never",
        "--max-findings",
        "1",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let c = &doc["choke_points"];
    assert_eq!(c["pairs"], 5000);
    assert_eq!(c["walked"], 2048);
    assert_eq!(c["exact"], false);
    let node = |id: &str| {
        c["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["node"] == id)
            .unwrap_or_else(|| panic!("{id} in {c}"))
            .clone()
    };
    let hub = node("hub");
    assert_eq!(
        (hub["pairs"].as_u64(), hub["low"].as_u64()),
        (Some(5000), Some(5000))
    );
    assert!(hub["lost"].is_null());
    for inner in ["hub-a", "hub-b"] {
        let n = node(inner);
        let (low, est, high) = (
            n["low"].as_u64().unwrap(),
            n["pairs"].as_u64().unwrap(),
            n["high"].as_u64().unwrap(),
        );
        assert!(low <= 2500 && 2500 <= high, "{inner}: {n}");
        assert!(
            low <= est && est <= high && high - low < 400,
            "{inner}: {n}"
        );
    }
}

/// A waiver that names, by rule, subject and target, a finding the cap leaves out still
/// waives it: the totals drop, the finding is listed as waived, the waiver is not unused.
#[test]
fn a_waiver_reaches_past_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let policy = common::write(
        dir.path(),
        "authpath.toml",
        br#"[[waiver]]
rule = "transitive-privilege"
subject = "partner:tailspin-noc"
target = "res:health-directory"
reason = "contract renewal under way"
owner = "alice@example.com"
expires = 2027-01-01T00:00:00Z
"#,
    );
    let graph = root().join("graphs/msp-delegated-admin.json");
    let run = |cap: &str| -> serde_json::Value {
        let out = authpath(&[
            "analyze",
            graph.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "never",
            "--policy",
            policy.to_str().unwrap(),
            "--max-findings",
            cap,
        ]);
        serde_json::from_str(&out.stdout).unwrap()
    };
    let (full, capped) = (run("0"), run("2"));
    assert_eq!(full["summary"]["critical"], 10);
    assert_eq!(capped["summary"], full["summary"]);
    assert_eq!(
        capped["by_rule"]["transitive-privilege"],
        serde_json::json!({"total": 9, "shown": 1})
    );
    let waived = capped["waived"].as_array().expect("waived findings");
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["subject"], "partner:tailspin-noc");
    assert_eq!(waived[0]["path"], full["waived"][0]["path"]);
    let text = authpath(&[
        "analyze",
        graph.to_str().unwrap(),
        "--format",
        "text",
        "--fail-on",
        "never",
        "--policy",
        policy.to_str().unwrap(),
        "--max-findings",
        "2",
    ])
    .stdout;
    assert!(!text.contains("names no finding"), "{text}");
}
