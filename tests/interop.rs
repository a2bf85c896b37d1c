//! Interoperability end to end: `export opengraph` checked against BloodHound's published
//! node and edge schemas, `import opengraph` (the round trip, and GitHound's real output
//! through a mapping file), and `export cypher` — its CSV quoting, and its answers in a real
//! Cypher engine (Kùzu) compared with authpath's own.

mod common;

use common::{authpath, authpath_in, root, write};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn sample_graphs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("graphs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// Names and values that need escaping in JSON, CSV and Cypher: quotes, commas, newlines,
/// semicolons (the CSV array delimiter), backslashes, non-ASCII.
const HOSTILE: &str = r#"{
  "version": 1,
  "as_of": "2026-11-01T00:00:00+02:00",
  "nodes": [
    {"id": "partner:\"quoted\"", "kind": "partner", "name": "Acme, \"the\" partner;\nline two", "contract_end": "2026-06-30T00:00:00Z",
     "tier": 3, "flags": [true, false], "labels": ["a;b", "c\\d"], "nested": {"x": 1}},
    {"id": "key:k,\n1", "kind": "credential", "credential_type": "api_key", "org": "partner:\"quoted\"", "owner": "human:nobody",
     "issued_at": "2025-01-10T00:00:00Z", "scopes": ["read", "write,all"], "used_scopes": []},
    {"id": "svc:ünï", "kind": "service", "tags": ["tier0", "x;y"], "purpose": "runs \"sync\"", "reviewed_at": "2026-01-01T12:00:00.5Z"},
    {"id": "grp:ops", "kind": "group", "status": "disabled"},
    {"id": "db:prod", "kind": "resource", "sensitivity": "critical"}
  ],
  "edges": [
    {"from": "partner:\"quoted\"", "to": "key:k,\n1", "kind": "holds", "granted_by": "ciso, \"deputy\"", "ticket": "SEC-1"},
    {"from": "key:k,\n1", "to": "svc:ünï", "kind": "authenticates_as", "level": "write", "expires_at": "2027-01-01T00:00:00Z"},
    {"from": "key:k,\n1", "to": "svc:ünï", "kind": "authenticates_as", "level": "write", "expires_at": "2027-01-01T00:00:00Z"},
    {"from": "svc:ünï", "to": "grp:ops", "kind": "member_of", "purpose": "on call"},
    {"from": "svc:ünï", "to": "db:prod", "kind": "admin_of", "redelegable": true, "reviewed_at": "2026-02-02T00:00:00Z"},
    {"from": "db:prod", "to": "key:k,\n1", "kind": "exposes", "requires": "write"}
  ]
}"#;

/// A graph as comparable JSON: every field of the format, node and edge order kept.
fn canon(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap();
    let loaded = authpath::load::load_bytes("g", &bytes);
    let g = loaded
        .graph
        .unwrap_or_else(|| panic!("{}: {}", path.display(), loaded.diagnostics.render()));
    let nodes: Vec<Value> = g
        .nodes
        .iter()
        .map(|n| {
            let c = n.credential.as_ref();
            json!({
                "id": n.id, "kind": n.kind.as_str(), "name": n.display_name(),
                "org": n.org.map(|o| g.node(o).id.clone()), "owner": n.owner, "status": n.status.as_str(),
                "sensitivity": n.sensitivity.as_str(), "tags": n.tags, "purpose": n.purpose,
                "reviewed_at": n.reviewed_at.map(|t| t.to_string()), "contract_end": n.contract_end.map(|t| t.to_string()),
                "credential": c.map(|c| json!({
                    "type": c.credential_type().as_str(), "issued_at": c.issued_at.map(|t| t.to_string()),
                    "expires_at": c.expires_at.map(|t| t.to_string()), "last_used_at": c.last_used_at.map(|t| t.to_string()),
                    "rotated_at": c.rotated_at.map(|t| t.to_string()), "scopes": c.scopes, "used_scopes": c.used_scopes})),
                "properties": flattened(&n.properties),
            })
        })
        .collect();
    let edges: Vec<Value> = g
        .edges
        .iter()
        .map(|e| {
            json!({
                "from": g.node(e.from).id, "to": g.node(e.to).id, "kind": e.kind.as_str(),
                "level": e.level.as_str(), "requires": e.requires.as_str(), "redelegable": e.redelegable,
                "expires_at": e.expires_at.map(|t| t.to_string()), "granted_by": e.granted_by(), "purpose": e.purpose(),
                "reviewed_at": e.reviewed_at().map(|t| t.to_string()),
                "properties": e.properties().iter().cloned().collect::<serde_json::Map<_, _>>(),
            })
        })
        .collect();
    json!({"as_of": g.as_of.map(|t| t.to_string()), "nodes": nodes, "edges": edges})
}

/// Free-form properties as OpenGraph carries them: nested objects as `key.sub` keys.
fn flattened(props: &[(String, Value)]) -> serde_json::Map<String, Value> {
    fn put(key: String, v: &Value, out: &mut serde_json::Map<String, Value>) {
        match v {
            Value::Object(m) => m
                .iter()
                .for_each(|(k, inner)| put(format!("{key}.{k}"), inner, out)),
            v => {
                out.insert(key, v.clone());
            }
        }
    }
    let mut out = serde_json::Map::new();
    props.iter().for_each(|(k, v)| put(k.clone(), v, &mut out));
    out
}

fn validator(name: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            root()
                .join("tests/data/real/bloodhound-opengraph")
                .join(name),
        )
        .unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn the_opengraph_export_of_every_sample_fits_the_published_schemas() {
    let (nodes_schema, edges_schema) = (
        validator("opengraph-node.json"),
        validator("opengraph-edge.json"),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut with_findings = 0;
    for g in sample_graphs()
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .chain([write(dir.path(), "h.json", HOSTILE.as_bytes())
            .to_str()
            .unwrap()
            .to_string()])
    {
        let run = authpath_in(
            dir.path(),
            &["export", "opengraph", &g, "--findings", "-o", "og.json"],
        );
        assert_eq!(run.code, 0, "{g}: {}", run.stderr);
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("og.json")).unwrap())
                .unwrap();
        assert_eq!(doc["metadata"]["source_kind"], "AuthPath");
        for n in doc["graph"]["nodes"].as_array().unwrap() {
            let errors: Vec<String> = nodes_schema.iter_errors(n).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{g}: node {}: {errors:?}", n["id"]);
            let kinds = n["kinds"].as_array().unwrap();
            assert!(
                !kinds.is_empty()
                    && kinds.len() <= 3
                    && kinds[0].as_str().unwrap().starts_with("AP_")
            );
            with_findings += usize::from(n["properties"].get("ap_findings").is_some());
        }
        for e in doc["graph"]["edges"].as_array().unwrap() {
            let errors: Vec<String> = edges_schema.iter_errors(e).map(|e| e.to_string()).collect();
            assert!(
                errors.is_empty(),
                "{g}: edge {}: {errors:?}",
                e["properties"]["ap_index"]
            );
            assert_eq!(e["start"]["match_by"], "id");
        }
    }
    assert!(
        with_findings > 0,
        "--findings marks the nodes findings involve"
    );
    // What did not fit OpenGraph's property rules is said.
    let h = write(dir.path(), "h.json", HOSTILE.as_bytes());
    let run = authpath(&["export", "opengraph", h.to_str().unwrap()]);
    assert!(
        run.stderr
            .contains("1 nested object(s) flattened into `key.sub` properties"),
        "{}",
        run.stderr
    );
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let partner = &doc["graph"]["nodes"][0];
    assert_eq!(partner["properties"]["nested.x"], 1);
    assert_eq!(partner["kinds"], json!(["AP_Partner", "AP_External"]));
    assert_eq!(
        doc["graph"]["nodes"][4]["kinds"],
        json!(["AP_Resource", "AP_Critical"])
    );
}

#[test]
fn the_extension_definition_marks_every_edge_kind_traversable() {
    let dir = tempfile::tempdir().unwrap();
    let g = root().join("graphs/ci-secrets.json");
    let run = authpath_in(
        dir.path(),
        &[
            "export",
            "opengraph",
            g.to_str().unwrap(),
            "-o",
            "og.json",
            "--extension",
            "ext.json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ext: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("ext.json")).unwrap())
            .unwrap();
    assert_eq!(ext["schema"]["namespace"], "AP");
    let rels = ext["relationship_kinds"].as_array().unwrap();
    assert_eq!(rels.len(), 8);
    assert!(
        rels.iter()
            .all(|r| r["is_traversable"] == true && r["name"].as_str().unwrap().starts_with("AP_"))
    );
    let kinds: Vec<&str> = ext["node_kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"AP_Credential") && kinds.contains(&"AP_Critical"));
    assert_eq!(ext["environments"][0]["environment_kind"], "AP_Tenant");
}

#[test]
fn export_then_import_preserves_every_node_edge_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = write(dir.path(), "hostile.json", HOSTILE.as_bytes());
    for g in sample_graphs().into_iter().chain([hostile]) {
        let run = authpath_in(
            dir.path(),
            &[
                "export",
                "opengraph",
                g.to_str().unwrap(),
                "--findings",
                "-o",
                "og.json",
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let run = authpath_in(
            dir.path(),
            &["import", "opengraph", "og.json", "-o", "back.json"],
        );
        assert_eq!(run.code, 0, "{}: {}", g.display(), run.stderr);
        let (before, after) = (canon(&g), canon(&dir.path().join("back.json")));
        assert_eq!(
            before,
            after,
            "{}: the round trip changed the graph",
            g.display()
        );
    }
}

/// `import opengraph` of GitHound's real sample through the committed mapping, in `dir`,
/// with `extra` arguments.
fn import_githound(dir: &Path, extra: &[&str]) -> common::Run {
    let sample = root().join("tests/data/real/bloodhound-opengraph/githound_O_kgDOCoV2OQ.json");
    let mapping = root().join("graphs/opengraph/githound-mapping.toml");
    let mut args = vec![
        "import",
        "opengraph",
        sample.to_str().unwrap(),
        "--mapping",
        mapping.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    authpath_in(dir, &args)
}

#[test]
fn githound_output_imports_through_its_mapping_and_its_findings_are_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let run = import_githound(
        dir.path(),
        &[
            "--as-of",
            "2026-03-20T00:00:00Z",
            "-o",
            "gh.json",
            "--skipped",
            "skipped.json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("imported 326 nodes, 1524 edges"),
        "{}",
        run.stderr
    );
    // What the mapping leaves out on purpose is counted by kind; what matters to authority
    // but is not modelled is a warning naming each object and why.
    assert!(run.stderr.contains("GH_AddLabel (36)"), "{}", run.stderr);
    assert!(
        run.stderr.contains("GH_BranchProtectionRule (19)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("left out 60 object(s) that matter to authority but the mapping marks unmodelled: GH_CanAccess (57), GH_InviteMember (1)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("graph.edges[6] (\"SpecterTst/CustomRoles\" -GH_WriteOrganizationCustomRepoRole-> \"SpecterTst\") is not imported: may add any permission"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("made 11 cover group(s) with 346 edge(s)"),
        "{}",
        run.stderr
    );
    // Every skipped object, by kind and name, in the --skipped file.
    let skipped: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("skipped.json")).unwrap())
            .unwrap();
    let skipped = skipped["skipped"].as_array().unwrap();
    // 23 nodes (19 protection rules, 4 variables) and 1,508 edges: 1,446 ignored, 60
    // unmodelled, 2 with an end outside the file.
    assert_eq!(skipped.len(), 1531);
    assert!(!skipped.iter().any(|s| s["kind"] == "GH_AddCollaborator"));
    assert!(
        skipped.iter().any(|s| s["kind"] == "GH_AddLabel"
            && s["reason"] == "ignored"
            && s["name"] == "SpecterTst/secure-environment/triage -> secure-environment"),
        "{skipped:?}"
    );
    // --strict: the warnings are errors, and nothing is written.
    let strict = import_githound(dir.path(), &["--strict", "-o", "strict.json"]);
    assert_eq!(strict.code, 2, "{}", strict.stderr);
    assert!(
        strict.stderr.contains("which --strict makes errors"),
        "{}",
        strict.stderr
    );
    assert!(!dir.path().join("strict.json").exists());
    let v = authpath_in(dir.path(), &["validate", "gh.json"]);
    assert_eq!(v.code, 0, "{}", v.stderr);
    let graph: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("gh.json")).unwrap())
            .unwrap();
    let node = |id: &str| {
        graph["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        node("T19rZ0RPQ29WMk9RX293bmVycw==")["tags"],
        json!(["tier0"]),
        "the owners role is tier0"
    );
    assert_eq!(node("MDQ6VXNlcjI2NTEyMjI=")["kind"], "human");
    assert_eq!(node("MDQ6VXNlcjI2NTEyMjI=")["og_kinds"], json!(["GH_User"]));
    // `org` from GitHound's `environmentid`: the organisation's node id.
    assert_eq!(node("MDQ6VXNlcjI2NTEyMjI=")["org"], "O_kgDOCoV2OQ");
    // The organisation covers its repositories: whoever may add collaborators administers each.
    let cover = node("O_kgDOCoV2OQ#covers");
    assert_eq!(cover["kind"], "group");
    assert_eq!(cover["covers"], "O_kgDOCoV2OQ");
    assert_eq!(cover["name"], "what SpecterTst covers");
    let edges = graph["edges"].as_array().unwrap();
    let has = |from: &str, to: &str, kind: &str| {
        edges
            .iter()
            .any(|e| e["from"] == from && e["to"] == to && e["kind"] == kind)
    };
    assert!(has(
        "T19rZ0RPQ29WMk9RX293bmVycw==",
        "O_kgDOCoV2OQ#covers",
        "member_of"
    ));
    assert!(has("O_kgDOCoV2OQ#covers", "R_kgDOQXtMxw", "grants"));
    // Nested: the organisation's cover reaches each repository's cover, and so its environments.
    assert!(has(
        "O_kgDOCoV2OQ#covers",
        "R_kgDOQXtMxw#covers",
        "member_of"
    ));
    // Organisation secrets are held by whoever may write them (and so choose who reads them).
    assert!(has(
        "O_kgDOCoV2OQ#secrets",
        "GH_OrgSecret_O_kgDOCoV2OQ_ORG_SECRET_TEST",
        "holds"
    ));
    let a = authpath_in(
        dir.path(),
        &[
            "analyze",
            "gh.json",
            "--subjects",
            "all",
            "--format",
            "json",
        ],
    );
    let report: Value = serde_json::from_str(&a.stdout).unwrap();
    let lines = common::finding_lines(&report, false);
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn broken_mappings_and_documents_exit_2_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "m.toml", b"[nodes]\nGH_User = \"humann\"\n");
    write(
        dir.path(),
        "og.json",
        br#"{"graph": {"nodes": [{"id": "u", "kinds": ["GH_User"]}], "edges": []}}"#,
    );
    let run = authpath_in(
        dir.path(),
        &["import", "opengraph", "og.json", "--mapping", "m.toml"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("m.toml:2:11: error: unknown node kind \"humann\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `human`?"),
        "{}",
        run.stderr
    );
    // Every problem of the file, each with its place, the value, the choices and the nearest.
    write(
        dir.path(),
        "m2.toml",
        b"[nodes]\nGH_User = { kind = \"human\", fields = { onwer = \"x\" } }\n[edges]\nGH_HasRole = \"member_off\"\n",
    );
    let run = authpath_in(
        dir.path(),
        &["import", "opengraph", "og.json", "--mapping", "m2.toml"],
    );
    assert_eq!(run.code, 2);
    for expected in [
        "m2.toml:2:40: error: `fields` of node kind GH_User names a key that is not a field of the format: \"onwer\"",
        "did you mean `owner`?",
        "m2.toml:4:14: error: unknown edge kind \"member_off\"",
        "did you mean `member_of`?",
    ] {
        assert!(
            run.stderr.contains(expected),
            "missing {expected:?}:\n{}",
            run.stderr
        );
    }
    write(dir.path(), "bad.json", br#"{"graph": {"nodes": [{"kinds": ["X"]}, {"id": "a", "kinds": "X"}], "edges": [{"start": {"value": "a"}}]}}"#);
    let run = authpath_in(dir.path(), &["import", "opengraph", "bad.json"]);
    assert_eq!(run.code, 2);
    for expected in [
        "graph.nodes[0]: `id` must be a non-empty string",
        "graph.nodes[1] (\"a\"): `kinds` must be an array of strings",
        "graph.edges[0]: `kind` must be a string",
    ] {
        assert!(
            run.stderr.contains(expected),
            "missing {expected:?}:\n{}",
            run.stderr
        );
    }
    write(
        dir.path(),
        "trunc.json",
        br#"{"graph": {"nodes": [{"id": "a""#,
    );
    let run = authpath_in(dir.path(), &["import", "opengraph", "trunc.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("trunc.json:1:"), "{}", run.stderr);
    // Without a mapping, a foreign document imports nothing, and says what it skipped.
    let run = authpath_in(dir.path(), &["import", "opengraph", "og.json"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr
            .contains("skipped 1 node(s) whose kinds the mapping does not name: GH_User (1)"),
        "{}",
        run.stderr
    );
}

#[test]
fn org_comes_from_a_property_naming_the_organisation_node() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m.toml",
        b"[nodes]\nOrg = \"tenant\"\nUser = { kind = \"human\", fields = { org = \"org_ref\" } }\n",
    );
    // `acme` names the tenant by id, `bo` by its `login` property, `cy` names nothing.
    write(
        dir.path(),
        "og.json",
        br#"{"graph": {"nodes": [
            {"id": "acme", "kinds": ["User"], "properties": {"org_ref": "O1"}},
            {"id": "bo", "kinds": ["User"], "properties": {"org_ref": "acme-corp"}},
            {"id": "cy", "kinds": ["User"], "properties": {"org_ref": "nowhere"}},
            {"id": "O1", "kinds": ["Org"], "properties": {"login": "acme-corp"}}
        ], "edges": []}}"#,
    );
    let run = authpath_in(
        dir.path(),
        &[
            "import",
            "opengraph",
            "og.json",
            "--mapping",
            "m.toml",
            "-o",
            "g.json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("node \"cy\": its organisation \"nowhere\" is left unset (home organisation): no tenant or partner node has it as id or property [opengraph-org]"),
        "{}",
        run.stderr
    );
    let g: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("g.json")).unwrap()).unwrap();
    let org = |i: usize| g["nodes"][i]["org"].clone();
    assert_eq!(
        (org(0), org(1), org(2)),
        (json!("O1"), json!("O1"), Value::Null)
    );
    assert_eq!(authpath_in(dir.path(), &["validate", "g.json"]).code, 0);
    let strict = authpath_in(
        dir.path(),
        &[
            "import",
            "opengraph",
            "og.json",
            "--mapping",
            "m.toml",
            "--strict",
        ],
    );
    assert_eq!(strict.code, 2, "{}", strict.stderr);
}

#[test]
fn the_cypher_csv_quotes_what_needs_quoting() {
    let dir = tempfile::tempdir().unwrap();
    let h = write(dir.path(), "h.json", HOSTILE.as_bytes());
    let run = authpath_in(
        dir.path(),
        &["export", "cypher", h.to_str().unwrap(), "-o", "out"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    for layout in ["neo4j", "neptune"] {
        let mut rd =
            csv::Reader::from_path(dir.path().join("out").join(layout).join("nodes.csv")).unwrap();
        let header = rd.headers().unwrap().clone();
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h == name || h.starts_with(&format!("{name}:")))
                .unwrap()
        };
        let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 5);
        assert!(rows.iter().all(|r| r.len() == header.len()));
        assert_eq!(&rows[0][0], "partner:\"quoted\"");
        assert_eq!(&rows[0][col("name")], "Acme, \"the\" partner;\nline two");
        assert_eq!(&rows[1][0], "key:k,\n1");
        assert_eq!(&rows[1][col("scopes")], "read;write,all");
        assert_eq!(&rows[2][col("tags")], "tier0;x;y");
        assert_eq!(&rows[2][col("critical")], "true");
        let edges: Vec<csv::StringRecord> =
            csv::Reader::from_path(dir.path().join("out").join(layout).join("edges.csv"))
                .unwrap()
                .records()
                .map(Result::unwrap)
                .collect();
        assert_eq!(edges.len(), 6);
        assert_eq!(&edges[0][1], "key:k,\n1");
        let passes =
            std::fs::read_to_string(dir.path().join("out").join(layout).join("passes.csv"))
                .unwrap();
        // The disabled group passes nothing; the other five edges do (the duplicate too).
        assert_eq!(
            csv::Reader::from_reader(passes.as_bytes())
                .records()
                .count(),
            5
        );
    }
    assert!(dir.path().join("out/queries.cypher").exists());
}

#[test]
fn the_cypher_export_answers_like_authpath_in_a_real_cypher_engine() {
    let python = common::python_with("kuzu");
    let dir = tempfile::tempdir().unwrap();
    let h = write(dir.path(), "hostile.json", HOSTILE.as_bytes());
    let mut args: Vec<String> = vec![
        root().join("tests/kuzu/check.py").to_str().unwrap().into(),
        env!("CARGO_BIN_EXE_authpath").into(),
    ];
    args.extend(
        sample_graphs()
            .iter()
            .map(|p| p.to_str().unwrap().to_string()),
    );
    args.push(h.to_str().unwrap().into());
    let out = std::process::Command::new(python)
        .args(&args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("9 graph(s): every answer agrees"),
        "{stdout}"
    );
    assert!(
        stdout.contains("msp-delegated-admin: 11 (subject, critical node) pairs"),
        "{stdout}"
    );
}

/// GitHub wildcards: an organisation's owners reach a repository's unprotected branch
/// through what the organisation covers, then what the repository covers — `who-can` on
/// the branch lists them, at admin, with that path.
#[test]
fn organisation_owners_reach_a_branch_through_what_the_organisation_covers() {
    let dir = tempfile::tempdir().unwrap();
    let run = import_githound(dir.path(), &["-o", "gh.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // branch_protections_test\main, and jaredcatkinson, a member of SpecterTst/owners.
    let branch = "REF_kwDOQXtMx69yZWZzL2hlYWRzL21haW4";
    let owner = "MDQ6VXNlcjEzMjc4MjEw";
    let run = authpath_in(
        dir.path(),
        &[
            "who-can",
            "gh.json",
            "--reach",
            branch,
            "--subjects",
            "all",
            "--format",
            "json",
            "--now",
            "2026-03-20T00:00:00Z",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let found = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["node"] == owner)
        .unwrap_or_else(|| panic!("{owner} missing: {}", run.stdout));
    assert_eq!(found["level"], "admin");
    assert_eq!(
        found["path"],
        json!([
            owner,
            "T19rZ0RPQ29WMk9RX293bmVycw==",
            "O_kgDOCoV2OQ#covers",
            "R_kgDOQXtMxw#covers",
            branch
        ])
    );
}
