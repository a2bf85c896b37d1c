//! Kubernetes RBAC manifests into an authority graph (`authpath import k8s`).
//!
//! Identities (service accounts, users, groups), roles and bindings become nodes and
//! `member_of` edges; rules become `grants` on resource nodes; and the privilege-escalation
//! paths Kubernetes' RBAC good-practices guide lists become `exposes`, `assumes`,
//! `admin_of` and `mints` edges from the role that holds the permission. Each derivation is
//! documented, with its source, in `docs/k8s-import.md`; every edge carries `derived_from`
//! naming the binding or rule that produced it.
//!
//! `manifest` reads the objects, `build` turns them into the graph phase by phase, `rbac`
//! answers what rules allow, and `escalation` holds the paths, one function each.

mod awsauth;
mod build;
mod builtin;
mod eks;
mod escalation;
#[cfg(feature = "generators")]
pub mod generate;
pub mod manifest;
pub mod rbac;

use super::GraphBuilder;
use crate::diagnostics::Diagnostics;
use crate::timestamp::Timestamp;
use build::Builder;
use manifest::Manifests;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Options {
    /// The namespace of namespaced objects that name none (`kubectl apply -n`).
    pub namespace: String,
    /// Clusters before 1.24 stored every service account's token in a Secret.
    pub legacy_sa_tokens: bool,
    /// Written as the graph's `as_of` when given.
    pub as_of: Option<Timestamp>,
    /// A file without Kubernetes objects found in a directory is an error, not skipped,
    /// and any warning fails the import.
    pub strict: bool,
    /// The sensitivity of every Secret's node (a policy can make them critical by their
    /// tags `k8s-secret` and `k8s-secret-type:TYPE`).
    pub secret_sensitivity: crate::model::Sensitivity,
    /// The cluster's EKS answers (its authentication mode, access entries and policies, pod
    /// identity associations), when it is an EKS cluster whose AWS side is known.
    pub eks: Option<crate::import::eks::Eks>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            namespace: "default".into(),
            legacy_sa_tokens: false,
            as_of: None,
            strict: false,
            secret_sensitivity: crate::model::Sensitivity::High,
            eks: None,
        }
    }
}

/// What an import produced: the graph (absent when any input had an error) and every
/// problem, per file.
#[derive(Debug)]
pub struct Import {
    pub graph: Option<GraphBuilder>,
    pub problems: Vec<Diagnostics>,
    pub files: usize,
    pub documents: usize,
    pub objects: usize,
    /// Objects of kinds not modelled: per kind, the name of each.
    pub skipped: BTreeMap<String, Vec<String>>,
    /// What the cluster's inputs cannot tell (what, why): an EKS cluster's creator, whose
    /// admin no object records; an access policy whose rules are not known.
    pub gaps: Vec<(String, String)>,
}

impl Import {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Diagnostics::has_errors)
    }
}

/// Reads the manifests under `paths` and builds their graph.
pub fn import(paths: &[PathBuf], opts: &Options) -> Import {
    build(manifest::read_paths(paths, opts.strict), opts)
}

/// Builds the graph of the manifests in `bytes` (one file named `name`).
pub fn import_bytes(name: &str, bytes: &[u8], opts: &Options) -> Import {
    build(manifest::read_bytes(name, bytes), opts)
}

fn build(manifests: Manifests, opts: &Options) -> Import {
    let Manifests {
        mut objects,
        skipped,
        files,
        documents,
        problems,
    } = manifests;
    let mut problems: BTreeMap<String, Diagnostics> =
        problems.into_iter().map(|d| (d.file.clone(), d)).collect();
    let failed = problems.values().any(Diagnostics::has_errors);
    let count = objects.len();
    let gaps = eks_access(&mut objects, opts, &mut problems);
    let graph = if failed {
        None
    } else {
        Some(Builder::new(opts, &mut problems).build(objects))
    };
    Import {
        graph,
        problems: problems.into_values().collect(),
        files,
        documents,
        objects: count,
        skipped,
        gaps,
    }
}

/// Files a problem under its file's diagnostics.
fn push_problem(
    problems: &mut BTreeMap<String, Diagnostics>,
    file: &str,
    d: crate::diagnostics::Diagnostic,
) {
    problems
        .entry(file.to_string())
        .or_insert_with(|| Diagnostics::new(file))
        .push(d);
}

/// Adds the objects an EKS cluster's access policies stand for, and says what the
/// cluster's inputs cannot tell.
fn eks_access(
    objects: &mut Vec<(manifest::Object, manifest::Origin)>,
    opts: &Options,
    problems: &mut BTreeMap<String, Diagnostics>,
) -> Vec<(String, String)> {
    use crate::diagnostics::{Diagnostic, codes};
    let mut gaps = Vec::new();
    let has_aws_auth = objects
        .iter()
        .any(|(o, _)| matches!(o, manifest::Object::AwsAuth(_)));
    let Some(e) = &opts.eks else {
        if has_aws_auth {
            gaps.push((
                "cluster creator".into(),
                "the cluster's describe-cluster answer is not given: whether the IAM principal that created it holds system:masters that no object shows is unknown".into(),
            ));
        }
        return gaps;
    };
    let mode = e.cluster.as_ref().and_then(|c| c.mode);
    match &e.cluster {
        None => gaps.push((
            "authentication mode".into(),
            "no describe-cluster answer: aws-auth and access entries are both counted".into(),
        )),
        Some(c) if c.mode.is_none_or(|m| m == crate::import::eks::AuthMode::ConfigMap) => {
            gaps.push((
                "cluster creator".into(),
                "CONFIG_MAP clusters do not record it: the IAM principal that created the cluster holds system:masters that no object shows".into(),
            ))
        }
        Some(_) => {}
    }
    if mode.is_some_and(|m| !m.reads_entries()) {
        return gaps;
    }
    let known: std::collections::BTreeSet<String> = objects
        .iter()
        .flat_map(|(o, _)| {
            let meta = manifest::metadata(o);
            let own = matches!(o, manifest::Object::Namespace(_))
                .then(|| meta.name.clone())
                .flatten();
            [meta.namespace.clone(), own]
        })
        .flatten()
        .collect();
    let (extra, unknown) = eks::policy_objects(e, &known);
    objects.extend(extra);
    for (principal, policy) in unknown {
        push_problem(
            problems,
            "EKS access policies",
            Diagnostic::warning(
                codes::EKS_ACCESS,
                None,
                format!("access policy {policy} of {principal}: its rules are not known to authpath, so it grants nothing here"),
            )
            .help("the EKS User Guide gives no rule table for it; coverage lists it as undecided"),
        );
        gaps.push((
            format!("access policy {policy} of {principal}"),
            "its Kubernetes rules are not published as a table: not evaluated".into(),
        ));
    }
    gaps
}

/// Node ids, one scheme so that findings stay stable across imports.
pub mod ids {
    pub fn namespace(ns: &str) -> String {
        format!("k8s:ns:{ns}")
    }
    pub(crate) fn service_account(ns: &str, name: &str) -> String {
        format!("k8s:sa:{ns}/{name}")
    }
    pub fn user(name: &str) -> String {
        format!("k8s:user:{name}")
    }
    pub fn group(name: &str) -> String {
        format!("k8s:group:{name}")
    }
    pub(crate) fn cluster_role(name: &str) -> String {
        format!("k8s:clusterrole:{name}")
    }
    /// A ClusterRole bound by a RoleBinding: its rules, only inside `ns`.
    pub(crate) fn cluster_role_in(ns: &str, name: &str) -> String {
        format!("k8s:clusterrole:{ns}/{name}")
    }
    pub fn role(ns: &str, name: &str) -> String {
        format!("k8s:role:{ns}/{name}")
    }
    pub fn workload(ns: &str, kind: &str, name: &str) -> String {
        format!("k8s:workload:{ns}/{kind}/{name}")
    }
    /// `scope` is a namespace or `*` (cluster-wide).
    pub fn resource(scope: &str, group: &str, resource: &str, name: Option<&str>) -> String {
        match name {
            Some(n) => format!("k8s:res:{scope}:{group}/{resource}/{n}"),
            None => format!("k8s:res:{scope}:{group}/{resource}"),
        }
    }
    pub fn secret(ns: &str, name: &str) -> String {
        format!("k8s:secret:{ns}/{name}")
    }
    pub(crate) fn legacy_token(ns: &str, sa: &str) -> String {
        format!("k8s:token:{ns}/{sa}")
    }
}

/// Where a role's rules apply: one namespace, or the whole cluster.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Scope {
    Cluster,
    Namespace(String),
}

impl Scope {
    fn id_part(&self) -> &str {
        match self {
            Scope::Cluster => "*",
            Scope::Namespace(ns) => ns,
        }
    }

    fn contains(&self, ns: &str) -> bool {
        match self {
            Scope::Cluster => true,
            Scope::Namespace(n) => n == ns,
        }
    }

    fn words(&self) -> String {
        match self {
            Scope::Cluster => "cluster-wide".into(),
            Scope::Namespace(ns) => format!("in namespace {ns}"),
        }
    }
}
