//! The CI gate end to end: policy files, waivers, assertions, baselines, `diff`, SARIF.

mod common;

use common::{authpath, authpath_in, root, write};
use serde_json::Value;

use common::FORMAT_EXAMPLE as EXAMPLE;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn rules_of(doc: &Value, key: &str) -> Vec<String> {
    doc[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        let d = Dir(tempfile::tempdir().unwrap());
        write(d.0.path(), "example.json", EXAMPLE.as_bytes());
        d
    }
    fn file(&self, name: &str, content: &str) {
        write(self.0.path(), name, content.as_bytes());
    }
    fn run(&self, args: &[&str]) -> common::Run {
        authpath_in(self.0.path(), args)
    }
}

#[test]
fn a_waiver_without_an_owner_is_a_policy_error_with_its_place() {
    let d = Dir::new();
    d.file(
        "authpath.toml",
        "fail_on = \"high\"\n\n[[waiver]]\nid = \"ap-7eaadf2b1427bfd9\"\nreason = \"vendor migration\"\nexpires = 2026-12-31T00:00:00Z\n\n[[assert]]\nname = \"x\"\nfrom = { kind = \"partnr\" }\nto = {}\nmax_level = \"admin\"\n",
    );
    let run = d.run(&["analyze", "example.json", "--format", "json"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    let e = &run.stderr;
    assert!(
        e.contains("authpath.toml:3:1: error: this [[waiver]] has no `owner` [policy-missing-key]"),
        "{e}"
    );
    assert!(
        e.contains("help: name who answers for the accepted risk"),
        "{e}"
    );
    assert!(
        e.contains("authpath.toml:10:17: error: unknown kind \"partnr\" [policy-unknown-value]"),
        "{e}"
    );
    assert!(
        e.contains("authpath.toml:11:6: error: the `to` selector is empty [policy-empty-value]"),
        "{e}"
    );
    assert!(
        e.contains(
            "authpath.toml:12:13: error: unknown max_level \"admin\" [policy-unknown-value]"
        ),
        "{e}"
    );
    assert!(e.contains("4 error(s)"), "{e}");
}

#[test]
fn an_expired_waiver_stops_waiving_and_says_so() {
    let d = Dir::new();
    d.file(
        "authpath.toml",
        r#"
[[waiver]]
rule = "ungoverned-access"
subject = "partner:acme"
target = "key:ak-1"
reason = "contract renewal under way"
owner = "alice@example.com"
expires = 2026-10-01T00:00:00Z

[[waiver]]
rule = "stale-credential"
subject = "key:ak-1"
reason = "rotation scheduled"
owner = "bob@example.com"
expires = 2026-12-31T00:00:00Z
"#,
    );
    let run = d.run(&["analyze", "example.json", "--format", "json"]);
    let doc = json(&run.stdout);
    // The unexpired waiver moves its finding out of the count, reported as waived.
    assert_eq!(rules_of(&doc, "waived"), ["stale-credential"]);
    assert_eq!(doc["waived"][0]["waiver"]["owner"], "bob@example.com");
    assert!(!rules_of(&doc, "findings").contains(&"stale-credential".to_owned()));
    assert_eq!(doc["summary"]["medium"], 1);
    // The expired one no longer waives: the finding counts, with a note.
    let ungoverned = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "ungoverned-access")
        .unwrap();
    assert_eq!(ungoverned["waiver"]["expired"], true);
    assert_eq!(ungoverned["waiver"]["expires"], "2026-10-01T00:00:00Z");
    let text = d
        .run(&["analyze", "example.json", "--format", "text"])
        .stdout;
    assert!(
        text.contains("waiver expired on 2026-10-01T00:00:00Z — this finding counts again"),
        "{text}"
    );
    assert!(text.contains("WAIVED (1)"), "{text}");
}

#[test]
fn assertions_hold_or_fail_with_the_path() {
    let d = Dir::new();
    d.file(
        "authpath.toml",
        r#"
[[assert]]
name = "partners-read-only-on-critical"
from = { kind = "partner" }
to = { sensitivity = "critical" }
max_level = "read"

[[assert]]
name = "services-stay-out-of-partners"
from = { kind = "service" }
to = { external = true }
max_level = "none"
severity = "critical"
"#,
    );
    let run = d.run(&["analyze", "example.json", "--format", "json"]);
    let doc = json(&run.stdout);
    let violations: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "assertion-violated")
        .collect();
    assert_eq!(
        violations.len(),
        1,
        "the second assertion holds: svc:sync reaches nothing external"
    );
    let v = violations[0];
    assert_eq!(v["subject"], "partner:acme");
    assert_eq!(v["target"], "db:prod");
    assert_eq!(v["severity"], "high");
    assert_eq!(v["level"], "admin");
    assert_eq!(
        v["reasons"],
        serde_json::json!(["assert:partners-read-only-on-critical"])
    );
    assert_eq!(
        v["path"],
        serde_json::json!(["partner:acme", "key:ak-1", "svc:sync", "grp:ops", "db:prod"])
    );
}

#[test]
fn policy_settings_and_command_line_precedence() {
    let d = Dir::new();
    d.file(
        "authpath.toml",
        "fail_on = \"never\"\n[rules.stale-credential]\nseverity = \"critical\"\n[rules.ungoverned-access]\nenabled = false\n[critical]\nids = [\"grp:ops\"]\n",
    );
    let run = d.run(&["analyze", "example.json", "--format", "json"]);
    assert_eq!(run.code, 0, "the policy's fail_on = never");
    let doc = json(&run.stdout);
    let rules = rules_of(&doc, "findings");
    assert!(!rules.contains(&"ungoverned-access".to_owned()));
    let stale = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "stale-credential")
        .unwrap();
    assert_eq!(stale["severity"], "critical");
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["target"] == "grp:ops"),
        "grp:ops is critical by the policy"
    );
    assert_eq!(
        d.run(&[
            "analyze",
            "example.json",
            "--format",
            "json",
            "--fail-on",
            "high"
        ])
        .code,
        1
    );
    // --policy names another file; a missing one is an error.
    let run = d.run(&["analyze", "example.json", "--policy", "nope.toml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("nope.toml: error: cannot read the policy file"),
        "{}",
        run.stderr
    );
}

#[test]
fn baselines_hide_known_findings_and_say_how_many() {
    let d = Dir::new();
    let run = d.run(&[
        "analyze",
        "example.json",
        "--format",
        "json",
        "--write-baseline",
        "base.json",
    ]);
    assert_eq!(run.code, 1);
    let base = json(&std::fs::read_to_string(d.0.path().join("base.json")).unwrap());
    assert_eq!(base["findings"].as_array().unwrap().len(), 4);
    let run = d.run(&[
        "analyze",
        "example.json",
        "--format",
        "json",
        "--baseline",
        "base.json",
    ]);
    assert_eq!(run.code, 0, "nothing new");
    let doc = json(&run.stdout);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0);
    assert_eq!(doc["baselined"], 4);
    let text = d
        .run(&[
            "analyze",
            "example.json",
            "--format",
            "text",
            "--baseline",
            "base.json",
        ])
        .stdout;
    assert!(
        text.contains("4 finding(s) already in the baseline are not shown"),
        "{text}"
    );
    d.file("broken.json", "{\"findings\": [\n  {\"rule\": 1}\n");
    let run = d.run(&["analyze", "example.json", "--baseline", "broken.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("broken.json:3:1: error: invalid JSON"),
        "{}",
        run.stderr
    );
}

fn with_edge_removed(kind: &str) -> String {
    let mut g = json(EXAMPLE);
    g["edges"]
        .as_array_mut()
        .unwrap()
        .retain(|e| e["kind"] != kind);
    serde_json::to_string_pretty(&g).unwrap()
}

#[test]
fn diff_fails_when_an_edge_gives_a_partner_admin_on_a_critical_node() {
    let d = Dir::new();
    d.file("old.json", &with_edge_removed("holds"));
    let run = d.run(&["diff", "old.json", "example.json", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run.stdout);
    assert_eq!(doc["failing"], true);
    assert_eq!(doc["graph_changes"]["edges_added"], 1);
    let gain = &doc["access_changes"][0];
    assert_eq!(gain["change"], "appeared");
    assert_eq!(gain["subject"], "partner:acme");
    assert_eq!(gain["target"], "db:prod");
    assert_eq!(gain["after"], "admin");
    assert_eq!(gain["external"], true);
    assert_eq!(
        gain["path"],
        serde_json::json!(["partner:acme", "key:ak-1", "svc:sync", "grp:ops", "db:prod"])
    );
    assert!(rules_of(&doc, "new_findings").contains(&"transitive-privilege".to_owned()));
    let text = d
        .run(&["diff", "old.json", "example.json", "--format", "text"])
        .stdout;
    assert!(
        text.contains(
            "FAIL: 1 new finding(s) at or above --fail-on high; 1 external subject(s) gained access"
        ),
        "{text}"
    );
    assert!(
        text.contains("it holds key:ak-1, which authenticates as svc:sync"),
        "{text}"
    );
    // The other way round the access vanishes: nothing gained, exit 0.
    let back = d.run(&["diff", "example.json", "old.json", "--format", "json"]);
    assert_eq!(back.code, 0);
    assert_eq!(
        json(&back.stdout)["access_changes"][0]["change"],
        "vanished"
    );
}

#[test]
fn diff_of_a_rename_reports_no_access_change() {
    let d = Dir::new();
    d.file(
        "renamed.json",
        &EXAMPLE.replace("\"Acme Logistics\"", "\"Acme Logistics GmbH\""),
    );
    let run = d.run(&["diff", "example.json", "renamed.json", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let doc = json(&run.stdout);
    assert_eq!(doc["graph_changes"]["nodes_changed"], 1);
    assert_eq!(doc["access_changes"].as_array().unwrap().len(), 0);
    assert_eq!(doc["new_findings"].as_array().unwrap().len(), 0);
}

#[test]
fn diff_of_a_graph_with_itself_reports_nothing() {
    for f in ["graphs/msp-delegated-admin.json", "graphs/ci-secrets.json"] {
        let run = authpath_in(&root(), &["diff", f, f, "--format", "json"]);
        assert_eq!(run.code, 0);
        let doc = json(&run.stdout);
        assert_eq!(
            doc["graph_changes"],
            serde_json::json!({"nodes_added": 0, "nodes_removed": 0, "nodes_changed": 0, "edges_added": 0, "edges_removed": 0, "edges_changed": 0})
        );
        for key in ["new_findings", "resolved_findings", "access_changes"] {
            assert_eq!(doc[key].as_array().unwrap().len(), 0, "{f} {key}");
        }
    }
}

#[test]
fn diff_reports_newly_failing_assertions() {
    let d = Dir::new();
    d.file("old.json", &with_edge_removed("holds"));
    d.file(
        "authpath.toml",
        "[[assert]]\nname = \"no-partner-on-prod\"\nfrom = { external = true }\nto = { id = \"db:prod\" }\nmax_level = \"none\"\n",
    );
    let doc = json(
        &d.run(&["diff", "old.json", "example.json", "--format", "json"])
            .stdout,
    );
    assert_eq!(
        doc["assertions_newly_failing"],
        serde_json::json!(["no-partner-on-prod"])
    );
}

fn sarif_validator() -> jsonschema::Validator {
    let schema =
        json(&std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json")).unwrap());
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = sarif_validator();
    for f in std::fs::read_dir(root().join("graphs")).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let rel = f.strip_prefix(root()).unwrap().to_str().unwrap().to_owned();
        let run = authpath_in(&root(), &["analyze", &rel, "--format", "sarif"]);
        let doc = json(&run.stdout);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{rel}: {errors:?}");
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert!(!results.is_empty());
        for r in results {
            let loc = &r["locations"][0]["physicalLocation"];
            assert_eq!(loc["artifactLocation"]["uri"], rel.as_str());
            assert!(loc["region"]["startLine"].as_u64().unwrap() > 1);
            assert!(
                r["partialFingerprints"]["authpathFindingId/v1"]
                    .as_str()
                    .unwrap()
                    .starts_with("ap-")
            );
        }
        let rules = doc["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(rules.len(), authpath::findings::Rule::ALL.len());
        assert!(
            rules
                .iter()
                .all(|r| r["properties"]["security-severity"].is_string())
        );
    }
    // The subject's line: partner:acme is defined on line 5 of the example.
    let d = Dir::new();
    d.file("old.json", &with_edge_removed("holds"));
    let doc = json(
        &d.run(&["analyze", "example.json", "--format", "sarif"])
            .stdout,
    );
    let r = &doc["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "transitive-privilege");
    assert_eq!(r["level"], "error");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        5
    );
    // diff's SARIF too, with its access-gained rule.
    let doc = json(
        &d.run(&["diff", "old.json", "example.json", "--format", "sarif"])
            .stdout,
    );
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let mut broken = doc.clone();
    broken["version"] = "2.0.0".into();
    assert!(!validator.is_valid(&broken), "the schema check can fail");
    let ids: Vec<&str> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"access-gained") && ids.contains(&"transitive-privilege"),
        "{ids:?}"
    );
    // Waived findings are suppressed results, still valid SARIF.
    d.file(
        "authpath.toml",
        "[[waiver]]\nrule = \"stale-credential\"\nsubject = \"key:ak-1\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2027-01-01T00:00:00Z\n",
    );
    let doc = json(
        &d.run(&["analyze", "example.json", "--format", "sarif"])
            .stdout,
    );
    assert!(validator.is_valid(&doc));
    let suppressed: Vec<&Value> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["status"], "accepted");
}

#[test]
fn diff_pictures_the_changed_paths() {
    let d = Dir::new();
    d.file("old.json", &with_edge_removed("holds"));
    let run = d.run(&["diff", "old.json", "example.json", "--format", "dot"]);
    assert_eq!(run.code, 1);
    let parsed = common::dotcheck::parse(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        parsed.strings.iter().any(|s| s == "holds (new)"),
        "{:?}",
        parsed.strings
    );
    let back = d.run(&["diff", "example.json", "old.json", "--format", "dot"]);
    let parsed = common::dotcheck::parse(&back.stdout).unwrap();
    assert!(parsed.strings.iter().any(|s| s == "holds (removed)"));
    let _ = authpath(&["--version"]);
}

/// A display cap changes what is shown, never the verdict: the exit code, the JSON summary
/// and the SARIF run's counts are the same for every `--max-findings`.
#[test]
fn the_verdict_is_the_same_for_every_max_findings() {
    let g = "graphs/msp-delegated-admin.json";
    let mut seen = Vec::new();
    for cap in ["0", "1", "3", "21", "100000"] {
        let run = authpath_in(
            &root(),
            &["analyze", g, "--format", "json", "--max-findings", cap],
        );
        let doc = json(&run.stdout);
        let sarif = authpath_in(
            &root(),
            &["analyze", g, "--format", "sarif", "--max-findings", cap],
        );
        let log = json(&sarif.stdout);
        let props = &log["runs"][0]["properties"];
        assert_eq!(props["summary"], doc["summary"], "--max-findings {cap}");
        let totals: Vec<(String, Value)> = props["by_rule"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(r, c)| (r.clone(), c["total"].clone()))
            .collect();
        let text = authpath_in(
            &root(),
            &["analyze", g, "--format", "text", "--max-findings", cap],
        );
        seen.push((
            run.code,
            sarif.code,
            text.code,
            doc["summary"].clone(),
            totals,
        ));
    }
    assert_eq!(seen[0].0, 1);
    assert_eq!(seen[0].3["critical"], 11);
    assert_eq!(seen[0].3["high"], 7);
    for s in &seen {
        assert_eq!(s, &seen[0]);
    }
}

/// An assertion whose selector chooses nothing guards nothing: a warning by default, an error
/// (exit 2) with `strict = true` or `--strict`; every assertion says what it checked in text,
/// JSON and SARIF.
#[test]
fn an_assertion_that_selects_nothing_is_said_and_fails_under_strict() {
    let d = Dir::new();
    let policy = r#"
[[assert]]
name = "partners-read-only-on-tier0"
from = { kind = "partner" }
to = { tag = "tier0" }
max_level = "read"

[[assert]]
name = "partners-read-only-on-critical"
from = { kind = "partner" }
to = { sensitivity = "critical" }
max_level = "read"
"#;
    d.file("authpath.toml", policy);
    let run = d.run(&["analyze", "example.json", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "authpath: warning: assertion \"partners-read-only-on-tier0\": `to` selects no node, so it checks nothing"
        ) && run.stderr.contains("--strict makes this an error"),
        "{}",
        run.stderr
    );
    let doc = json(&run.stdout);
    assert_eq!(
        doc["assertions"],
        serde_json::json!([
            {"name": "partners-read-only-on-tier0", "status": "selects-nothing", "subjects": 1, "targets": 0, "pairs": 0, "violations": 0},
            {"name": "partners-read-only-on-critical", "status": "violated", "subjects": 1, "targets": 1, "pairs": 1, "violations": 1}
        ])
    );
    let text = d.run(&["analyze", "example.json", "--format", "text"]);
    assert!(
        text.stdout.contains(
            "Assertions:\n  partners-read-only-on-tier0: checks nothing: `to` selects no node (1 subject(s) × 0 target(s), 0 pair(s) checked)\n  partners-read-only-on-critical: 1 violation(s) (1 subject(s) × 1 target(s), 1 pair(s) checked)"
        ),
        "{}",
        text.stdout
    );
    let sarif = d.run(&["analyze", "example.json", "--format", "sarif"]);
    let log = json(&sarif.stdout);
    assert!(sarif_validator().iter_errors(&log).next().is_none());
    let note = &log["runs"][0]["invocations"][0];
    assert_eq!(note["executionSuccessful"], true);
    assert_eq!(note["toolExecutionNotifications"][0]["level"], "warning");
    assert_eq!(
        log["runs"][0]["properties"]["assertions"][0]["status"],
        "selects-nothing"
    );

    // Strict, from the command line or the policy: exit 2, the report still written.
    for (args, file) in [
        (
            vec!["analyze", "example.json", "--format", "sarif", "--strict"],
            policy.to_string(),
        ),
        (
            vec!["analyze", "example.json", "--format", "sarif"],
            format!("strict = true\n{policy}"),
        ),
    ] {
        d.file("authpath.toml", &file);
        let run = d.run(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(
                "authpath: error: assertion \"partners-read-only-on-tier0\": `to` selects no node"
            ),
            "{}",
            run.stderr
        );
        let log = json(&run.stdout);
        let note = &log["runs"][0]["invocations"][0];
        assert_eq!(note["executionSuccessful"], false);
        assert_eq!(note["toolExecutionNotifications"][0]["level"], "error");
    }
    // A strict policy whose assertions all select something gates as usual.
    d.file(
        "authpath.toml",
        "strict = true\n[[assert]]\nname = \"ok\"\nfrom = { kind = \"partner\" }\nto = { id = \"human:bob\" }\nmax_level = \"none\"\n",
    );
    let run = d.run(&["analyze", "example.json", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stderr.contains("checks nothing"));
    assert_eq!(json(&run.stdout)["assertions"][0]["status"], "ok");
    // diff judges the new graph's assertions the same way.
    d.file("authpath.toml", &format!("strict = true\n{policy}"));
    let run = d.run(&["diff", "example.json", "example.json", "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}
