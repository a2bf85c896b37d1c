//! The privilege-escalation paths of Kubernetes' RBAC good-practices guide, one small
//! function each: given a role node's rules and scope, the edges they give it beyond its
//! grants. Each implements one numbered rule of `docs/k8s-import.md`, which gives its
//! sources; the edge's `derived_from` says which.

use super::manifest::PolicyRule;
use super::rbac::{self, Names};
use super::{Scope, ids};
use crate::import::GraphBuilder;
use crate::model::{EdgeKind, Level, NodeKind};
use std::collections::{BTreeMap, BTreeSet};

/// A node whose rules give edges: a Role, a ClusterRole, or a ClusterRole held in one
/// namespace.
pub(super) struct RoleNode {
    pub id: String,
    pub scope: Scope,
    pub rules: Vec<PolicyRule>,
    /// Tagged tier0: it may already do everything.
    pub tier0: bool,
}

/// Every role's rules, by the names bindings and derivations use for them.
pub(super) struct RoleIndex {
    /// ClusterRole name → its effective rules (aggregation applied).
    pub cluster_rules: BTreeMap<String, Vec<PolicyRule>>,
    /// (namespace, Role name) → its rules.
    pub role_rules: BTreeMap<(String, String), Vec<PolicyRule>>,
    /// (namespace, ClusterRole name) of every ClusterRole held inside one namespace.
    pub instances: BTreeSet<(String, String)>,
}

/// What the escalation paths need of the graph being built. The build implements it, so
/// that this table of paths depends on no phase of the build.
pub(super) trait Graph {
    fn graph(&mut self) -> &mut GraphBuilder;
    /// The node of a Kubernetes user (created on first use).
    fn user(&mut self, name: &str) -> String;
    /// The node of a Kubernetes group (created on first use).
    fn group(&mut self, name: &str) -> String;
    /// `role -kind-> account` for every service account in scope that `names` covers.
    fn edges_to_accounts(
        &mut self,
        role: &str,
        scope: &Scope,
        names: &Names,
        kind: EdgeKind,
        why: &str,
    );
    /// `role -admin_of-> workload` for every workload in scope that `pick(kind, name)` takes.
    fn admin_of_workloads(
        &mut self,
        role: &str,
        scope: &Scope,
        why: &str,
        pick: &dyn Fn(&str, &str) -> bool,
    );
    /// The resource node for (scope, group, resource, name), created on first use.
    fn resource(
        &mut self,
        scope: &Scope,
        group: &str,
        resource: &str,
        name: Option<&str>,
        reads: bool,
    ) -> String;
}

/// Workload controllers, with the API groups and resources they are written through: each
/// creates pods from a template that names the account they run as.
const POD_CONTROLLERS: &[(&str, &str, &str)] = &[
    ("Deployment", "apps", "deployments"),
    ("Deployment", "extensions", "deployments"),
    ("StatefulSet", "apps", "statefulsets"),
    ("DaemonSet", "apps", "daemonsets"),
    ("DaemonSet", "extensions", "daemonsets"),
    ("ReplicaSet", "apps", "replicasets"),
    ("ReplicaSet", "extensions", "replicasets"),
    ("Job", "batch", "jobs"),
    ("CronJob", "batch", "cronjobs"),
    ("ReplicationController", "", "replicationcontrollers"),
];

const WRITE: &[&str] = &["create", "update", "patch"];

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Resources that exist only cluster-wide: a Role (or a RoleBinding's scope) cannot grant
/// them.
fn is_cluster_scoped(resource: &str) -> bool {
    let base = resource.split('/').next().unwrap_or(resource);
    matches!(
        base,
        "nodes"
            | "namespaces"
            | "persistentvolumes"
            | "clusterroles"
            | "clusterrolebindings"
            | "certificatesigningrequests"
            | "signers"
            | "mutatingwebhookconfigurations"
            | "validatingwebhookconfigurations"
            | "customresourcedefinitions"
            | "storageclasses"
            | "priorityclasses"
            | "apiservices"
            | "tokenreviews"
            | "subjectaccessreviews"
            | "selfsubjectaccessreviews"
            | "selfsubjectrulesreviews"
    )
}

type Path = fn(&mut dyn Graph, &RoleNode, &RoleIndex);

/// The paths, in the order their edges are drawn (the order that first creates a node
/// decides its kind and name), each named for the rule of docs/k8s-import.md it implements.
pub(super) const PATHS: &[(&str, Path)] = &[
    ("runs-pods", runs_pods),
    ("writes-workloads", writes_workloads),
    ("exec-attach", exec_attach),
    (
        "impersonates-service-accounts",
        impersonates_service_accounts,
    ),
    (
        "impersonates-users-and-groups",
        impersonates_users_and_groups,
    ),
    ("binds-roles", binds_roles),
    ("binds-clusterroles", binds_clusterroles),
    (
        "binds-clusterroles-in-namespaces",
        binds_clusterroles_in_namespaces,
    ),
    ("token-request", token_request),
    ("creates-and-reads-secrets", creates_and_reads_secrets),
    ("nodes-proxy", nodes_proxy),
    ("approves-client-certificates", approves_client_certificates),
    ("admission-webhooks", admission_webhooks),
];

/// The edges one role's rules give it, within its scope: its grants, and unless it may
/// already do everything, every path it holds.
pub(super) fn derive(b: &mut dyn Graph, role: &RoleNode, index: &RoleIndex) {
    grants(b, role);
    // A role that may do everything gains nothing from the paths: drawing them would only
    // report its members again through it.
    if role.tier0 {
        return;
    }
    for (_, path) in PATHS {
        path(b, role, index);
    }
}

/// Permissions as grants on resource nodes.
fn grants(b: &mut dyn Graph, role: &RoleNode) {
    for ((group, resource, name), access) in rbac::targets(&role.rules) {
        if matches!(role.scope, Scope::Namespace(_)) && is_cluster_scoped(&resource) {
            continue; // a namespaced grant on a cluster-scoped resource grants nothing
        }
        let id = b.resource(
            &role.scope,
            &group,
            &resource,
            name.as_deref(),
            access.reads,
        );
        let verbs: Vec<&str> = access.verbs.iter().map(String::as_str).collect();
        let why = format!("verbs: {}", verbs.join(", "));
        b.graph()
            .edge(&role.id, &id, EdgeKind::Grants, access.level, &why);
    }
}

/// Rule 2: creating pods, or creating or changing anything that creates pods (the template
/// names the account), runs code as any account there.
fn runs_pods(b: &mut dyn Graph, role: &RoleNode, _: &RoleIndex) {
    let rules = &role.rules;
    let runs = rbac::allows(rules, "", "pods", &["create"]) == Some(Names::All)
        || POD_CONTROLLERS
            .iter()
            .any(|(_, g, res)| rbac::allows(rules, g, res, WRITE) == Some(Names::All));
    if runs {
        let why = format!(
            "runs pods {}: as any service account there",
            role.scope.words()
        );
        b.edges_to_accounts(&role.id, &role.scope, &Names::All, EdgeKind::Assumes, &why);
    }
}

/// Rule 3: changing a workload changes the code that runs as its account.
fn writes_workloads(b: &mut dyn Graph, role: &RoleNode, _: &RoleIndex) {
    for (kind, g, res) in POD_CONTROLLERS.iter().chain([&("Pod", "", "pods")]) {
        if let Some(names) = rbac::allows(&role.rules, g, res, WRITE) {
            let why = format!("writes {res} {}", role.scope.words());
            // Every workload runs as pods, and a running pod's image can be patched: write
            // on all pods reaches the pods behind every controller too.
            let pods_of_any = *res == "pods" && names == Names::All;
            b.admin_of_workloads(&role.id, &role.scope, &why, &|k, name| {
                (k == *kind && names.covers(name)) || pods_of_any
            });
        }
    }
}

/// Rule 4: exec/attach: a shell in a pod is its account.
fn exec_attach(b: &mut dyn Graph, role: &RoleNode, _: &RoleIndex) {
    for sub in ["pods/exec", "pods/attach"] {
        if let Some(names) = rbac::allows(&role.rules, "", sub, &["create", "get"]) {
            let why = format!("{sub} {}", role.scope.words());
            b.admin_of_workloads(&role.id, &role.scope, &why, &|k, name| {
                names == Names::All || (k == "Pod" && names.covers(name))
            });
        }
    }
}

/// Rule 5, service accounts: impersonating one acts as it.
fn impersonates_service_accounts(b: &mut dyn Graph, role: &RoleNode, _: &RoleIndex) {
    if let Some(names) = rbac::allows(&role.rules, "", "serviceaccounts", &["impersonate"]) {
        let why = format!("impersonates service accounts {}", role.scope.words());
        b.edges_to_accounts(&role.id, &role.scope, &names, EdgeKind::Assumes, &why);
    }
}

/// Rule 5, users and groups (cluster-wide only: they are not namespaced).
fn impersonates_users_and_groups(b: &mut dyn Graph, role: &RoleNode, _: &RoleIndex) {
    if role.scope != Scope::Cluster {
        return;
    }
    let rules = &role.rules;
    for (res, kind) in [("users", NodeKind::Human), ("groups", NodeKind::Group)] {
        let Some(names) = rbac::allows(rules, "", res, &["impersonate"]) else {
            continue;
        };
        // A request impersonates groups only together with a user or an account.
        if res == "groups"
            && rbac::allows(rules, "", "users", &["impersonate"]).is_none()
            && rbac::allows(rules, "", "serviceaccounts", &["impersonate"]).is_none()
        {
            continue;
        }
        let why = format!("impersonates {res}");
        let make = if kind == NodeKind::Human {
            ids::user
        } else {
            ids::group
        };
        let prefix = make("");
        let mut targets: BTreeSet<String> = b
            .graph()
            .nodes()
            // Users are people or components (services); both are impersonated.
            .filter(|(id, n)| {
                (n.kind == kind || kind == NodeKind::Human) && id.starts_with(&prefix)
            })
            .map(|(id, _)| id[prefix.len()..].to_string())
            .filter(|n| names.covers(n))
            .collect();
        match &names {
            Names::Only(named) => targets.extend(named.iter().cloned()),
            // Any group may be impersonated, system:masters included.
            Names::All if kind == NodeKind::Group => {
                targets.insert("system:masters".into());
            }
            Names::All => {}
        }
        for t in targets {
            let id = make(&t);
            if !b.graph().has_node(&id) {
                if kind == NodeKind::Human {
                    b.user(&t);
                } else {
                    b.group(&t);
                }
            }
            b.graph()
                .edge(&role.id, &id, EdgeKind::Assumes, Level::Admin, &why);
        }
    }
}

/// The names of `res` these rules may `verb`, when they may also write `paired` with one of
/// `paired_verbs`: RBAC lets `bind` or `escalate` act only together with that write.
fn may(
    rules: &[PolicyRule],
    res: &str,
    verb: &str,
    paired: &str,
    paired_verbs: &[&str],
) -> Option<Names> {
    rbac::allows(rules, RBAC_GROUP, res, &[verb])
        .filter(|_| rbac::allows(rules, RBAC_GROUP, paired, paired_verbs).is_some())
}

fn either(a: Option<Names>, b: Option<Names>) -> Option<Names> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.union(b)),
        (a, b) => a.or(b),
    }
}

/// Rule 6: bind (with the right to write bindings) or escalate (with the right to change
/// the role): a role one may bind freely or rewrite is a role one holds (RBAC reference,
/// "Restrictions on role binding creation or update" and "…on role creation or update").
fn binds_roles(b: &mut dyn Graph, role: &RoleNode, index: &RoleIndex) {
    let rules = &role.rules;
    let Some(names) = either(
        may(rules, "roles", "bind", "rolebindings", WRITE),
        may(rules, "roles", "escalate", "roles", &["update", "patch"]),
    ) else {
        return;
    };
    let why = format!("binds or escalates roles {}", role.scope.words());
    for (ns, name) in index.role_rules.keys() {
        if role.scope.contains(ns) && names.covers(name) {
            let id = ids::role(ns, name);
            if id != role.id {
                b.graph()
                    .edge(&role.id, &id, EdgeKind::AdminOf, Level::Admin, &why);
            }
        }
    }
}

/// Rule 7, in the role's own scope: ClusterRoles it may bind there, or (cluster-wide)
/// rewrite.
fn binds_clusterroles(b: &mut dyn Graph, role: &RoleNode, index: &RoleIndex) {
    let rules = &role.rules;
    let binding_kind = match role.scope {
        Scope::Cluster => "clusterrolebindings",
        Scope::Namespace(_) => "rolebindings",
    };
    let Some(names) = either(
        may(rules, "clusterroles", "bind", binding_kind, WRITE),
        may(
            rules,
            "clusterroles",
            "escalate",
            "clusterroles",
            &["update", "patch"],
        )
        .filter(|_| role.scope == Scope::Cluster),
    ) else {
        return;
    };
    let why = format!("binds or escalates clusterroles {}", role.scope.words());
    let targets: Vec<String> = match &role.scope {
        Scope::Cluster => index
            .cluster_rules
            .keys()
            .filter(|n| names.covers(n))
            .map(|n| ids::cluster_role(n))
            .collect(),
        Scope::Namespace(ns) => index
            .instances
            .iter()
            .filter(|(i, n)| i == ns && names.covers(n))
            .map(|(i, n)| ids::cluster_role_in(i, n))
            .collect(),
    };
    for id in targets {
        if id != role.id {
            b.graph()
                .edge(&role.id, &id, EdgeKind::AdminOf, Level::Admin, &why);
        }
    }
}

/// Rule 7, cluster-wide: binding ClusterRoles with RoleBindings holds them in every
/// namespace.
fn binds_clusterroles_in_namespaces(b: &mut dyn Graph, role: &RoleNode, index: &RoleIndex) {
    if role.scope != Scope::Cluster {
        return;
    }
    let Some(names) = binds_in_namespaces(&role.rules) else {
        return;
    };
    let why = "binds clusterroles in any namespace";
    for (ns, n) in &index.instances {
        let id = ids::cluster_role_in(ns, n);
        if names.covers(n) && id != role.id {
            b.graph()
                .edge(&role.id, &id, EdgeKind::AdminOf, Level::Admin, why);
        }
    }
}

/// The ClusterRoles these rules may bind with RoleBindings: `bind` on them and the right to
/// write RoleBindings (RBAC reference, "Restrictions on role binding creation or update").
pub(super) fn binds_in_namespaces(rules: &[PolicyRule]) -> Option<Names> {
    may(rules, "clusterroles", "bind", "rolebindings", WRITE)
}

/// Rule 8: token requests mint a service account's credentials.
fn token_request(b: &mut dyn Graph, role: &RoleNode, _: &RoleIndex) {
    if let Some(names) = rbac::allows(&role.rules, "", "serviceaccounts/token", &["create"]) {
        let why = format!("creates service-account tokens {}", role.scope.words());
        b.edges_to_accounts(&role.id, &role.scope, &names, EdgeKind::Mints, &why);
    }
}

/// Rule 9: creating a token Secret for an account (the token controller fills it in) that
/// one may then read mints its token — any Secret, since the new one's name is not known to
/// a rule's resourceNames.
fn creates_and_reads_secrets(b: &mut dyn Graph, role: &RoleNode, _: &RoleIndex) {
    let rules = &role.rules;
    if rbac::allows(rules, "", "secrets", &["create"]) == Some(Names::All)
        && rbac::allows(rules, "", "secrets", &["get", "list", "watch"]) == Some(Names::All)
    {
        let why = format!(
            "creates and reads Secrets {}: can have a token issued into one",
            role.scope.words()
        );
        b.edges_to_accounts(&role.id, &role.scope, &Names::All, EdgeKind::Mints, &why);
    }
}

/// Rule 10: the kubelet API behind nodes/proxy runs commands in any pod.
fn nodes_proxy(b: &mut dyn Graph, role: &RoleNode, _: &RoleIndex) {
    if role.scope == Scope::Cluster
        && rbac::allows(&role.rules, "", "nodes/proxy", &["get", "create"]).is_some()
    {
        let why = "nodes/proxy: the kubelet API runs commands in any pod";
        b.admin_of_workloads(&role.id, &role.scope, why, &|_, _| true);
    }
}

/// Rule 11: creating a client certificate request and approving it for the API server's
/// client signer issues any identity, the system:masters group included.
fn approves_client_certificates(b: &mut dyn Graph, role: &RoleNode, _: &RoleIndex) {
    if role.scope != Scope::Cluster {
        return;
    }
    let rules = &role.rules;
    let certs = "certificates.k8s.io";
    let approves = rbac::allows(rules, certs, "certificatesigningrequests", &["create"]).is_some()
        && rbac::allows(
            rules,
            certs,
            "certificatesigningrequests/approval",
            &["update", "patch"],
        )
        .is_some()
        && rbac::allows(rules, certs, "signers", &["approve"]).is_some_and(|n| {
            // Signer names may end in `/*`: every signer of that domain.
            n.covers("kubernetes.io/kube-apiserver-client") || n.covers("kubernetes.io/*")
        });
    if approves {
        let masters = b.group("system:masters");
        b.graph().edge(&role.id, &masters, EdgeKind::Assumes, Level::Admin, "creates and approves client certificate requests: can issue a system:masters certificate");
    }
}

/// Rule 12: admission webhooks see every object written (Secrets included); mutating ones
/// also rewrite every pod created, the account it runs as included.
fn admission_webhooks(b: &mut dyn Graph, role: &RoleNode, _: &RoleIndex) {
    if role.scope != Scope::Cluster {
        return;
    }
    let admission = "admissionregistration.k8s.io";
    let mutating = rbac::allows(
        &role.rules,
        admission,
        "mutatingwebhookconfigurations",
        WRITE,
    )
    .is_some();
    let validating = rbac::allows(
        &role.rules,
        admission,
        "validatingwebhookconfigurations",
        WRITE,
    )
    .is_some();
    if mutating || validating {
        let secrets = b.resource(&Scope::Cluster, "", "secrets", None, true);
        b.graph().edge(
            &role.id,
            &secrets,
            EdgeKind::Grants,
            Level::Read,
            "controls admission webhooks: sees every Secret written",
        );
    }
    if mutating {
        let why = "controls mutating webhooks: rewrites any pod to run as any account";
        b.edges_to_accounts(&role.id, &role.scope, &Names::All, EdgeKind::Assumes, why);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_names_are_unique_kebab_case() {
        let mut names: Vec<&str> = PATHS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PATHS.len());
        assert!(
            names
                .iter()
                .all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        );
    }
}
