//! Every rule and every reason code of docs/rules.md: a case that fires it and a near miss that
//! must not. Graphs are small and built by hand; `as_of` is 2026-11-01T00:00:00Z.

use authpath::analyze::{Options, analyze};
use authpath::findings::{Finding, Severity};
use authpath::model::Level;
use authpath::rules::Subjects;

fn run_with(nodes: &str, edges: &str, subjects: Subjects) -> Vec<Finding> {
    let text = format!(
        r#"{{"version": 1, "as_of": "2026-11-01T00:00:00Z", "nodes": [{nodes}], "edges": [{edges}]}}"#
    );
    let loaded = authpath::load::load_bytes("case.json", text.as_bytes());
    let graph = loaded
        .graph
        .unwrap_or_else(|| panic!("{}", loaded.diagnostics.render()));
    analyze(
        &graph,
        &Options {
            subjects,
            ..Options::default()
        },
    )
    .findings
}

fn run(nodes: &str, edges: &str) -> Vec<Finding> {
    run_with(nodes, edges, Subjects::Default)
}

fn find<'a>(
    fs: &'a [Finding],
    rule: &str,
    subject: &str,
    target: Option<&str>,
) -> Option<&'a Finding> {
    fs.iter()
        .find(|f| f.rule.name() == rule && f.subject == subject && f.target.as_deref() == target)
}

fn has_reason(fs: &[Finding], rule: &str, subject: &str, reason: &str) -> bool {
    find(fs, rule, subject, None).is_some_and(|f| f.reasons.iter().any(|r| r == reason))
}

// ---------------------------------------------------------------- transitive-privilege

const CHAIN_NODES: &str = r#"
    {"id": "partner:acme", "kind": "partner"},
    {"id": "key:ak", "kind": "credential", "owner": "human:o", "expires_at": "2027-01-01T00:00:00Z"},
    {"id": "svc:sync", "kind": "service"},
    {"id": "grp:ops", "kind": "group"},
    {"id": "db:prod", "kind": "resource", "sensitivity": "critical"},
    {"id": "human:o", "kind": "human"}"#;

#[test]
fn transitive_privilege_fires_through_a_credential() {
    let fs = run(
        CHAIN_NODES,
        r#"{"from": "partner:acme", "to": "key:ak", "kind": "holds"},
           {"from": "key:ak", "to": "svc:sync", "kind": "authenticates_as"},
           {"from": "svc:sync", "to": "grp:ops", "kind": "member_of"},
           {"from": "grp:ops", "to": "db:prod", "kind": "grants"}"#,
    );
    let f = find(&fs, "transitive-privilege", "partner:acme", Some("db:prod")).unwrap();
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.level, Some(Level::Admin));
    assert_eq!(
        f.path,
        ["partner:acme", "key:ak", "svc:sync", "grp:ops", "db:prod"]
    );
    // The service's own group membership is standing access, not transitive privilege.
    assert!(find(&fs, "transitive-privilege", "svc:sync", Some("db:prod")).is_none());
    assert!(find(&fs, "external-critical-access", "svc:sync", Some("db:prod")).is_none());
}

#[test]
fn a_read_only_token_through_an_admin_service_yields_read() {
    let fs = run(
        CHAIN_NODES,
        r#"{"from": "partner:acme", "to": "key:ak", "kind": "holds"},
           {"from": "key:ak", "to": "svc:sync", "kind": "authenticates_as", "level": "read"},
           {"from": "svc:sync", "to": "grp:ops", "kind": "member_of"},
           {"from": "grp:ops", "to": "db:prod", "kind": "grants"}"#,
    );
    let f = find(&fs, "transitive-privilege", "partner:acme", Some("db:prod")).unwrap();
    assert_eq!(f.level, Some(Level::Read));
    assert_eq!(f.severity, Severity::High, "external but not admin");
}

#[test]
fn an_expired_edge_or_credential_breaks_the_path() {
    let fs = run(
        CHAIN_NODES,
        r#"{"from": "partner:acme", "to": "key:ak", "kind": "holds"},
           {"from": "key:ak", "to": "svc:sync", "kind": "authenticates_as", "expires_at": "2026-10-31T23:59:59Z"},
           {"from": "svc:sync", "to": "grp:ops", "kind": "member_of"},
           {"from": "grp:ops", "to": "db:prod", "kind": "grants"}"#,
    );
    assert!(find(&fs, "transitive-privilege", "partner:acme", Some("db:prod")).is_none());
    let nodes = CHAIN_NODES.replace("2027-01-01T00:00:00Z", "2026-10-01T00:00:00Z");
    let fs = run(
        &nodes,
        r#"{"from": "partner:acme", "to": "key:ak", "kind": "holds"},
           {"from": "key:ak", "to": "svc:sync", "kind": "authenticates_as"},
           {"from": "svc:sync", "to": "grp:ops", "kind": "member_of"},
           {"from": "grp:ops", "to": "db:prod", "kind": "grants"}"#,
    );
    assert!(find(&fs, "transitive-privilege", "partner:acme", Some("db:prod")).is_none());
}

#[test]
fn exposes_with_requires_write_is_not_usable_with_read() {
    let nodes = r#"{"id": "svc:ci", "kind": "service"}, {"id": "res:vars", "kind": "resource"},
        {"id": "key:deploy", "kind": "credential", "owner": "human:o", "expires_at": "2027-01-01T00:00:00Z"},
        {"id": "svc:deployer", "kind": "service"}, {"id": "db:prod", "kind": "resource", "tags": ["tier0"]},
        {"id": "human:o", "kind": "human"}"#;
    let edges = |level: &str| {
        format!(
            r#"{{"from": "svc:ci", "to": "res:vars", "kind": "grants", "level": "{level}"}},
               {{"from": "res:vars", "to": "key:deploy", "kind": "exposes", "requires": "write"}},
               {{"from": "key:deploy", "to": "svc:deployer", "kind": "authenticates_as"}},
               {{"from": "svc:deployer", "to": "db:prod", "kind": "admin_of"}}"#
        )
    };
    let fs = run(nodes, &edges("read"));
    assert!(find(&fs, "transitive-privilege", "svc:ci", Some("db:prod")).is_none());
    let fs = run(nodes, &edges("write"));
    let f = find(&fs, "transitive-privilege", "svc:ci", Some("db:prod")).unwrap();
    assert_eq!(
        f.level,
        Some(Level::Admin),
        "a stolen secret is fully yours"
    );
    assert_eq!(f.severity, Severity::High, "internal, same org, admin");
}

#[test]
fn transitive_privilege_severity_medium_and_cross_org_high() {
    let nodes = r#"{"id": "svc:a", "kind": "service"}, {"id": "svc:b", "kind": "service"},
        {"id": "db:x", "kind": "resource", "sensitivity": "critical"},
        {"id": "tenant:t", "kind": "tenant"}, {"id": "svc:c", "kind": "service", "org": "tenant:t"}"#;
    let fs = run(
        nodes,
        r#"{"from": "svc:a", "to": "svc:b", "kind": "assumes"},
           {"from": "svc:b", "to": "db:x", "kind": "grants", "level": "write"},
           {"from": "svc:c", "to": "svc:b", "kind": "assumes"}"#,
    );
    let f = find(&fs, "transitive-privilege", "svc:a", Some("db:x")).unwrap();
    assert_eq!(
        (f.severity, f.level),
        (Severity::Medium, Some(Level::Write))
    );
    let f = find(&fs, "transitive-privilege", "svc:c", Some("db:x")).unwrap();
    assert_eq!(f.severity, Severity::High, "cross-org");
    // One edge alone is standing access.
    assert!(find(&fs, "transitive-privilege", "svc:b", Some("db:x")).is_none());
}

#[test]
fn humans_are_subjects_only_with_subjects_all() {
    let nodes = r#"{"id": "human:h", "kind": "human"}, {"id": "svc:b", "kind": "service"},
        {"id": "db:x", "kind": "resource", "sensitivity": "critical"}"#;
    let edges = r#"{"from": "human:h", "to": "svc:b", "kind": "assumes"},
                   {"from": "svc:b", "to": "db:x", "kind": "grants"}"#;
    assert!(
        find(
            &run(nodes, edges),
            "transitive-privilege",
            "human:h",
            Some("db:x")
        )
        .is_none()
    );
    let fs = run_with(nodes, edges, Subjects::All);
    assert!(find(&fs, "transitive-privilege", "human:h", Some("db:x")).is_some());
}

// ---------------------------------------------------------------- external-critical-access

#[test]
fn external_critical_access_is_standing_access_of_an_outsider() {
    let nodes = r#"{"id": "partner:p", "kind": "partner"},
        {"id": "human:x", "kind": "human", "org": "partner:p"},
        {"id": "grp:g", "kind": "group"}, {"id": "db:a", "kind": "resource", "sensitivity": "critical"},
        {"id": "db:r", "kind": "resource", "sensitivity": "critical"},
        {"id": "svc:in", "kind": "service"}"#;
    let fs = run(
        nodes,
        r#"{"from": "human:x", "to": "grp:g", "kind": "member_of"},
           {"from": "grp:g", "to": "db:a", "kind": "grants"},
           {"from": "partner:p", "to": "db:r", "kind": "grants", "level": "read"},
           {"from": "svc:in", "to": "grp:g", "kind": "member_of"}"#,
    );
    let f = find(&fs, "external-critical-access", "human:x", Some("db:a")).unwrap();
    assert_eq!(f.severity, Severity::Critical);
    let f = find(&fs, "external-critical-access", "partner:p", Some("db:r")).unwrap();
    assert_eq!(f.severity, Severity::High, "read only");
    assert!(find(&fs, "transitive-privilege", "human:x", Some("db:a")).is_none());
    // Near miss: the internal service has the same standing access and is not reported.
    assert!(fs.iter().all(|f| f.subject != "svc:in"));
}

// ---------------------------------------------------------------- indirect-partner-access

#[test]
fn indirect_partner_access_needs_a_third_party_in_between() {
    let nodes = r#"{"id": "partner:sub", "kind": "partner"}, {"id": "partner:msp", "kind": "partner"},
        {"id": "grp:msp-admins", "kind": "group", "org": "partner:msp"},
        {"id": "tenant:c", "kind": "tenant"}, {"id": "grp:own", "kind": "group", "org": "partner:sub"},
        {"id": "tenant:d", "kind": "tenant"}"#;
    let fs = run(
        nodes,
        r#"{"from": "partner:sub", "to": "grp:msp-admins", "kind": "assumes", "purpose": "p", "granted_by": "x", "expires_at": "2027-01-01T00:00:00Z"},
           {"from": "grp:msp-admins", "to": "tenant:c", "kind": "admin_of"},
           {"from": "partner:sub", "to": "grp:own", "kind": "admin_of", "purpose": "p", "granted_by": "x", "expires_at": "2027-01-01T00:00:00Z"},
           {"from": "grp:own", "to": "tenant:d", "kind": "admin_of"}"#,
    );
    let f = find(
        &fs,
        "indirect-partner-access",
        "partner:sub",
        Some("tenant:c"),
    )
    .unwrap();
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.path, ["partner:sub", "grp:msp-admins", "tenant:c"]);
    // Near miss: through its own group only.
    assert!(
        find(
            &fs,
            "indirect-partner-access",
            "partner:sub",
            Some("tenant:d")
        )
        .is_none()
    );
    // The MSP reaches its customer directly: no third party.
    assert!(
        find(
            &fs,
            "indirect-partner-access",
            "partner:msp",
            Some("tenant:c")
        )
        .is_none()
    );
}

#[test]
fn indirect_partner_access_third_party_must_not_be_the_targets_own_partner() {
    let nodes = r#"{"id": "partner:a", "kind": "partner"}, {"id": "partner:b", "kind": "partner"},
        {"id": "grp:b", "kind": "group", "org": "partner:b"},
        {"id": "db:b", "kind": "resource", "org": "partner:b", "sensitivity": "critical"}"#;
    let fs = run(
        nodes,
        r#"{"from": "partner:a", "to": "grp:b", "kind": "assumes"},
           {"from": "grp:b", "to": "db:b", "kind": "grants"}"#,
    );
    assert!(find(&fs, "indirect-partner-access", "partner:a", Some("db:b")).is_none());
    assert!(find(&fs, "transitive-privilege", "partner:a", Some("db:b")).is_some());
}

// ---------------------------------------------------------------- delegation-cycle

#[test]
fn delegation_cycles_across_orgs_within_one_and_self_loops() {
    let nodes = r#"{"id": "partner:x", "kind": "partner"}, {"id": "grp:b", "kind": "group", "org": "partner:x"},
        {"id": "grp:a", "kind": "group"}, {"id": "grp:c", "kind": "group"}, {"id": "grp:d", "kind": "group"},
        {"id": "grp:s", "kind": "group"}, {"id": "grp:e1", "kind": "group"}, {"id": "grp:e2", "kind": "group"}"#;
    let fs = run(
        nodes,
        r#"{"from": "grp:a", "to": "grp:b", "kind": "admin_of"},
           {"from": "grp:b", "to": "grp:a", "kind": "assumes"},
           {"from": "grp:b", "to": "grp:a", "kind": "admin_of"},
           {"from": "grp:c", "to": "grp:d", "kind": "assumes"},
           {"from": "grp:d", "to": "grp:c", "kind": "assumes"},
           {"from": "grp:s", "to": "grp:s", "kind": "admin_of"},
           {"from": "grp:e1", "to": "grp:e2", "kind": "assumes"},
           {"from": "grp:e2", "to": "grp:e1", "kind": "assumes", "expires_at": "2026-01-01T00:00:00Z"}"#,
    );
    let f = find(&fs, "delegation-cycle", "grp:a", None).unwrap();
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.nodes, ["grp:a", "grp:b"]);
    assert_eq!(f.path, ["grp:a", "grp:b", "grp:a"]);
    let kinds: Vec<&str> = f.path_edges.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        kinds,
        ["admin_of", "admin_of"],
        "the smallest kind name joins a pair"
    );
    assert_eq!(
        find(&fs, "delegation-cycle", "grp:c", None)
            .unwrap()
            .severity,
        Severity::Medium
    );
    let s = find(&fs, "delegation-cycle", "grp:s", None).unwrap();
    assert_eq!(s.path, ["grp:s", "grp:s"]);
    // Near miss: an expired link breaks the loop.
    assert!(find(&fs, "delegation-cycle", "grp:e1", None).is_none());
}

// ---------------------------------------------------------------- redelegable-admin

#[test]
fn redelegable_admin_held_by_an_outsider() {
    let nodes = r#"{"id": "partner:m", "kind": "partner"}, {"id": "tenant:t", "kind": "tenant"},
        {"id": "res:r", "kind": "resource"}, {"id": "svc:in", "kind": "service"}"#;
    let fs = run(
        nodes,
        r#"{"from": "partner:m", "to": "tenant:t", "kind": "admin_of", "redelegable": true},
           {"from": "partner:m", "to": "tenant:t", "kind": "admin_of", "redelegable": true},
           {"from": "partner:m", "to": "res:r", "kind": "admin_of", "redelegable": true},
           {"from": "svc:in", "to": "res:r", "kind": "admin_of", "redelegable": true},
           {"from": "partner:m", "to": "svc:in", "kind": "admin_of", "redelegable": false}"#,
    );
    let rd: Vec<_> = fs
        .iter()
        .filter(|f| f.rule.name() == "redelegable-admin")
        .collect();
    assert_eq!(
        rd.len(),
        2,
        "identical edges are one finding; internal and non-redelegable are none"
    );
    assert_eq!(
        find(&fs, "redelegable-admin", "partner:m", Some("tenant:t"))
            .unwrap()
            .severity,
        Severity::High
    );
    assert_eq!(
        find(&fs, "redelegable-admin", "partner:m", Some("res:r"))
            .unwrap()
            .severity,
        Severity::Medium
    );
}

// ---------------------------------------------------------------- orphaned-credential

#[test]
fn orphaned_credential_reasons() {
    let nodes = r#"
        {"id": "partner:gone", "kind": "partner", "contract_end": "2026-09-30T00:00:00Z"},
        {"id": "partner:off", "kind": "partner", "status": "offboarded"},
        {"id": "partner:now", "kind": "partner", "contract_end": "2026-11-01T00:00:00Z"},
        {"id": "human:left", "kind": "human", "status": "disabled"},
        {"id": "human:here", "kind": "human"},
        {"id": "svc:sleep", "kind": "service", "status": "disabled"},
        {"id": "k:no-owner", "kind": "credential"},
        {"id": "k:missing", "kind": "credential", "owner": "human:nobody"},
        {"id": "k:inactive", "kind": "credential", "owner": "human:left"},
        {"id": "k:holder", "kind": "credential", "owner": "human:here"},
        {"id": "k:ended", "kind": "credential", "owner": "human:here"},
        {"id": "k:offboarded", "kind": "credential", "owner": "human:here"},
        {"id": "k:ends-today", "kind": "credential", "owner": "human:here"},
        {"id": "k:exposed", "kind": "credential", "owner": "human:here"},
        {"id": "k:old-holds", "kind": "credential", "owner": "human:here"},
        {"id": "k:fine", "kind": "credential", "owner": "human:here"},
        {"id": "k:revoked", "kind": "credential", "status": "revoked"},
        {"id": "res:vault", "kind": "resource"}"#;
    let fs = run(
        nodes,
        r#"{"from": "human:here", "to": "k:no-owner", "kind": "holds"},
           {"from": "human:here", "to": "k:missing", "kind": "holds"},
           {"from": "human:here", "to": "k:inactive", "kind": "holds"},
           {"from": "svc:sleep", "to": "k:holder", "kind": "holds"},
           {"from": "partner:gone", "to": "k:ended", "kind": "holds"},
           {"from": "partner:off", "to": "k:offboarded", "kind": "holds"},
           {"from": "partner:now", "to": "k:ends-today", "kind": "holds"},
           {"from": "res:vault", "to": "k:exposed", "kind": "exposes"},
           {"from": "human:here", "to": "k:old-holds", "kind": "holds", "expires_at": "2026-10-01T00:00:00Z"},
           {"from": "human:here", "to": "k:fine", "kind": "holds"}"#,
    );
    let o = "orphaned-credential";
    assert!(has_reason(&fs, o, "k:no-owner", "no-owner"));
    assert!(has_reason(&fs, o, "k:missing", "owner-missing"));
    assert!(has_reason(&fs, o, "k:inactive", "owner-inactive"));
    assert!(has_reason(&fs, o, "k:holder", "holder-inactive"));
    assert!(has_reason(&fs, o, "k:ended", "partner-ended"));
    assert!(has_reason(&fs, o, "k:offboarded", "partner-ended"));
    assert!(
        has_reason(&fs, o, "k:old-holds", "no-holder"),
        "an expired holds edge is no holder"
    );
    // Near misses.
    assert!(
        find(&fs, o, "k:ends-today", None).is_none(),
        "a contract ending at as_of has not ended"
    );
    assert!(
        find(&fs, o, "k:exposed", None).is_none(),
        "an exposes edge is a holder"
    );
    assert!(find(&fs, o, "k:fine", None).is_none());
    assert!(
        find(&fs, o, "k:revoked", None).is_none(),
        "only active credentials"
    );
    // None reaches a critical node: all medium.
    assert_eq!(
        find(&fs, o, "k:ended", None).unwrap().severity,
        Severity::Medium
    );
}

#[test]
fn orphaned_credential_is_high_when_it_reaches_a_critical_node() {
    let nodes = r#"{"id": "partner:gone", "kind": "partner", "contract_end": "2026-09-30T00:00:00Z"},
        {"id": "k", "kind": "credential", "owner": "human:o"}, {"id": "human:o", "kind": "human"},
        {"id": "svc:s", "kind": "service"}, {"id": "db:x", "kind": "resource", "sensitivity": "critical"}"#;
    let fs = run(
        nodes,
        r#"{"from": "partner:gone", "to": "k", "kind": "holds"},
           {"from": "k", "to": "svc:s", "kind": "authenticates_as", "level": "read"},
           {"from": "svc:s", "to": "db:x", "kind": "grants"}"#,
    );
    assert_eq!(
        find(&fs, "orphaned-credential", "k", None)
            .unwrap()
            .severity,
        Severity::High
    );
}

// ---------------------------------------------------------------- stale-credential

#[test]
fn stale_credential_reasons_and_their_boundaries() {
    let nodes = r#"
        {"id": "partner:p", "kind": "partner", "contract_end": "2027-03-31T00:00:00Z"},
        {"id": "human:o", "kind": "human"},
        {"id": "k:expired", "kind": "credential", "owner": "human:o", "expires_at": "2026-10-31T00:00:00Z", "issued_at": "2026-10-01T00:00:00Z", "last_used_at": "2026-10-30T00:00:00Z"},
        {"id": "k:dormant", "kind": "credential", "owner": "human:o", "expires_at": "2027-01-01T00:00:00Z", "last_used_at": "2026-08-02T23:59:59Z"},
        {"id": "k:89-days", "kind": "credential", "owner": "human:o", "expires_at": "2027-01-01T00:00:00Z", "last_used_at": "2026-08-04T00:00:00Z"},
        {"id": "k:90-days", "kind": "credential", "owner": "human:o", "expires_at": "2027-01-01T00:00:00Z", "last_used_at": "2026-08-03T00:00:00Z"},
        {"id": "k:never", "kind": "credential", "owner": "human:o", "expires_at": "2027-01-01T00:00:00Z", "issued_at": "2026-07-01T00:00:00Z"},
        {"id": "k:new", "kind": "credential", "owner": "human:o", "expires_at": "2027-01-01T00:00:00Z", "issued_at": "2026-10-01T00:00:00Z"},
        {"id": "k:unrotated", "kind": "credential", "owner": "human:o", "expires_at": "2027-01-01T00:00:00Z", "issued_at": "2024-01-01T00:00:00Z", "last_used_at": "2026-10-30T00:00:00Z"},
        {"id": "k:rotated", "kind": "credential", "owner": "human:o", "expires_at": "2027-01-01T00:00:00Z", "issued_at": "2024-01-01T00:00:00Z", "rotated_at": "2026-06-01T00:00:00Z", "last_used_at": "2026-10-30T00:00:00Z"},
        {"id": "k:forever", "kind": "credential", "owner": "human:o", "last_used_at": "2026-10-30T00:00:00Z"},
        {"id": "k:outlives", "kind": "credential", "owner": "human:o", "expires_at": "2027-06-01T00:00:00Z", "last_used_at": "2026-10-30T00:00:00Z"},
        {"id": "k:within", "kind": "credential", "owner": "human:o", "expires_at": "2027-03-31T00:00:00Z", "last_used_at": "2026-10-30T00:00:00Z"}"#;
    let edges: Vec<String> = [
        "k:expired",
        "k:dormant",
        "k:89-days",
        "k:90-days",
        "k:never",
        "k:new",
        "k:unrotated",
        "k:rotated",
        "k:forever",
    ]
    .iter()
    .map(|k| format!(r#"{{"from": "human:o", "to": "{k}", "kind": "holds"}}"#))
    .chain([
        r#"{"from": "partner:p", "to": "k:outlives", "kind": "holds"}"#.to_owned(),
        r#"{"from": "partner:p", "to": "k:within", "kind": "holds"}"#.to_owned(),
    ])
    .collect();
    let fs = run(nodes, &edges.join(","));
    let s = "stale-credential";
    assert!(has_reason(&fs, s, "k:expired", "expired-not-revoked"));
    assert!(has_reason(&fs, s, "k:dormant", "dormant"));
    assert!(
        find(&fs, s, "k:89-days", None).is_none(),
        "used 89 days ago is not dormant"
    );
    assert!(
        find(&fs, s, "k:90-days", None).is_none(),
        "exactly 90 days is not more than 90"
    );
    assert!(has_reason(&fs, s, "k:never", "never-used"));
    assert!(
        find(&fs, s, "k:new", None).is_none(),
        "issued a month ago, not yet never-used"
    );
    assert!(has_reason(&fs, s, "k:unrotated", "rotation-overdue"));
    assert!(
        find(&fs, s, "k:rotated", None).is_none(),
        "a recent rotation resets the clock"
    );
    assert!(has_reason(&fs, s, "k:forever", "no-expiry"));
    assert!(has_reason(&fs, s, "k:outlives", "outlives-contract"));
    assert!(
        find(&fs, s, "k:within", None).is_none(),
        "expiring at contract end does not outlive it"
    );
    assert_eq!(
        find(&fs, s, "k:outlives", None).unwrap().severity,
        Severity::Medium,
        "external holder"
    );
    assert_eq!(
        find(&fs, s, "k:forever", None).unwrap().severity,
        Severity::Low,
        "internal holder"
    );
    // An expired credential is still active (live) for the credential rules but passes nothing.
    assert!(find(&fs, "orphaned-credential", "k:expired", None).is_none());
}

// ---------------------------------------------------------------- ungoverned-access

#[test]
fn ungoverned_access_reasons_severity_and_merging() {
    let nodes = r#"{"id": "partner:p", "kind": "partner"}, {"id": "grp:admins", "kind": "group"},
        {"id": "db:x", "kind": "resource", "sensitivity": "critical"},
        {"id": "res:low", "kind": "resource"}, {"id": "svc:in", "kind": "service"},
        {"id": "grp:r", "kind": "group"}"#;
    let fs = run(
        nodes,
        r#"{"from": "partner:p", "to": "grp:admins", "kind": "assumes", "purpose": "support"},
           {"from": "partner:p", "to": "grp:admins", "kind": "assumes", "granted_by": "ciso"},
           {"from": "grp:admins", "to": "db:x", "kind": "grants"},
           {"from": "partner:p", "to": "res:low", "kind": "grants", "purpose": "p", "granted_by": "g", "expires_at": "2027-01-01T00:00:00Z"},
           {"from": "partner:p", "to": "grp:r", "kind": "assumes", "purpose": "p", "granted_by": "g"},
           {"from": "grp:r", "to": "db:x", "kind": "grants", "level": "read"},
           {"from": "svc:in", "to": "db:x", "kind": "grants"}"#,
    );
    let f = find(&fs, "ungoverned-access", "partner:p", Some("grp:admins")).unwrap();
    assert_eq!(
        f.reasons,
        ["no-expiry", "no-granted-by", "no-purpose"],
        "the union over identical edges"
    );
    assert_eq!(f.severity, Severity::Medium, "leads to a critical node");
    assert_eq!(f.path_edges.len(), 1);
    let f = find(&fs, "ungoverned-access", "partner:p", Some("grp:r")).unwrap();
    assert_eq!(f.reasons, ["no-expiry"]);
    assert!(
        find(&fs, "ungoverned-access", "partner:p", Some("res:low")).is_none(),
        "fully governed"
    );
    assert!(
        find(&fs, "ungoverned-access", "svc:in", Some("db:x")).is_none(),
        "internal"
    );
    assert_eq!(
        fs.iter()
            .filter(|f| f.rule.name() == "ungoverned-access")
            .count(),
        2
    );
}

#[test]
fn ungoverned_access_is_low_when_nothing_critical_is_behind_it() {
    let fs = run(
        r#"{"id": "partner:p", "kind": "partner"}, {"id": "res:r", "kind": "resource"}"#,
        r#"{"from": "partner:p", "to": "res:r", "kind": "grants"}"#,
    );
    assert_eq!(
        find(&fs, "ungoverned-access", "partner:p", Some("res:r"))
            .unwrap()
            .severity,
        Severity::Low
    );
}

// ---------------------------------------------------------------- over-scoped / shared

#[test]
fn over_scoped_credential_lists_each_unused_scope() {
    let nodes = r#"{"id": "human:o", "kind": "human"},
        {"id": "k:over", "kind": "credential", "owner": "human:o", "expires_at": "2027-01-01T00:00:00Z", "scopes": ["b", "a", "c", "a"], "used_scopes": ["c"]},
        {"id": "k:empty", "kind": "credential", "owner": "human:o", "expires_at": "2027-01-01T00:00:00Z", "scopes": ["x"], "used_scopes": []},
        {"id": "k:unknown", "kind": "credential", "owner": "human:o", "expires_at": "2027-01-01T00:00:00Z", "scopes": ["x"]},
        {"id": "k:all-used", "kind": "credential", "owner": "human:o", "expires_at": "2027-01-01T00:00:00Z", "scopes": ["x"], "used_scopes": ["x", "y"]}"#;
    let edges = ["k:over", "k:empty", "k:unknown", "k:all-used"]
        .iter()
        .map(|k| format!(r#"{{"from": "human:o", "to": "{k}", "kind": "holds"}}"#))
        .collect::<Vec<_>>()
        .join(",");
    let fs = run(nodes, &edges);
    let o = "over-scoped-credential";
    let f = find(&fs, o, "k:over", None).unwrap();
    assert_eq!(f.reasons, ["unused:a", "unused:b"]);
    assert_eq!(f.severity, Severity::Low);
    assert_eq!(find(&fs, o, "k:empty", None).unwrap().reasons, ["unused:x"]);
    assert!(
        find(&fs, o, "k:unknown", None).is_none(),
        "no used_scopes: nothing observed"
    );
    assert!(find(&fs, o, "k:all-used", None).is_none());
}

#[test]
fn shared_credential_spans_organisations() {
    let nodes = r#"{"id": "tenant:a", "kind": "tenant"}, {"id": "tenant:b", "kind": "tenant"},
        {"id": "svc:a", "kind": "service", "org": "tenant:a"}, {"id": "svc:b", "kind": "service", "org": "tenant:b"},
        {"id": "svc:a2", "kind": "service", "org": "tenant:a"}, {"id": "human:o", "kind": "human"},
        {"id": "k:shared", "kind": "credential", "owner": "human:o", "expires_at": "2027-01-01T00:00:00Z"},
        {"id": "k:one-org", "kind": "credential", "owner": "human:o", "expires_at": "2027-01-01T00:00:00Z"}"#;
    let fs = run(
        nodes,
        r#"{"from": "svc:a", "to": "k:shared", "kind": "holds"},
           {"from": "svc:b", "to": "k:shared", "kind": "holds"},
           {"from": "svc:a", "to": "k:one-org", "kind": "holds"},
           {"from": "svc:a2", "to": "k:one-org", "kind": "holds"},
           {"from": "tenant:a", "to": "k:one-org", "kind": "holds"}"#,
    );
    assert_eq!(
        find(&fs, "shared-credential", "k:shared", None)
            .unwrap()
            .severity,
        Severity::Medium
    );
    assert!(
        find(&fs, "shared-credential", "k:one-org", None).is_none(),
        "a tenant and its own services are one org"
    );
}

// ---------------------------------------------------------------- open-trust

#[test]
fn open_trust_names_each_identity_anyone_becomes_through_credentials_alone() {
    let nodes = r#"{"id": "any", "kind": "partner", "tags": ["anyone"]},
        {"id": "tok", "kind": "credential"}, {"id": "tok2", "kind": "credential"},
        {"id": "role:a", "kind": "service"}, {"id": "role:b", "kind": "service"},
        {"id": "role:c", "kind": "service"}, {"id": "bucket", "kind": "resource"},
        {"id": "someone", "kind": "partner"}, {"id": "gone", "kind": "service", "status": "disabled"}"#;
    let fs = run(
        nodes,
        r#"{"from": "any", "to": "tok", "kind": "holds"},
           {"from": "tok", "to": "role:a", "kind": "authenticates_as", "level": "read"},
           {"from": "any", "to": "tok2", "kind": "holds", "level": "write"},
           {"from": "tok2", "to": "role:a", "kind": "authenticates_as"},
           {"from": "tok", "to": "role:b", "kind": "authenticates_as"},
           {"from": "role:a", "to": "role:c", "kind": "assumes"},
           {"from": "any", "to": "bucket", "kind": "grants"},
           {"from": "any", "to": "gone", "kind": "assumes"},
           {"from": "someone", "to": "role:c", "kind": "assumes"}"#,
    );
    let open: Vec<&Finding> = fs
        .iter()
        .filter(|f| f.rule.name() == "open-trust")
        .collect();
    let targets: Vec<&str> = open.iter().filter_map(|f| f.target.as_deref()).collect();
    // role:c is behind an identity, the bucket behind a grant, `gone` is disabled; the
    // untagged partner is nobody's "anyone".
    assert_eq!(targets, ["role:a", "role:b"], "{open:?}");
    // Two tokens lead to role:a: the witness is the one carrying the higher level.
    let a = find(&fs, "open-trust", "any", Some("role:a")).unwrap();
    assert_eq!(
        (a.severity, a.level),
        (Severity::Critical, Some(Level::Write))
    );
    assert_eq!(a.path, ["any", "tok2", "role:a"]);
    let b = find(&fs, "open-trust", "any", Some("role:b")).unwrap();
    assert_eq!(b.path, ["any", "tok", "role:b"]);
    assert_eq!(b.level, Some(Level::Admin));
}
