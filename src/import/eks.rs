//! An EKS cluster's AWS side, from the AWS CLI's JSON answers: `eks describe-cluster` (its
//! OIDC issuer and authentication mode), `eks describe-access-entry` (who is let in, as
//! which user and groups), `eks list-associated-access-policies` (the access policies an
//! entry holds, on the cluster or on namespaces), `eks describe-pod-identity-association`
//! (which service account gets which role) and `eks describe-identity-provider-config` (an
//! OIDC identity provider the cluster trusts). Files are recognised by their shape, not their
//! names (`associate-access-policy`'s answer is read like `list-associated-access-policies`');
//! a file may hold one answer, an array of answers, or several answers one after
//! another. What is read here is applied by the Kubernetes importer (the cluster's users and
//! groups) and by the estate's join (the IAM side).

use crate::diagnostics::{Diagnostic, Diagnostics, codes, quote};
use crate::source::str_of;
use serde_json::Value;
use std::path::Path;

/// The cluster's authentication mode: which of aws-auth and access entries count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    ConfigMap,
    Api,
    ApiAndConfigMap,
}

impl AuthMode {
    fn parse(s: &str) -> Option<AuthMode> {
        match s {
            "CONFIG_MAP" => Some(AuthMode::ConfigMap),
            "API" => Some(AuthMode::Api),
            "API_AND_CONFIG_MAP" => Some(AuthMode::ApiAndConfigMap),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::ConfigMap => "CONFIG_MAP",
            AuthMode::Api => "API",
            AuthMode::ApiAndConfigMap => "API_AND_CONFIG_MAP",
        }
    }

    pub fn reads_config_map(self) -> bool {
        self != AuthMode::Api
    }

    pub fn reads_entries(self) -> bool {
        self != AuthMode::ConfigMap
    }
}

/// `describe-cluster`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cluster {
    pub name: String,
    pub arn: Option<String>,
    /// The OIDC issuer without its scheme (`oidc.eks.REGION.amazonaws.com/id/ID`).
    pub issuer: Option<String>,
    /// Absent in clusters older than access entries: they read aws-auth only.
    pub mode: Option<AuthMode>,
    pub bootstrap_creator_admin: Option<bool>,
}

/// An access policy associated with an entry, and where it applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessPolicy {
    /// The policy's name (`AmazonEKSAdminPolicy`), the last part of its ARN.
    pub name: String,
    /// Empty: the whole cluster; else these namespaces (a name may end in `*`).
    pub namespaces: Vec<String>,
}

/// `describe-access-entry`, with the policies `list-associated-access-policies` gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessEntry {
    pub principal_arn: String,
    pub username: Option<String>,
    pub groups: Vec<String>,
    /// `STANDARD`, or a node type (`EC2_LINUX`, `EC2_WINDOWS`, `FARGATE_LINUX`,
    /// `HYBRID_LINUX`).
    pub kind: String,
    pub policies: Vec<AccessPolicy>,
    /// The file that described it.
    pub file: String,
}

impl AccessEntry {
    pub fn is_node(&self) -> bool {
        self.kind != "STANDARD"
    }
}

/// `describe-pod-identity-association`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodIdentity {
    pub namespace: String,
    pub service_account: String,
    pub role_arn: String,
    pub target_role_arn: Option<String>,
    pub file: String,
}

/// `describe-identity-provider-config`: an OIDC identity provider whose tokens the cluster
/// accepts; its users become `usernamePrefix` + their claim, its groups `groupsPrefix` +
/// theirs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityProvider {
    pub name: String,
    pub issuer: String,
    pub username_prefix: String,
    /// `None` when the config names no groups claim: the provider's tokens carry no groups.
    pub groups_prefix: Option<String>,
    pub file: String,
}

/// What an `eks` directory holds for one cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Eks {
    pub cluster: Option<Cluster>,
    pub entries: Vec<AccessEntry>,
    pub pod_identities: Vec<PodIdentity>,
    pub identity_providers: Vec<IdentityProvider>,
    /// Files read.
    pub files: usize,
}

/// Reads every `.json` file under `path` (a file or a directory) as `cluster`'s answers
/// (`None`: whatever cluster they name).
pub fn read(path: &Path, cluster: Option<&str>) -> (Eks, Vec<Diagnostics>) {
    let mut problems = Vec::new();
    let files = crate::source::json_files(path).unwrap_or_else(|d| {
        problems.push(d);
        Vec::new()
    });
    let mut eks = Eks::default();
    let mut policies: Vec<(String, AccessPolicy)> = Vec::new();
    for f in &files {
        let name = f.display().to_string();
        let mut d = Diagnostics::new(&name);
        match crate::source::read_text(f) {
            Ok(text) => read_text(&name, &text, cluster, &mut eks, &mut policies, &mut d),
            Err(e) => problems.push(e),
        }
        if d.error_count() + d.warning_count() > 0 {
            problems.push(d);
        }
    }
    eks.files = files.len();
    for (arn, p) in policies {
        match eks.entries.iter_mut().find(|e| e.principal_arn == arn) {
            Some(e) => e.policies.push(p),
            None => {
                let mut d = Diagnostics::new(path.display().to_string());
                d.push(
                    Diagnostic::warning(
                        codes::EKS_ANSWER,
                        None,
                        format!(
                            "access policy {} is associated with {}, which no access entry describes: not applied",
                            p.name,
                            quote(&arn)
                        ),
                    )
                    .help("add that principal's `eks describe-access-entry` answer"),
                );
                problems.push(d);
            }
        }
    }
    (eks, problems)
}

/// One file's answers, alone: what it holds for `cluster` and its problems (the policies
/// it associates applied to the entries it describes).
pub fn read_answers(name: &str, text: &str, cluster: Option<&str>) -> (Eks, Diagnostics) {
    let mut eks = Eks::default();
    let mut policies = Vec::new();
    let mut d = Diagnostics::new(name);
    read_text(name, text, cluster, &mut eks, &mut policies, &mut d);
    for (arn, p) in policies {
        if let Some(e) = eks.entries.iter_mut().find(|e| e.principal_arn == arn) {
            e.policies.push(p);
        }
    }
    eks.files = 1;
    (eks, d)
}

/// Reads one file's answers into `eks`.
pub(crate) fn read_text(
    name: &str,
    text: &str,
    cluster: Option<&str>,
    eks: &mut Eks,
    policies: &mut Vec<(String, AccessPolicy)>,
    d: &mut Diagnostics,
) {
    let Some(values) = crate::source::json_answers(text, d) else {
        return;
    };
    for (i, v) in values.iter().enumerate() {
        let at = format!("answer {}", i + 1);
        let mut warn = |message: String, help: &str| {
            d.push(
                Diagnostic::warning(codes::EKS_ANSWER, None, message)
                    .about(at.clone())
                    .help(help),
            )
        };
        // An empty `cluster` takes every cluster's answers.
        let other_cluster =
            |c: Option<&str>| c.is_some_and(|c| cluster.is_some_and(|want| c != want));
        if let Some(c) = v.get("cluster") {
            let cname = str_of(c, "name").unwrap_or_default().to_string();
            if other_cluster(Some(&cname)) {
                warn(
                    format!(
                        "describe-cluster of {}, not of {}: skipped",
                        quote(&cname),
                        quote(cluster.unwrap_or_default())
                    ),
                    "put each cluster's answers in its own directory",
                );
                continue;
            }
            let access = c.get("accessConfig");
            eks.cluster = Some(Cluster {
                name: cname,
                arn: str_of(c, "arn").map(str::to_string),
                issuer: c
                    .get("identity")
                    .and_then(|i| i.get("oidc"))
                    .and_then(|o| str_of(o, "issuer"))
                    .map(|s| s.trim_start_matches("https://").to_string()),
                mode: access
                    .and_then(|a| str_of(a, "authenticationMode"))
                    .and_then(AuthMode::parse),
                bootstrap_creator_admin: access
                    .and_then(|a| a.get("bootstrapClusterCreatorAdminPermissions"))
                    .and_then(Value::as_bool),
            });
        } else if let Some(e) = v.get("accessEntry") {
            if foreign(
                str_of(e, "clusterName"),
                cluster,
                "an access entry",
                &mut warn,
            ) {
                continue;
            }
            let Some(arn) = str_of(e, "principalArn") else {
                warn(
                    "an access entry without `principalArn`: skipped".into(),
                    "save the whole describe-access-entry answer",
                );
                continue;
            };
            eks.entries.push(AccessEntry {
                principal_arn: arn.to_string(),
                username: str_of(e, "username").map(str::to_string),
                groups: strings(e.get("kubernetesGroups")),
                kind: str_of(e, "type").unwrap_or("STANDARD").to_string(),
                policies: Vec::new(),
                file: name.to_string(),
            });
        } else if let Some(list) = v.get("associatedAccessPolicies").cloned().or_else(|| {
            v.get("associatedAccessPolicy")
                .map(|p| Value::Array(vec![p.clone()]))
        }) {
            let list = &list;
            if foreign(
                str_of(v, "clusterName"),
                cluster,
                "access policies",
                &mut warn,
            ) {
                continue;
            }
            let Some(arn) = str_of(v, "principalArn") else {
                warn(
                    "associated access policies without `principalArn`: skipped".into(),
                    "save the whole list-associated-access-policies answer",
                );
                continue;
            };
            for p in list.as_array().into_iter().flatten() {
                let Some(policy) = str_of(p, "policyArn") else {
                    continue;
                };
                let scope = p.get("accessScope");
                let namespaced = scope.and_then(|s| str_of(s, "type")) == Some("namespace");
                policies.push((
                    arn.to_string(),
                    AccessPolicy {
                        name: policy.rsplit('/').next().unwrap_or(policy).to_string(),
                        namespaces: if namespaced {
                            strings(scope.and_then(|s| s.get("namespaces")))
                        } else {
                            Vec::new()
                        },
                    },
                ));
            }
        } else if let Some(config) = v
            .get("identityProviderConfig")
            .map(|c| c.get("oidc").unwrap_or(c))
        {
            if foreign(
                str_of(config, "clusterName"),
                cluster,
                "an identity provider config",
                &mut warn,
            ) {
                continue;
            }
            let Some(issuer) = str_of(config, "issuerUrl") else {
                warn(
                    "an identity provider config without `issuerUrl`: skipped".into(),
                    "save the whole describe-identity-provider-config answer",
                );
                continue;
            };
            eks.identity_providers.push(IdentityProvider {
                name: str_of(config, "identityProviderConfigName")
                    .unwrap_or(issuer)
                    .to_string(),
                issuer: issuer.to_string(),
                // Kubernetes prefixes a username from any claim but `email` with the issuer
                // and `#` unless the config names a prefix.
                username_prefix: match (
                    str_of(config, "usernamePrefix"),
                    str_of(config, "usernameClaim"),
                ) {
                    (Some(p), _) => p.to_string(),
                    (None, Some("email")) => String::new(),
                    (None, _) => format!("{issuer}#"),
                },
                groups_prefix: str_of(config, "groupsClaim").map(|_| {
                    str_of(config, "groupsPrefix")
                        .unwrap_or_default()
                        .to_string()
                }),
                file: name.to_string(),
            });
        } else if let Some(a) = v.get("association") {
            if foreign(
                str_of(a, "clusterName"),
                cluster,
                "a pod identity association",
                &mut warn,
            ) {
                continue;
            }
            match (
                str_of(a, "namespace"),
                str_of(a, "serviceAccount"),
                str_of(a, "roleArn"),
            ) {
                (Some(ns), Some(sa), Some(role)) => eks.pod_identities.push(PodIdentity {
                    namespace: ns.to_string(),
                    service_account: sa.to_string(),
                    role_arn: role.to_string(),
                    target_role_arn: str_of(a, "targetRoleArn").map(str::to_string),
                    file: name.to_string(),
                }),
                _ => warn(
                    "a pod identity association without namespace, serviceAccount or roleArn: skipped".into(),
                    "save the describe-pod-identity-association answer (list-pod-identity-associations omits the role)",
                ),
            }
        } else if v.get("accessEntries").is_some()
            || v.get("associations").is_some()
            || v.get("accessPolicies").is_some()
        {
            warn(
                "a list answer names entries without what they grant: skipped".into(),
                "save `eks describe-access-entry` and `eks describe-pod-identity-association` for each",
            );
        } else {
            warn(
                "not an EKS answer authpath reads (describe-cluster, describe-access-entry, list-associated-access-policies, describe-pod-identity-association, describe-identity-provider-config): skipped".into(),
                "remove the file, or save one of those answers in it",
            );
        }
    }
}

/// The key under which EKS matches an IAM principal: its ARN without case and, for a
/// role, without its path (the authenticator's canonical form).
pub fn same_principal(arn: &str) -> String {
    let lower = arn.to_ascii_lowercase();
    match lower.split_once(":role/") {
        Some((head, role)) => format!("{head}:role/{}", role.rsplit('/').next().unwrap_or(role)),
        None => lower,
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether an answer names another cluster than `cluster` (none: every cluster is wanted);
/// if so, a warning says `what` was skipped.
fn foreign(
    named: Option<&str>,
    cluster: Option<&str>,
    what: &str,
    warn: &mut impl FnMut(String, &str),
) -> bool {
    let other = named.is_some_and(|c| cluster.is_some_and(|want| c != want));
    if other {
        warn(
            format!("{what} of another cluster: skipped"),
            "put each cluster's answers in its own directory",
        );
    }
    other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_recognised_by_shape_one_or_many_per_file() {
        let mut eks = Eks::default();
        let mut policies = Vec::new();
        let mut d = Diagnostics::new("a.json");
        let text = r#"{"cluster": {"name": "c", "identity": {"oidc": {"issuer": "https://oidc.eks.us-east-2.amazonaws.com/id/X"}}, "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"}}}
[{"accessEntry": {"clusterName": "c", "principalArn": "arn:aws:iam::1:role/a", "kubernetesGroups": ["g"], "type": "STANDARD"}},
 {"accessEntry": {"clusterName": "c", "principalArn": "arn:aws:iam::1:role/node", "type": "EC2_LINUX"}}]
{"associatedAccessPolicies": [{"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", "accessScope": {"type": "namespace", "namespaces": ["dev-*"]}}], "clusterName": "c", "principalArn": "arn:aws:iam::1:role/a"}
{"association": {"clusterName": "c", "namespace": "apps", "serviceAccount": "web", "roleArn": "arn:aws:iam::1:role/web"}}
{"something": "else"}"#;
        read_text("a.json", text, Some("c"), &mut eks, &mut policies, &mut d);
        let c = eks.cluster.unwrap();
        assert_eq!(c.mode, Some(AuthMode::ApiAndConfigMap));
        assert_eq!(
            c.issuer.as_deref(),
            Some("oidc.eks.us-east-2.amazonaws.com/id/X")
        );
        assert_eq!(eks.entries.len(), 2);
        assert!(eks.entries[1].is_node());
        assert_eq!(policies[0].1.namespaces, ["dev-*"]);
        assert_eq!(eks.pod_identities[0].service_account, "web");
        assert_eq!(d.warning_count(), 1, "{}", d.render());
    }

    #[test]
    fn broken_json_is_an_error_at_its_place() {
        let mut d = Diagnostics::new("a.json");
        read_text(
            "a.json",
            "{\"cluster\": {\n  \"name\": }",
            Some("c"),
            &mut Eks::default(),
            &mut Vec::new(),
            &mut d,
        );
        assert!(d.has_errors());
        assert!(d.render().contains("a.json:2:"), "{}", d.render());
    }
}
