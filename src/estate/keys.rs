//! Native keys: the name a node has in its own system, kept as the `native_key` property so
//! that a responder can type an ARN or `CLUSTER/NAMESPACE/KIND/NAME` wherever a command takes
//! a node id, and so that the join can recognise the same principal named by two sources.
//!
//! | source | native key |
//! |---|---|
//! | `graph` | the node's id as written |
//! | `aws-iam` | the ARN (`aws_arn`); an account `aws:account:ID`; an access key `ARN#key1` |
//! | `k8s` | `CLUSTER/NAMESPACE/KIND/NAME`, `CLUSTER/KIND/NAME`, `CLUSTER/User/NAME`, `CLUSTER/Group/NAME`; an AWS principal of aws-auth its ARN |
//! | `entra` | the id: `entra:tenant:ID`, `entra:user:ID`, `entra:group:ID`, `entra:app:APP_ID`, `entra:sp:ID`, `entra:role:TEMPLATE@TENANT`; a guests' home domain `domain:DOMAIN` |
//! | `opengraph` (GitHub) | `github:ORG`, `github:ORG/REPO`, `github:ORG/REPO@BRANCH`, `github:ORG/REPO#ENV`, `github:user:LOGIN` |
//!
//! A node that stands for no object of its system (a resource pattern, a cover group, an
//! implicit group) gets `SOURCE:ID`, its id in the joined graph.

use super::manifest::{Source, SourceKind};
use super::prop;
use serde_json::{Map, Value, json};

/// Sets `native_key` on every node of one source's graph (ids not yet prefixed).
pub fn annotate(s: &Source, nodes: &mut [Map<String, Value>]) {
    let cluster = s.cluster.clone().unwrap_or_else(|| s.name.clone());
    // An access key is named after its user's ARN.
    let arns: std::collections::HashMap<String, String> = nodes
        .iter()
        .filter_map(|n| Some((prop(n, "id")?.to_string(), prop(n, "aws_arn")?.to_string())))
        .collect();
    for n in nodes.iter_mut() {
        let id = n
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let key = match s.kind {
            SourceKind::Graph => Some(id.clone()),
            SourceKind::AwsIam => aws(&id, n, &arns),
            SourceKind::K8s => k8s(&cluster, &id, n),
            SourceKind::Opengraph => github(n),
            SourceKind::Entra => entra(&id),
        };
        let key = key.unwrap_or_else(|| format!("{}:{id}", s.name));
        n.insert("native_key".into(), json!(key));
    }
}

fn aws(
    id: &str,
    n: &Map<String, Value>,
    arns: &std::collections::HashMap<String, String>,
) -> Option<String> {
    if let Some(arn) = prop(n, "aws_arn") {
        return Some(arn.to_string());
    }
    if id.starts_with("aws:account:") {
        return Some(id.to_string());
    }
    if let Some(arn) = prop(n, "aws_provider") {
        return Some(arn.to_string());
    }
    // Access keys and certificates by their slot in the credential report.
    let (slot_kind, rest) = if let Some(r) = id.strip_prefix("aws:key:") {
        ("key", r)
    } else if let Some(r) = id.strip_prefix("aws:cert:") {
        ("cert", r)
    } else {
        return None;
    };
    let (_, slot) = rest.rsplit_once('/')?;
    let user = arns.get(prop(n, "owner")?)?;
    Some(format!("{user}#{slot_kind}{slot}"))
}

fn k8s(cluster: &str, id: &str, n: &Map<String, Value>) -> Option<String> {
    if let Some(arn) = prop(n, "aws_arn") {
        return Some(arn.to_string());
    }
    if id.starts_with("aws:account:") {
        return Some(id.to_string());
    }
    let (kind, rest) = id.strip_prefix("k8s:")?.split_once(':')?;
    let namespaced = |k: &str| -> Option<String> {
        let (ns, name) = rest.split_once('/')?;
        Some(format!("{cluster}/{ns}/{k}/{name}"))
    };
    match kind {
        "ns" => Some(format!("{cluster}/Namespace/{rest}")),
        "sa" => namespaced("ServiceAccount"),
        "role" => namespaced("Role"),
        "clusterrole" if !rest.contains('/') => Some(format!("{cluster}/ClusterRole/{rest}")),
        "user" => Some(format!("{cluster}/User/{rest}")),
        "group" => Some(format!("{cluster}/Group/{rest}")),
        "workload" => {
            let (ns, kind_name) = rest.split_once('/')?;
            Some(format!("{cluster}/{ns}/{kind_name}"))
        }
        // The Secret object is its resource node; the token it holds is the credential.
        "res" if prop(n, "k8s_kind") == Some("Secret") => {
            let (ns, path) = rest.split_once(':')?;
            let name = path.strip_prefix("/secrets/")?;
            Some(format!("{cluster}/{ns}/Secret/{name}"))
        }
        "secret" => namespaced("Secret").map(|k| format!("{k}#token")),
        _ => None,
    }
}

/// An Entra node's id is its native key (`entra:user:OBJECT_ID`…), but for the home
/// organisation of a domain's guests, which an alias names `domain:DOMAIN`.
fn entra(id: &str) -> Option<String> {
    if let Some(domain) = id.strip_prefix("entra:domain:") {
        return Some(format!("domain:{domain}"));
    }
    id.starts_with("entra:").then(|| id.to_string())
}

fn github(n: &Map<String, Value>) -> Option<String> {
    let kinds: Vec<&str> = n
        .get("og_kinds")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let org = prop(n, "environment_name");
    let has = |k: &str| kinds.contains(&k);
    if has("GH_Organization") {
        return prop(n, "login").map(|l| format!("github:{l}"));
    }
    if has("GH_User") {
        return prop(n, "login").map(|l| format!("github:user:{l}"));
    }
    if has("GH_Repository") {
        return prop(n, "full_name").map(|f| format!("github:{f}"));
    }
    // Branches and environments are named `REPO\NAME` in GitHound's output.
    let (repo, short) = prop(n, "name")?.split_once('\\')?;
    let org = org?;
    if has("GH_Branch") {
        return Some(format!("github:{org}/{repo}@{short}"));
    }
    if has("GH_Environment") {
        return Some(format!("github:{org}/{repo}#{short}"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn kubernetes_keys_name_cluster_namespace_kind_and_name() {
        let n = node(json!({}));
        let k = |id: &str| k8s("payments", id, &n);
        assert_eq!(
            k("k8s:sa:apps/web").as_deref(),
            Some("payments/apps/ServiceAccount/web")
        );
        assert_eq!(
            k("k8s:clusterrole:admin").as_deref(),
            Some("payments/ClusterRole/admin")
        );
        assert_eq!(k("k8s:user:alice").as_deref(), Some("payments/User/alice"));
        assert_eq!(k("k8s:ns:apps").as_deref(), Some("payments/Namespace/apps"));
        assert_eq!(
            k("k8s:workload:apps/Deployment/web").as_deref(),
            Some("payments/apps/Deployment/web")
        );
        assert_eq!(
            k("k8s:secret:apps/tok").as_deref(),
            Some("payments/apps/Secret/tok#token")
        );
        assert_eq!(k("k8s:res:*:*/*"), None);
        let secret = node(json!({"k8s_kind": "Secret"}));
        assert_eq!(
            k8s("payments", "k8s:res:apps:/secrets/db", &secret).as_deref(),
            Some("payments/apps/Secret/db")
        );
        let mapped = node(json!({"aws_arn": "arn:aws:iam::1:role/x"}));
        assert_eq!(
            k8s("c", "arn:aws:iam::1:role/x", &mapped).as_deref(),
            Some("arn:aws:iam::1:role/x")
        );
    }

    #[test]
    fn github_keys_name_organisation_repository_branch_environment_and_user() {
        let org = node(json!({"og_kinds": ["GH_Organization"], "login": "SpecterTst"}));
        assert_eq!(github(&org).as_deref(), Some("github:SpecterTst"));
        let repo = node(json!({"og_kinds": ["GH_Repository"], "full_name": "SpecterTst/app"}));
        assert_eq!(github(&repo).as_deref(), Some("github:SpecterTst/app"));
        let branch = node(
            json!({"og_kinds": ["GH_Branch"], "name": "app\\main", "environment_name": "SpecterTst"}),
        );
        assert_eq!(
            github(&branch).as_deref(),
            Some("github:SpecterTst/app@main")
        );
        let env = node(
            json!({"og_kinds": ["GH_Environment"], "name": "app\\prod", "environment_name": "SpecterTst"}),
        );
        assert_eq!(github(&env).as_deref(), Some("github:SpecterTst/app#prod"));
        let user = node(json!({"og_kinds": ["GH_User"], "login": "octocat"}));
        assert_eq!(github(&user).as_deref(), Some("github:user:octocat"));
    }
}
