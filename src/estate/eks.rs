//! The EKS seams on the estate's side, once the Kubernetes importer has let the cluster's
//! AWS principals in (aws-auth, access entries) and linked its service accounts to roles
//! (Pod Identity), and the placeholders have joined the accounts' principals:
//!
//! - access entries (`eks-access-entry`): an entry whose principal its account's export
//!   does not hold is an orphaned grant;
//! - Pod Identity (`eks-pod-identity`): a link stands only if the role's trust policy lets
//!   `pods.eks.amazonaws.com` in;
//! - IRSA (`irsa`): a service account of a cluster reaches a role whose trust lets the
//!   cluster's OIDC issuer in with `sts:AssumeRoleWithWebIdentity` and whose `sub`
//!   conditions admit `system:serviceaccount:NS:NAME` (no `sub` condition: every service
//!   account of the cluster).

use super::subjects::Statement;
use super::{Item, drop_edges, id_of, prop};
use crate::coverage::{EKS_ACCESS_ENTRY, EKS_IDENTITY_PROVIDER, EKS_POD_IDENTITY, IRSA, SeamTally};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// A cluster the estate knows the AWS side of: its k8s source and its OIDC issuer.
pub(super) struct Cluster {
    pub source: String,
    pub name: String,
    pub issuer: Option<String>,
}

pub(super) fn join(
    nodes: &[Item],
    edges: &mut Vec<Item>,
    clusters: &[Cluster],
    aws_sources: &BTreeSet<&str>,
    accounts: &BTreeSet<String>,
    tally: &mut SeamTally,
) {
    if clusters.is_empty() {
        for seam in [
            EKS_ACCESS_ENTRY,
            EKS_POD_IDENTITY,
            EKS_IDENTITY_PROVIDER,
            IRSA,
        ] {
            tally.not_evaluated(
                seam,
                "no k8s source names its EKS cluster's AWS answers (`eks`)",
            );
        }
        return;
    }
    let node: BTreeMap<&str, &Item> = nodes.iter().map(|n| (id_of(n), n)).collect();
    let is_aws = |id: &str| {
        node.get(id)
            .and_then(|n| prop(n, "source"))
            .is_some_and(|s| aws_sources.contains(s))
    };
    let account_of = |arn: &str| crate::import::aws::parse_arn(arn).map(|a| a.account.to_string());

    // Access entries: links made, and principals their accounts' exports do not hold.
    tally.evaluated(EKS_ACCESS_ENTRY);
    let mut entry_edges = 0;
    let mut orphans: BTreeSet<(String, String)> = BTreeSet::new();
    for e in edges.iter() {
        if prop(e, "seam") != Some(EKS_ACCESS_ENTRY) {
            continue;
        }
        entry_edges += 1;
        let from = prop(e, "from").unwrap_or_default();
        if is_aws(from) {
            continue;
        }
        if let Some(n) = node.get(from)
            && let Some(arn) = prop(n, "aws_arn")
            && account_of(arn).is_some_and(|a| accounts.contains(&a))
        {
            let source = prop(n, "source").unwrap_or("estate");
            orphans.insert((source.to_string(), arn.to_string()));
        }
    }
    tally.made(EKS_ACCESS_ENTRY, entry_edges);
    for (source, arn) in orphans {
        tally.undecided(
            EKS_ACCESS_ENTRY,
            &source,
            format!("access entry of {arn}"),
            "its account's export has no such principal: an orphaned grant (an entry stops working when its principal is deleted, even if one is recreated with the same ARN)",
        );
    }

    // Pod Identity: the role's trust must let EKS in.
    tally.evaluated(EKS_POD_IDENTITY);
    let chains: BTreeSet<(&str, &str)> = edges
        .iter()
        .filter(|e| prop(e, "kind") == Some("assumes") && prop(e, "seam") != Some(EKS_POD_IDENTITY))
        .filter_map(|e| Some((prop(e, "from")?, prop(e, "to")?)))
        .collect();
    let mut dead: BTreeSet<usize> = BTreeSet::new();
    let mut pod_links = 0;
    for (i, e) in edges.iter().enumerate() {
        if prop(e, "seam") != Some(EKS_POD_IDENTITY) {
            continue;
        }
        let (Some(from), Some(to)) = (prop(e, "from"), prop(e, "to")) else {
            continue;
        };
        let Some(role) = node.get(to) else { continue };
        let what = format!(
            "Pod Identity link {} → {}",
            node.get(from).and_then(|n| prop(n, "name")).unwrap_or(from),
            prop(role, "aws_arn").unwrap_or(to)
        );
        if !is_aws(to) {
            tally.undecided(
                EKS_POD_IDENTITY,
                node.get(from).and_then(|n| prop(n, "source")).unwrap_or("estate"),
                what,
                "the role is in no aws-iam source: its trust is not verified, the link is drawn as if it held",
            );
            pod_links += 1;
            continue;
        }
        // Role chaining to the association's target role stands when the accounts' own
        // graphs let the role assume the target (its trust, the role's policy); the role
        // itself must let EKS Pod Identity in.
        let dead_why = if is_aws(from) {
            (!chains.contains(&(from, to))).then_some(
                "the association's role may not assume its target role (the target's trust or the role's policy does not allow it): a dead link, not drawn",
            )
        } else {
            let trusts_eks = role
                .get("aws_trusted_services")
                .and_then(Value::as_array)
                .is_some_and(|s| s.iter().any(|v| v == "pods.eks.amazonaws.com"));
            (!trusts_eks).then_some(
                "the role's trust policy does not let pods.eks.amazonaws.com in: a dead link, not drawn",
            )
        };
        match dead_why {
            None => pod_links += 1,
            Some(why) => {
                dead.insert(i);
                tally.undecided(
                    EKS_POD_IDENTITY,
                    prop(role, "source").unwrap_or("estate"),
                    what,
                    why,
                );
            }
        }
    }
    tally.made(EKS_POD_IDENTITY, pod_links);
    drop_edges(edges, &dead);

    // Identity providers: whom each admits is the provider's to say.
    tally.evaluated(EKS_IDENTITY_PROVIDER);
    let idp_links = edges
        .iter()
        .filter(|e| prop(e, "seam") == Some(EKS_IDENTITY_PROVIDER))
        .count();
    tally.made(EKS_IDENTITY_PROVIDER, idp_links);
    for n in nodes {
        if let (Some(issuer), Some(source)) = (prop(n, "oidc_issuer"), prop(n, "source")) {
            tally.undecided(
                EKS_IDENTITY_PROVIDER,
                source,
                format!("OIDC identity provider {issuer}"),
                "whom the identity provider admits is not in the estate: its node stands for whoever it admits",
            );
        }
    }

    irsa(&node, edges, clusters, tally);
}

/// IRSA: each cluster's service accounts to the roles whose trust admits their tokens.
fn irsa(
    node: &BTreeMap<&str, &Item>,
    edges: &mut Vec<Item>,
    clusters: &[Cluster],
    tally: &mut SeamTally,
) {
    let issuers: Vec<(&Cluster, String)> = clusters
        .iter()
        .filter_map(|c| c.issuer.as_ref().map(|i| (c, i.to_ascii_lowercase())))
        .collect();
    if issuers.is_empty() {
        tally.not_evaluated(
            IRSA,
            "no describe-cluster answer gives a cluster's OIDC issuer",
        );
        return;
    }
    tally.evaluated(IRSA);
    // Service accounts per k8s source: (id, namespace, name).
    let mut accounts: BTreeMap<&str, Vec<(String, String, String)>> = BTreeMap::new();
    for (id, n) in node {
        let Some(source) = prop(n, "source") else {
            continue;
        };
        let Some(rest) = id
            .strip_prefix(source)
            .and_then(|r| r.strip_prefix(":k8s:sa:"))
        else {
            continue;
        };
        if let Some((ns, sa)) = rest.split_once('/') {
            accounts.entry(source).or_default().push((
                id.to_string(),
                ns.to_string(),
                sa.to_string(),
            ));
        }
    }
    let mut added: Vec<Item> = Vec::new();
    let mut decided: BTreeSet<usize> = BTreeSet::new();
    for (ei, e) in edges.iter().enumerate() {
        if prop(e, "kind") != Some("assumes") {
            continue;
        }
        let (Some(from), Some(role)) = (prop(e, "from"), prop(e, "to")) else {
            continue;
        };
        let Some(provider) = node.get(from).and_then(|n| prop(n, "aws_provider")) else {
            continue;
        };
        let Some(host) = provider
            .rsplit_once(":oidc-provider/")
            .map(|(_, h)| h.to_ascii_lowercase())
        else {
            continue;
        };
        let Some((cluster, issuer)) = issuers.iter().find(|(_, i)| *i == host) else {
            continue;
        };
        let role_name = node
            .get(role)
            .and_then(|n| prop(n, "name"))
            .unwrap_or(role)
            .to_string();
        let role_source = node
            .get(role)
            .and_then(|n| prop(n, "source"))
            .unwrap_or("estate")
            .to_string();
        let sub_key = format!("{issuer}:sub");
        let aud_key = format!("{issuer}:aud");
        let mut all_decided = true;
        for st in e
            .get("trust_statements")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            // A pod chooses its projected token's audience: `aud` restricts nobody.
            let Statement {
                label,
                subs,
                unevaluated,
                refused,
            } = Statement::read(
                st,
                |k| k.eq_ignore_ascii_case(&sub_key),
                |k| k.eq_ignore_ascii_case(&aud_key),
            );
            let what = format!("trust policy of role {role_name} statement {label}");
            if refused.is_some() {
                all_decided = false;
                tally.undecided(
                    IRSA,
                    &role_source,
                    what,
                    "operator on the sub claim not evaluated: no link drawn",
                );
                continue;
            }
            for c in &unevaluated {
                tally.undecided(
                    IRSA,
                    &role_source,
                    format!("{what}: condition {c}"),
                    "condition not evaluated: the link is drawn as if it held",
                );
            }
            let mut matched = 0;
            for (sa, ns, name) in accounts.get(cluster.source.as_str()).into_iter().flatten() {
                let sub = format!("system:serviceaccount:{ns}:{name}");
                if !subs.iter().all(|c| c.admits(&sub)) {
                    continue;
                }
                matched += 1;
                let mut edge = json!({
                    "from": sa, "to": role, "kind": "assumes", "seam": IRSA,
                    "subject": sub,
                    "trust": format!("{role_source}: {what}"),
                    "derived_from": [format!("IRSA: cluster {}'s token for {sub} is admitted by the {what}", cluster.name)],
                });
                if !unevaluated.is_empty() {
                    edge["unevaluated_conditions"] = json!(unevaluated);
                }
                if let Value::Object(m) = edge {
                    added.push(m);
                }
            }
            if matched == 0 {
                tally.undecided(
                    IRSA,
                    &role_source,
                    what,
                    "dangling: no service account of the cluster matches it",
                );
            }
        }
        if all_decided {
            decided.insert(ei);
        }
    }
    // An annotation names the role its pods ask for; without a trust that admits the
    // account, the request fails: a dead link.
    let linked: BTreeSet<(String, String)> = added
        .iter()
        .filter_map(|e| {
            let role = node.get(prop(e, "to")?)?;
            Some((
                prop(e, "from")?.to_string(),
                crate::import::eks::same_principal(prop(role, "aws_arn")?),
            ))
        })
        .collect();
    let roles: BTreeSet<String> = node
        .values()
        .filter(|n| !n.contains_key("k8s_source"))
        .filter_map(|n| prop(n, "aws_arn"))
        .map(crate::import::eks::same_principal)
        .collect();
    for c in &issuers {
        for (sa, ns, name) in accounts.get(c.0.source.as_str()).into_iter().flatten() {
            let Some(arn) = node.get(sa.as_str()).and_then(|n| prop(n, "eks_role_arn")) else {
                continue;
            };
            let key = crate::import::eks::same_principal(arn);
            if linked.contains(&(sa.clone(), key.clone())) {
                continue;
            }
            let why = if roles.contains(&key) {
                "the role's trust does not admit this service account's token: a dead link"
            } else {
                "the role is in no source of the estate: its trust is not verified"
            };
            tally.undecided(
                IRSA,
                &c.0.source,
                format!("annotation eks.amazonaws.com/role-arn of {ns}/{name}: {arn}"),
                why,
            );
        }
    }
    tally.made(IRSA, added.len());
    drop_edges(edges, &decided);
    edges.extend(added);
}
