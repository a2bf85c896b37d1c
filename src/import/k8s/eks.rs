//! An EKS cluster's access entries, read from its AWS CLI answers (`import::eks`): each
//! entry lets an IAM principal in as a Kubernetes user and groups, as an aws-auth mapping
//! does, and each access policy associated with it is the policy's rule set held on the
//! cluster or on namespaces. The policies are ClusterRoles (`eks-access-policies.yaml`, their
//! rules as the EKS User Guide lists them) and their associations bindings, written as
//! manifests and read with the cluster's own, so that every derivation applies to them.

use super::manifest::{self, Object, Origin};
use crate::import::eks::{AccessEntry, Eks};
use std::collections::BTreeSet;

/// The access policies whose rules are known, as ClusterRoles.
const POLICIES: &str = include_str!("eks-access-policies.yaml");

/// The ClusterRole name of an access policy.
fn policy_role(policy: &str) -> String {
    format!("eks:access-policy:{policy}")
}

/// The ClusterRoles `POLICIES` defines, read as any manifest is.
fn policy_roles() -> Vec<(Object, Origin)> {
    manifest::read_bytes("EKS access policies", POLICIES.as_bytes()).objects
}

/// The access policy a ClusterRole of `POLICIES` stands for.
fn policy_of(o: &Object) -> Option<&str> {
    manifest::metadata(o)
        .name
        .as_deref()?
        .strip_prefix("eks:access-policy:")
}

/// The Kubernetes username an entry authenticates as: its own, else EKS's default (an IAM
/// user's ARN; for a role, its session's ARN without the role's path, per session; for a
/// node, the node's name).
pub(crate) fn username(e: &AccessEntry) -> String {
    if let Some(u) = &e.username {
        return u.clone();
    }
    if e.is_node() {
        return "system:node:{{EC2PrivateDNSName}}".into();
    }
    match e.principal_arn.split_once(":role/") {
        Some((head, path_and_name)) => {
            let name = path_and_name.rsplit('/').next().unwrap_or(path_and_name);
            let account = head.rsplit(':').next().unwrap_or_default();
            let partition = head.split(':').nth(1).unwrap_or("aws");
            format!("arn:{partition}:sts::{account}:assumed-role/{name}/{{{{SessionName}}}}")
        }
        None => e.principal_arn.clone(),
    }
}

/// The groups an entry puts its principal in: its own, and `system:nodes` for a node.
pub(crate) fn groups(e: &AccessEntry) -> Vec<String> {
    let mut g = e.groups.clone();
    if e.is_node() {
        g.push("system:nodes".into());
    }
    g
}

/// An access policy whose rules are not known: (principal ARN, policy name).
pub(super) type Unknown = (String, String);

/// The manifests that stand for the entries' access policies: the ClusterRoles of the
/// policies used and a binding of each to the entry's user, cluster-wide or in each
/// namespace its scope names (a name ending in `*` matches the namespaces `known` holds).
/// Unknown policies are returned by name, for the caller to report.
pub(super) fn policy_objects(
    eks: &Eks,
    known: &BTreeSet<String>,
) -> (Vec<(Object, Origin)>, Vec<Unknown>) {
    // The policies' manifests are parsed only when an entry names one.
    if eks.entries.iter().all(|e| e.policies.is_empty()) {
        return (Vec::new(), Vec::new());
    }
    let roles = policy_roles();
    let policies: BTreeSet<&str> = roles.iter().filter_map(|(o, _)| policy_of(o)).collect();
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut unknown = Vec::new();
    let mut docs = Vec::new();
    for (i, e) in eks.entries.iter().enumerate() {
        let user = username(e);
        for p in &e.policies {
            if !policies.contains(p.name.as_str()) {
                unknown.push((e.principal_arn.clone(), p.name.clone()));
                continue;
            }
            used.insert(p.name.as_str());
            let role = policy_role(&p.name);
            let binding = format!("eks:access-entry:{i}:{}", p.name);
            let subject = serde_json::json!([{"kind": "User", "name": user, "apiGroup": "rbac.authorization.k8s.io"}]);
            let role_ref = serde_json::json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role});
            if p.namespaces.is_empty() {
                docs.push(serde_json::json!({
                    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                    "metadata": {"name": binding}, "roleRef": role_ref, "subjects": subject,
                }));
            } else {
                let mut namespaces: BTreeSet<&str> = BTreeSet::new();
                for ns in &p.namespaces {
                    match ns.strip_suffix('*') {
                        Some(prefix) => namespaces.extend(
                            known
                                .iter()
                                .filter(|k| k.starts_with(prefix))
                                .map(String::as_str),
                        ),
                        None => {
                            namespaces.insert(ns);
                        }
                    }
                }
                for ns in namespaces {
                    docs.push(serde_json::json!({
                        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                        "metadata": {"name": binding, "namespace": ns}, "roleRef": role_ref, "subjects": subject,
                    }));
                }
            }
        }
    }
    if docs.is_empty() {
        return (Vec::new(), unknown);
    }
    let mut objects: Vec<(Object, Origin)> = roles
        .iter()
        .filter(|(o, _)| policy_of(o).is_some_and(|p| used.contains(p)))
        .cloned()
        .collect();
    let text: String = docs.iter().map(|d| format!("---\n{d}\n")).collect();
    objects.extend(manifest::read_bytes("EKS access policies", text.as_bytes()).objects);
    (objects, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(arn: &str, kind: &str) -> AccessEntry {
        AccessEntry {
            principal_arn: arn.into(),
            username: None,
            groups: vec![],
            kind: kind.into(),
            policies: vec![],
            file: "f".into(),
        }
    }

    #[test]
    fn default_usernames_are_eks_own() {
        assert_eq!(
            username(&entry(
                "arn:aws:iam::111122223333:role/ops/Admin",
                "STANDARD"
            )),
            "arn:aws:sts::111122223333:assumed-role/Admin/{{SessionName}}"
        );
        assert_eq!(
            username(&entry(
                "arn:aws:iam::111122223333:user/eks-admin-user",
                "STANDARD"
            )),
            "arn:aws:iam::111122223333:user/eks-admin-user"
        );
        let node = entry("arn:aws:iam::1:role/node", "EC2_LINUX");
        assert_eq!(username(&node), "system:node:{{EC2PrivateDNSName}}");
        assert_eq!(groups(&node), ["system:nodes"]);
    }

    #[test]
    fn the_known_policies_are_the_guides_tables() {
        let roles = policy_roles();
        let known: Vec<&str> = roles.iter().filter_map(|(o, _)| policy_of(o)).collect();
        assert_eq!(
            known,
            [
                "AmazonEKSAdminPolicy",
                "AmazonEKSClusterAdminPolicy",
                "AmazonEKSAdminViewPolicy",
                "AmazonEKSEditPolicy",
                "AmazonEKSViewPolicy",
                "AmazonEKSHybridPolicy"
            ]
        );
    }
}
