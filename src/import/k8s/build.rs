//! The graph of a set of manifests, built in phases: each phase establishes what the next
//! ones rely on (the objects that count, the nodes they name, the roles' effective rules,
//! who holds which role, the credentials), and the escalation paths come last, when every
//! account, workload and role they can reach is in the graph.

use super::escalation::{self, RoleIndex, RoleNode};
use super::manifest::{
    self, BindingObject, ConfigMapObject, Meta, Object, Origin, PolicyRule, RoleObject,
    SecretObject, ServiceAccountObject, SubjectRef, Workload,
};
use super::{Options, Scope, awsauth, builtin, ids, push_problem, rbac};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, codes, quote};
use crate::import::GraphBuilder;
use crate::model::{EdgeKind, Level, NodeKind, Sensitivity, Span};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

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

/// A token Secret as declared: (namespace, Secret name, account name, origin).
type TokenSecret = (String, String, String, Origin);

/// The objects whose nodes depend on others, set aside until those exist.
#[derive(Default)]
struct Declared {
    roles: Vec<(String, RoleObject, Origin)>,
    cluster_roles: Vec<(RoleObject, Origin)>,
    /// A RoleBinding's namespace, `None` for a ClusterRoleBinding.
    bindings: Vec<(Option<String>, BindingObject, Origin)>,
    secrets: Vec<TokenSecret>,
    aws_auth: Vec<(ConfigMapObject, Origin)>,
}

pub(super) struct Builder<'a> {
    opts: &'a Options,
    problems: &'a mut BTreeMap<String, Diagnostics>,
    pub g: GraphBuilder,
    /// (namespace, name) of every service account known, from any mention.
    accounts: BTreeMap<(String, String), Option<bool>>,
    /// Sorted by namespace once every workload is declared, so that a namespace's
    /// workloads are one slice.
    workloads: Vec<(String, Workload)>,
    resources: Vec<ResourceNode>,
    /// AWS principals the aws-auth ConfigMap lets in: authenticated users of the cluster.
    aws_principals: Vec<String>,
}

impl<'a> Builder<'a> {
    pub fn new(opts: &'a Options, problems: &'a mut BTreeMap<String, Diagnostics>) -> Self {
        Builder {
            opts,
            problems,
            g: GraphBuilder::default(),
            accounts: BTreeMap::new(),
            workloads: Vec::new(),
            resources: Vec::new(),
            aws_principals: Vec::new(),
        }
    }

    /// The phases in order; the graph is deterministic because each runs over sorted or
    /// input-ordered collections only.
    pub fn build(mut self, objects: Vec<(Object, Origin)>) -> GraphBuilder {
        let objects = self.latest_definitions(objects);
        let declared = self.declare(objects);
        let mut scoped: Vec<RoleNode> = Vec::new();
        let cluster_rules = self.cluster_roles(declared.cluster_roles, &mut scoped);
        let role_rules = self.roles(&declared.roles, &mut scoped);
        let mut index = RoleIndex {
            cluster_rules,
            role_rules,
            instances: BTreeSet::new(),
        };
        self.bindings(&declared.bindings, &mut index);
        bindable_instances(&mut index);
        self.instance_nodes(&index, &mut scoped);
        let mut tokens = self.token_secrets(declared.secrets);
        if self.opts.legacy_sa_tokens {
            self.legacy_tokens(&mut tokens);
        }
        self.run_as_accounts();
        scoped.sort_by(|a, b| a.id.cmp(&b.id));
        for role in &scoped {
            escalation::derive(&mut self, role, &index);
        }
        self.expose(&tokens);
        self.aws_auth(declared.aws_auth);
        self.implicit_groups();
        self.masters_are_tier0();
        self.cover();
        self.g
    }

    fn warn(&mut self, code: Code, origin: &Origin, message: String, help: &str) {
        push_problem(
            self.problems,
            &origin.file,
            Diagnostic::warning(
                code,
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
            n.tags.insert(crate::model::BUILTIN_TAG.into());
        }
        id
    }

    /// The node of the user `name`: a person, or a control-plane component (a service,
    /// tagged `builtin`).
    pub fn user(&mut self, name: &str) -> String {
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
            n.tags.insert(crate::model::BUILTIN_TAG.into());
        }
        id
    }

    /// The node of the group `name`.
    pub fn group(&mut self, name: &str) -> String {
        let id = ids::group(name);
        let n = self.g.node(&id, NodeKind::Group);
        n.name = Some(name.to_string());
        n.properties.insert("k8s_kind".into(), json!("Group"));
        id
    }

    /// Later definitions of the same object win, as `kubectl apply` would leave them; each
    /// earlier one is reported, since two definitions usually mean a stale copy.
    fn latest_definitions(&mut self, objects: Vec<(Object, Origin)>) -> Vec<(Object, Origin)> {
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
                Object::AwsAuth(_) => ("ConfigMap", self.namespace_of(meta)),
            };
            if let Some(prev) = latest.insert((kind, ns.clone(), name.clone()), i) {
                let first = &objects[prev].1;
                let shown = if ns.is_empty() {
                    name
                } else {
                    format!("{ns}/{name}")
                };
                let message = format!(
                    "{kind} {} is defined again (first in {} {}): this definition is used",
                    quote(&shown),
                    first.file,
                    first.describe()
                );
                self.warn(
                    codes::K8S_DUPLICATE_OBJECT,
                    origin,
                    message,
                    "keep one definition of each object",
                );
            }
        }
        let keep: BTreeSet<usize> = latest.into_values().collect();
        objects
            .into_iter()
            .enumerate()
            .filter(|(i, _)| keep.contains(i))
            .map(|(_, o)| o)
            .collect()
    }

    /// The nodes objects stand for on their own (namespaces, accounts, workloads); roles,
    /// bindings and token Secrets are set aside, as their nodes need others first.
    fn declare(&mut self, objects: Vec<(Object, Origin)>) -> Declared {
        let mut d = Declared::default();
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
                Object::ServiceAccount(sa) => self.declare_account(sa, source),
                Object::Secret(s) => {
                    self.declare_secret(&s, source);
                    if let Some(secret) = self.token_secret(s, origin) {
                        d.secrets.push(secret);
                    }
                }
                Object::AwsAuth(cm) => d.aws_auth.push((cm, origin)),
                Object::Role(r) => {
                    let ns = self.namespace_of(&r.metadata);
                    d.roles.push((ns, r, origin));
                }
                Object::ClusterRole(r) => d.cluster_roles.push((r, origin)),
                Object::RoleBinding(b) => {
                    let ns = self.namespace_of(&b.metadata);
                    d.bindings.push((Some(ns), b, origin));
                }
                Object::ClusterRoleBinding(b) => d.bindings.push((None, b, origin)),
                Object::Workload(w) => self.declare_workload(w, source),
            }
        }
        d
    }

    fn declare_account(&mut self, sa: ServiceAccountObject, source: serde_json::Value) {
        let ns = self.namespace_of(&sa.metadata);
        let name = sa.metadata.name.clone().unwrap_or_default();
        let id = self.account(&ns, &name);
        self.accounts.insert((ns, name), sa.automount);
        let n = self.g.node(&id, NodeKind::Service);
        n.properties.insert("k8s_source".into(), source);
        // IRSA's hint to the pod identity webhook: which role the account's pods ask for.
        // Whether the role's trust admits the account is the estate's to check.
        if let Some(role) = sa.metadata.annotations.get("eks.amazonaws.com/role-arn") {
            n.properties.insert("eks_role_arn".into(), json!(role));
        }
    }

    /// Every Secret is a resource node (`k8s:res:NS:/secrets/NAME`, the node a grant naming
    /// it by `resourceNames` reaches), so that it can be named, made critical and covered by
    /// broader grants. Its values are never read.
    fn declare_secret(&mut self, s: &SecretObject, source: serde_json::Value) {
        let ns = self.namespace_of(&s.metadata);
        let name = s.metadata.name.clone().unwrap_or_default();
        let secret_type = s.secret_type.clone().unwrap_or_else(|| "Opaque".into());
        let scope = Scope::Namespace(ns.clone());
        let id = self.resource(&scope, "", "secrets", Some(&name), true);
        let n = self.g.node(&id, NodeKind::Resource);
        n.name = Some(format!("Secret {ns}/{name}"));
        n.sensitivity = Some(self.opts.secret_sensitivity);
        n.tags.insert("k8s-secret".into());
        n.tags.insert(format!("k8s-secret-type:{secret_type}"));
        n.properties.insert("k8s_kind".into(), json!("Secret"));
        n.properties
            .insert("k8s_secret_type".into(), json!(secret_type));
        n.properties.insert("k8s_source".into(), source);
    }

    /// A service-account token Secret, for the credentials phase; other Secrets hold no
    /// identity the graph models.
    fn token_secret(&mut self, s: SecretObject, origin: Origin) -> Option<TokenSecret> {
        if s.secret_type.as_deref() != Some("kubernetes.io/service-account-token") {
            return None;
        }
        let ns = self.namespace_of(&s.metadata);
        let sa = s
            .metadata
            .annotations
            .get("kubernetes.io/service-account.name");
        match sa {
            Some(sa) if !sa.is_empty() => Some((
                ns,
                s.metadata.name.clone().unwrap_or_default(),
                sa.clone(),
                origin,
            )),
            _ => {
                self.warn(
                    codes::K8S_TOKEN_WITHOUT_ACCOUNT,
                    &origin,
                    format!(
                        "service-account token Secret {} names no service account",
                        manifest::name_of(&s.metadata)
                    ),
                    "add the annotation kubernetes.io/service-account.name",
                );
                None
            }
        }
    }

    fn declare_workload(&mut self, w: Workload, source: serde_json::Value) {
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

    /// ClusterRole nodes with their effective rules: aggregation first, so that bindings
    /// and derivations see what an aggregated role really allows.
    fn cluster_roles(
        &mut self,
        mut cluster_roles: Vec<(RoleObject, Origin)>,
        scoped: &mut Vec<RoleNode>,
    ) -> BTreeMap<String, Vec<PolicyRule>> {
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
        cluster_rules
    }

    /// Role nodes, each confined to its namespace.
    fn roles(
        &mut self,
        roles: &[(String, RoleObject, Origin)],
        scoped: &mut Vec<RoleNode>,
    ) -> BTreeMap<(String, String), Vec<PolicyRule>> {
        let mut role_rules = BTreeMap::new();
        for (ns, r, origin) in roles {
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
        role_rules
    }

    /// Subjects become members of the role they bind, within its scope; a RoleBinding to a
    /// ClusterRole records that ClusterRole as held in its namespace.
    fn bindings(
        &mut self,
        bindings: &[(Option<String>, BindingObject, Origin)],
        index: &mut RoleIndex,
    ) {
        for (ns, b, origin) in bindings {
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
            let Some(role) = self.bound_role(ns.as_deref(), b, origin, &what, index) else {
                continue;
            };
            if b.subjects.is_empty() {
                self.warn(
                    codes::K8S_NO_SUBJECTS,
                    origin,
                    format!("{what} has no subjects: it grants nothing"),
                    "add subjects or remove the binding",
                );
                continue;
            }
            for s in &b.subjects {
                if let Some(member) = self.subject(ns.as_deref(), s, origin, &what) {
                    self.g
                        .edge(&member, &role, EdgeKind::MemberOf, Level::Admin, &what);
                }
            }
        }
    }

    /// The node a binding's `roleRef` names, or `None` (reported) when it grants nothing.
    fn bound_role(
        &mut self,
        ns: Option<&str>,
        b: &BindingObject,
        origin: &Origin,
        what: &str,
        index: &mut RoleIndex,
    ) -> Option<String> {
        let name = &b.role_ref.name;
        let role = match (ns, b.role_ref.kind.as_str()) {
            (Some(ns), "Role") => index
                .role_rules
                .contains_key(&(ns.to_string(), name.clone()))
                .then(|| ids::role(ns, name)),
            (Some(ns), "ClusterRole") => index.cluster_rules.contains_key(name).then(|| {
                index.instances.insert((ns.to_string(), name.clone()));
                ids::cluster_role_in(ns, name)
            }),
            (None, "ClusterRole") => index
                .cluster_rules
                .contains_key(name)
                .then(|| ids::cluster_role(name)),
            (_, kind) => {
                self.warn(
                    codes::K8S_ROLE_REF_KIND,
                    origin,
                    format!(
                        "{what} refers to a {} {}: it grants nothing",
                        quote(kind),
                        quote(name)
                    ),
                    "a RoleBinding refers to a Role or ClusterRole, a ClusterRoleBinding to a ClusterRole",
                );
                return None;
            }
        };
        if role.is_none() {
            self.warn(
                codes::K8S_UNKNOWN_ROLE,
                origin,
                format!(
                    "{what} refers to {} {}, which is not in the manifests: no privilege path is drawn through it",
                    b.role_ref.kind,
                    quote(name)
                ),
                "import the manifest that defines the role too, or remove the binding",
            );
        }
        role
    }

    /// The node of one binding subject, or `None` (reported) for a kind RBAC does not have.
    fn subject(
        &mut self,
        ns: Option<&str>,
        s: &SubjectRef,
        origin: &Origin,
        what: &str,
    ) -> Option<String> {
        match s.kind.as_str() {
            "ServiceAccount" => {
                let sns = s
                    .namespace
                    .clone()
                    .filter(|n| !n.is_empty())
                    .or(ns.map(str::to_string))
                    .unwrap_or_else(|| self.opts.namespace.clone());
                Some(self.account(&sns, &s.name))
            }
            "User" => Some(self.user(&s.name)),
            "Group" => Some(self.group(&s.name)),
            other => {
                self.warn(
                    codes::K8S_SUBJECT_KIND,
                    origin,
                    format!("{what} has a subject of kind {}: skipped", quote(other)),
                    "subjects are of kind ServiceAccount, User or Group",
                );
                None
            }
        }
    }

    /// Nodes for the ClusterRoles held inside one namespace, each with that namespace as its
    /// scope, so that their rules reach only what is there.
    fn instance_nodes(&mut self, index: &RoleIndex, scoped: &mut Vec<RoleNode>) {
        for (ns, name) in &index.instances {
            let id = ids::cluster_role_in(ns, name);
            let org = self.tenant(ns);
            let rules = index.cluster_rules[name].clone();
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
    }

    /// Credential nodes for the token Secrets in the manifests, each authenticating as its
    /// account: what reading Secrets exposes.
    fn token_secrets(&mut self, secrets: Vec<TokenSecret>) -> Vec<TokenCred> {
        let mut tokens = Vec::new();
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
        tokens
    }

    /// With --legacy-sa-tokens, one token per account that has none in the manifests:
    /// clusters before 1.24 stored one in a Secret for every account.
    fn legacy_tokens(&mut self, tokens: &mut Vec<TokenCred>) {
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

    /// Workloads run as their account when its token is mounted (the pod's setting
    /// overrides the account's); then the workloads are sorted by namespace for the
    /// derivations' lookups.
    fn run_as_accounts(&mut self) {
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
    }

    /// `system:masters` bypasses authorization in the API server: whoever reaches it may
    /// do everything, whichever path drew it. No binding says so, so the group is given
    /// `*` on everything cluster-wide, which covers every resource of the cluster.
    fn masters_are_tier0(&mut self) {
        let masters = ids::group("system:masters");
        if self.g.has_node(&masters) {
            self.g
                .node(&masters, NodeKind::Group)
                .tags
                .insert("tier0".into());
            let everything = self.resource(&Scope::Cluster, "*", "*", None, true);
            self.g.edge(
                &masters,
                &everything,
                EdgeKind::Grants,
                Level::Admin,
                "system:masters bypasses authorization in the API server",
            );
        }
    }

    /// Broader resource nodes cover narrower ones (`import::cover`): a grant on `*/*`
    /// cluster-wide reaches each namespace's Secrets, and a grant on a namespace's `secrets`
    /// each Secret in it, at the grant's level. Write-only nodes neither cover nor are
    /// covered: they stand for grants that reveal nothing.
    fn cover(&mut self) {
        let by_id: BTreeMap<&str, &ResourceNode> =
            self.resources.iter().map(|r| (r.id.as_str(), r)).collect();
        let ids: Vec<String> = self.resources.iter().map(|r| r.id.clone()).collect();
        let coverers = |id: &str| -> Vec<String> {
            let Some(r) = by_id.get(id) else {
                return Vec::new();
            };
            let mut scopes = vec![Scope::Cluster];
            if let Scope::Namespace(_) = r.scope {
                scopes.push(r.scope.clone());
            }
            let groups = [r.group.as_str(), "*"];
            let mut resources = vec![r.resource.clone(), "*".to_string()];
            if let Some((res, sub)) = r.resource.split_once('/') {
                resources.push(format!("{res}/*"));
                resources.push(format!("*/{sub}"));
            }
            let names = [r.name.as_deref(), None];
            let mut out = Vec::new();
            for s in &scopes {
                for g in groups {
                    for res in &resources {
                        for n in names {
                            let c = ids::resource(s.id_part(), g, res, n);
                            if c != id && by_id.contains_key(c.as_str()) {
                                out.push(c);
                            }
                        }
                    }
                }
            }
            out.sort();
            out.dedup();
            out
        };
        crate::import::cover::add_cover_groups(&mut self.g, &ids, coverers);
    }

    /// The mappings of the cluster's aws-auth ConfigMap: each AWS principal (a node keyed by
    /// its ARN, in its account) becomes the Kubernetes user it is mapped to and joins the
    /// groups it is given; `mapAccounts` lets every principal of an account in as an
    /// authenticated user.
    fn aws_auth(&mut self, configs: Vec<(ConfigMapObject, Origin)>) {
        let eks = self.opts.eks.clone();
        let mode = eks
            .as_ref()
            .and_then(|e| e.cluster.as_ref())
            .and_then(|c| c.mode);
        let read_config_map = mode.is_none_or(|m| m.reads_config_map());
        let read_entries = mode.is_none_or(|m| m.reads_entries());
        let entries = eks
            .as_ref()
            .map(|e| e.entries.as_slice())
            .unwrap_or_default();
        // In API_AND_CONFIG_MAP, a principal with an access entry is let in by the entry
        // only: the ConfigMap's mapping of it (and its groups) no longer applies.
        let replaced: BTreeSet<String> = if read_entries {
            entries
                .iter()
                .map(|e| crate::import::eks::same_principal(&e.principal_arn))
                .collect()
        } else {
            BTreeSet::new()
        };
        for (cm, origin) in configs {
            if !read_config_map {
                self.warn(
                    codes::EKS_ACCESS,
                    &origin,
                    "the cluster's authentication mode is API: EKS does not read the aws-auth ConfigMap, so it maps no one".into(),
                    "remove the ConfigMap, or switch the cluster to API_AND_CONFIG_MAP if it is meant to count",
                );
                continue;
            }
            let ns = self.namespace_of(&cm.metadata);
            if ns != "kube-system" {
                self.warn(
                    codes::K8S_AWS_AUTH,
                    &origin,
                    format!("ConfigMap {ns}/aws-auth is not read by EKS, which reads kube-system/aws-auth only"),
                    "move it to kube-system if it is meant to map AWS principals",
                );
                continue;
            }
            let read = awsauth::read(&cm, &origin);
            for w in read.warnings {
                push_problem(self.problems, &origin.file, w);
            }
            for m in read.mappings {
                if replaced.contains(&crate::import::eks::same_principal(&m.arn)) {
                    continue;
                }
                let why = format!("aws-auth {}", m.entry);
                let account = self.aws_account(&m.account);
                let (kind, word) = match m.principal {
                    awsauth::Principal::Role => (NodeKind::Service, "role"),
                    awsauth::Principal::User => (NodeKind::Human, "user"),
                };
                let n = self.g.node(&m.arn, kind);
                n.name = Some(format!("AWS {word} {} in {}", m.name, m.account));
                n.org = Some(account);
                n.properties.insert("aws_arn".into(), json!(m.arn));
                n.properties.insert(
                    "k8s_source".into(),
                    json!(format!("{}#{}", origin.file, origin.describe())),
                );
                if let Some(u) = &m.username {
                    let user = self.user(u);
                    if u.contains("{{") {
                        self.g
                            .node(&user, NodeKind::Human)
                            .properties
                            .insert("k8s_user_template".into(), json!(true));
                    }
                    self.g
                        .edge(&m.arn, &user, EdgeKind::Assumes, Level::Admin, &why);
                }
                for group in &m.groups {
                    let gid = self.group(group);
                    self.g
                        .edge(&m.arn, &gid, EdgeKind::MemberOf, Level::Admin, &why);
                }
                self.aws_principals.push(m.arn);
            }
            for a in read.accounts {
                let account = self.aws_account(&a);
                self.aws_principals.push(account);
            }
        }
        for p in eks
            .as_ref()
            .map(|e| e.pod_identities.as_slice())
            .unwrap_or_default()
        {
            self.pod_identity(p);
        }
        for idp in eks
            .as_ref()
            .map(|e| e.identity_providers.as_slice())
            .unwrap_or_default()
        {
            self.identity_provider(idp);
        }
        if read_entries {
            for e in entries {
                self.access_entry(e);
            }
        } else if !entries.is_empty() {
            push_problem(
                self.problems,
                &entries[0].file,
                Diagnostic::warning(
                    codes::EKS_ACCESS,
                    None,
                    format!(
                        "the cluster's authentication mode is CONFIG_MAP: its {} access entr{} let no one in",
                        entries.len(),
                        if entries.len() == 1 { "y" } else { "ies" }
                    ),
                )
                .help("switch the cluster to API_AND_CONFIG_MAP or API for access entries to count"),
            );
        }
        self.aws_principals.sort();
        self.aws_principals.dedup();
    }

    /// An EKS access entry: the IAM principal (a node keyed by its ARN, as for aws-auth)
    /// becomes its Kubernetes user and joins its groups; a node entry is a node identity.
    fn access_entry(&mut self, e: &crate::import::eks::AccessEntry) {
        let arn = &e.principal_arn;
        let Some(parsed) = crate::import::aws::parse_arn(arn) else {
            return;
        };
        let why = format!("EKS access entry of {arn} ({})", e.file);
        let account = self.aws_account(parsed.account);
        let (kind, word) = if parsed.resource.starts_with("user/") {
            (NodeKind::Human, "user")
        } else {
            (NodeKind::Service, "role")
        };
        let name = parsed
            .resource
            .rsplit('/')
            .next()
            .unwrap_or(parsed.resource);
        let n = self.g.node(arn, kind);
        n.name = Some(format!("AWS {word} {name} in {}", parsed.account));
        n.org = Some(account);
        n.properties.insert("aws_arn".into(), json!(arn));
        n.properties.insert("k8s_source".into(), json!(e.file));
        let user = self.user(&super::eks::username(e));
        if user.contains("{{") {
            self.g
                .node(&user, NodeKind::Human)
                .properties
                .insert("k8s_user_template".into(), json!(true));
        }
        let edge = self
            .g
            .edge(arn, &user, EdgeKind::Assumes, Level::Admin, &why);
        edge.properties
            .insert("seam".into(), json!(crate::coverage::EKS_ACCESS_ENTRY));
        if e.is_node() {
            edge.properties
                .insert("node_identity".into(), json!(e.kind.clone()));
        }
        for group in super::eks::groups(e) {
            let gid = self.group(&group);
            let edge = self
                .g
                .edge(arn, &gid, EdgeKind::MemberOf, Level::Admin, &why);
            edge.properties
                .insert("seam".into(), json!(crate::coverage::EKS_ACCESS_ENTRY));
        }
        self.aws_principals.push(arn.clone());
    }

    /// An EKS Pod Identity association: pods running as the service account get the role's
    /// credentials (and, with a target role, the target's, by role chaining). Whether the
    /// role's trust lets EKS in is the estate's to check, which holds the role.
    fn pod_identity(&mut self, p: &crate::import::eks::PodIdentity) {
        let sa = self.account(&p.namespace, &p.service_account);
        let why = format!(
            "EKS Pod Identity association of {}/{} ({})",
            p.namespace, p.service_account, p.file
        );
        let mut chain = vec![p.role_arn.clone()];
        chain.extend(p.target_role_arn.clone());
        let mut from = sa;
        for arn in chain {
            let Some(parsed) = crate::import::aws::parse_arn(&arn) else {
                return;
            };
            let account = self.aws_account(parsed.account);
            let name = parsed
                .resource
                .rsplit('/')
                .next()
                .unwrap_or(parsed.resource);
            let n = self.g.node(&arn, NodeKind::Service);
            n.name = Some(format!("AWS role {name} in {}", parsed.account));
            n.org = Some(account);
            n.properties.insert("aws_arn".into(), json!(arn));
            n.properties.insert("k8s_source".into(), json!(p.file));
            let e = self
                .g
                .edge(&from, &arn, EdgeKind::Assumes, Level::Admin, &why);
            e.properties
                .insert("seam".into(), json!(crate::coverage::EKS_POD_IDENTITY));
            from = arn;
        }
    }

    /// An OIDC identity provider the cluster trusts: a partner node standing for whoever the
    /// provider admits, which can become every user its prefix allows and join every group
    /// its groups prefix allows (never a `system:` one), among those the bindings name.
    fn identity_provider(&mut self, idp: &crate::import::eks::IdentityProvider) {
        let id = format!("k8s:idp:{}", idp.name);
        let why = format!(
            "EKS identity provider config {} ({}): tokens of {} are accepted",
            idp.name, idp.file, idp.issuer
        );
        let n = self.g.node(&id, NodeKind::Partner);
        n.name = Some(format!(
            "OIDC identity provider {} ({})",
            idp.name, idp.issuer
        ));
        n.properties.insert("oidc_issuer".into(), json!(idp.issuer));
        let users = ids::user("");
        let groups = ids::group("");
        let mut targets: Vec<(String, EdgeKind)> = Vec::new();
        for (node, _) in self.g.nodes() {
            // Not a session template or an IAM identity: those are aws-auth's and entries'.
            if let Some(u) = node.strip_prefix(&users)
                && u.starts_with(&idp.username_prefix)
                && !u.starts_with("system:")
                && !u.contains("{{")
                && !u.starts_with("arn:")
            {
                targets.push((node.clone(), EdgeKind::Assumes));
            }
            if let (Some(g), Some(prefix)) = (node.strip_prefix(&groups), &idp.groups_prefix)
                && g.starts_with(prefix.as_str())
                && !g.starts_with("system:")
            {
                targets.push((node.clone(), EdgeKind::MemberOf));
            }
        }
        for (t, kind) in targets {
            let e = self.g.edge(&id, &t, kind, Level::Admin, &why);
            e.properties
                .insert("seam".into(), json!(crate::coverage::EKS_IDENTITY_PROVIDER));
        }
    }

    /// The node of an AWS account (`aws:account:ID`), an organisation of its own.
    fn aws_account(&mut self, id: &str) -> String {
        let node = format!("aws:account:{id}");
        let n = self.g.node(&node, NodeKind::Tenant);
        n.name = Some(format!("AWS account {id}"));
        n.properties.insert("aws_account_id".into(), json!(id));
        node
    }

    /// The resource node for (scope, group, resource, name), created on first use. A grant
    /// that cannot read Secrets goes to a `#write-only` node of its own, which reveals nothing.
    pub fn resource(
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
            let principals = std::mem::take(&mut self.aws_principals);
            for p in &principals {
                self.g.edge(
                    p,
                    &authenticated,
                    EdgeKind::MemberOf,
                    Level::Admin,
                    "implicit group of every authenticated user (aws-auth)",
                );
            }
            self.aws_principals = principals;
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

/// A namespaced role that may bind ClusterRoles there holds them there: their namespaced
/// instances are drawn even where no binding exists yet. Repeated to a fixpoint, since an
/// instance may itself allow binding.
fn bindable_instances(index: &mut RoleIndex) {
    loop {
        let mut more: Vec<(String, String)> = Vec::new();
        let namespaced = index
            .role_rules
            .iter()
            .map(|((ns, _), rules)| (ns, rules))
            .chain(
                index
                    .instances
                    .iter()
                    .map(|(ns, n)| (ns, &index.cluster_rules[n])),
            );
        for (ns, rules) in namespaced {
            if let Some(names) = escalation::binds_in_namespaces(rules) {
                for n in index.cluster_rules.keys().filter(|n| names.covers(n)) {
                    if !index.instances.contains(&(ns.clone(), n.clone())) {
                        more.push((ns.clone(), n.clone()));
                    }
                }
            }
        }
        if more.is_empty() {
            break;
        }
        index.instances.extend(more);
    }
}

fn workload_kind(kind: &str) -> &'static str {
    manifest::WORKLOAD_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("Workload", |(k, _)| k)
}

/// The escalation paths draw through the builder: users, groups, accounts, workloads and
/// resource nodes are the build's to create.
impl escalation::Graph for Builder<'_> {
    fn graph(&mut self) -> &mut GraphBuilder {
        &mut self.g
    }

    fn user(&mut self, name: &str) -> String {
        Builder::user(self, name)
    }

    fn group(&mut self, name: &str) -> String {
        Builder::group(self, name)
    }

    fn edges_to_accounts(
        &mut self,
        role: &str,
        scope: &Scope,
        names: &rbac::Names,
        kind: EdgeKind,
        why: &str,
    ) {
        // Accounts are looked up by namespace: only the rules that fire ask, so a cluster of
        // many roles and accounts stays linear.
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

    fn admin_of_workloads(
        &mut self,
        role: &str,
        scope: &Scope,
        why: &str,
        pick: &dyn Fn(&str, &str) -> bool,
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

    fn resource(
        &mut self,
        scope: &Scope,
        group: &str,
        resource: &str,
        name: Option<&str>,
        reads: bool,
    ) -> String {
        Builder::resource(self, scope, group, resource, name, reads)
    }
}
