//! The estate manifest end to end: sources imported and joined into one graph, ids prefixed
//! by source, native keys kept and accepted wherever a node id is, aliases merging external
//! placeholders into the hand-written partner, every command reading the manifest directly
//! with the same answers, and broken manifests refused at their place.

mod common;

use common::{authpath_in, root, write};
use serde_json::Value;
use std::path::Path;

fn json(dir: &Path, args: &[&str]) -> Value {
    let run = authpath_in(dir, args);
    assert!(run.code <= 1, "{args:?}: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn node<'a>(g: &'a Value, id: &str) -> Option<&'a Value> {
    g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
}

const ROLE: &str = "prod:aws:role:fab-deployer";

/// An estate of the sample's partners alone, whose partner is declared to be `key`.
fn partners_aliased_to(dir: &Path, key: &str) {
    let partners = std::fs::read(root().join("graphs/estate/partners.json")).unwrap();
    write(dir, "p.json", &partners);
    let manifest = format!(
        "version = 1\n[[source]]\nname = \"p\"\nkind = \"graph\"\npath = \"p.json\"\n[[alias]]\nnode = \"p:partner:fabrikam\"\nis = [\"{key}\"]\n"
    );
    write(dir, "estate.toml", manifest.as_bytes());
}
const SECRET: &str = "payments:k8s:res:payments:/secrets/card-vault-token";

#[test]
fn the_sample_estate_joins_its_sources_and_merges_the_partner() {
    let dir = root().join("graphs/estate");
    let run = authpath_in(&dir, &["import", "estate", "estate.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("joined 5 source(s) of estate.toml: 50 nodes, 46 edges; 7 principal(s) named by two sources joined"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("source payments (k8s): 5 file(s), 25 node(s), 22 edge(s)"),
        "{}",
        run.stderr
    );
    let g: Value = serde_json::from_str(&run.stdout).unwrap();
    // Ids prefixed by source; every node says where it came from and its native key.
    let secret = node(&g, SECRET).expect("the Secret, prefixed");
    assert_eq!(secret["source"], "payments");
    assert_eq!(
        secret["native_key"],
        "payments/payments/Secret/card-vault-token"
    );
    let partner = node(&g, "partners:partner:fabrikam").unwrap();
    assert_eq!(partner["native_key"], "partner:fabrikam");
    // The role aws-auth maps (a placeholder keyed by its ARN) is the prod account's role.
    let role = node(&g, ROLE).unwrap();
    assert_eq!(
        role["native_key"],
        "arn:aws:iam::111122223333:role/fab-deployer"
    );
    assert_eq!(
        role["aliases"],
        serde_json::json!(["payments:arn:aws:iam::111122223333:role/fab-deployer"])
    );
    assert!(node(&g, "payments:arn:aws:iam::111122223333:role/fab-deployer").is_none());
    assert!(node(&g, "payments:aws:account:111122223333").is_none());
    // The alias merged the prod account's placeholder for account 999999999999 into the
    // partner: the trust names Fabrikam.
    assert!(node(&g, "prod:aws:account:999999999999").is_none());
    assert_eq!(
        partner["aliases"],
        serde_json::json!(["prod:aws:account:999999999999"])
    );
    // The contractor's GitHub account is an identity: it stays itself, and is Fabrikam's.
    let contractor = node(&g, "github:U_fab").expect("the GitHub user is not merged");
    assert_eq!(contractor["org"], "partners:partner:fabrikam");
    assert_eq!(contractor["native_key"], "github:user:fab-contractor");

    // Reading the manifest directly gives what reading the joined file gives.
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "estate.json", run.stdout.as_bytes());
    let direct = json(&dir, &["analyze", "estate.toml", "--format", "json"]);
    let via_file = json(tmp.path(), &["analyze", "estate.json", "--format", "json"]);
    assert_eq!(direct["findings"], via_file["findings"]);
    assert_eq!(direct["summary"], via_file["summary"]);
    // The chain across three sources: the partner assumes the prod role its account
    // trusts, which aws-auth maps into system:masters.
    let f = direct["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule"] == "transitive-privilege"
                && f["subject"] == "partners:partner:fabrikam"
                && f["target"] == "payments:k8s:group:system:masters"
        })
        .expect("the partner reaches the cluster's masters");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["subject"], "partners:partner:fabrikam");
    assert_eq!(
        f["path"],
        serde_json::json!([
            "partners:partner:fabrikam",
            ROLE,
            "payments:k8s:group:system:masters"
        ])
    );
    assert_eq!(
        f["message"],
        "Fabrikam Managed Services (partner) can administer system:masters: it can assume fab-deployer, a member of system:masters."
    );
}

#[test]
fn native_keys_name_nodes_wherever_ids_do() {
    let dir = root().join("graphs/estate");
    // The Secret by its Kubernetes key, the role by its ARN: the same answers as by id.
    let by_key = json(
        &dir,
        &[
            "who-can",
            "estate.toml",
            "--reach",
            "payments/payments/Secret/card-vault-token",
            "--format",
            "json",
        ],
    );
    let by_id = json(
        &dir,
        &[
            "who-can",
            "estate.toml",
            "--reach",
            SECRET,
            "--format",
            "json",
        ],
    );
    assert_eq!(by_key["subjects"], by_id["subjects"]);
    let subjects: Vec<&str> = by_key["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["node"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        vec![
            "github:U_fab",
            "partners:partner:fabrikam",
            "payments:k8s:sa:payments/ledger",
            ROLE,
            "prod:aws:role:payments-deployer",
            "shared:aws:role:ops-automation",
        ]
    );
    let blast = json(
        &dir,
        &[
            "blast-radius",
            "estate.toml",
            "--from",
            "arn:aws:iam::111122223333:role/fab-deployer",
            "--format",
            "json",
        ],
    );
    assert_eq!(blast["sources"], serde_json::json!([ROLE]));
    assert!(
        blast["reached"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["node"] == SECRET)
    );
}

/// Two clusters described by the same manifests: their ids never collide, and a native key
/// both have is refused, naming both nodes.
#[test]
fn two_clusters_never_collide_and_an_ambiguous_key_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let cluster = std::fs::read(root().join("graphs/estate/payments/cluster.yaml")).unwrap();
    write(tmp.path(), "c.yaml", &cluster);
    write(
        tmp.path(),
        "estate.toml",
        b"version = 1\n[[source]]\nname = \"east\"\nkind = \"k8s\"\npath = \"c.yaml\"\ncluster = \"shared\"\n[[source]]\nname = \"west\"\nkind = \"k8s\"\npath = \"c.yaml\"\ncluster = \"shared\"\n",
    );
    let run = authpath_in(
        tmp.path(),
        &["import", "estate", "estate.toml", "-o", "g.json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let g: Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("g.json")).unwrap()).unwrap();
    assert!(node(&g, "east:k8s:sa:payments/ledger").is_some());
    assert!(node(&g, "west:k8s:sa:payments/ledger").is_some());
    let run = authpath_in(
        tmp.path(),
        &[
            "blast-radius",
            "estate.toml",
            "--from",
            "shared/payments/ServiceAccount/ledger",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("is the native key of 2 nodes"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("east:k8s:sa:payments/ledger")
            && run.stderr.contains("west:k8s:sa:payments/ledger")
    );
}

#[test]
fn an_opengraph_source_keeps_github_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = root().join("tests/data/real/bloodhound-opengraph/githound_O_kgDOCoV2OQ.json");
    std::fs::copy(&sample, tmp.path().join("githound.json")).unwrap();
    write(
        tmp.path(),
        "estate.toml",
        b"version = 1\n[[source]]\nname = \"gh\"\nkind = \"opengraph\"\npath = \"githound.json\"\nmapping = \"githound\"\n",
    );
    let run = authpath_in(
        tmp.path(),
        &["import", "estate", "estate.toml", "-o", "g.json", "-q"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let g: Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("g.json")).unwrap()).unwrap();
    let key = |id: &str| {
        node(&g, id).unwrap()["native_key"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(key("gh:O_kgDOCoV2OQ"), "github:SpecterTst");
    assert_eq!(
        key("gh:R_kgDOQXtMxw"),
        "github:SpecterTst/branch_protections_test"
    );
    assert_eq!(
        key("gh:REF_kwDOQXtMx69yZWZzL2hlYWRzL21haW4"),
        "github:SpecterTst/branch_protections_test@main"
    );
    assert_eq!(key("gh:MDQ6VXNlcjEzMjc4MjEw"), "github:user:jaredcatkinson");
    // The branch by its key.
    let who = common::who_can(
        tmp.path(),
        "estate.toml",
        "github:SpecterTst/branch_protections_test@main",
        &["--subjects", "all"],
    );
    assert!(
        who.contains(&("gh:MDQ6VXNlcjEzMjc4MjEw".to_string(), "admin".to_string())),
        "{who:?}"
    );
}

#[test]
fn broken_manifests_and_sources_are_refused_at_their_place() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "estate.toml",
        b"version = 1\n[[source]]\nname = \"prod\"\nkind = \"aws-iam\"\npath = \"missing.json\"\nacount = \"111122223333\"\n[[source]]\nname = \"prod\"\nkind = \"graph\"\npath = \"g.json\"\n[[alias]]\nnode = \"x\"\n",
    );
    let run = authpath_in(tmp.path(), &["analyze", "estate.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    for expected in [
        "estate.toml:6:1: error: unknown key \"acount\" in source \"prod\"",
        "did you mean `account`?",
        "estate.toml:8:8: error: source name \"prod\" is used twice",
        "an alias has no `is`",
        "[estate-manifest]",
    ] {
        assert!(
            run.stderr.contains(expected),
            "{expected:?} not in:\n{}",
            run.stderr
        );
    }
    // A well-formed manifest whose source file is missing names that file.
    write(
        tmp.path(),
        "estate.toml",
        b"version = 1\n[[source]]\nname = \"prod\"\nkind = \"graph\"\npath = \"missing.json\"\n",
    );
    let run = authpath_in(tmp.path(), &["analyze", "estate.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("missing.json"), "{}", run.stderr);
    // An alias naming a key no source mentions warns on import, and --strict refuses it.
    partners_aliased_to(tmp.path(), "github:fabrikam");
    let run = authpath_in(
        tmp.path(),
        &["import", "estate", "estate.toml", "-o", "g.json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("no source mentions \"github:fabrikam\""),
        "{}",
        run.stderr
    );
    let run = authpath_in(
        tmp.path(),
        &[
            "import",
            "estate",
            "estate.toml",
            "-o",
            "g2.json",
            "--strict",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!tmp.path().join("g2.json").exists());
}

#[test]
fn committed_estate_schema_matches_the_types_and_accepts_the_sample() {
    let run = common::authpath(&["schema", "--estate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let committed =
        std::fs::read_to_string(root().join("schema/authpath-estate.schema.json")).unwrap();
    assert!(
        run.stdout == committed,
        "schema/authpath-estate.schema.json is stale: run `cargo run -- schema --estate -o schema/authpath-estate.schema.json`"
    );
    let schema: Value = serde_json::from_str(&committed).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let text = std::fs::read_to_string(root().join("graphs/estate/estate.toml")).unwrap();
    let sample: Value =
        serde_json::to_value(toml::from_str::<toml::Value>(&text).unwrap()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sample)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let bad = serde_json::json!({"version": 2, "source": [{"name": "Bad", "kind": "k8", "path": "x", "acount": 1}]});
    assert!(validator.iter_errors(&bad).count() >= 4);
}

/// What the estate could not evaluate is said by every command that reads the manifest,
/// not only by `import estate`.
#[test]
fn every_command_says_what_the_estate_did_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    partners_aliased_to(tmp.path(), "github:fabrikam");
    for args in [
        vec!["analyze", "estate.toml", "--format", "json"],
        vec!["validate", "estate.toml"],
        vec![
            "who-can",
            "estate.toml",
            "--reach",
            "p:partner:fabrikam",
            "--format",
            "json",
        ],
        vec!["dot", "estate.toml"],
    ] {
        let run = authpath_in(tmp.path(), &args);
        assert!(run.code <= 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("no source mentions \"github:fabrikam\"")
                && run.stderr.contains("[estate-alias-unused]"),
            "{args:?}: {}",
            run.stderr
        );
    }
}
