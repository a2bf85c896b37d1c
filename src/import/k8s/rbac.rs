//! What RBAC rules allow: verbs to levels, rule matching with Kubernetes' wildcards, label
//! selectors, and ClusterRole aggregation.

use super::manifest::{LabelSelector, PolicyRule};
use crate::model::Level;
use std::collections::{BTreeMap, BTreeSet};

/// The level a verb carries: reading, changing, or the verbs that escalate.
pub(crate) fn verb_level(verb: &str) -> Level {
    match verb {
        "get" | "list" | "watch" => Level::Read,
        "*" | "escalate" | "bind" | "impersonate" | "approve" | "sign" => Level::Admin,
        // create, update, patch, delete, deletecollection, and verbs of custom resources or
        // subresources (use, proxy…): each changes or acts on what it names.
        _ => Level::Write,
    }
}

/// Which names of a resource a rule covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Names {
    All,
    Only(BTreeSet<String>),
}

impl Names {
    pub(crate) fn covers(&self, name: &str) -> bool {
        match self {
            Names::All => true,
            Names::Only(set) => set.contains(name),
        }
    }

    pub fn union(self, other: Names) -> Names {
        match (self, other) {
            (Names::All, _) | (_, Names::All) => Names::All,
            (Names::Only(mut a), Names::Only(b)) => {
                a.extend(b);
                Names::Only(a)
            }
        }
    }
}

/// Whether a rule's resource entry matches `resource` (which may be `res/subresource`):
/// `*` matches everything, `res/*` every subresource of `res`, `*/sub` that subresource of
/// every resource.
fn resource_matches(pattern: &str, resource: &str) -> bool {
    if pattern == "*" || pattern == resource {
        return true;
    }
    match (pattern.split_once('/'), resource.split_once('/')) {
        (Some((p, "*")), Some((r, _))) => p == r,
        (Some(("*", ps)), Some((_, rs))) => ps == rs,
        _ => false,
    }
}

fn group_matches(patterns: &[String], group: &str) -> bool {
    patterns.iter().any(|g| g == "*" || g == group)
}

fn verb_matches(patterns: &[String], verbs: &[&str]) -> bool {
    patterns
        .iter()
        .any(|v| v == "*" || verbs.contains(&v.as_str()))
}

/// The names of `group`/`resource` that `rules` allow any of `verbs` on, if any.
pub fn allows(rules: &[PolicyRule], group: &str, resource: &str, verbs: &[&str]) -> Option<Names> {
    let mut found: Option<Names> = None;
    for r in rules {
        if r.resources.is_empty()
            || !group_matches(&r.api_groups, group)
            || !r.resources.iter().any(|p| resource_matches(p, resource))
            || !verb_matches(&r.verbs, verbs)
        {
            continue;
        }
        let names = if r.resource_names.is_empty() {
            Names::All
        } else {
            Names::Only(r.resource_names.iter().cloned().collect())
        };
        found = Some(match found {
            None => names,
            Some(f) => f.union(names),
        });
    }
    found
}

/// Whether the rules hold every verb on every resource of every API group.
pub(crate) fn is_everything(rules: &[PolicyRule]) -> bool {
    rules.iter().any(|r| {
        r.api_groups.iter().any(|g| g == "*")
            && r.resources.iter().any(|x| x == "*")
            && r.verbs.iter().any(|v| v == "*")
            && r.resource_names.is_empty()
    })
}

/// One permission target of a rule: API group, resource, and name (`None`: all names).
pub(crate) type Target = (String, String, Option<String>);

/// What the rules allow on one target: the highest level their verbs give, and whether any
/// of them reads it (levels are ordered, Kubernetes verbs are not: `create` on Secrets
/// reveals none of them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    pub level: Level,
    pub reads: bool,
    /// The verbs that give it, for the edge's `derived_from`.
    pub verbs: BTreeSet<String>,
}

fn is_read(verb: &str) -> bool {
    matches!(verb, "get" | "list" | "watch" | "*")
}

/// Every (group, resource, name) the rules name, each with what its verbs allow. A rule
/// with `resourceNames` never matches `create` or `deletecollection` (the API server has no
/// name to compare then), so those verbs are dropped from it.
pub fn targets(rules: &[PolicyRule]) -> BTreeMap<Target, Access> {
    let mut out: BTreeMap<Target, Access> = BTreeMap::new();
    for r in rules {
        let verbs: Vec<&str> = r
            .verbs
            .iter()
            .map(String::as_str)
            .filter(|v| r.resource_names.is_empty() || !matches!(*v, "create" | "deletecollection"))
            .collect();
        let Some(level) = verbs.iter().map(|v| verb_level(v)).max() else {
            continue;
        };
        let reads = verbs.iter().any(|v| is_read(v));
        for g in &r.api_groups {
            for res in &r.resources {
                let names: Vec<Option<String>> = if r.resource_names.is_empty() {
                    vec![None]
                } else {
                    r.resource_names.iter().cloned().map(Some).collect()
                };
                for n in names {
                    let e = out.entry((g.clone(), res.clone(), n)).or_insert(Access {
                        level,
                        reads,
                        verbs: BTreeSet::new(),
                    });
                    e.level = e.level.max(level);
                    e.reads |= reads;
                    e.verbs.extend(verbs.iter().map(|v| v.to_string()));
                }
            }
        }
    }
    out
}

/// Whether a label selector selects an object with these labels. An empty selector selects
/// nothing here: Kubernetes' aggregation controller ignores it.
pub fn selects(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    if sel.match_labels.is_empty() && sel.match_expressions.is_empty() {
        return false;
    }
    sel.match_labels
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v))
        && sel.match_expressions.iter().all(|req| {
            let value = labels.get(&req.key);
            match req.operator.as_str() {
                "In" => value.is_some_and(|v| req.values.contains(v)),
                "NotIn" => value.is_none_or(|v| !req.values.contains(v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => false,
            }
        })
}

/// A ClusterRole as aggregation sees it.
pub struct Aggregable<'a> {
    pub labels: &'a BTreeMap<String, String>,
    pub selectors: Option<&'a [LabelSelector]>,
    pub rules: &'a [PolicyRule],
}

/// The effective rules of each ClusterRole: its own, and — for one with an `aggregationRule`
/// — the rules of every ClusterRole its selectors match, repeated until
/// nothing changes (`admin` aggregates `edit`, which aggregates `view`), as the aggregation
/// controller does.
pub fn aggregate(roles: &[Aggregable<'_>]) -> Vec<Vec<PolicyRule>> {
    let mut rules: Vec<BTreeSet<PolicyRule>> = roles
        .iter()
        // An aggregated role's own rules stay in the union: the controller would overwrite
        // them with the same union, and a partial dump (a role without its parts) keeps what
        // it shows.
        .map(|r| r.rules.iter().cloned().collect())
        .collect();
    let sources: Vec<Vec<usize>> = roles
        .iter()
        .enumerate()
        .map(|(i, r)| match r.selectors {
            Some(sels) => (0..roles.len())
                .filter(|&j| j != i && sels.iter().any(|s| selects(s, roles[j].labels)))
                .collect(),
            None => Vec::new(),
        })
        .collect();
    loop {
        let mut changed = false;
        for i in 0..roles.len() {
            for &j in &sources[i] {
                let add: Vec<PolicyRule> = rules[j].difference(&rules[i]).cloned().collect();
                if !add.is_empty() {
                    changed = true;
                    rules[i].extend(add);
                }
            }
        }
        if !changed {
            break;
        }
    }
    rules.into_iter().map(|s| s.into_iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(groups: &[&str], res: &[&str], verbs: &[&str], names: &[&str]) -> PolicyRule {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect();
        PolicyRule {
            api_groups: s(groups),
            resources: s(res),
            resource_names: s(names),
            verbs: s(verbs),
            non_resource_urls: Vec::new(),
        }
    }

    #[test]
    fn wildcards_match_as_kubernetes_does() {
        let rules = vec![rule(&[""], &["pods/*"], &["create"], &[])];
        assert_eq!(
            allows(&rules, "", "pods/exec", &["create"]),
            Some(Names::All)
        );
        assert_eq!(allows(&rules, "", "pods", &["create"]), None);
        assert_eq!(allows(&rules, "apps", "pods/exec", &["create"]), None);
        assert_eq!(allows(&rules, "", "pods/exec", &["get"]), None);
        let all = vec![rule(&["*"], &["*"], &["*"], &[])];
        assert!(is_everything(&all));
        assert_eq!(allows(&all, "", "secrets", &["list"]), Some(Names::All));
        let named = vec![
            rule(&[""], &["secrets"], &["get"], &["a"]),
            rule(&[""], &["secrets"], &["get"], &["b"]),
        ];
        let Some(Names::Only(n)) = allows(&named, "", "secrets", &["get"]) else {
            panic!("names expected")
        };
        assert_eq!(n.into_iter().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn verbs_map_to_levels() {
        assert_eq!(verb_level("watch"), Level::Read);
        assert_eq!(verb_level("patch"), Level::Write);
        assert_eq!(verb_level("escalate"), Level::Admin);
        let got = |t: BTreeMap<Target, Access>| -> Vec<(Level, bool, Vec<String>)> {
            t.into_values()
                .map(|a| (a.level, a.reads, a.verbs.into_iter().collect()))
                .collect()
        };
        let t = targets(&[rule(&[""], &["secrets"], &["get", "delete"], &[])]);
        let verbs = vec!["delete".to_string(), "get".to_string()];
        assert_eq!(got(t), [(Level::Write, true, verbs)]);
        let t = targets(&[rule(&[""], &["secrets"], &["create"], &[])]);
        assert_eq!(got(t), [(Level::Write, false, vec!["create".to_string()])]);
        // create never matches a named rule: only get is left of this one.
        let t = targets(&[rule(&[""], &["secrets"], &["create", "get"], &["a"])]);
        assert_eq!(got(t), [(Level::Read, true, vec!["get".to_string()])]);
    }

    #[test]
    fn aggregation_reaches_a_fixpoint() {
        let sel = |k: &str| LabelSelector {
            match_labels: [(k.to_string(), "true".to_string())].into(),
            match_expressions: Vec::new(),
        };
        let none = BTreeMap::new();
        let to_admin: BTreeMap<String, String> = [("agg-admin".into(), "true".into())].into();
        let to_edit: BTreeMap<String, String> = [("agg-edit".into(), "true".into())].into();
        let admin_sel = [sel("agg-admin")];
        let edit_sel = [sel("agg-edit")];
        let view_rules = [rule(&[""], &["pods"], &["get"], &[])];
        let roles = [
            Aggregable {
                labels: &none,
                selectors: Some(&admin_sel),
                rules: &[],
            },
            Aggregable {
                labels: &to_admin,
                selectors: Some(&edit_sel),
                rules: &[],
            },
            Aggregable {
                labels: &to_edit,
                selectors: None,
                rules: &view_rules,
            },
        ];
        let own = [rule(&[""], &["nodes"], &["get"], &[])];
        let partial = [Aggregable {
            labels: &none,
            selectors: Some(&admin_sel),
            rules: &own,
        }];
        assert_eq!(
            aggregate(&partial)[0],
            own.to_vec(),
            "a partial dump keeps its own rules"
        );
        let out = aggregate(&roles);
        assert_eq!(out[0], view_rules.to_vec());
        assert_eq!(out[1], view_rules.to_vec());
    }
}
