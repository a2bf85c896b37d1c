//! Coverage: what an answer is based on. Which sources were read, which seams between them
//! were evaluated (and how many links each made or could not decide), and every candidate
//! link that could not be evaluated, with its reason. An empty findings list means "nothing
//! found" only where coverage says the ground was looked at.

use schemars::JsonSchema;
use serde::Serialize;

/// Every seam the estate join knows, in the order outputs list them.
pub const SEAMS: &[(&str, &str)] = &[
    (
        ALIAS,
        "a hand-written node declared to be external principals (the manifest's `[[alias]]`)",
    ),
    (
        SAME_PRINCIPAL,
        "one principal named by two sources (an aws-auth mapping's role and the account's role), joined by its native key",
    ),
    (
        AWS_CROSS_ACCOUNT,
        "a trust policy naming another account of the estate, resolved to that account's principals whose identity policies allow sts:AssumeRole on the role",
    ),
    (
        EKS_ACCESS_ENTRY,
        "an EKS access entry letting an IAM principal into a cluster as a user and groups, with its access policies' rules",
    ),
    (
        EKS_POD_IDENTITY,
        "an EKS Pod Identity association giving a service account a role whose trust lets EKS in",
    ),
    (
        EKS_IDENTITY_PROVIDER,
        "an OIDC identity provider an EKS cluster trusts, standing for whoever it admits, as the users and groups its prefixes allow",
    ),
    (
        IRSA,
        "a role whose trust admits a cluster's OIDC issuer, reached from the service accounts whose token subjects its conditions allow",
    ),
    (
        SAML,
        "a role a SAML provider may federate into, reached from the provider's node (whoever the identity provider admits); Identity Center roles named by their permission set",
    ),
    (
        IDENTITY_CENTER,
        "an IAM Identity Center user or group reaching the AWSReservedSSO role of each permission set assigned to it in an account",
    ),
    (
        GITHUB_OIDC,
        "a role trusting GitHub Actions' OIDC provider, reached from the branches, environments and repositories whose token subjects its conditions allow",
    ),
];

pub const ALIAS: &str = "alias";
pub const SAME_PRINCIPAL: &str = "same-principal";
pub const GITHUB_OIDC: &str = "github-oidc";
pub const AWS_CROSS_ACCOUNT: &str = "aws-cross-account";
pub const EKS_ACCESS_ENTRY: &str = "eks-access-entry";
pub const EKS_POD_IDENTITY: &str = "eks-pod-identity";
pub const IRSA: &str = "irsa";
pub const EKS_IDENTITY_PROVIDER: &str = "eks-identity-provider";
pub const SAML: &str = "saml";
pub const IDENTITY_CENTER: &str = "identity-center";

/// The coverage of one answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Coverage {
    /// Each source read, in the manifest's order (a graph file alone is one source).
    pub sources: Vec<SourceCoverage>,
    /// Each seam the join knows, evaluated or not.
    pub seams: Vec<SeamCoverage>,
    /// What could not be evaluated, one entry per candidate link or gap.
    pub undecided: Vec<Undecided>,
}

/// One source read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SourceCoverage {
    pub name: String,
    /// `graph`, `aws-iam`, `k8s` or `opengraph`.
    pub kind: String,
    /// The files its importer read.
    pub files: usize,
    /// The nodes and edges it contributed before the join.
    pub nodes: usize,
    pub edges: usize,
}

/// One seam: whether it was evaluated, the links it made and those it could not decide.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SeamCoverage {
    pub kind: String,
    /// False when the sources it joins are not all in the estate: then `edges` is 0
    /// because nothing was looked at, and `why` says what is missing.
    pub evaluated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// The edges (or, for joins of names, the merged nodes) it made.
    pub edges: usize,
    /// Candidate links it could not decide.
    pub undecided: usize,
    /// How many undecided links each reason accounts for, by reason.
    pub reasons: Vec<ReasonCount>,
}

impl SeamCoverage {
    /// A seam not looked at yet.
    fn new(kind: &str) -> SeamCoverage {
        SeamCoverage {
            kind: kind.to_string(),
            evaluated: false,
            why: None,
            edges: 0,
            undecided: 0,
            reasons: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ReasonCount {
    pub why: String,
    pub count: usize,
}

/// One thing that could not be evaluated.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Undecided {
    /// The source it belongs to.
    pub source: String,
    /// The seam whose candidate link it is, when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seam: Option<String>,
    pub what: String,
    pub why: String,
}

/// The edge property in which an importer lists the condition keys it left undecided: the
/// edge is drawn as if they held.
pub const CONDITION_KEYS: &str = "condition_keys";

/// Why an edge with undecided condition keys is counted.
pub const CONDITION_KEYS_WHY: &str =
    "not evaluated (the request decides it): the edges are drawn as if it held";

/// Each undecided condition key of a graph's edges (their `condition_keys`), with how many
/// edges carry it.
pub fn condition_keys<'a>(
    properties: impl Iterator<Item = &'a [(String, serde_json::Value)]>,
) -> std::collections::BTreeMap<String, usize> {
    let mut keys = std::collections::BTreeMap::new();
    for props in properties {
        let listed = props
            .iter()
            .filter(|(k, _)| k == CONDITION_KEYS)
            .filter_map(|(_, v)| v.as_array())
            .flatten()
            .filter_map(serde_json::Value::as_str);
        for key in listed {
            *keys.entry(key.to_string()).or_default() += 1;
        }
    }
    keys
}

impl Coverage {
    /// A graph file read alone: one source, no seams.
    pub fn single(name: &str, nodes: usize, edges: usize) -> Coverage {
        Coverage {
            sources: vec![SourceCoverage {
                name: name.to_string(),
                kind: "graph".into(),
                files: 1,
                nodes,
                edges,
            }],
            seams: Vec::new(),
            undecided: Vec::new(),
        }
    }

    /// One line per fact, for text outputs and SARIF's run properties alike.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.sources {
            out.push(format!(
                "source {} ({}): {} file(s), {} node(s), {} edge(s)",
                s.name, s.kind, s.files, s.nodes, s.edges
            ));
        }
        for s in &self.seams {
            if s.evaluated {
                out.push(format!(
                    "seam {}: {} link(s), {} undecided",
                    s.kind, s.edges, s.undecided
                ));
            } else {
                out.push(format!(
                    "seam {}: not evaluated ({})",
                    s.kind,
                    s.why.as_deref().unwrap_or("not applicable")
                ));
            }
        }
        for u in &self.undecided {
            out.push(format!(
                "undecided [{}{}]: {}: {}",
                u.source,
                u.seam
                    .as_deref()
                    .map(|s| format!(", {s}"))
                    .unwrap_or_default(),
                u.what,
                u.why
            ));
        }
        out
    }
}

/// Builds the seams' part of a coverage as the join goes.
#[derive(Debug, Default)]
pub struct SeamTally {
    seams: Vec<SeamCoverage>,
    undecided: Vec<Undecided>,
}

impl SeamTally {
    /// Every known seam, not yet evaluated.
    pub fn new() -> SeamTally {
        SeamTally {
            seams: SEAMS
                .iter()
                .map(|(kind, _)| SeamCoverage::new(kind))
                .collect(),
            undecided: Vec::new(),
        }
    }

    fn seam(&mut self, kind: &str) -> &mut SeamCoverage {
        let i = self
            .seams
            .iter()
            .position(|s| s.kind == kind)
            .unwrap_or_else(|| {
                self.seams.push(SeamCoverage::new(kind));
                self.seams.len() - 1
            });
        &mut self.seams[i]
    }

    /// The seam was looked at (its sources are present).
    pub fn evaluated(&mut self, kind: &str) {
        let s = self.seam(kind);
        s.evaluated = true;
        s.why = None;
    }

    /// The seam was not looked at, and why.
    pub fn not_evaluated(&mut self, kind: &str, why: impl Into<String>) {
        let s = self.seam(kind);
        s.evaluated = false;
        s.why = Some(why.into());
    }

    /// `n` links made.
    pub fn made(&mut self, kind: &str, n: usize) {
        self.seam(kind).edges += n;
    }

    /// A candidate link not decided (a gap with a seam of its own).
    pub fn undecided(&mut self, kind: &str, source: &str, what: String, why: &str) {
        let s = self.seam(kind);
        s.undecided += 1;
        match s.reasons.iter_mut().find(|r| r.why == why) {
            Some(r) => r.count += 1,
            None => s.reasons.push(ReasonCount {
                why: why.to_string(),
                count: 1,
            }),
        }
        self.undecided.push(Undecided {
            source: source.to_string(),
            seam: Some(kind.to_string()),
            what,
            why: why.to_string(),
        });
    }

    /// A gap that belongs to no seam (an empty source, a cluster creator nobody records).
    pub fn gap(&mut self, source: &str, what: String, why: &str) {
        self.undecided.push(Undecided {
            source: source.to_string(),
            seam: None,
            what,
            why: why.to_string(),
        });
    }

    /// The coverage of the estate whose sources are `sources`.
    pub fn finish(mut self, sources: Vec<SourceCoverage>) -> Coverage {
        for s in &mut self.seams {
            s.reasons.sort_by(|a, b| a.why.cmp(&b.why));
        }
        self.undecided.sort();
        self.undecided.dedup();
        Coverage {
            sources,
            seams: self.seams,
            undecided: self.undecided,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seam_counts_its_undecided_links_by_reason_and_lists_each() {
        let mut t = SeamTally::new();
        t.evaluated(GITHUB_OIDC);
        t.made(GITHUB_OIDC, 2);
        t.undecided(
            GITHUB_OIDC,
            "prod",
            "role a".into(),
            "condition not evaluated",
        );
        t.undecided(
            GITHUB_OIDC,
            "prod",
            "role b".into(),
            "condition not evaluated",
        );
        t.not_evaluated(ALIAS, "the manifest declares no alias");
        let c = t.finish(Vec::new());
        let s = c.seams.iter().find(|s| s.kind == GITHUB_OIDC).unwrap();
        assert_eq!((s.evaluated, s.edges, s.undecided), (true, 2, 2));
        assert_eq!(s.reasons[0].count, 2);
        assert_eq!(c.undecided.len(), 2);
        let a = c.seams.iter().find(|s| s.kind == ALIAS).unwrap();
        assert!(!a.evaluated);
        assert!(c.lines().iter().any(|l| l.contains("alias: not evaluated")));
    }
}
