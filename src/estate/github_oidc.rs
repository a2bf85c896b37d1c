//! The GitHub Actions OIDC seam: a role whose trust policy lets in GitHub's OIDC provider
//! is reached from the branches, environments and repositories whose token subjects the
//! statement's `sub` conditions allow.
//!
//! A job's token carries `sub` = `repo:ORG/REPO:QUALIFIER`, where the qualifier is
//! `environment:E` when the job uses an environment, else `pull_request` for pull-request
//! events, else `ref:refs/heads/B` or `ref:refs/tags/T`. So each start node stands for the
//! subjects a job there can get: a branch `ref:refs/heads/B`; an environment
//! `environment:E` (never a `ref:` subject); a repository its pull requests and tags; an
//! organisation a repository not created yet. A start node matches when those subjects
//! satisfy every `sub` condition of a statement. The start node exposes (to writers) a
//! token node that authenticates as the role.
//!
//! Organisations the trust names that no source holds become external nodes with the same
//! native keys (`github:ORG`, `github:ORG/REPO@BRANCH`…), so an `[[alias]]` can say whose
//! they are. A statement that admits a subject of any organisation (`*`, `repo:*`, no
//! `sub` condition) is reached from one partner node: any GitHub account.

use super::subjects::{Statement, SubCondition, Test};
use super::{Item, drop_edges, id_of, prop};
use crate::coverage::{GITHUB_OIDC, SeamTally};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// A subject no organisation can be named after: it stands for "some other organisation".
const SOMEONE_ELSE: &str = "repo:\u{1}authpath-any-owner/\u{1}authpath-any-repo";
/// A repository not created yet, in an organisation of the estate.
const NEW_REPO: &str = "\u{1}authpath-new-repo";

/// The native key and id of the node for "any GitHub account".
pub(super) const ANYONE: &str = "github:*";

/// Whether a federated principal is GitHub's OIDC provider (or a GHEC custom issuer).
pub(super) fn is_github_provider(arn: &str) -> bool {
    arn.rsplit_once(":oidc-provider/")
        .map(|(_, host)| host)
        .is_some_and(|h| {
            h == "token.actions.githubusercontent.com"
                || h.strip_prefix("token.actions.githubusercontent.com/")
                    .is_some_and(|slug| !slug.is_empty() && !slug.contains('/'))
        })
}

/// Whether a condition key is the token's subject claim (keys compare without case).
fn is_sub_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.strip_prefix("token.actions.githubusercontent.com")
        .and_then(|r| r.strip_suffix(":sub"))
        .is_some_and(|mid| {
            mid.is_empty()
                || mid.strip_prefix('/').is_some_and(|s| {
                    !s.is_empty()
                        && s.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                })
        })
}

fn is_aud_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("token.actions.githubusercontent.com") && k.ends_with(":aud")
}

/// A start node's kind, which says which subjects a job there gets.
#[derive(Clone, Debug)]
enum Start {
    Org(String),
    Repo(String),
    Branch(String, String),
    Environment(String, String),
}

impl Start {
    fn of_key(key: &str) -> Option<Start> {
        let rest = key.strip_prefix("github:")?;
        if rest.starts_with("user:") || rest == "*" {
            return None;
        }
        if let Some((repo, env)) = rest.split_once('#') {
            return Some(Start::Environment(repo.into(), env.into()));
        }
        if let Some((repo, branch)) = rest.split_once('@') {
            return Some(Start::Branch(repo.into(), branch.into()));
        }
        if rest.contains('/') {
            return Some(Start::Repo(rest.into()));
        }
        Some(Start::Org(rest.into()))
    }

    /// Whether a job here can get a token every condition admits, and the subject that
    /// shows it.
    fn matched(&self, conds: &[SubCondition]) -> Option<String> {
        let all = |sub: &str| conds.iter().all(|c| c.admits(sub));
        let some_after = |head: &str| conds.iter().all(|c| c.admits_some_after(head));
        match self {
            Start::Branch(r, b) => {
                let sub = format!("repo:{r}:ref:refs/heads/{b}");
                all(&sub).then_some(sub)
            }
            Start::Environment(r, e) => {
                let sub = format!("repo:{r}:environment:{e}");
                all(&sub).then_some(sub)
            }
            Start::Repo(r) => {
                let pr = format!("repo:{r}:pull_request");
                if all(&pr) {
                    return Some(pr);
                }
                let tags = format!("repo:{r}:ref:refs/tags/");
                some_after(&tags).then(|| format!("{tags}*"))
            }
            Start::Org(o) => {
                let head = format!("repo:{o}/{NEW_REPO}");
                [":pull_request", ":ref:refs/heads/main"]
                    .iter()
                    .map(|q| format!("{head}{q}"))
                    .find(|s| all(s))
                    .map(|_| format!("repo:{o}/*"))
            }
        }
    }
}

/// Links the GitHub start nodes to the roles that trust GitHub's OIDC provider.
pub(super) fn join(
    nodes: &mut Vec<Item>,
    edges: &mut Vec<Item>,
    github_sources: &BTreeSet<&str>,
    has_aws: bool,
    tally: &mut SeamTally,
) {
    let has_github = !github_sources.is_empty();
    if !has_aws {
        tally.not_evaluated(
            GITHUB_OIDC,
            "no aws-iam or entra source: no trust names GitHub's OIDC tokens",
        );
        return;
    }
    let providers: BTreeMap<String, String> = nodes
        .iter()
        .filter(|n| prop(n, "aws_provider").is_some_and(is_github_provider))
        .map(|n| {
            (
                id_of(n).to_string(),
                prop(n, "source").unwrap_or_default().to_string(),
            )
        })
        .collect();
    if has_github {
        tally.evaluated(GITHUB_OIDC);
    } else {
        tally.not_evaluated(
            GITHUB_OIDC,
            "no GitHub source: who can get the tokens the trusts admit is unknown (only trusts that admit any GitHub account are linked)",
        );
    }
    // Start nodes the GitHub sources hold, by native key.
    let mut starts: Vec<(String, Start, String)> = Vec::new();
    let mut orgs: BTreeSet<String> = BTreeSet::new();
    for n in nodes.iter() {
        let Some(key) = prop(n, "native_key") else {
            continue;
        };
        if !prop(n, "source").is_some_and(|s| github_sources.contains(s)) {
            continue;
        }
        if let Some(s) = Start::of_key(key) {
            if let Start::Org(o) = &s {
                orgs.insert(o.clone());
            }
            starts.push((id_of(n).to_string(), s, key.to_string()));
        }
    }
    // Entra federated credentials: one edge per issuer and application.
    let issuers: BTreeMap<String, (String, bool)> = nodes
        .iter()
        .filter_map(|n| {
            let issuer = prop(n, "native_key")?.strip_prefix("entra:issuer:")?;
            let github = is_github_provider(&format!("arn:aws:iam::0:oidc-provider/{issuer}"));
            Some((
                id_of(n).to_string(),
                (prop(n, "source").unwrap_or_default().to_string(), github),
            ))
        })
        .collect();
    if providers.is_empty() && issuers.is_empty() {
        return;
    }
    // Names of the roles the providers' trusts are on, and kinds of the start nodes.
    let roles: BTreeSet<&str> = edges
        .iter()
        .filter(|e| prop(e, "from").is_some_and(|f| providers.contains_key(f)))
        .filter_map(|e| prop(e, "to"))
        .collect();
    let start_ids: BTreeSet<&str> = starts.iter().map(|(id, _, _)| id.as_str()).collect();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut kinds: BTreeMap<String, String> = BTreeMap::new();
    for n in nodes.iter() {
        let id = id_of(n);
        if roles.contains(id) {
            names.insert(id.to_string(), prop(n, "name").unwrap_or(id).to_string());
        }
        if start_ids.contains(id) {
            kinds.insert(
                id.to_string(),
                prop(n, "kind").unwrap_or_default().to_string(),
            );
        }
    }
    let heads: Vec<String> = starts.iter().map(|(_, s, _)| head(s)).collect();
    let mut out = Out::default();
    for (id, _, key) in &starts {
        out.keys.insert(id.clone(), key.clone());
    }
    // Trust edges whose every statement was decided: the seam's links say who the
    // provider admits, so the provider no longer stands for "whoever it admits".
    let mut decided: BTreeSet<usize> = BTreeSet::new();
    for (ei, e) in edges.iter().enumerate() {
        let (Some(from), Some(role), Some("assumes")) = (
            prop(e, "from"),
            prop(e, "to"),
            e.get("kind").and_then(Value::as_str),
        ) else {
            continue;
        };
        let Some(source) = providers.get(from) else {
            continue;
        };
        let role_name = names.get(role).cloned().unwrap_or_else(|| role.to_string());
        let statements = e
            .get("trust_statements")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut all_decided = has_github && !statements.is_empty();
        for st in &statements {
            // The workflow chooses its token's audience: `aud` restricts nobody.
            let Statement {
                label,
                subs,
                unevaluated,
                refused,
            } = Statement::read(st, is_sub_key, is_aud_key);
            let what = format!("trust policy of role {role_name} statement {label}");
            if let Some(c) = refused {
                all_decided = false;
                tally.undecided(
                    GITHUB_OIDC,
                    source,
                    format!("{what}: condition {c}"),
                    "operator on the sub claim not evaluated: no link drawn",
                );
                continue;
            }
            for c in &unevaluated {
                tally.undecided(
                    GITHUB_OIDC,
                    source,
                    format!("{what}: condition {c}"),
                    "condition not evaluated: the link is drawn as if it held",
                );
            }
            let rule = if subs.is_empty() {
                "no condition on the sub claim".to_string()
            } else {
                subs.iter()
                    .map(|s| s.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" and ")
            };
            let resolved = resolve(&subs, &starts, &heads, &orgs, has_github, &mut out);
            if resolved.is_empty() {
                if has_github {
                    tally.undecided(
                        GITHUB_OIDC,
                        source,
                        format!("{what}: {rule}"),
                        "dangling: no branch, environment or repository the sources hold matches it",
                    );
                } else {
                    tally.undecided(
                        GITHUB_OIDC,
                        source,
                        format!("{what}: {rule}"),
                        "no GitHub source: the subjects it admits are not resolved",
                    );
                }
                continue;
            }
            for (start, sub) in resolved {
                out.link(
                    &start,
                    role,
                    json!({
                        "seam": GITHUB_OIDC,
                        "subject": sub,
                        "trust": format!("{source}: {what}"),
                        "rule": rule,
                    }),
                    &unevaluated,
                );
            }
        }
        if all_decided {
            decided.insert(ei);
        }
    }
    let names: BTreeMap<String, String> = nodes
        .iter()
        .filter(|n| prop(n, "native_key").is_some_and(|k| k.starts_with("entra:")))
        .map(|n| {
            (
                id_of(n).to_string(),
                prop(n, "name").unwrap_or(id_of(n)).to_string(),
            )
        })
        .collect();
    for (ei, e) in edges.iter().enumerate() {
        let (Some(from), Some(to)) = (prop(e, "from"), prop(e, "to")) else {
            continue;
        };
        let Some((source, github)) = issuers.get(from) else {
            continue;
        };
        let credentials = e
            .get("entra_federated_credentials")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let app = names.get(to).cloned().unwrap_or_else(|| to.to_string());
        let mut all_decided = has_github && *github && !credentials.is_empty();
        for c in &credentials {
            let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
            let what = format!("federated credential {name} of {app}");
            if !github {
                tally.gap(
                    source,
                    what,
                    "its issuer is not GitHub Actions: who gets its tokens is not joined",
                );
                continue;
            }
            let Some(cond) = entra_subject(c) else {
                all_decided = false;
                tally.undecided(
                    GITHUB_OIDC,
                    source,
                    what,
                    "claims-matching expression not evaluated: no link drawn",
                );
                continue;
            };
            let rule = cond.text.clone();
            let resolved = resolve(
                std::slice::from_ref(&cond),
                &starts,
                &heads,
                &orgs,
                has_github,
                &mut out,
            );
            if resolved.is_empty() {
                let why = if has_github {
                    "dangling: no branch, environment or repository the sources hold matches it"
                } else {
                    "no GitHub source: the subjects it admits are not resolved"
                };
                tally.undecided(GITHUB_OIDC, source, format!("{what}: {rule}"), why);
                continue;
            }
            for (start, sub) in resolved {
                out.link(
                    &start,
                    to,
                    json!({
                        "seam": GITHUB_OIDC,
                        "subject": sub,
                        "trust": format!("{source}: {what}"),
                        "rule": rule,
                    }),
                    &[],
                );
            }
        }
        if all_decided {
            decided.insert(ei);
        }
    }
    tally.made(GITHUB_OIDC, out.links.len());
    drop_edges(edges, &decided);
    out.write(nodes, edges, &kinds);
}

/// An Entra federated credential's subject test: a classic credential's subject exactly; a
/// flexible one's `claims['sub'] matches 'PATTERN'` (or `eq 'VALUE'`) as a glob (or
/// exactly). `None` for an expression of another shape.
fn entra_subject(c: &Value) -> Option<SubCondition> {
    let key = "sub";
    if let Some(expr) = c.get("claims_matching_expression").and_then(Value::as_str) {
        let e = expr.trim();
        let rest = e
            .strip_prefix("claims['sub']")
            .or_else(|| e.strip_prefix("claims[\"sub\"]"))?
            .trim_start();
        let (op, value) = if let Some(v) = rest.strip_prefix("matches") {
            ("StringLike", v)
        } else {
            ("StringEquals", rest.strip_prefix("eq")?)
        };
        let v = value.trim();
        let v = v.strip_prefix('\'')?.strip_suffix('\'')?;
        if v.contains('\'') {
            return None;
        }
        return SubCondition::parse(op, vec![v.to_string()], key);
    }
    let subject = c.get("subject").and_then(Value::as_str)?;
    SubCondition::parse("StringEquals", vec![subject.to_string()], key)
}

/// The start nodes a statement's `sub` conditions admit (ids of existing or external
/// nodes), each with the subject that matched.
fn resolve(
    subs: &[SubCondition],
    starts: &[(String, Start, String)],
    heads: &[String],
    orgs: &BTreeSet<String>,
    has_github: bool,
    out: &mut Out,
) -> Vec<(String, String)> {
    let all = |sub: &str| subs.iter().all(|c| c.admits(sub));
    let mut found = Vec::new();
    // A subject of an organisation nobody names: any GitHub account can create one.
    // A pattern whose owner is a wildcard (`repo:*/app:*`) admits a repository anyone can
    // create in an organisation of their own: its wildcards filled in give such a subject.
    let owner_wild = subs
        .iter()
        .filter(|c| !c.negated && c.test == Test::Like)
        .flat_map(|c| &c.values)
        .filter(|v| {
            v.strip_prefix("repo:")
                .and_then(|r| r.split('/').next())
                .is_some_and(|owner| owner.contains(['*', '?']))
        })
        .any(|v| all(&v.replace(['*', '?'], "\u{1}")));
    if owner_wild
        || [":pull_request", ":ref:refs/heads/main"]
            .iter()
            .any(|q| all(&format!("{SOMEONE_ELSE}{q}")))
    {
        found.push((out.anyone(), "any subject".to_string()));
        return found;
    }
    if has_github {
        for i in candidates(subs, heads) {
            let (id, s, _) = &starts[i];
            if let Some(sub) = s.matched(subs) {
                found.push((id.clone(), sub));
            }
        }
    }
    // Organisations no source holds, as the subjects name them.
    for c in subs.iter().filter(|c| !c.negated) {
        for v in &c.values {
            let Some(ext) = External::of(v) else { continue };
            if !has_github || orgs.contains(&ext.org) {
                continue;
            }
            let sub = ext.subject(v);
            if all(&sub) {
                found.push((out.external(&ext), sub));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// The subjects' common head at a start node: `repo:ORG/REPO:` for a repository, its
/// branches and environments, `repo:ORG/` for an organisation.
fn head(s: &Start) -> String {
    match s {
        Start::Org(o) => format!("repo:{o}/"),
        Start::Repo(r) | Start::Branch(r, _) | Start::Environment(r, _) => format!("repo:{r}:"),
    }
}

/// The start nodes a statement can match: those whose head agrees with the literal part (up
/// to its first wildcard) of some value of its first positive, case-sensitive condition.
/// Exact: a subject a value matches begins with the value's literal part. Every start node
/// when no condition narrows them.
fn candidates(subs: &[SubCondition], heads: &[String]) -> Vec<usize> {
    let Some(c) = subs
        .iter()
        .find(|c| !c.negated && c.test != Test::EqualsIgnoreCase)
    else {
        return (0..heads.len()).collect();
    };
    (0..heads.len())
        .filter(|&i| {
            c.values.iter().any(|v| {
                let literal = match c.test {
                    Test::Like => v.split(['*', '?']).next().unwrap_or_default(),
                    _ => v.as_str(),
                };
                let h = &heads[i];
                h.starts_with(literal) || literal.starts_with(h.as_str())
            })
        })
        .collect()
}

/// A start node of an organisation no source holds, as a subject names it.
#[derive(Clone, Debug)]
struct External {
    org: String,
    /// `github:ORG`, `github:ORG/REPO`, `github:ORG/REPO@BRANCH` or `github:ORG/REPO#ENV`.
    key: String,
}

impl External {
    fn of(value: &str) -> Option<External> {
        let rest = value.strip_prefix("repo:")?;
        let (owner, after) = rest.split_once('/')?;
        if owner.is_empty() || owner.contains(['*', '?']) {
            return None;
        }
        let (repo, qualifier) = after.split_once(':').unwrap_or((after, ""));
        let wild = |s: &str| s.contains(['*', '?']);
        let key = if repo.is_empty() || wild(repo) {
            format!("github:{owner}")
        } else if let Some(b) = qualifier.strip_prefix("ref:refs/heads/")
            && !wild(b)
            && !b.is_empty()
        {
            format!("github:{owner}/{repo}@{b}")
        } else if let Some(e) = qualifier.strip_prefix("environment:")
            && !wild(e)
            && !e.is_empty()
            && !e.contains(':')
        {
            format!("github:{owner}/{repo}#{e}")
        } else {
            format!("github:{owner}/{repo}")
        };
        Some(External {
            org: owner.to_string(),
            key,
        })
    }

    /// A subject a job at this start node can get that the value names.
    fn subject(&self, value: &str) -> String {
        match Start::of_key(&self.key) {
            Some(Start::Branch(r, b)) => format!("repo:{r}:ref:refs/heads/{b}"),
            Some(Start::Environment(r, e)) => format!("repo:{r}:environment:{e}"),
            // A repository or organisation: the value itself when literal, else a subject
            // it admits with its wildcards filled in.
            _ => value.replace(['*', '?'], "x"),
        }
    }
}

/// The nodes and edges the seam adds: token nodes, external start nodes, links.
#[derive(Default)]
struct Out {
    /// (start id, role id) → the link's properties and unevaluated conditions.
    links: BTreeMap<(String, String), (Value, BTreeSet<String>)>,
    externals: BTreeMap<String, External>,
    anyone: bool,
    /// Each start node's native key, for the token's name.
    keys: BTreeMap<String, String>,
}

impl Out {
    fn anyone(&mut self) -> String {
        self.anyone = true;
        let id = format!("estate:{ANYONE}");
        self.keys.insert(id.clone(), ANYONE.into());
        id
    }

    fn external(&mut self, e: &External) -> String {
        let id = format!("estate:{}", e.key);
        self.externals.insert(id.clone(), e.clone());
        self.keys.insert(id.clone(), e.key.clone());
        id
    }

    fn link(&mut self, start: &str, role: &str, props: Value, unevaluated: &[String]) {
        let entry = self
            .links
            .entry((start.to_string(), role.to_string()))
            .or_insert_with(|| (props, BTreeSet::new()));
        entry.1.extend(unevaluated.iter().cloned());
    }

    fn write(self, nodes: &mut Vec<Item>, edges: &mut Vec<Item>, kinds: &BTreeMap<String, String>) {
        let obj = |v: Value| v.as_object().cloned().unwrap_or_default();
        let mut kinds = kinds.clone();
        if self.anyone {
            let id = format!("estate:{ANYONE}");
            nodes.push(obj(json!({
                "id": id, "kind": "partner", "name": "any GitHub account",
                "source": "estate", "native_key": ANYONE, "tags": [crate::model::ANYONE_TAG],
                "purpose": "a trust admits a GitHub Actions token of any repository of any organisation",
            })));
            kinds.insert(id, "partner".into());
        }
        let mut partners = BTreeSet::new();
        for (id, e) in &self.externals {
            let org_id = format!("estate:github:{}", e.org);
            if partners.insert(org_id.clone()) {
                nodes.push(obj(json!({
                    "id": org_id, "kind": "partner",
                    "name": format!("GitHub organisation {}", e.org),
                    "source": "estate", "native_key": format!("github:{}", e.org),
                })));
                kinds.insert(org_id.clone(), "partner".into());
            }
            if *id != org_id {
                let name = e.key.strip_prefix("github:").unwrap_or(&e.key);
                nodes.push(obj(json!({
                    "id": id, "kind": "resource", "org": org_id, "name": name,
                    "source": "estate", "native_key": e.key,
                })));
                kinds.insert(id.clone(), "resource".into());
                edges.push(obj(json!({
                    "from": org_id, "to": id, "kind": "grants", "level": "write",
                    "seam": GITHUB_OIDC,
                    "derived_from": ["an organisation's members push to its repositories (outside the estate: assumed)"],
                })));
            }
        }
        // One token node per start node: what a job there can get.
        let mut tokens = BTreeSet::new();
        for ((start, role), (props, unevaluated)) in self.links {
            let token = format!("estate:github-oidc:{start}");
            if tokens.insert(token.clone()) {
                nodes.push(obj(json!({
                    "id": token, "kind": "credential", "credential_type": "oauth_token",
                    "name": format!("the GitHub Actions OIDC token of {}", self.keys.get(&start).map_or(start.as_str(), |k| k.strip_prefix("github:").unwrap_or(k))),
                    "owner": start, "tags": [crate::model::BUILTIN_TAG], "source": "estate",
                    "purpose": "minted by GitHub for each job; expires within the hour",
                })));
                let start_kind = kinds.get(&start).map(String::as_str).unwrap_or("");
                let mut e = if start_kind == "resource" {
                    json!({"from": start, "to": token, "kind": "exposes", "requires": "write"})
                } else {
                    json!({"from": start, "to": token, "kind": "holds"})
                };
                e["seam"] = json!(GITHUB_OIDC);
                edges.push(obj(e));
            }
            let mut e = json!({"from": token, "to": role, "kind": "authenticates_as"});
            for (k, v) in props.as_object().into_iter().flatten() {
                e[k] = v.clone();
            }
            if !unevaluated.is_empty() {
                e["unevaluated_conditions"] = json!(unevaluated);
            }
            edges.push(obj(e));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(op: &str, v: &[&str]) -> Vec<SubCondition> {
        vec![
            SubCondition::parse(
                op,
                v.iter().map(|s| s.to_string()).collect(),
                "token.actions.githubusercontent.com:sub",
            )
            .unwrap(),
        ]
    }

    fn key(k: &str) -> Start {
        Start::of_key(k).unwrap()
    }

    #[test]
    fn a_branch_subject_matches_its_branch_and_never_an_environment() {
        let c = cond("StringEquals", &["repo:O/R:ref:refs/heads/main"]);
        assert!(key("github:O/R@main").matched(&c).is_some());
        assert!(key("github:O/R@dev").matched(&c).is_none());
        assert!(key("github:O/R#main").matched(&c).is_none());
        assert!(key("github:O/R").matched(&c).is_none());
        // Join on ORG/REPO: another organisation's repository of the same name is not it.
        assert!(key("github:P/R@main").matched(&c).is_none());
    }

    #[test]
    fn a_repository_wide_pattern_starts_at_every_branch_environment_and_the_repository() {
        let c = cond("StringLike", &["repo:O/R:*"]);
        for k in ["github:O/R@main", "github:O/R#prod", "github:O/R"] {
            assert!(key(k).matched(&c).is_some(), "{k}");
        }
        assert!(key("github:O").matched(&c).is_none());
        assert!(key("github:O/S@main").matched(&c).is_none());
        let org = cond("StringLike", &["repo:O/*"]);
        assert!(key("github:O").matched(&org).is_some());
        // StringEquals compares literally: the wildcard matches nothing.
        let literal = cond("StringEquals", &["repo:O/R:*"]);
        assert!(key("github:O/R@main").matched(&literal).is_none());
        assert!(key("github:O/R").matched(&literal).is_none());
    }

    #[test]
    fn tags_and_pull_requests_start_at_the_repository() {
        let tags = cond("StringLike", &["repo:O/R:ref:refs/tags/v*"]);
        assert!(key("github:O/R").matched(&tags).is_some());
        assert!(key("github:O/R@main").matched(&tags).is_none());
        let pr = cond("StringEquals", &["repo:O/R:pull_request"]);
        assert!(key("github:O/R").matched(&pr).is_some());
    }

    #[test]
    fn subjects_compare_with_case_unless_the_operator_ignores_it() {
        let c = cond("StringEquals", &["repo:o/r:ref:refs/heads/main"]);
        assert!(key("github:O/R@main").matched(&c).is_none());
        let c = cond("StringEqualsIgnoreCase", &["repo:o/r:ref:refs/heads/main"]);
        assert!(key("github:O/R@main").matched(&c).is_some());
    }

    #[test]
    fn any_organisation_is_anyone_on_github() {
        let mut out = Out::default();
        for v in ["*", "repo:*", "repo:*/app:*"] {
            let r = resolve(
                &cond("StringLike", &[v]),
                &[],
                &[],
                &BTreeSet::new(),
                true,
                &mut out,
            );
            assert_eq!(r[0].0, "estate:github:*", "{v}");
        }
        let r = resolve(&[], &[], &[], &BTreeSet::new(), true, &mut out);
        assert_eq!(r[0].0, "estate:github:*");
    }

    #[test]
    fn an_organisation_no_source_holds_becomes_external_start_nodes() {
        let mut out = Out::default();
        let r = resolve(
            &cond(
                "StringLike",
                &["repo:fab/deploy:ref:refs/heads/main", "repo:fab/tools:*"],
            ),
            &[],
            &[],
            &BTreeSet::new(),
            true,
            &mut out,
        );
        let ids: Vec<&str> = r.iter().map(|(i, _)| i.as_str()).collect();
        assert_eq!(
            ids,
            ["estate:github:fab/deploy@main", "estate:github:fab/tools"]
        );
    }

    #[test]
    fn the_provider_and_the_sub_key_are_recognised_with_a_custom_issuer() {
        assert!(is_github_provider(
            "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"
        ));
        assert!(is_github_provider(
            "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com/octo-ent"
        ));
        assert!(!is_github_provider(
            "arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X"
        ));
        assert!(is_sub_key("token.actions.githubusercontent.com:sub"));
        assert!(is_sub_key(
            "Token.Actions.GitHubUserContent.com/octo-ent:SUB"
        ));
        assert!(!is_sub_key("token.actions.githubusercontent.com:aud"));
        assert!(!is_sub_key("token.actions.githubusercontent.com/a/b:sub"));
    }

    #[test]
    fn an_entra_credential_matches_exactly_or_as_its_expression_says() {
        let hits = |k: &str, c: &SubCondition| key(k).matched(std::slice::from_ref(c)).is_some();
        let of = |v: Value| entra_subject(&v).unwrap();
        let classic = of(json!({"subject": "repo:O/R:ref:refs/heads/main"}));
        assert!(hits("github:O/R@main", &classic));
        assert!(!hits("github:O/R@dev", &classic));
        assert!(!hits(
            "github:O/R@main",
            &of(json!({"subject": "repo:O/R:*"}))
        ));
        let flexible = of(
            json!({"claims_matching_expression": "claims['sub'] matches 'repo:O/R:ref:refs/heads/*'"}),
        );
        assert!(hits("github:O/R@dev", &flexible));
        assert!(!hits("github:O/R#prod", &flexible));
        let eq = of(
            json!({"claims_matching_expression": "claims['sub'] eq 'repo:O/R:environment:prod'"}),
        );
        assert!(hits("github:O/R#prod", &eq));
        assert!(entra_subject(&json!({"claims_matching_expression": "claims['sub'] matches 'a' or claims['aud'] eq 'b'"})).is_none());
    }
}
