//! Incident response end to end, on hand-built graphs whose answers were worked out by
//! hand: blast-radius, who-can, path, cut, latent paths; JSON shapes and schemas.

mod common;

use common::{authpath_in, root, write};
use serde_json::{Value, json};

/// Two compromised keys; a read-capped token; a vault whose key needs write; a disabled
/// admin account and an expired edge that would complete more paths.
///
/// ```text
/// key:a -authenticates_as-> svc:a -member_of-> grp:ops -grants-> db:prod (critical)
/// key:b -authenticates_as(read)-> svc:b -member_of-> grp:ops
/// svc:b -grants(write)-> res:vault -exposes(requires write)-> key:root -authenticates_as-> svc:root -admin_of-> db:prod
/// partner:p -holds-> key:b ; partner:p -assumes(expired)-> svc:a
/// human:old (disabled) -admin_of-> db:prod ; partner:p -assumes-> human:old
/// ```
const GRAPH: &str = r#"{
  "version": 1,
  "as_of": "2026-11-01T00:00:00Z",
  "nodes": [
    {"id": "partner:p", "kind": "partner", "name": "Partner P"},
    {"id": "key:a", "kind": "credential"},
    {"id": "key:b", "kind": "credential"},
    {"id": "svc:a", "kind": "service"},
    {"id": "svc:b", "kind": "service"},
    {"id": "grp:ops", "kind": "group"},
    {"id": "db:prod", "kind": "resource", "sensitivity": "critical"},
    {"id": "res:vault", "kind": "resource"},
    {"id": "key:root", "kind": "credential"},
    {"id": "svc:root", "kind": "service"},
    {"id": "human:old", "kind": "human", "status": "disabled"}
  ],
  "edges": [
    {"from": "key:a", "to": "svc:a", "kind": "authenticates_as"},
    {"from": "svc:a", "to": "grp:ops", "kind": "member_of"},
    {"from": "grp:ops", "to": "db:prod", "kind": "grants", "level": "write"},
    {"from": "key:b", "to": "svc:b", "kind": "authenticates_as", "level": "read"},
    {"from": "svc:b", "to": "grp:ops", "kind": "member_of"},
    {"from": "svc:b", "to": "res:vault", "kind": "grants", "level": "write"},
    {"from": "res:vault", "to": "key:root", "kind": "exposes", "requires": "write"},
    {"from": "key:root", "to": "svc:root", "kind": "authenticates_as"},
    {"from": "svc:root", "to": "db:prod", "kind": "admin_of"},
    {"from": "partner:p", "to": "key:b", "kind": "holds"},
    {"from": "partner:p", "to": "svc:a", "kind": "assumes", "expires_at": "2026-01-01T00:00:00Z"},
    {"from": "human:old", "to": "db:prod", "kind": "admin_of"},
    {"from": "partner:p", "to": "human:old", "kind": "assumes"}
  ]
}"#;

struct Case(tempfile::TempDir);

impl Case {
    fn new() -> Case {
        let c = Case(tempfile::tempdir().unwrap());
        write(c.0.path(), "g.json", GRAPH.as_bytes());
        c
    }
    fn json(&self, args: &[&str]) -> Value {
        let mut full = args.to_vec();
        full.extend(["--format", "json"]);
        let run = authpath_in(self.0.path(), &full);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        serde_json::from_str(&run.stdout).unwrap()
    }
}

fn by_node<'a>(list: &'a Value, node: &str) -> Option<&'a Value> {
    list.as_array().unwrap().iter().find(|e| e["node"] == node)
}

#[test]
fn blast_radius_from_two_keys_takes_the_best_of_both() {
    let c = Case::new();
    let doc = c.json(&["blast-radius", "g.json", "--from", "key:b,key:a"]);
    assert_eq!(doc["sources"], json!(["key:a", "key:b"]));
    let reached = &doc["reached"];
    // key:b alone holds only read over svc:b, so the vault (needs write) stays shut; key:a
    // gives write on db:prod through grp:ops.
    let db = by_node(reached, "db:prod").unwrap();
    assert_eq!(db["level"], "write");
    assert_eq!(db["path"], json!(["key:a", "svc:a", "grp:ops", "db:prod"]));
    assert_eq!(
        db["path_edges"],
        json!(["authenticates_as", "member_of", "grants"])
    );
    assert_eq!(by_node(reached, "svc:b").unwrap()["level"], "read");
    assert_eq!(by_node(reached, "res:vault").unwrap()["level"], "read");
    assert!(
        by_node(reached, "key:root").is_none(),
        "requires write; key:b carries read"
    );
    let names: Vec<&str> = reached
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["db:prod", "grp:ops", "res:vault", "svc:a", "svc:b"],
        "sorted by node"
    );
    assert_eq!(doc["summary"]["reached"], 5);
    assert_eq!(doc["summary"]["critical"], 1);
    assert_eq!(
        doc["summary"]["by_kind"],
        json!({"group": 1, "resource": 2, "service": 2})
    );
    // Filters.
    let doc = c.json(&[
        "blast-radius",
        "g.json",
        "--from",
        "key:a,key:b",
        "--min-level",
        "write",
        "--kind",
        "resource",
    ]);
    let names: Vec<&str> = doc["reached"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["db:prod"]);
}

#[test]
fn who_can_with_a_read_capped_token() {
    let c = Case::new();
    let doc = c.json(&["who-can", "g.json", "--reach", "db:prod"]);
    assert_eq!(doc["target"], "db:prod");
    assert_eq!(doc["min_level"], "read");
    let subjects = &doc["subjects"];
    let nodes: Vec<&str> = subjects
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].as_str().unwrap())
        .collect();
    // Subjects only: partners, services (keys and groups are not subjects; human:old is disabled).
    assert_eq!(nodes, ["partner:p", "svc:a", "svc:b", "svc:root"]);
    let p = by_node(subjects, "partner:p").unwrap();
    assert_eq!(
        p["level"], "read",
        "the token authenticates as svc:b with read only"
    );
    assert_eq!(
        p["path"],
        json!(["partner:p", "key:b", "svc:b", "grp:ops", "db:prod"])
    );
    assert_eq!(
        by_node(subjects, "svc:b").unwrap()["level"],
        "admin",
        "svc:b writes the vault and takes key:root"
    );
    assert_eq!(by_node(subjects, "svc:root").unwrap()["level"], "admin");
    let doc = c.json(&[
        "who-can", "g.json", "--reach", "db:prod", "--level", "admin",
    ]);
    let nodes: Vec<&str> = doc["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].as_str().unwrap())
        .collect();
    assert_eq!(
        nodes,
        ["svc:b", "svc:root"],
        "svc:b writes the vault, takes key:root, administers"
    );
    let b = by_node(&doc["subjects"], "svc:b").unwrap();
    assert_eq!(
        b["path"],
        json!(["svc:b", "res:vault", "key:root", "svc:root", "db:prod"])
    );
}

#[test]
fn latent_paths_are_marked_with_what_blocks_them() {
    let c = Case::new();
    let doc = c.json(&[
        "who-can",
        "g.json",
        "--reach",
        "db:prod",
        "--level",
        "admin",
        "--include-inactive",
    ]);
    let p = by_node(&doc["subjects"], "partner:p").unwrap();
    assert_eq!(p["latent"], true);
    assert_eq!(p["path"], json!(["partner:p", "human:old", "db:prod"]));
    assert_eq!(p["blocked_by"], json!(["human:old is disabled"]));
    assert!(
        by_node(&doc["subjects"], "svc:root")
            .unwrap()
            .get("latent")
            .is_none(),
        "a live path is not latent"
    );
    let doc = c.json(&[
        "blast-radius",
        "g.json",
        "--from",
        "partner:p",
        "--include-inactive",
    ]);
    let a = by_node(&doc["reached"], "svc:a").unwrap();
    assert_eq!(
        a["blocked_by"],
        json!(["edges[10] (partner:p -assumes-> svc:a) expired on 2026-01-01T00:00:00Z"])
    );
}

#[test]
fn paths_in_order_and_the_nearest_blocked_one() {
    let c = Case::new();
    let doc = c.json(&[
        "path", "g.json", "--from", "svc:b", "--to", "db:prod", "--max", "5",
    ]);
    assert_eq!(doc["level"], "admin");
    let paths: Vec<(Value, Value)> = doc["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["path"].clone(), p["level"].clone()))
        .collect();
    assert_eq!(
        paths,
        vec![
            (json!(["svc:b", "grp:ops", "db:prod"]), json!("write")),
            (
                json!(["svc:b", "res:vault", "key:root", "svc:root", "db:prod"]),
                json!("admin")
            ),
        ],
        "shortest first; each with the level it carries"
    );
    // partner:p → svc:a: only through the expired assumes edge.
    let doc = c.json(&["path", "g.json", "--from", "partner:p", "--to", "svc:a"]);
    assert_eq!(doc["level"], Value::Null);
    assert_eq!(doc["paths"], json!([]));
    let blocked = &doc["nearest_blocked"];
    assert_eq!(blocked["path"], json!(["partner:p", "svc:a"]));
    assert_eq!(
        blocked["blocked_by"],
        json!(["edges[10] (partner:p -assumes-> svc:a) expired on 2026-01-01T00:00:00Z"])
    );
    let text = authpath_in(
        c.0.path(),
        &[
            "path",
            "g.json",
            "--from",
            "partner:p",
            "--to",
            "svc:a",
            "--format",
            "text",
        ],
    )
    .stdout;
    assert!(
        text.starts_with("No path from partner:p to svc:a"),
        "{text}"
    );
    assert!(text.contains("blocked by: edges[10]"), "{text}");
}

#[test]
fn k_paths_come_shortest_first_then_by_ids() {
    let dir = tempfile::tempdir().unwrap();
    // a→t directly; a→c→t and a→b→t (two of length 2: b before c); a→b→c→t.
    write(
        dir.path(),
        "k.json",
        br#"{"version": 1, "as_of": "2026-11-01T00:00:00Z", "nodes": [
            {"id": "a", "kind": "service"}, {"id": "b", "kind": "service"}, {"id": "c", "kind": "service"},
            {"id": "t", "kind": "service"}],
          "edges": [
            {"from": "a", "to": "c", "kind": "assumes"}, {"from": "c", "to": "t", "kind": "assumes"},
            {"from": "a", "to": "b", "kind": "assumes"}, {"from": "b", "to": "t", "kind": "assumes"},
            {"from": "b", "to": "c", "kind": "assumes"}, {"from": "a", "to": "t", "kind": "assumes", "level": "read"}]}"#,
    );
    let run = authpath_in(
        dir.path(),
        &[
            "path", "k.json", "--from", "a", "--to", "t", "--max", "10", "--format", "json",
        ],
    );
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let paths: Vec<Value> = doc["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].clone())
        .collect();
    assert_eq!(
        paths,
        vec![
            json!(["a", "t"]),
            json!(["a", "b", "t"]),
            json!(["a", "c", "t"]),
            json!(["a", "b", "c", "t"])
        ]
    );
    assert_eq!(doc["paths"][0]["level"], "read");
    assert_eq!(doc["level"], "admin");
    let run = authpath_in(
        dir.path(),
        &[
            "path", "k.json", "--from", "a", "--to", "t", "--max", "2", "--format", "json",
        ],
    );
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["paths"].as_array().unwrap().len(), 2);
}

#[test]
fn the_cut_prefers_credentials_and_verifies_itself() {
    let c = Case::new();
    let doc = c.json(&["cut", "g.json", "--from", "partner:p"]);
    assert_eq!(doc["sources"], json!(["partner:p"]));
    assert_eq!(
        doc["targets"],
        json!(["db:prod"]),
        "default: every critical node"
    );
    // partner:p reaches db:prod only through key:b: one holds edge (cost 1) cuts it.
    assert_eq!(doc["cost"], 1);
    assert_eq!(
        doc["cut"],
        json!([{"edge": 9, "from": "partner:p", "to": "key:b", "kind": "holds", "cost": 1, "protects": ["db:prod"]}])
    );
    assert_eq!(doc["verified"], true);
    // Membership is dear: cutting key:a off uses the credential edge, not the group.
    let doc = c.json(&["cut", "g.json", "--from", "key:a", "--to", "db:prod"]);
    assert_eq!(doc["cut"][0]["kind"], "authenticates_as");
    // With membership made cheap, the plan changes.
    let doc = c.json(&[
        "cut",
        "g.json",
        "--from",
        "key:a",
        "--to",
        "db:prod",
        "--cost",
        "member_of=1,authenticates_as=5",
    ]);
    assert_eq!(doc["cut"][0]["kind"], "member_of");
    assert_eq!(doc["costs"]["member_of"], 1);
}

#[test]
fn a_parallel_path_needs_two_edges_cut() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "par.json",
        br#"{"version": 1, "as_of": "2026-11-01T00:00:00Z", "nodes": [
            {"id": "partner:x", "kind": "partner"}, {"id": "key:1", "kind": "credential"}, {"id": "key:2", "kind": "credential"},
            {"id": "svc:s", "kind": "service"}, {"id": "db:d", "kind": "resource", "tags": ["tier0"]}],
          "edges": [
            {"from": "partner:x", "to": "key:1", "kind": "holds"}, {"from": "partner:x", "to": "key:2", "kind": "holds"},
            {"from": "key:1", "to": "svc:s", "kind": "authenticates_as"}, {"from": "key:2", "to": "svc:s", "kind": "authenticates_as"},
            {"from": "svc:s", "to": "db:d", "kind": "grants"}]}"#,
    );
    let run = authpath_in(
        dir.path(),
        &["cut", "par.json", "--from", "partner:x", "--format", "json"],
    );
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["cost"], 2);
    let edges: Vec<u64> = doc["cut"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["edge"].as_u64().unwrap())
        .collect();
    assert_eq!(
        edges,
        [0, 1],
        "both keys, cost 1 each, beat the grant (cost 3)"
    );
    assert_eq!(doc["verified"], true);
    let text = authpath_in(
        dir.path(),
        &["cut", "par.json", "--from", "partner:x", "--format", "text"],
    )
    .stdout;
    assert!(
        text.contains("Revoke these 2 edge(s), total cost 2"),
        "{text}"
    );
    assert!(
        text.contains("verified: with these edges revoked"),
        "{text}"
    );
}

#[test]
fn bad_ids_and_impossible_cuts_exit_2() {
    let c = Case::new();
    let run = authpath_in(
        c.0.path(),
        &["blast-radius", "g.json", "--from", "key:c,key:z"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("--from \"key:c\" names no node in the graph: did you mean \"key:a\"?"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--from \"key:z\" names no node"),
        "both are reported: {}",
        run.stderr
    );
    let run = authpath_in(
        c.0.path(),
        &["cut", "g.json", "--from", "db:prod", "--to", "db:prod"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("db:prod is both a source and a target"),
        "{}",
        run.stderr
    );
    let run = authpath_in(
        c.0.path(),
        &["cut", "g.json", "--from", "key:a", "--cost", "member_of=0"],
    );
    assert_eq!(run.code, 2);
}

/// The JSON of each command, pinned, and valid against its published schema.
#[test]
fn query_outputs_are_pinned_and_follow_their_schemas() {
    let graphs = root().join("graphs");
    let cases: [(&str, Vec<&str>); 4] = [
        (
            "blast-radius",
            vec![
                "blast-radius",
                "msp-delegated-admin.json",
                "--from",
                "partner:tailspin-noc",
            ],
        ),
        (
            "who-can",
            vec![
                "who-can",
                "msp-delegated-admin.json",
                "--reach",
                "db:health-patient-records",
            ],
        ),
        (
            "path",
            vec![
                "path",
                "msp-delegated-admin.json",
                "--from",
                "partner:tailspin-noc",
                "--to",
                "db:health-patient-records",
            ],
        ),
        (
            "cut",
            vec![
                "cut",
                "msp-delegated-admin.json",
                "--from",
                "partner:fabrikam-msp,partner:tailspin-noc",
            ],
        ),
    ];
    for (command, mut args) in cases {
        args.extend(["--format", "json"]);
        let run = authpath_in(&graphs, &args);
        assert_eq!(run.code, 0, "{command}: {}", run.stderr);
        let schema_text =
            std::fs::read_to_string(root().join(format!("schema/authpath-{command}.schema.json")))
                .unwrap();
        let published = authpath_in(&root(), &["schema", "--query", command]).stdout;
        assert_eq!(
            published, schema_text,
            "schema/authpath-{command}.schema.json is stale: run `authpath schema --query {command} -o schema/authpath-{command}.schema.json`"
        );
        let schema: Value = serde_json::from_str(&schema_text).unwrap();
        let doc: Value = serde_json::from_str(&run.stdout).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{command}: {errors:?}");
        assert_eq!(doc["schema_version"], 1);
        insta::assert_snapshot!(format!("query_{command}"), run.stdout);
    }
}

#[test]
fn pictures_of_answers_mark_the_compromised_and_the_cut() {
    let c = Case::new();
    let run = authpath_in(
        c.0.path(),
        &[
            "blast-radius",
            "g.json",
            "--from",
            "key:a",
            "--format",
            "dot",
        ],
    );
    let parsed = common::dotcheck::parse(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        run.stdout.contains("fillcolor=\"#fca5a5\""),
        "the compromised key is marked"
    );
    assert!(parsed.node_ids.len() >= 4);
    let run = authpath_in(
        c.0.path(),
        &["cut", "g.json", "--from", "partner:p", "--format", "dot"],
    );
    let parsed = common::dotcheck::parse(&run.stdout).unwrap();
    assert!(
        parsed
            .strings
            .iter()
            .any(|s| s.starts_with("✂ REVOKE holds")),
        "{:?}",
        parsed.strings
    );
    for cmd in [
        vec!["who-can", "g.json", "--reach", "db:prod", "--format", "dot"],
        vec![
            "path", "g.json", "--from", "svc:b", "--to", "db:prod", "--format", "dot",
        ],
    ] {
        let run = authpath_in(c.0.path(), &cmd);
        assert_eq!(run.code, 0);
        dotcheck_ok(&run.stdout);
    }
}

fn dotcheck_ok(dot: &str) {
    common::dotcheck::parse(dot).unwrap_or_else(|e| panic!("{e}\n{dot}"));
    common::require("Graphviz (`dot`)", common::dotcheck::graphviz_available());
    let (ok, _, stderr) = common::dotcheck::graphviz_svg(dot);
    assert!(ok && stderr.trim().is_empty(), "{stderr}");
}

/// One critical set: on a bundled graph under a policy that widens criticality to `high`
/// (and a policy file found in the working directory), `analyze`'s exposure, `who-can`,
/// `blast-radius` and `cut` name the same critical nodes and the same counts.
#[test]
fn every_command_judges_the_same_critical_set_under_a_policy() {
    let dir = tempfile::tempdir().unwrap();
    let graph = std::fs::read(root().join("graphs/msp-delegated-admin.json")).unwrap();
    write(dir.path(), "g.json", &graph);
    write(
        dir.path(),
        "authpath.toml",
        b"[critical]\nsensitivities = [\"high\"]\n",
    );
    let json = |args: &[&str]| -> Value {
        let run = authpath_in(dir.path(), args);
        assert!(run.code <= 1, "{args:?}: {}", run.stderr);
        serde_json::from_str(&run.stdout).unwrap()
    };
    // The critical set the policy defines, read from the graph itself.
    let g: Value = serde_json::from_slice(&graph).unwrap();
    let critical: std::collections::BTreeSet<String> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| {
            matches!(n["sensitivity"].as_str(), Some("critical" | "high"))
                || n["tags"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|t| t == "tier0"))
        })
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect();
    let analysis = json(&["analyze", "g.json", "--format", "json"]);
    let targets = analysis["exposure"]["targets"].as_array().unwrap();
    let high_only: Vec<&Value> = targets
        .iter()
        .filter(|t| {
            let id = t["target"].as_str().unwrap();
            g["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["id"] == id && n["sensitivity"] == "high")
        })
        .collect();
    assert!(!high_only.is_empty(), "the policy must widen the set");
    let mut reached_by: std::collections::BTreeMap<String, usize> = Default::default();
    for t in targets {
        let id = t["target"].as_str().unwrap();
        assert!(
            critical.contains(id),
            "{id} is not critical under the policy"
        );
        let who = json(&["who-can", "g.json", "--reach", id, "--format", "json"]);
        let subjects = who["subjects"].as_array().unwrap();
        assert_eq!(
            subjects.len() as u64,
            t["subjects"].as_u64().unwrap(),
            "{id}"
        );
        for level in ["read", "write", "admin"] {
            let n = subjects.iter().filter(|s| s["level"] == level).count() as u64;
            assert_eq!(n, t[level].as_u64().unwrap(), "{id} at {level}");
        }
        for s in subjects {
            *reached_by
                .entry(s["node"].as_str().unwrap().into())
                .or_default() += 1;
        }
    }
    // Each subject's blast radius counts as critical exactly the targets it reaches.
    for (subject, n) in &reached_by {
        let blast = json(&[
            "blast-radius",
            "g.json",
            "--from",
            subject,
            "--format",
            "json",
        ]);
        let critical_reached = blast["reached"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| critical.contains(r["node"].as_str().unwrap()))
            .count();
        assert_eq!(blast["summary"]["critical"], critical_reached, "{subject}");
        assert!(critical_reached >= *n, "{subject}");
    }
    // cut's default targets are every critical node but the sources.
    let (subject, _) = reached_by.iter().next().unwrap();
    let cut = json(&["cut", "g.json", "--from", subject, "--format", "json"]);
    let cut_targets: std::collections::BTreeSet<String> = cut["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    let mut expected = critical.clone();
    expected.remove(subject.as_str());
    assert_eq!(cut_targets, expected);
}
