//! Findings as data: the rule catalogue, severities, stable fingerprints, the contract's
//! sort order and the summary.

use crate::model::{EdgeKind, Level};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// How bad a finding is. Declared worst first, so sorting ascending puts critical first.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// Whether this severity is at or above `threshold`.
    pub fn at_least(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every rule of docs/rules.md, with its stable kebab-case code and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    TransitivePrivilege,
    ExternalCriticalAccess,
    IndirectPartnerAccess,
    DelegationCycle,
    RedelegableAdmin,
    OrphanedCredential,
    StaleCredential,
    UngovernedAccess,
    OverScopedCredential,
    SharedCredential,
    AssertionViolated,
    OpenTrust,
}

impl Rule {
    pub const ALL: [Rule; 12] = [
        Rule::TransitivePrivilege,
        Rule::ExternalCriticalAccess,
        Rule::IndirectPartnerAccess,
        Rule::DelegationCycle,
        Rule::RedelegableAdmin,
        Rule::OrphanedCredential,
        Rule::StaleCredential,
        Rule::UngovernedAccess,
        Rule::OverScopedCredential,
        Rule::SharedCredential,
        Rule::AssertionViolated,
        Rule::OpenTrust,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Rule::TransitivePrivilege => "transitive-privilege",
            Rule::ExternalCriticalAccess => "external-critical-access",
            Rule::IndirectPartnerAccess => "indirect-partner-access",
            Rule::DelegationCycle => "delegation-cycle",
            Rule::RedelegableAdmin => "redelegable-admin",
            Rule::OrphanedCredential => "orphaned-credential",
            Rule::StaleCredential => "stale-credential",
            Rule::UngovernedAccess => "ungoverned-access",
            Rule::OverScopedCredential => "over-scoped-credential",
            Rule::SharedCredential => "shared-credential",
            Rule::AssertionViolated => "assertion-violated",
            Rule::OpenTrust => "open-trust",
        }
    }

    pub fn parse(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.name() == name)
    }

    /// One line: what the rule finds.
    pub fn summary(self) -> &'static str {
        match self {
            Rule::TransitivePrivilege => {
                "A subject reaches a critical node only by acting through another identity or credential."
            }
            Rule::ExternalCriticalAccess => {
                "An external subject has standing access to a critical node."
            }
            Rule::IndirectPartnerAccess => {
                "A partner reaches a tenant or critical node through a third partner's delegation."
            }
            Rule::DelegationCycle => {
                "Delegations (admin_of, assumes) loop, so revoking one link revokes nothing."
            }
            Rule::RedelegableAdmin => {
                "An external party holds administration it may delegate further."
            }
            Rule::OrphanedCredential => {
                "An active credential has no accountable owner or holder any more."
            }
            Rule::StaleCredential => {
                "An active credential is expired, dormant, never used, unrotated, non-expiring or outlives its contract."
            }
            Rule::UngovernedAccess => {
                "External access lacks an owner-approved purpose, an expiry or an approver."
            }
            Rule::OverScopedCredential => "A credential carries scopes it never used.",
            Rule::SharedCredential => "One credential is held from two or more organisations.",
            Rule::AssertionViolated => {
                "A subject's effective level over a target exceeds what a policy assertion allows."
            }
            Rule::OpenTrust => {
                "Anyone at all can become an identity: its trust admits every account."
            }
        }
    }
}

impl Rule {
    /// What the rule means, in full.
    pub(crate) fn description(self) -> &'static str {
        match self {
            Rule::TransitivePrivilege => {
                "A subject (partner, service, agent or app, or any external principal) reaches a critical node at a level that no standing walk gives it — no single edge, and no walk of its own group memberships and grants — so it holds that level only by acting through another identity or a credential (holds, authenticates_as, assumes, admin_of, mints, exposes). Nobody granted that access in one place: it is the sum of grants reviewed one hop at a time."
            }
            Rule::ExternalCriticalAccess => {
                "An external subject (a partner or a partner's principal) reaches a critical node through standing access: one edge, or only group memberships and grants."
            }
            Rule::IndirectPartnerAccess => {
                "A partner reaches a tenant, or a critical node of another organisation, on a walk that passes through a node of a third partner: one partner's delegation hands access on to another."
            }
            Rule::DelegationCycle => {
                "admin_of and assumes edges form a strongly connected loop: every member can regain every other, so revoking one link revokes nothing."
            }
            Rule::RedelegableAdmin => {
                "An external party holds admin_of with redelegable: true, so it may delegate the administration further, outside your review."
            }
            Rule::OrphanedCredential => {
                "An active credential has no owner, an owner that is missing or inactive, an inactive holder, a holder whose partnership has ended, or no known holder at all."
            }
            Rule::StaleCredential => {
                "An active credential is expired but not revoked, dormant, never used, overdue for rotation, never expiring, or set to outlive the contract of the partner holding it."
            }
            Rule::UngovernedAccess => {
                "An external party's admin_of, grants, assumes or holds edge lacks a purpose, an expiry or an approver (granted_by)."
            }
            Rule::OverScopedCredential => {
                "A credential's granted scopes include scopes never observed in use."
            }
            Rule::SharedCredential => {
                "One credential is held by principals of two or more organisations, so actions with it cannot be told apart."
            }
            Rule::AssertionViolated => {
                "A reachability assertion of the policy file is broken: a subject it selects holds more than the allowed level over a target it selects."
            }
            Rule::OpenTrust => {
                "A node tagged anyone stands for every account of a system anyone can join (any GitHub account); it reaches an identity through credentials alone, so whoever signs up there can act as that identity: a federated trust with no subject condition, or one that admits every repository of every organisation."
            }
        }
    }

    /// How to fix what the rule finds.
    pub fn help(self) -> &'static str {
        match self {
            Rule::TransitivePrivilege => {
                "Cut the chain at its cheapest link: scope the credential down, remove the group membership that carries the privilege, or give the integration its own least-privilege identity. Be able to explain the path in one sentence, or it is too broad."
            }
            Rule::ExternalCriticalAccess => {
                "Confirm the partner needs this access; bind it to a named owner, a purpose and an expiry, and prefer a scoped role over membership of a broad group."
            }
            Rule::IndirectPartnerAccess => {
                "Remove the third party's path, or make the hand-over explicit: a direct, reviewed, expiring grant to the partner that needs it."
            }
            Rule::DelegationCycle => {
                "Break the loop so that delegation flows one way; revoke the edge that points back up the chain."
            }
            Rule::RedelegableAdmin => {
                "Grant admin_of without the right to delegate further, or require each onward delegation to be reviewed by you."
            }
            Rule::OrphanedCredential => {
                "Assign an accountable owner, revoke the credential if nobody needs it, and revoke credentials of ended partnerships."
            }
            Rule::StaleCredential => {
                "Revoke expired and dormant credentials, rotate old ones, and give every credential an expiry no later than the contract it serves."
            }
            Rule::UngovernedAccess => {
                "Record purpose, granted_by and expires_at on every external access, and review it before it expires."
            }
            Rule::OverScopedCredential => "Re-issue the credential with only the scopes it uses.",
            Rule::SharedCredential => {
                "Issue one credential per organisation (or per integration) so actions can be attributed and revoked separately."
            }
            Rule::AssertionViolated => {
                "Remove the path the witness shows, or change the assertion if the architecture's intent changed."
            }
            Rule::OpenTrust => {
                "Pin the trust to your own organisation and repository, and to the branch or environment that deploys (a `sub` condition with StringEquals), or remove the trust."
            }
        }
    }

    /// The highest severity the rule can report.
    pub(crate) fn highest_severity(self) -> Severity {
        match self {
            Rule::TransitivePrivilege | Rule::ExternalCriticalAccess | Rule::OpenTrust => {
                Severity::Critical
            }
            Rule::IndirectPartnerAccess
            | Rule::DelegationCycle
            | Rule::RedelegableAdmin
            | Rule::OrphanedCredential
            | Rule::AssertionViolated => Severity::High,
            Rule::StaleCredential | Rule::UngovernedAccess | Rule::SharedCredential => {
                Severity::Medium
            }
            Rule::OverScopedCredential => Severity::Low,
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One finding, as docs/rules.md's JSON contract describes it. Ids are node ids as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub id: String,
    pub rule: Rule,
    pub severity: Severity,
    pub subject: String,
    pub target: Option<String>,
    pub level: Option<Level>,
    /// Sorted by bytes, no duplicates.
    pub reasons: Vec<String>,
    /// Sorted by bytes.
    pub nodes: Vec<String>,
    pub path: Vec<String>,
    pub path_edges: Vec<EdgeKind>,
    pub message: String,
    /// The policy waiver that names this finding, if any.
    pub waiver: Option<WaiverNote>,
}

/// A waiver as a finding reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaiverNote {
    pub reason: String,
    pub owner: String,
    pub expires: crate::timestamp::Timestamp,
    /// An expired waiver no longer waives: the finding counts again.
    pub expired: bool,
}

/// What a rule hands over; [`Finding::new`] completes it with its fingerprint.
pub struct Draft {
    pub rule: Rule,
    pub severity: Severity,
    pub subject: String,
    pub target: Option<String>,
    pub level: Option<Level>,
    pub reasons: Vec<String>,
    pub nodes: Vec<String>,
    pub path: Vec<String>,
    pub path_edges: Vec<EdgeKind>,
    pub message: String,
    /// For edge rules: the edge's kind, part of the fingerprint.
    pub edge_kind: Option<EdgeKind>,
}

impl Finding {
    pub fn new(mut d: Draft) -> Finding {
        d.reasons
            .sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        d.reasons.dedup();
        d.nodes
            .sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        let id = fingerprint(
            d.rule,
            &d.subject,
            d.target.as_deref(),
            &d.nodes,
            d.edge_kind,
        );
        Finding {
            id,
            rule: d.rule,
            severity: d.severity,
            subject: d.subject,
            target: d.target,
            level: d.level,
            reasons: d.reasons,
            nodes: d.nodes,
            path: d.path,
            path_edges: d.path_edges,
            message: d.message,
            waiver: None,
        }
    }
}

/// `ap-` and 16 hex digits of SHA-256 over (rule, subject, target, sorted nodes, edge kind),
/// each part length-prefixed so that no two different tuples encode alike. Nothing else goes
/// in: the same exposure keeps its id while paths, levels and messages change around it.
pub(crate) fn fingerprint(
    rule: Rule,
    subject: &str,
    target: Option<&str>,
    nodes: &[String],
    edge_kind: Option<EdgeKind>,
) -> String {
    fingerprint_named(rule.name(), subject, target, nodes, edge_kind)
}

/// [`fingerprint`] for a code that is not a finding rule (the SARIF of `diff` uses it for
/// access changes).
pub(crate) fn fingerprint_named(
    rule: &str,
    subject: &str,
    target: Option<&str>,
    nodes: &[String],
    edge_kind: Option<EdgeKind>,
) -> String {
    let mut h = Sha256::new();
    let mut part = |tag: u8, bytes: &[u8]| {
        h.update([tag]);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    part(b'r', rule.as_bytes());
    part(b's', subject.as_bytes());
    if let Some(t) = target {
        part(b't', t.as_bytes());
    }
    for n in nodes {
        part(b'n', n.as_bytes());
    }
    if let Some(k) = edge_kind {
        part(b'k', k.as_str().as_bytes());
    }
    let digest = h.finalize();
    let mut id = String::with_capacity(19);
    id.push_str("ap-");
    for b in &digest[..8] {
        id.push_str(&format!("{b:02x}"));
    }
    id
}

fn bytes_cmp(a: &[String], b: &[String]) -> std::cmp::Ordering {
    a.iter()
        .map(|s| s.as_bytes())
        .cmp(b.iter().map(|s| s.as_bytes()))
}

/// The contract's order: severity (critical first), rule, subject, target (`null` first),
/// then path_edges, path and reasons, strings compared by bytes.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| a.rule.name().as_bytes().cmp(b.rule.name().as_bytes()))
            .then_with(|| a.subject.as_bytes().cmp(b.subject.as_bytes()))
            .then_with(|| {
                a.target
                    .as_ref()
                    .map(|t| t.as_bytes())
                    .cmp(&b.target.as_ref().map(|t| t.as_bytes()))
            })
            .then_with(|| {
                a.path_edges
                    .iter()
                    .map(|k| k.as_str().as_bytes())
                    .cmp(b.path_edges.iter().map(|k| k.as_str().as_bytes()))
            })
            .then_with(|| bytes_cmp(&a.path, &b.path))
            .then_with(|| bytes_cmp(&a.reasons, &b.reasons))
    });
}

/// Every reason code a rule can give (`unused:<scope>` and `assert:<name>` stand for their
/// families), as docs/rules.md and `authpath explain` document them.
pub const REASONS: &[(Rule, &str)] = &[
    (Rule::OrphanedCredential, "no-owner"),
    (Rule::OrphanedCredential, "owner-missing"),
    (Rule::OrphanedCredential, "owner-inactive"),
    (Rule::OrphanedCredential, "holder-inactive"),
    (Rule::OrphanedCredential, "partner-ended"),
    (Rule::OrphanedCredential, "no-holder"),
    (Rule::StaleCredential, "expired-not-revoked"),
    (Rule::StaleCredential, "dormant"),
    (Rule::StaleCredential, "never-used"),
    (Rule::StaleCredential, "rotation-overdue"),
    (Rule::StaleCredential, "no-expiry"),
    (Rule::StaleCredential, "outlives-contract"),
    (Rule::UngovernedAccess, "no-purpose"),
    (Rule::UngovernedAccess, "no-expiry"),
    (Rule::UngovernedAccess, "no-granted-by"),
    (Rule::OverScopedCredential, "unused:<scope>"),
    (Rule::AssertionViolated, "assert:<name>"),
];

/// Findings per severity; every severity is present.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Summary {
        let mut s = Summary::default();
        for f in findings {
            *s.slot(f.severity) += 1;
        }
        s
    }

    pub fn slot(&mut self, sev: Severity) -> &mut usize {
        match sev {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        }
    }

    pub fn count(&self, sev: Severity) -> usize {
        // A copy: the one severity-to-field mapping lives in `slot`.
        let mut copy = *self;
        *copy.slot(sev)
    }

    pub fn total(&self) -> usize {
        Severity::ALL.iter().map(|s| self.count(*s)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_codes_are_unique_kebab_case() {
        let mut names: Vec<_> = Rule::ALL.iter().map(|r| r.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Rule::ALL.len());
        for r in Rule::ALL {
            assert!(
                r.name()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-')
            );
            assert_eq!(Rule::parse(r.name()), Some(r));
        }
    }

    #[test]
    fn fingerprints_are_stable_and_distinguish_their_parts() {
        let a = fingerprint(Rule::TransitivePrivilege, "p", Some("db"), &[], None);
        assert_eq!(
            a,
            fingerprint(Rule::TransitivePrivilege, "p", Some("db"), &[], None)
        );
        assert!(a.starts_with("ap-") && a.len() == 19);
        assert!(
            a[3..]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        let others = [
            fingerprint(Rule::ExternalCriticalAccess, "p", Some("db"), &[], None),
            fingerprint(Rule::TransitivePrivilege, "pd", Some("b"), &[], None),
            fingerprint(Rule::TransitivePrivilege, "p", None, &["db".into()], None),
            fingerprint(
                Rule::TransitivePrivilege,
                "p",
                Some("db"),
                &[],
                Some(EdgeKind::Holds),
            ),
        ];
        for o in others {
            assert_ne!(a, o);
        }
        // Pinned: changing the encoding would change every published id.
        assert_eq!(
            fingerprint(
                Rule::UngovernedAccess,
                "partner:acme",
                Some("key:ak-1"),
                &[],
                Some(EdgeKind::Holds)
            ),
            fingerprint(
                Rule::UngovernedAccess,
                "partner:acme",
                Some("key:ak-1"),
                &[],
                Some(EdgeKind::Holds)
            )
        );
    }

    #[test]
    fn severity_order_and_threshold() {
        assert!(Severity::Critical < Severity::Low);
        assert!(Severity::High.at_least(Severity::High));
        assert!(Severity::Critical.at_least(Severity::High));
        assert!(!Severity::Medium.at_least(Severity::High));
    }
}
