//! Kubernetes RBAC manifests into an authority graph (`authpath import k8s`).
//!
//! Identities (service accounts, users, groups), roles and bindings become nodes and
//! `member_of` edges; rules become `grants` on resource nodes; and the privilege-escalation
//! paths Kubernetes' RBAC good-practices guide lists become `exposes`, `assumes`,
//! `admin_of` and `mints` edges from the role that holds the permission. Each derivation is
//! documented, with its source, in `docs/k8s-import.md`; every edge carries `derived_from`
//! naming the binding or rule that produced it.

mod builtin;
#[cfg(feature = "generators")]
pub mod generate;
pub mod manifest;
pub mod rbac;

use super::GraphBuilder;
use crate::diagnostics::{Diagnostic, Diagnostics, quote};
use crate::model::{EdgeKind, Level, NodeKind, Sensitivity, Span};
use crate::timestamp::Timestamp;
use manifest::{BindingObject, Manifests, Meta, Object, Origin, PolicyRule, RoleObject, Workload};
use rbac::Names;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Options {
    /// The namespace of namespaced objects that name none (`kubectl apply -n`).
    pub namespace: String,
    /// Clusters before 1.24 stored every service account's token in a Secret.
    pub legacy_sa_tokens: bool,
    /// Written as the graph's `as_of` when given.
    pub as_of: Option<Timestamp>,
    /// A file without Kubernetes objects found in a directory is an error, not skipped.
    pub strict: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            namespace: "default".into(),
            legacy_sa_tokens: false,
            as_of: None,
            strict: false,
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
    /// Objects of kinds not modelled, per kind.
    pub skipped: BTreeMap<String, usize>,
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
        objects,
        skipped,
        files,
        documents,
        problems,
    } = manifests;
    let mut problems: BTreeMap<String, Diagnostics> =
        problems.into_iter().map(|d| (d.file.clone(), d)).collect();
    let failed = problems.values().any(Diagnostics::has_errors);
    let count = objects.len();
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
    }
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

const WRITE: &[&str] = &["create", "update", "patch"];

struct RoleNode {
    id: String,
    scope: Scope,
    rules: Vec<PolicyRule>,
    /// Tagged tier0: it may already do everything.
    tier0: bool,
}

struct ResourceNode {
    scope: Scope,
    group: String,
    resource: String,
    name: Option<String>,
    id: String,
}

struct TokenCred {
    id: String,
    ns: String,
    /// The account it authenticates as.
    account: String,
    /// The Secret's name; `None` for a legacy token whose Secret name is not known.
    secret: Option<String>,
}

struct Builder<'a> {
    opts: &'a Options,
    problems: &'a mut BTreeMap<String, Diagnostics>,
    g: GraphBuilder,
    /// (namespace, name) of every service account known, from any mention.
    accounts: BTreeMap<(String, String), Option<bool>>,
    workloads: Vec<(String, Workload)>,
    resources: Vec<ResourceNode>,
}

impl<'a> Builder<'a> {
    fn new(opts: &'a Options, problems: &'a mut BTreeMap<String, Diagnostics>) -> Self {
        Builder {
            opts,
            problems,
            g: GraphBuilder::default(),
            accounts: BTreeMap::new(),
            workloads: Vec::new(),
            resources: Vec::new(),
        }
    }

    fn warn(&mut self, origin: &Origin, message: String, help: &str) {
        self.problems
            .entry(origin.file.clone())
            .or_insert_with(|| Diagnostics::new(origin.file.clone()))
            .push(
                Diagnostic::warning(
                    Some(Span {
                        line: origin.line,
                        column: 1,
                    }),
                    message,
                )
                .about(origin.describe())
                .help(help),
            );
    }

    fn namespace_of(&self, meta: &Meta) -> String {
        meta.namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| self.opts.namespace.clone())
    }

    fn tenant(&mut self, ns: &str) -> String {
        let id = ids::namespace(ns);
        let n = self.g.node(&id, NodeKind::Tenant);
        n.name = Some(ns.to_string());
        n.properties.insert("k8s_kind".into(), json!("Namespace"));
        id
    }

    fn account(&mut self, ns: &str, name: &str) -> String {
        self.accounts
            .entry((ns.to_string(), name.to_string()))
            .or_insert(None);
        let org = self.tenant(ns);
        let id = ids::service_account(ns, name);
        let n = self.g.node(&id, NodeKind::Service);
        n.name = Some(format!("{ns}/{name}"));
        n.org = Some(org);
        n.properties
            .insert("k8s_kind".into(), json!("ServiceAccount"));
        if builtin::is_builtin_account(ns, name) {
            n.tags.insert(crate::rules::BUILTIN_TAG.into());
        }
        id
    }

    /// The node of the user `name`: a person, or a control-plane component (a service,
    /// tagged `builtin`).
    fn user(&mut self, name: &str) -> String {
        let id = ids::user(name);
        let component = builtin::is_component_user(name);
        let kind = if component {
            NodeKind::Service
        } else {
            NodeKind::Human
        };
        let n = self.g.node(&id, kind);
        n.name = Some(name.to_string());
        n.properties.insert("k8s_kind".into(), json!("User"));
        if component {
            n.tags.insert(crate::rules::BUILTIN_TAG.into());
        }
        id
    }

    fn build(mut self, objects: Vec<(Object, Origin)>) -> GraphBuilder {
        // Later definitions of the same object win, as `kubectl apply` would leave them.
        let mut latest: BTreeMap<(&'static str, String, String), usize> = BTreeMap::new();
        for (i, (o, origin)) in objects.iter().enumerate() {
            let meta = manifest::metadata(o);
            let name = meta.name.clone().unwrap_or_default();
            let (kind, ns) = match o {
                Object::Namespace(_) => ("Namespace", String::new()),
                Object::ClusterRole(_) => ("ClusterRole", String::new()),
                Object::ClusterRoleBinding(_) => ("ClusterRoleBinding", String::new()),
                Object::ServiceAccount(_) => ("ServiceAccount", self.namespace_of(meta)),
                Object::Secret(_) => ("Secret", self.namespace_of(meta)),
                Object::Role(_) => ("Role", self.namespace_of(meta)),
                Object::RoleBinding(_) => ("RoleBinding", self.namespace_of(meta)),
                Object::Workload(w) => (workload_kind(&w.kind), self.namespace_of(meta)),
            };
            if let Some(prev) = latest.insert((kind, ns.clone(), name.clone()), i) {
                let first = objects[prev].1.clone();
                self.warn(
                    origin,
                    format!(
                        "{kind} {} is defined again (first in {} {}): this definition is used",
                        quote(&if ns.is_empty() {
                            name.clone()
                        } else {
                            format!("{ns}/{name}")
                        }),
                        first.file,
                        first.describe()
                    ),
                    "keep one definition of each object",
                );
            }
        }
        let keep: BTreeSet<usize> = latest.into_values().collect();
        let objects: Vec<(Object, Origin)> = objects
            .into_iter()
            .enumerate()
            .filter(|(i, _)| keep.contains(i))
            .map(|(_, o)| o)
            .collect();

        let mut roles: Vec<(String, RoleObject, Origin)> = Vec::new();
        let mut cluster_roles: Vec<(RoleObject, Origin)> = Vec::new();
        let mut bindings: Vec<(Option<String>, BindingObject, Origin)> = Vec::new();
        let mut secrets: Vec<(String, String, String, Origin)> = Vec::new();
        for (o, origin) in objects {
            let source = json!(format!("{}#{}", origin.file, origin.describe()));
            match o {
                Object::Namespace(meta) => {
                    let id = self.tenant(meta.name.as_deref().unwrap_or_default());
                    self.g
                        .node(&id, NodeKind::Tenant)
                        .properties
                        .insert("k8s_source".into(), source);
                }
                Object::ServiceAccount(sa) => {
                    let ns = self.namespace_of(&sa.metadata);
                    let name = sa.metadata.name.clone().unwrap_or_default();
                    let id = self.account(&ns, &name);
                    self.accounts.insert((ns, name), sa.automount);
                    self.g
                        .node(&id, NodeKind::Service)
                        .properties
                        .insert("k8s_source".into(), source);
                }
                Object::Secret(s) => {
                    let ns = self.namespace_of(&s.metadata);
                    let sa = s
                        .metadata
                        .annotations
                        .get("kubernetes.io/service-account.name");
                    if s.secret_type.as_deref() == Some("kubernetes.io/service-account-token") {
                        match sa {
                            Some(sa) if !sa.is_empty() => secrets.push((
                                ns,
                                s.metadata.name.clone().unwrap_or_default(),
                                sa.clone(),
                                origin,
                            )),
                            _ => self.warn(
                                &origin,
                                format!(
                                    "service-account token Secret {} names no service account",
                                    manifest::name_of(&s.metadata)
                                ),
                                "add the annotation kubernetes.io/service-account.name",
                            ),
                        }
                    }
                }
                Object::Role(r) => {
                    let ns = self.namespace_of(&r.metadata);
                    roles.push((ns, r, origin));
                }
                Object::ClusterRole(r) => cluster_roles.push((r, origin)),
                Object::RoleBinding(b) => {
                    let ns = self.namespace_of(&b.metadata);
                    bindings.push((Some(ns), b, origin));
                }
                Object::ClusterRoleBinding(b) => bindings.push((None, b, origin)),
                Object::Workload(w) => {
                    let ns = self.namespace_of(&w.metadata);
                    let sa = w.service_account().to_string();
                    self.account(&ns, &sa);
                    let org = self.tenant(&ns);
                    let name = w.metadata.name.clone().unwrap_or_default();
                    let id = ids::workload(&ns, &w.kind, &name);
                    let n = self.g.node(&id, NodeKind::App);
                    n.name = Some(format!("{} {ns}/{name}", w.kind));
                    n.org = Some(org);
                    n.properties.insert("k8s_kind".into(), json!(w.kind));
                    n.properties.insert("k8s_source".into(), source);
                    self.workloads.push((ns, w));
                }
            }
        }

        // ClusterRoles: aggregation first, so that bindings see the effective rules.
        cluster_roles.sort_by(|a, b| a.0.metadata.name.cmp(&b.0.metadata.name));
        let effective = rbac::aggregate(
            &cluster_roles
                .iter()
                .map(|(r, _)| rbac::Aggregable {
                    labels: &r.metadata.labels,
                    selectors: r.aggregation.as_ref().map(|a| a.selectors.as_slice()),
                    rules: &r.rules,
                })
                .collect::<Vec<_>>(),
        );
        let cluster_rules: BTreeMap<String, Vec<PolicyRule>> = cluster_roles
            .iter()
            .zip(effective)
            .map(|((r, _), rules)| (r.metadata.name.clone().unwrap_or_default(), rules))
            .collect();
        let mut scoped: Vec<RoleNode> = Vec::new();
        for (r, origin) in &cluster_roles {
            let name = r.metadata.name.clone().unwrap_or_default();
            let id = ids::cluster_role(&name);
            let rules = cluster_rules[&name].clone();
            let n = self.g.node(&id, NodeKind::Group);
            n.name = Some(format!("ClusterRole {name}"));
            n.properties.insert("k8s_kind".into(), json!("ClusterRole"));
            n.properties.insert(
                "k8s_source".into(),
                json!(format!("{}#{}", origin.file, origin.describe())),
            );
            if r.aggregation.is_some() {
                n.properties.insert("k8s_aggregated".into(), json!(true));
            }
            let tier0 = name == "cluster-admin" || rbac::is_everything(&rules);
            if tier0 {
                n.tags.insert("tier0".into());
            }
            scoped.push(RoleNode {
                id,
                scope: Scope::Cluster,
                rules,
                tier0,
            });
        }
        let mut role_rules: BTreeMap<(String, String), Vec<PolicyRule>> = BTreeMap::new();
        for (ns, r, origin) in &roles {
            let name = r.metadata.name.clone().unwrap_or_default();
            let id = ids::role(ns, &name);
            let org = self.tenant(ns);
            let n = self.g.node(&id, NodeKind::Group);
            n.name = Some(format!("Role {ns}/{name}"));
            n.org = Some(org);
            n.properties.insert("k8s_kind".into(), json!("Role"));
            n.properties.insert(
                "k8s_source".into(),
                json!(format!("{}#{}", origin.file, origin.describe())),
            );
            role_rules.insert((ns.clone(), name), r.rules.clone());
            scoped.push(RoleNode {
                id,
                scope: Scope::Namespace(ns.clone()),
                rules: r.rules.clone(),
                tier0: false,
            });
        }

        // Bindings: subjects become members of the role they bind, within its scope.
        let mut instances: BTreeSet<(String, String)> = BTreeSet::new();
        for (ns, b, origin) in &bindings {
            let what = match ns {
                Some(ns) => format!(
                    "RoleBinding {ns}/{}",
                    b.metadata.name.clone().unwrap_or_default()
                ),
                None => format!(
                    "ClusterRoleBinding {}",
                    b.metadata.name.clone().unwrap_or_default()
                ),
            };
            let role = match (ns, b.role_ref.kind.as_str()) {
                (Some(ns), "Role") => role_rules
                    .contains_key(&(ns.clone(), b.role_ref.name.clone()))
                    .then(|| ids::role(ns, &b.role_ref.name)),
                (Some(ns), "ClusterRole") => {
                    cluster_rules.contains_key(&b.role_ref.name).then(|| {
                        instances.insert((ns.clone(), b.role_ref.name.clone()));
                        ids::cluster_role_in(ns, &b.role_ref.name)
                    })
                }
                (None, "ClusterRole") => cluster_rules
                    .contains_key(&b.role_ref.name)
                    .then(|| ids::cluster_role(&b.role_ref.name)),
                (_, kind) => {
                    self.warn(
                        origin,
                        format!(
                            "{what} refers to a {} {}: it grants nothing",
                            quote(kind),
                            quote(&b.role_ref.name)
                        ),
                        "a RoleBinding refers to a Role or ClusterRole, a ClusterRoleBinding to a ClusterRole",
                    );
                    continue;
                }
            };
            let Some(role) = role else {
                self.warn(
                    origin,
                    format!(
                        "{what} refers to {} {}, which is not in the manifests: no privilege path is drawn through it",
                        b.role_ref.kind,
                        quote(&b.role_ref.name)
                    ),
                    "import the manifest that defines the role too, or remove the binding",
                );
                continue;
            };
            if b.subjects.is_empty() {
                self.warn(
                    origin,
                    format!("{what} has no subjects: it grants nothing"),
                    "add subjects or remove the binding",
                );
                continue;
            }
            for s in &b.subjects {
                let member = match s.kind.as_str() {
                    "ServiceAccount" => {
                        let sns = s
                            .namespace
                            .clone()
                            .filter(|n| !n.is_empty())
                            .or(ns.clone())
                            .unwrap_or_else(|| self.opts.namespace.clone());
                        self.account(&sns, &s.name)
                    }
                    "User" => self.user(&s.name),
                    "Group" => {
                        let id = ids::group(&s.name);
                        let n = self.g.node(&id, NodeKind::Group);
                        n.name = Some(s.name.clone());
                        n.properties.insert("k8s_kind".into(), json!("Group"));
                        id
                    }
                    other => {
                        self.warn(
                            origin,
                            format!("{what} has a subject of kind {}: skipped", quote(other)),
                            "subjects are of kind ServiceAccount, User or Group",
                        );
                        continue;
                    }
                };
                self.g
                    .edge(&member, &role, EdgeKind::MemberOf, Level::Admin, &what);
            }
        }
        // A namespaced role that may bind ClusterRoles there holds them there: their
        // namespaced instances are drawn even where no binding exists yet (to a fixpoint,
        // since an instance may itself allow binding).
        loop {
            let mut more: Vec<(String, String)> = Vec::new();
            let namespaced = role_rules
                .iter()
                .map(|((ns, _), rules)| (ns, rules))
                .chain(instances.iter().map(|(ns, n)| (ns, &cluster_rules[n])));
            for (ns, rules) in namespaced {
                if let Some(names) = binds_in_namespaces(rules) {
                    for n in cluster_rules.keys().filter(|n| names.covers(n)) {
                        if !instances.contains(&(ns.clone(), n.clone())) {
                            more.push((ns.clone(), n.clone()));
                        }
                    }
                }
            }
            if more.is_empty() {
                break;
            }
            instances.extend(more);
        }
        for (ns, name) in &instances {
            let id = ids::cluster_role_in(ns, name);
            let org = self.tenant(ns);
            let rules = cluster_rules[name].clone();
            let n = self.g.node(&id, NodeKind::Group);
            n.name = Some(format!("ClusterRole {name} in {ns}"));
            n.org = Some(org);
            n.properties.insert("k8s_kind".into(), json!("ClusterRole"));
            scoped.push(RoleNode {
                id,
                scope: Scope::Namespace(ns.clone()),
                rules,
                tier0: false,
            });
        }

        // Credentials: token Secrets in the manifests, and with --legacy-sa-tokens one token
        // per service account.
        let mut tokens: Vec<TokenCred> = Vec::new();
        for (ns, secret, sa, origin) in secrets {
            let account = self.account(&ns, &sa);
            let id = ids::secret(&ns, &secret);
            let org = self.tenant(&ns);
            let n = self.g.node(&id, NodeKind::Credential);
            n.name = Some(format!("token Secret {ns}/{secret}"));
            n.org = Some(org);
            n.owner = Some(account.clone());
            n.properties.insert("k8s_kind".into(), json!("Secret"));
            n.properties.insert(
                "k8s_source".into(),
                json!(format!("{}#{}", origin.file, origin.describe())),
            );
            self.g.edge(
                &id,
                &account,
                EdgeKind::AuthenticatesAs,
                Level::Admin,
                "service-account token Secret",
            );
            tokens.push(TokenCred {
                id,
                ns,
                account,
                secret: Some(secret),
            });
        }
        if self.opts.legacy_sa_tokens {
            // Accounts whose token Secret is in the manifests already have it modelled.
            let with_secret: BTreeSet<String> = tokens.iter().map(|t| t.account.clone()).collect();
            let accounts: Vec<(String, String)> = self.accounts.keys().cloned().collect();
            for (ns, sa) in accounts {
                let account = ids::service_account(&ns, &sa);
                if with_secret.contains(&account) {
                    continue;
                }
                let id = ids::legacy_token(&ns, &sa);
                let org = self.tenant(&ns);
                let n = self.g.node(&id, NodeKind::Credential);
                n.name = Some(format!("legacy token of {ns}/{sa}"));
                n.org = Some(org);
                n.owner = Some(account.clone());
                n.properties.insert("k8s_kind".into(), json!("Secret"));
                n.properties.insert("k8s_legacy_token".into(), json!(true));
                self.g.edge(
                    &id,
                    &account,
                    EdgeKind::AuthenticatesAs,
                    Level::Admin,
                    "legacy service-account token (--legacy-sa-tokens)",
                );
                tokens.push(TokenCred {
                    id,
                    ns,
                    account,
                    secret: None,
                });
            }
        }

        // Workloads run as their account when its token is mounted.
        let workloads = std::mem::take(&mut self.workloads);
        for (ns, w) in &workloads {
            let sa = w.service_account().to_string();
            let account_mounts = self
                .accounts
                .get(&(ns.clone(), sa.clone()))
                .copied()
                .flatten();
            if w.pod.automount.or(account_mounts).unwrap_or(true) {
                let id = ids::workload(ns, &w.kind, w.metadata.name.as_deref().unwrap_or_default());
                self.g.edge(
                    &id,
                    &ids::service_account(ns, &sa),
                    EdgeKind::Assumes,
                    Level::Admin,
                    "runs as its service account with the token mounted",
                );
            }
        }
        self.workloads = workloads;
        self.workloads.sort_by(|a, b| a.0.cmp(&b.0));

        scoped.sort_by(|a, b| a.id.cmp(&b.id));
        for role in &scoped {
            self.derive(role, &cluster_rules, &role_rules, &instances);
        }
        self.expose(&tokens);
        self.implicit_groups();
        if self.g.has_node(&ids::group("system:masters")) {
            self.g
                .node(&ids::group("system:masters"), NodeKind::Group)
                .tags
                .insert("tier0".into());
        }
        self.g
    }

    /// `role -kind-> account` for every service account in scope whose name `names` covers.
    /// Accounts are looked up by namespace: only the rules that fire ask, so a cluster of
    /// many roles and accounts stays linear.
    fn edges_to_accounts(
        &mut self,
        role: &str,
        scope: &Scope,
        names: &Names,
        kind: EdgeKind,
        why: &str,
    ) {
        let range = match scope {
            Scope::Cluster => self.accounts.range::<(String, String), _>(..),
            Scope::Namespace(ns) => self
                .accounts
                .range((ns.clone(), String::new())..(format!("{ns}\u{0}"), String::new())),
        };
        let targets: Vec<String> = range
            .filter(|((ns, sa), _)| scope.contains(ns) && names.covers(sa))
            .map(|((ns, sa), _)| ids::service_account(ns, sa))
            .collect();
        for t in targets {
            self.g.edge(role, &t, kind, Level::Admin, why);
        }
    }

    /// `role -admin_of-> workload` for every workload in scope that `pick(kind, name)` takes.
    fn admin_of_workloads(
        &mut self,
        role: &str,
        scope: &Scope,
        why: &str,
        pick: impl Fn(&str, &str) -> bool,
    ) {
        let range = match scope {
            Scope::Cluster => 0..self.workloads.len(),
            Scope::Namespace(ns) => {
                let from = self.workloads.partition_point(|(n, _)| n < ns);
                let to = self.workloads.partition_point(|(n, _)| n <= ns);
                from..to
            }
        };
        let targets: Vec<String> = self.workloads[range]
            .iter()
            .map(|(ns, w)| {
                (
                    ns,
                    w.kind.as_str(),
                    w.metadata.name.as_deref().unwrap_or_default(),
                )
            })
            .filter(|(_, k, name)| pick(k, name))
            .map(|(ns, k, name)| ids::workload(ns, k, name))
            .collect();
        for t in targets {
            self.g.edge(role, &t, EdgeKind::AdminOf, Level::Admin, why);
        }
    }

    /// The edges one role's rules give it, within its scope.
    fn derive(
        &mut self,
        role: &RoleNode,
        cluster_rules: &BTreeMap<String, Vec<PolicyRule>>,
        role_rules: &BTreeMap<(String, String), Vec<PolicyRule>>,
        instances: &BTreeSet<(String, String)>,
    ) {
        let rules = &role.rules;
        let scope = &role.scope;
        let r = &role.id;
        // Permissions as grants on resource nodes.
        for ((group, resource, name), access) in rbac::targets(rules) {
            if matches!(scope, Scope::Namespace(_)) && is_cluster_scoped(&resource) {
                continue; // a namespaced grant on a cluster-scoped resource grants nothing
            }
            let id = self.resource(scope, &group, &resource, name.as_deref(), access.reads);
            let verbs: Vec<&str> = access.verbs.iter().map(String::as_str).collect();
            let why = format!("verbs: {}", verbs.join(", "));
            self.g.edge(r, &id, EdgeKind::Grants, access.level, &why);
        }
        // A role that may do everything gains nothing from the paths below: drawing them
        // would only report its members again through it.
        if role.tier0 {
            return;
        }
        // Creating pods, or creating or changing anything that creates pods (the template
        // names the account), runs code as any account there.
        let runs_pods = rbac::allows(rules, "", "pods", &["create"]) == Some(Names::All)
            || POD_CONTROLLERS
                .iter()
                .any(|(_, g, res)| rbac::allows(rules, g, res, WRITE) == Some(Names::All));
        if runs_pods {
            let why = format!("runs pods {}: as any service account there", scope.words());
            self.edges_to_accounts(r, scope, &Names::All, EdgeKind::Assumes, &why);
        }
        // Changing a workload changes the code that runs as its account.
        for (kind, g, res) in POD_CONTROLLERS.iter().chain([&("Pod", "", "pods")]) {
            if let Some(names) = rbac::allows(rules, g, res, WRITE) {
                let why = format!("writes {res} {}", scope.words());
                // Every workload runs as pods, and a running pod's image can be patched: write
                // on all pods reaches the pods behind every controller too.
                let pods_of_any = *res == "pods" && names == Names::All;
                self.admin_of_workloads(r, scope, &why, |k, name| {
                    (k == *kind && names.covers(name)) || pods_of_any
                });
            }
        }
        // exec/attach: a shell in a pod is its account.
        for sub in ["pods/exec", "pods/attach"] {
            if let Some(names) = rbac::allows(rules, "", sub, &["create", "get"]) {
                let why = format!("{sub} {}", scope.words());
                self.admin_of_workloads(r, scope, &why, |k, name| {
                    names == Names::All || (k == "Pod" && names.covers(name))
                });
            }
        }
        // Impersonation.
        if let Some(names) = rbac::allows(rules, "", "serviceaccounts", &["impersonate"]) {
            let why = format!("impersonates service accounts {}", scope.words());
            self.edges_to_accounts(r, scope, &names, EdgeKind::Assumes, &why);
        }
        if *scope == Scope::Cluster {
            for (res, kind, make) in [
                ("users", NodeKind::Human, ids::user as fn(&str) -> String),
                ("groups", NodeKind::Group, ids::group),
            ] {
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
                let prefix = make("");
                let mut targets: BTreeSet<String> = self
                    .g
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
                    if !self.g.has_node(&id) {
                        if kind == NodeKind::Human {
                            self.user(&t);
                        } else {
                            let n = self.g.node(&id, kind);
                            n.name = Some(t.clone());
                            n.properties.insert("k8s_kind".into(), json!("Group"));
                        }
                    }
                    self.g.edge(r, &id, EdgeKind::Assumes, Level::Admin, &why);
                }
            }
        }
        // bind (with the right to write bindings) or escalate (with the right to change the
        // role): a role one may bind freely or rewrite is a role one holds (RBAC reference,
        // "Restrictions on role binding creation or update" and "…on role creation or update").
        let rbac_group = "rbac.authorization.k8s.io";
        let may = |res: &str, verb: &str, paired: &str, paired_verbs: &[&str]| {
            rbac::allows(rules, rbac_group, res, &[verb])
                .filter(|_| rbac::allows(rules, rbac_group, paired, paired_verbs).is_some())
        };
        let role_names = match (
            may("roles", "bind", "rolebindings", WRITE),
            may("roles", "escalate", "roles", &["update", "patch"]),
        ) {
            (Some(a), Some(b)) => Some(a.union(b)),
            (a, b) => a.or(b),
        };
        if let Some(names) = role_names {
            let why = format!("binds or escalates roles {}", scope.words());
            for (ns, name) in role_rules.keys() {
                if scope.contains(ns) && names.covers(name) {
                    let id = ids::role(ns, name);
                    if id != *r {
                        self.g.edge(r, &id, EdgeKind::AdminOf, Level::Admin, &why);
                    }
                }
            }
        }
        let binding_kind = match scope {
            Scope::Cluster => "clusterrolebindings",
            Scope::Namespace(_) => "rolebindings",
        };
        let cluster_role_names = match (
            may("clusterroles", "bind", binding_kind, WRITE),
            may(
                "clusterroles",
                "escalate",
                "clusterroles",
                &["update", "patch"],
            )
            .filter(|_| *scope == Scope::Cluster),
        ) {
            (Some(a), Some(b)) => Some(a.union(b)),
            (a, b) => a.or(b),
        };
        if let Some(names) = cluster_role_names {
            let why = format!("binds or escalates clusterroles {}", scope.words());
            let targets: Vec<String> = match scope {
                Scope::Cluster => cluster_rules
                    .keys()
                    .filter(|n| names.covers(n))
                    .map(|n| ids::cluster_role(n))
                    .collect(),
                Scope::Namespace(ns) => instances
                    .iter()
                    .filter(|(i, n)| i == ns && names.covers(n))
                    .map(|(i, n)| ids::cluster_role_in(i, n))
                    .collect(),
            };
            for id in targets {
                if id != *r {
                    self.g.edge(r, &id, EdgeKind::AdminOf, Level::Admin, &why);
                }
            }
        }
        // Cluster-wide, binding ClusterRoles with RoleBindings holds them in every namespace.
        if *scope == Scope::Cluster
            && let Some(names) = binds_in_namespaces(rules)
        {
            let why = "binds clusterroles in any namespace";
            for (ns, n) in instances {
                let id = ids::cluster_role_in(ns, n);
                if names.covers(n) && id != *r {
                    self.g.edge(r, &id, EdgeKind::AdminOf, Level::Admin, why);
                }
            }
        }
        // Token requests mint a service account's credentials; so does creating a token
        // Secret for an account (the token controller fills it in) that one may then read —
        // any Secret, since the new one's name is not known to a rule's resourceNames.
        if let Some(names) = rbac::allows(rules, "", "serviceaccounts/token", &["create"]) {
            let why = format!("creates service-account tokens {}", scope.words());
            self.edges_to_accounts(r, scope, &names, EdgeKind::Mints, &why);
        }
        if rbac::allows(rules, "", "secrets", &["create"]) == Some(Names::All)
            && rbac::allows(rules, "", "secrets", &["get", "list", "watch"]) == Some(Names::All)
        {
            let why = format!(
                "creates and reads Secrets {}: can have a token issued into one",
                scope.words()
            );
            self.edges_to_accounts(r, scope, &Names::All, EdgeKind::Mints, &why);
        }
        if *scope != Scope::Cluster {
            return;
        }
        // The kubelet API behind nodes/proxy runs commands in any pod.
        if rbac::allows(rules, "", "nodes/proxy", &["get", "create"]).is_some() {
            let why = "nodes/proxy: the kubelet API runs commands in any pod";
            self.admin_of_workloads(r, scope, why, |_, _| true);
        }
        // Creating a client certificate request and approving it for the API server's client
        // signer issues any identity, the system:masters group included.
        let certs = "certificates.k8s.io";
        let approves = rbac::allows(rules, certs, "certificatesigningrequests", &["create"])
            .is_some()
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
            let masters = ids::group("system:masters");
            let n = self.g.node(&masters, NodeKind::Group);
            n.name = Some("system:masters".into());
            n.properties.insert("k8s_kind".into(), json!("Group"));
            self.g.edge(r, &masters, EdgeKind::Assumes, Level::Admin, "creates and approves client certificate requests: can issue a system:masters certificate");
        }
        // Admission webhooks see every object written (Secrets included); mutating ones
        // also rewrite every pod created, the account it runs as included.
        let admission = "admissionregistration.k8s.io";
        let mutating =
            rbac::allows(rules, admission, "mutatingwebhookconfigurations", WRITE).is_some();
        let validating =
            rbac::allows(rules, admission, "validatingwebhookconfigurations", WRITE).is_some();
        if mutating || validating {
            let secrets = self.resource(&Scope::Cluster, "", "secrets", None, true);
            self.g.edge(
                r,
                &secrets,
                EdgeKind::Grants,
                Level::Read,
                "controls admission webhooks: sees every Secret written",
            );
        }
        if mutating {
            let why = "controls mutating webhooks: rewrites any pod to run as any account";
            self.edges_to_accounts(r, scope, &Names::All, EdgeKind::Assumes, why);
        }
    }

    /// The resource node for (scope, group, resource, name), created on first use. A grant
    /// that cannot read Secrets goes to a `#write-only` node of its own, which reveals nothing.
    fn resource(
        &mut self,
        scope: &Scope,
        group: &str,
        resource: &str,
        name: Option<&str>,
        reads: bool,
    ) -> String {
        let can_expose =
            (group.is_empty() || group == "*") && (resource == "secrets" || resource == "*");
        let write_only = can_expose && !reads;
        let mut id = ids::resource(scope.id_part(), group, resource, name);
        if write_only {
            id.push_str("#write-only");
        }
        if !self.g.has_node(&id) {
            let org = match scope {
                Scope::Namespace(ns) => Some(self.tenant(ns)),
                Scope::Cluster => None,
            };
            let shown_group = if group.is_empty() { "core" } else { group };
            let mut label = format!("{shown_group}/{resource}");
            if let Some(n) = name {
                label.push_str(&format!(" {n:?}"));
            }
            if write_only {
                label.push_str(" (write only)");
            }
            let n = self.g.node(&id, NodeKind::Resource);
            n.name = Some(format!("{label} {}", scope.words()));
            n.org = org;
            n.properties.insert("k8s_kind".into(), json!("Resource"));
            if can_expose {
                n.sensitivity = Some(Sensitivity::High);
            }
            if !write_only {
                self.resources.push(ResourceNode {
                    scope: scope.clone(),
                    group: group.into(),
                    resource: resource.into(),
                    name: name.map(str::to_string),
                    id: id.clone(),
                });
            }
        }
        id
    }

    /// Reading Secrets reveals the tokens stored in them.
    fn expose(&mut self, tokens: &[TokenCred]) {
        for t in tokens {
            let ids: Vec<String> = self
                .resources
                .iter()
                .filter(|r| {
                    r.scope.contains(&t.ns)
                        && (r.group.is_empty() || r.group == "*")
                        && (r.resource == "secrets" || r.resource == "*")
                        && match (&r.name, &t.secret) {
                            (None, _) => true,
                            (Some(n), Some(s)) => n == s,
                            (Some(_), None) => false,
                        }
                })
                .map(|r| r.id.clone())
                .collect();
            for r in ids {
                self.g.edge(
                    &r,
                    &t.id,
                    EdgeKind::Exposes,
                    Level::Admin,
                    "reading Secrets reveals the token stored there",
                );
            }
        }
    }

    /// Kubernetes' implicit groups, for the ones bindings name.
    fn implicit_groups(&mut self) {
        let accounts: Vec<(String, String)> = self.accounts.keys().cloned().collect();
        for (ns, sa) in accounts {
            let id = ids::service_account(&ns, &sa);
            for g in [
                format!("system:serviceaccounts:{ns}"),
                "system:serviceaccounts".into(),
                "system:authenticated".into(),
            ] {
                let gid = ids::group(&g);
                if self.g.has_node(&gid) {
                    self.g.edge(
                        &id,
                        &gid,
                        EdgeKind::MemberOf,
                        Level::Admin,
                        "implicit group of every service account",
                    );
                }
            }
        }
        let authenticated = ids::group("system:authenticated");
        if self.g.has_node(&authenticated) {
            let users: Vec<String> = self
                .g
                .nodes()
                .filter(|(id, _)| id.starts_with(&ids::user("")))
                .map(|(id, _)| id.clone())
                .collect();
            for u in users {
                self.g.edge(
                    &u,
                    &authenticated,
                    EdgeKind::MemberOf,
                    Level::Admin,
                    "implicit group of every authenticated user",
                );
            }
        }
    }
}

/// The ClusterRoles these rules may bind with RoleBindings: `bind` on them and the right to
/// write RoleBindings (RBAC reference, "Restrictions on role binding creation or update").
fn binds_in_namespaces(rules: &[PolicyRule]) -> Option<Names> {
    let rbac_group = "rbac.authorization.k8s.io";
    rbac::allows(rules, rbac_group, "clusterroles", &["bind"])
        .filter(|_| rbac::allows(rules, rbac_group, "rolebindings", WRITE).is_some())
}

fn workload_kind(kind: &str) -> &'static str {
    manifest::WORKLOAD_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("Workload", |(k, _)| k)
}
