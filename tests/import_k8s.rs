//! `authpath import k8s` end to end: hand-written manifests that exercise each derivation
//! rule of docs/k8s-import.md, imported by the binary, validated, then analysed — asserting
//! the finding each escalation path must produce (and, for the near misses, must not).

mod common;

use common::imported::Imported;
use common::{authpath_in, root, write};
use serde_json::Value;
use std::path::Path;

/// A service account bound to cluster-admin: the prize of every escalation below.
const ROOT_SA: &str = "
apiVersion: v1
kind: ServiceAccount
metadata: {name: root, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-admin}
rules:
- apiGroups: ['*']
  resources: ['*']
  verbs: ['*']
- nonResourceURLs: ['*']
  verbs: ['*']
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: root-is-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: ServiceAccount, name: root, namespace: kube-system}
";

/// A binding of a role to one service account, as `kubectl create rolebinding` writes it:
/// `binding("RoleBinding", "NS/NAME", "Role/ROLE", "SA_NS/SA")`.
fn binding(kind: &str, name: &str, role: &str, account: &str) -> String {
    let meta = match name.split_once('/') {
        Some((ns, n)) => format!("{{name: {n}, namespace: {ns}}}"),
        None => format!("{{name: {name}}}"),
    };
    let (role_kind, role_name) = role.split_once('/').unwrap();
    let (sa_ns, sa) = account.split_once('/').unwrap();
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {meta}\n\
         roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {role_kind}, name: {role_name}}}\n\
         subjects: [{{kind: ServiceAccount, name: {sa}, namespace: {sa_ns}}}]"
    )
}

/// The root account's token Secret, readable by whoever reads Secrets in kube-system.
const ROOT_TOKEN: &str = "apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata:
  name: root-token
  namespace: kube-system
  annotations: {kubernetes.io/service-account.name: root}";

fn import(manifests: &str, extra: &[&str]) -> Imported {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "m.yaml", manifests.as_bytes());
    import_in(dir.path(), &["m.yaml"], extra)
}

fn import_in(dir: &Path, inputs: &[&str], extra: &[&str]) -> Imported {
    let mut args = vec!["import", "k8s"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&["-o", "g.json"]);
    args.extend_from_slice(extra);
    Imported::check(dir, authpath_in(dir, &args))
}

impl Imported {
    /// The path of the transitive-privilege finding `subject` → `target`.
    fn path(&self, subject: &str, target: &str) -> Vec<String> {
        self.path_of("transitive-privilege", subject, target)
    }
}

const ADMIN: &str = "k8s:clusterrole:cluster-admin";

#[test]
fn reading_secrets_reaches_cluster_admin_through_a_token_in_that_namespace() {
    let m = format!(
        "{ROOT_SA}
---
{ROOT_TOKEN}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: reader, namespace: kube-system}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: secret-reader, namespace: kube-system}}
rules:
- apiGroups: ['']
  resources: [secrets]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: reader, namespace: kube-system}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}}
subjects: [{{kind: ServiceAccount, name: reader}}]
"
    );
    let i = import(&m, &[]);
    assert_eq!(
        i.path("k8s:sa:kube-system/reader", ADMIN),
        [
            "k8s:sa:kube-system/reader",
            "k8s:role:kube-system/secret-reader",
            "k8s:res:kube-system:/secrets",
            "k8s:secret:kube-system/root-token",
            "k8s:sa:kube-system/root",
            ADMIN
        ]
    );
    let f = i
        .finding("transitive-privilege", "k8s:sa:kube-system/reader", ADMIN)
        .unwrap();
    assert_eq!(f["level"], "admin");
    assert_eq!(f["severity"], "high");
    let exposes = i
        .edge(
            "k8s:res:kube-system:/secrets",
            "k8s:secret:kube-system/root-token",
            "exposes",
        )
        .expect("exposes edge");
    assert!(exposes.get("level").is_none());
    // The grant is read, and the Role is namespaced: its grant is in its namespace only.
    assert_eq!(
        i.edge(
            "k8s:role:kube-system/secret-reader",
            "k8s:res:kube-system:/secrets",
            "grants"
        )
        .unwrap()["level"],
        "read"
    );
    assert_eq!(
        i.find_node("k8s:role:kube-system/secret-reader").unwrap()["org"],
        "k8s:ns:kube-system"
    );
}

#[test]
fn legacy_tokens_expose_every_account_and_only_with_the_flag() {
    let m = format!(
        "{ROOT_SA}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: reader, namespace: kube-system}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: secret-reader}}
rules: [{{apiGroups: [''], resources: [secrets], verbs: [list]}}]
---
{b0}
",
        b0 = binding(
            "ClusterRoleBinding",
            "reader",
            "ClusterRole/secret-reader",
            "kube-system/reader"
        ),
    );
    let modern = import(&m, &[]);
    assert!(
        modern
            .finding("transitive-privilege", "k8s:sa:kube-system/reader", ADMIN)
            .is_none()
    );
    let legacy = import(&m, &["--legacy-sa-tokens"]);
    assert_eq!(
        legacy.path("k8s:sa:kube-system/reader", ADMIN),
        [
            "k8s:sa:kube-system/reader",
            "k8s:clusterrole:secret-reader",
            "k8s:res:*:/secrets",
            "k8s:token:kube-system/root",
            "k8s:sa:kube-system/root",
            ADMIN
        ]
    );
}

#[test]
fn a_rolebinding_to_a_clusterrole_grants_only_in_its_namespace() {
    let m = format!(
        "{ROOT_SA}
---
{ROOT_TOKEN}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: secret-reader}}
rules: [{{apiGroups: [''], resources: [secrets], verbs: [get, list, watch]}}]
---
{b0}
",
        b0 = binding(
            "RoleBinding",
            "team/read-team-secrets",
            "ClusterRole/secret-reader",
            "team/app"
        ),
    );
    let i = import(&m, &[]);
    assert!(
        i.edge(
            "k8s:sa:team/app",
            "k8s:clusterrole:team/secret-reader",
            "member_of"
        )
        .is_some()
    );
    assert!(
        i.edge(
            "k8s:clusterrole:team/secret-reader",
            "k8s:res:team:/secrets",
            "grants"
        )
        .is_some()
    );
    assert!(
        i.edge(
            "k8s:clusterrole:team/secret-reader",
            "k8s:res:*:/secrets",
            "grants"
        )
        .is_none()
    );
    assert!(
        i.finding("transitive-privilege", "k8s:sa:team/app", ADMIN)
            .is_none()
    );
}

#[test]
fn creating_pods_assumes_every_account_in_the_namespace_and_crosses_orgs() {
    let m = format!(
        "{ROOT_SA}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: deployer, namespace: kube-system}}
rules: [{{apiGroups: [apps], resources: [deployments], verbs: [create]}}]
---
{b0}
",
        b0 = binding(
            "RoleBinding",
            "kube-system/ci-deploys",
            "Role/deployer",
            "ci/runner"
        ),
    );
    let i = import(&m, &[]);
    assert_eq!(
        i.path("k8s:sa:ci/runner", ADMIN),
        [
            "k8s:sa:ci/runner",
            "k8s:role:kube-system/deployer",
            "k8s:sa:kube-system/root",
            ADMIN
        ]
    );
    // The runner lives in `ci`; reaching through `kube-system` crosses organisations.
    assert_eq!(
        i.finding("transitive-privilege", "k8s:sa:ci/runner", ADMIN)
            .unwrap()["severity"],
        "high"
    );
    assert_eq!(i.find_node("k8s:sa:ci/runner").unwrap()["org"], "k8s:ns:ci");
}

#[test]
fn impersonation_and_token_requests_and_bind() {
    let m = format!(
        "{ROOT_SA}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: alice-admin}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}}
subjects: [{{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: impersonator}}
rules: [{{apiGroups: [''], resources: [users], verbs: [impersonate], resourceNames: [alice]}}]
---
{b0}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: token-minter, namespace: kube-system}}
rules: [{{apiGroups: [''], resources: [serviceaccounts/token], verbs: [create]}}]
---
{b1}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: binder}}
rules:
- {{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [cluster-admin]}}
- {{apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}}
---
{b2}
",
        b0 = binding("ClusterRoleBinding", "imp", "ClusterRole/impersonator", "tools/imp"),
        b1 = binding("RoleBinding", "kube-system/minter", "Role/token-minter", "tools/minter"),
        b2 = binding("ClusterRoleBinding", "binder", "ClusterRole/binder", "tools/binder"),
    );
    let i = import(&m, &[]);
    assert_eq!(
        i.path("k8s:sa:tools/imp", ADMIN),
        [
            "k8s:sa:tools/imp",
            "k8s:clusterrole:impersonator",
            "k8s:user:alice",
            ADMIN
        ]
    );
    assert_eq!(
        i.path("k8s:sa:tools/minter", ADMIN),
        [
            "k8s:sa:tools/minter",
            "k8s:role:kube-system/token-minter",
            "k8s:sa:kube-system/root",
            ADMIN
        ]
    );
    assert!(
        i.edge(
            "k8s:role:kube-system/token-minter",
            "k8s:sa:kube-system/root",
            "mints"
        )
        .is_some()
    );
    assert_eq!(
        i.path("k8s:sa:tools/binder", ADMIN),
        ["k8s:sa:tools/binder", "k8s:clusterrole:binder", ADMIN]
    );
    assert!(
        i.edge("k8s:clusterrole:binder", ADMIN, "admin_of")
            .is_some()
    );
    assert!(
        i.find_node(ADMIN).unwrap()["tags"]
            .as_array()
            .unwrap()
            .contains(&"tier0".into())
    );
}

#[test]
fn nodes_proxy_csr_approval_and_webhooks_are_admin_paths() {
    let m = format!(
        "{ROOT_SA}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: agent, namespace: kube-system}}
spec:
  template:
    spec:
      serviceAccountName: root
      containers: [{{name: a, image: a}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: kubelet-reader}}
rules: [{{apiGroups: [''], resources: [nodes/proxy], verbs: [get]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: csr-approver}}
rules:
- {{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create, get]}}
- {{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}}
- {{apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve], resourceNames: [kubernetes.io/kube-apiserver-client]}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: webhook-admin}}
rules: [{{apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [patch]}}]
---
{b0}
---
{b1}
---
{b2}
",
        b0 = binding("ClusterRoleBinding", "monitoring", "ClusterRole/kubelet-reader", "monitoring/prometheus"),
        b1 = binding("ClusterRoleBinding", "approver", "ClusterRole/csr-approver", "tools/approver"),
        b2 = binding("ClusterRoleBinding", "hooks", "ClusterRole/webhook-admin", "mesh/injector"),
    );
    let i = import(&m, &[]);
    assert_eq!(
        i.path("k8s:sa:monitoring/prometheus", ADMIN),
        [
            "k8s:sa:monitoring/prometheus",
            "k8s:clusterrole:kubelet-reader",
            "k8s:workload:kube-system/DaemonSet/agent",
            "k8s:sa:kube-system/root",
            ADMIN
        ]
    );
    let masters = "k8s:group:system:masters";
    assert_eq!(
        i.path("k8s:sa:tools/approver", masters),
        [
            "k8s:sa:tools/approver",
            "k8s:clusterrole:csr-approver",
            masters
        ]
    );
    assert_eq!(
        i.path("k8s:sa:mesh/injector", ADMIN),
        [
            "k8s:sa:mesh/injector",
            "k8s:clusterrole:webhook-admin",
            "k8s:sa:kube-system/root",
            ADMIN
        ]
    );
}

#[test]
fn the_pods_automount_setting_overrides_the_accounts() {
    let m = "
apiVersion: v1
kind: ServiceAccount
metadata: {name: quiet, namespace: apps}
automountServiceAccountToken: false
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: mounts-anyway, namespace: apps}
spec:
  template:
    spec:
      serviceAccountName: quiet
      automountServiceAccountToken: true
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: inherits, namespace: apps}
spec:
  jobTemplate:
    spec:
      template:
        spec: {serviceAccountName: quiet}
---
apiVersion: v1
kind: Pod
metadata: {name: bare, namespace: apps}
spec:
  automountServiceAccountToken: false
";
    let i = import(m, &[]);
    assert!(
        i.edge(
            "k8s:workload:apps/Deployment/mounts-anyway",
            "k8s:sa:apps/quiet",
            "assumes"
        )
        .is_some()
    );
    assert!(
        i.edge(
            "k8s:workload:apps/CronJob/inherits",
            "k8s:sa:apps/quiet",
            "assumes"
        )
        .is_none()
    );
    // No serviceAccountName: the namespace's `default` account, here not mounted.
    assert!(i.find_node("k8s:sa:apps/default").is_some());
    assert!(
        i.edge(
            "k8s:workload:apps/Pod/bare",
            "k8s:sa:apps/default",
            "assumes"
        )
        .is_none()
    );
    assert_eq!(
        i.find_node("k8s:workload:apps/Pod/bare").unwrap()["kind"],
        "app"
    );
}

#[test]
fn aggregated_clusterroles_take_their_rules_from_the_labels_present() {
    let m = format!(
        "{ROOT_SA}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: ops}}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {{example.com/aggregate-to-ops: 'true'}}
rules: null
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ops-pods
  labels: {{example.com/aggregate-to-ops: 'true'}}
rules: [{{apiGroups: [''], resources: [pods], verbs: [create]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: unrelated
  labels: {{example.com/aggregate-to-ops: 'false'}}
rules: [{{apiGroups: [''], resources: [configmaps], verbs: [get]}}]
---
{b0}
",
        b0 = binding("ClusterRoleBinding", "ops", "ClusterRole/ops", "ops/bot"),
    );
    let i = import(&m, &[]);
    assert_eq!(
        i.path("k8s:sa:ops/bot", ADMIN),
        [
            "k8s:sa:ops/bot",
            "k8s:clusterrole:ops",
            "k8s:sa:kube-system/root",
            ADMIN
        ]
    );
    assert!(
        i.edge("k8s:clusterrole:ops", "k8s:res:*:/configmaps", "grants")
            .is_none()
    );
}

#[test]
fn broken_bindings_warn_and_draw_no_path() {
    let m = "
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: dangling}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: not-here}
subjects: [{kind: User, name: bob}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: lonely}
rules: [{apiGroups: [''], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: empty}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: lonely}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: v1
kind: Service
metadata: {name: s}
";
    let i = import(m, &[]);
    assert!(i.stderr.contains("m.yaml:1:1: warning: document 0: ClusterRoleBinding dangling refers to ClusterRole \"not-here\", which is not in the manifests"), "{}", i.stderr);
    assert!(
        i.stderr
            .contains("ClusterRoleBinding empty has no subjects"),
        "{}",
        i.stderr
    );
    assert!(
        i.stderr
            .contains("skipped 2 object(s) of kinds not modelled (1 ConfigMap, 1 Service)"),
        "{}",
        i.stderr
    );
    assert!(i.find_node("k8s:user:bob").is_none());
    assert!(
        i.graph["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["kind"] != "member_of")
    );
}

#[test]
fn malformed_manifests_name_file_document_and_field_and_all_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad.yaml",
        b"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a}
rules: [{apiGroups: [''], resources: [pods], verbs: get}]
---
metadata: {name: no-kind}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: x}
subjects: []
",
    );
    write(
        dir.path(),
        "syntax.yaml",
        b"kind: Role\nmetadata: {name: [\n",
    );
    let run = authpath_in(dir.path(), &["import", "k8s", ".", "-o", "g.json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("bad.yaml:1:1: error: document 0: ClusterRole: field `rules[0].verbs`: invalid type: string \"get\", expected a sequence [k8s-manifest-field]"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("bad.yaml:6:1: error: document 1: missing field `kind` [k8s-manifest-field]"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("bad.yaml:8:1: error: document 2: RoleBinding: missing field `roleRef` [k8s-manifest-field]"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("syntax.yaml:3:1: error: document 0:"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("g.json").exists());
}

#[test]
fn lists_json_directories_and_output_are_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("in")).unwrap();
    write(
        &dir.path().join("in"),
        "list.json",
        br#"{"apiVersion": "v1", "kind": "List", "items": [
          {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "a"}},
          {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r"},
           "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]}
        ]}"#,
    );
    write(
        &dir.path().join("in"),
        "b.yml",
        b"kind: RoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: rb}\nroleRef: {kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: a}]\n",
    );
    let first = import_in(dir.path(), &["in"], &["--namespace", "team"]);
    let bytes = std::fs::read(dir.path().join("g.json")).unwrap();
    import_in(dir.path(), &["in"], &["--namespace", "team"]);
    assert_eq!(bytes, std::fs::read(dir.path().join("g.json")).unwrap());
    assert!(
        first
            .edge("k8s:sa:team/a", "k8s:role:team/r", "member_of")
            .is_some()
    );
    assert!(
        first
            .edge("k8s:role:team/r", "k8s:sa:team/a", "assumes")
            .is_some()
    );
    let ids: Vec<&str> = first.graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

#[test]
fn the_real_default_rbac_and_kube_state_metrics_import() {
    // Vendored with their provenance and licence (tests/data/real/PROVENANCE.md).
    let data = root().join("tests/data/real");
    let dir = tempfile::tempdir().unwrap();
    let bootstrap = data.join("kubernetes-bootstrap-rbac");
    let ksm = data.join("kube-state-metrics");
    let i = import_in(
        dir.path(),
        &[bootstrap.to_str().unwrap(), ksm.to_str().unwrap()],
        &[],
    );
    assert!(
        i.find_node(ADMIN).unwrap()["tags"]
            .as_array()
            .unwrap()
            .contains(&"tier0".into())
    );
    assert!(
        i.edge("k8s:group:system:masters", ADMIN, "member_of")
            .is_some()
    );
    // kube-state-metrics: the pod mounts the token although the account says not to.
    assert!(
        i.edge(
            "k8s:workload:kube-system/Deployment/kube-state-metrics",
            "k8s:sa:kube-system/kube-state-metrics",
            "assumes"
        )
        .is_some()
    );
    // `admin` aggregates `edit`, which aggregates `view`.
    assert!(
        i.edge("k8s:clusterrole:admin", "k8s:res:*:/pods", "grants")
            .is_some()
    );
    let legacy = import_in(
        dir.path(),
        &[bootstrap.to_str().unwrap(), ksm.to_str().unwrap()],
        &["--legacy-sa-tokens"],
    );
    // Before 1.24, listing every Secret is cluster-admin: kube-state-metrics reads the token
    // of a controller that may bind or escalate any role.
    assert!(
        legacy
            .finding(
                "transitive-privilege",
                "k8s:sa:kube-system/kube-state-metrics",
                ADMIN
            )
            .is_some(),
        "{:#}",
        legacy.findings["summary"]
    );
}

#[test]
fn near_misses_draw_no_path() {
    let m = format!(
        "{ROOT_SA}
---
{ROOT_TOKEN}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: secret-writer, namespace: kube-system}}
rules: [{{apiGroups: [''], resources: [secrets], verbs: [create, update]}}]
---
{b0}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: bind-only}}
rules: [{{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}}]
---
{b1}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: everything-here, namespace: team}}
rules: [{{apiGroups: ['*'], resources: ['*'], verbs: ['*']}}]
",
        b0 = binding(
            "RoleBinding",
            "kube-system/writer",
            "Role/secret-writer",
            "tools/writer"
        ),
        b1 = binding(
            "ClusterRoleBinding",
            "bind-only",
            "ClusterRole/bind-only",
            "tools/binder"
        ),
    );
    let i = import(&m, &[]);
    // create/update on Secrets reveals none of them: the grant goes to a node that exposes
    // nothing.
    assert!(
        i.finding("transitive-privilege", "k8s:sa:tools/writer", ADMIN)
            .is_none()
    );
    assert!(
        i.edge(
            "k8s:role:kube-system/secret-writer",
            "k8s:res:kube-system:/secrets#write-only",
            "grants"
        )
        .is_some()
    );
    // bind without the right to write bindings binds nothing.
    assert!(
        i.edge("k8s:clusterrole:bind-only", ADMIN, "admin_of")
            .is_none()
    );
    // cluster-admin may do everything: no derived paths out of it, so a direct member is
    // standing access, reported by no rule.
    assert!(
        i.edge(ADMIN, "k8s:sa:kube-system/root", "assumes")
            .is_none()
    );
    assert!(
        i.findings["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["subject"] != "k8s:sa:kube-system/root")
    );
    // Administering one namespace is not administering the cluster.
    assert!(
        i.find_node("k8s:role:team/everything-here")
            .unwrap()
            .get("tags")
            .is_none()
    );
    assert!(i.find_node("k8s:res:*:*/*").unwrap().get("tags").is_none());
}

#[test]
fn creating_and_reading_secrets_mints_any_account_there() {
    let m = format!(
        "{ROOT_SA}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: secrets, namespace: kube-system}}
rules: [{{apiGroups: [''], resources: [secrets], verbs: [create, get]}}]
---
{b0}
",
        b0 = binding(
            "RoleBinding",
            "kube-system/secrets",
            "Role/secrets",
            "tools/operator"
        ),
    );
    let i = import(&m, &[]);
    assert_eq!(
        i.path("k8s:sa:tools/operator", ADMIN),
        [
            "k8s:sa:tools/operator",
            "k8s:role:kube-system/secrets",
            "k8s:sa:kube-system/root",
            ADMIN
        ]
    );
    assert!(
        i.edge(
            "k8s:role:kube-system/secrets",
            "k8s:sa:kube-system/root",
            "mints"
        )
        .is_some()
    );
}

#[test]
fn hostile_manifests_are_refused_quickly_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    // Billion laughs: aliases that would expand to 10^12 nodes.
    let mut laughs = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12u8 {
        let (n, p) = ((b'a' + i) as char, (b'a' + i - 1) as char);
        laughs.push_str(&format!(
            "{n}: &{n} [{}]\n",
            vec![format!("*{p}"); 10].join(", ")
        ));
    }
    write(dir.path(), "laughs.yaml", laughs.as_bytes());
    // 100,000 nested flow sequences: the YAML scanner would take ~40 s.
    let deep = format!(
        "kind: Role\nmetadata: {{name: x}}\nrules: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    write(dir.path(), "deep.yaml", deep.as_bytes());
    write(
        dir.path(),
        "binary.yaml",
        b"kind: Role\n\xff\xfe\x00garbage",
    );
    write(dir.path(), "scalar.yaml", b"just a string\n---\n[1, 2]\n");
    write(
        dir.path(),
        "items.json",
        br#"{"kind": "List", "items": {"a": 1}}"#,
    );
    write(dir.path(), "empty.yaml", b"");
    write(
        dir.path(),
        "twice.yaml",
        b"kind: RoleBinding\nmetadata: {name: a}\nroleRef: {kind: Role, name: r}\nsubjects: []\nsubjects: [{kind: User, name: eve}]\n",
    );
    let started = std::time::Instant::now();
    // --strict: the files without a Kubernetes object are errors too, not skipped.
    let run = authpath_in(
        dir.path(),
        &["import", "k8s", ".", "--strict", "-o", "g.json"],
    );
    assert!(
        started.elapsed().as_secs() < 20,
        "hostile input took {:?}",
        started.elapsed()
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    for expected in [
        "./laughs.yaml:1:1: error: document 0: repetition limit exceeded [yaml-syntax]",
        "./deep.yaml:3:264: error: collections nested more than 256 levels deep [k8s-too-deep]",
        "./binary.yaml:2:1: error: the file is not valid UTF-8 [not-utf8]",
        "./scalar.yaml:1:1: error: document 0: a manifest must be an object, found a string [k8s-not-object]",
        "./scalar.yaml:3:1: error: document 1: a manifest must be an object, found an array [k8s-not-object]",
        "./items.json:1:1: error: document 0: field `items` of a List must be an array, found an object [k8s-manifest-field]",
        "./twice.yaml:1:1: error: document 0: the key \"subjects\" appears twice in one object [yaml-syntax]",
    ] {
        assert!(
            run.stderr.contains(expected),
            "missing {expected:?} in:\n{}",
            run.stderr
        );
    }
    assert!(
        !run.stderr.contains("empty.yaml"),
        "an empty file is no problem: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"));
    assert!(!dir.path().join("g.json").exists());
}

/// The worked example of graphs/k8s/platform: its findings are listed in graphs/README.md
/// and the fixture's README, so they are pinned here.
#[test]
fn the_platform_fixture_findings_are_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let platform = root().join("graphs/k8s/platform");
    let i = import_in(dir.path(), &[platform.to_str().unwrap()], &[]);
    let lines = common::finding_lines(&i.findings, false);
    insta::assert_snapshot!(lines.join("\n"));
    // The graph an importer writes is a graph file like any other: the published schema
    // accepts it (editors and other tools read it by that schema).
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/authpath-graph.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&i.graph)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn binding_clusterroles_in_a_namespace_and_patching_running_pods() {
    let m = format!(
        "{ROOT_SA}
---
{ROOT_TOKEN}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: agent, namespace: kube-system}}
spec: {{template: {{spec: {{serviceAccountName: root}}}}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: binder, namespace: kube-system}}
rules:
- {{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [cluster-admin]}}
- {{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}}
---
{b0}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: patcher, namespace: kube-system}}
rules: [{{apiGroups: [''], resources: [pods], verbs: [patch]}}]
---
{b1}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: group-only}}
rules: [{{apiGroups: [''], resources: [groups], verbs: [impersonate]}}]
",
        b0 = binding("RoleBinding", "kube-system/binder", "Role/binder", "tools/binder"),
        b1 = binding("RoleBinding", "kube-system/patcher", "Role/patcher", "tools/patcher"),
    );
    let i = import(&m, &[]);
    // The Role may bind cluster-admin inside kube-system: it holds that namespace's instance,
    // which runs pods as any account there.
    assert_eq!(
        i.path("k8s:sa:tools/binder", ADMIN),
        [
            "k8s:sa:tools/binder",
            "k8s:role:kube-system/binder",
            "k8s:clusterrole:kube-system/cluster-admin",
            "k8s:sa:kube-system/root",
            ADMIN
        ]
    );
    // …which, not being tier0 (one namespace), has the namespace's paths: reading the
    // token too.
    assert!(
        i.edge(
            "k8s:res:kube-system:*/*",
            "k8s:secret:kube-system/root-token",
            "exposes"
        )
        .is_some()
    );
    // Patching running pods reaches the pods a DaemonSet runs.
    assert_eq!(
        i.path("k8s:sa:tools/patcher", ADMIN),
        [
            "k8s:sa:tools/patcher",
            "k8s:role:kube-system/patcher",
            "k8s:workload:kube-system/DaemonSet/agent",
            "k8s:sa:kube-system/root",
            ADMIN
        ]
    );
    // Impersonating groups needs impersonating a user or account too.
    assert!(
        i.edge(
            "k8s:clusterrole:group-only",
            "k8s:group:system:masters",
            "assumes"
        )
        .is_none()
    );
    assert_eq!(
        i.edge(
            "k8s:role:kube-system/patcher",
            "k8s:res:kube-system:/pods",
            "grants"
        )
        .unwrap()["derived_from"],
        serde_json::json!(["verbs: patch"])
    );
}

/// A stock cluster's bootstrap RBAC: its controllers reach cluster-admin by design. They are
/// tagged `builtin` and rated info, so the default gate passes; `--include-builtin` rates
/// them like any workload. The component users are services, not people.
#[test]
fn a_stock_clusters_controllers_do_not_fail_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let bootstrap = root().join("tests/data/real/kubernetes-bootstrap-rbac");
    let run = authpath_in(
        dir.path(),
        &[
            "import",
            "k8s",
            bootstrap.to_str().unwrap(),
            "--as-of",
            "2026-11-01T00:00:00Z",
            "-o",
            "g.json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let graph: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("g.json")).unwrap()).unwrap();
    let node = |id: &str| -> Value {
        graph["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .unwrap_or_else(|| panic!("no node {id}"))
            .clone()
    };
    let kcm = node("k8s:user:system:kube-controller-manager");
    assert_eq!(kcm["kind"], "service");
    assert_eq!(kcm["tags"], serde_json::json!(["builtin"]));
    assert_eq!(
        node("k8s:sa:kube-system/deployment-controller")["tags"],
        serde_json::json!(["builtin"])
    );

    let default = authpath_in(dir.path(), &["analyze", "g.json", "--format", "json"]);
    assert_eq!(default.code, 0, "{}", default.stderr);
    let doc: Value = serde_json::from_str(&default.stdout).unwrap();
    assert_eq!(doc["summary"]["high"], 0);
    assert_eq!(doc["summary"]["critical"], 0);
    assert_eq!(doc["summary"]["info"], 11);
    let first = &doc["findings"][0];
    assert_eq!(
        first["subject"],
        "k8s:sa:kube-system/clusterrole-aggregation-controller"
    );
    assert!(
        first["message"].as_str().unwrap().contains(
            "(a built-in platform identity, rated info; --include-builtin rates it like any other)"
        ),
        "{}",
        first["message"]
    );

    let all = authpath_in(
        dir.path(),
        &["analyze", "g.json", "--format", "json", "--include-builtin"],
    );
    assert_eq!(all.code, 1);
    let doc: Value = serde_json::from_str(&all.stdout).unwrap();
    let high: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "high")
        .map(|f| f["subject"].as_str().unwrap())
        .collect();
    // The ten controllers that may create pods as any account or aggregate any role, and the
    // controller manager's own user (a component, so a default subject now, not a person).
    assert_eq!(
        high,
        [
            "k8s:sa:kube-system/clusterrole-aggregation-controller",
            "k8s:sa:kube-system/cronjob-controller",
            "k8s:sa:kube-system/daemon-set-controller",
            "k8s:sa:kube-system/deployment-controller",
            "k8s:sa:kube-system/generic-garbage-collector",
            "k8s:sa:kube-system/job-controller",
            "k8s:sa:kube-system/persistent-volume-binder",
            "k8s:sa:kube-system/replicaset-controller",
            "k8s:sa:kube-system/replication-controller",
            "k8s:sa:kube-system/statefulset-controller",
            "k8s:user:system:kube-controller-manager",
        ]
    );
}

/// A directory that also holds other JSON and YAML (a graph, a CI workflow, a Helm chart's
/// metadata) imports its manifests and skips the rest with one warning each; `--strict`
/// refuses them.
#[test]
fn files_without_kubernetes_objects_in_a_directory_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("manifests");
    std::fs::create_dir(&m).unwrap();
    for f in std::fs::read_dir(root().join("graphs/k8s/platform")).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_some_and(|x| x == "yaml" || x == "json") {
            std::fs::copy(&f, m.join(f.file_name().unwrap())).unwrap();
        }
    }
    std::fs::copy(
        root().join("graphs/msp-delegated-admin.json"),
        m.join("graph.json"),
    )
    .unwrap();
    write(
        &m,
        "workflow.yml",
        b"name: ci\non: push\njobs:\n  build: {runs-on: ubuntu-latest}\n",
    );
    write(
        &m,
        "Chart.yaml",
        b"apiVersion: v2\nname: app\nversion: 1.0.0\n",
    );
    let lenient = authpath_in(dir.path(), &["import", "k8s", "manifests", "-o", "g.json"]);
    assert_eq!(lenient.code, 0, "{}", lenient.stderr);
    for f in ["Chart.yaml", "graph.json", "workflow.yml"] {
        let line = format!(
            "manifests/{f}:1:1: warning: not a Kubernetes manifest (no document names a `kind`): skipped [k8s-not-manifest]"
        );
        assert!(
            lenient.stderr.contains(&line),
            "missing {line:?} in\n{}",
            lenient.stderr
        );
    }
    assert_eq!(
        lenient.stderr.matches("not a Kubernetes manifest").count(),
        3
    );
    let reference = authpath_in(
        dir.path(),
        &[
            "import",
            "k8s",
            &root().join("graphs/k8s/platform").to_string_lossy(),
            "-o",
            "ref.json",
        ],
    );
    assert_eq!(reference.code, 0);
    // The same graph as the manifests alone (but for the source paths it records).
    let shape = |f: &str| -> (Vec<String>, usize) {
        let g: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(f)).unwrap()).unwrap();
        let ids = g["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_owned())
            .collect();
        (ids, g["edges"].as_array().unwrap().len())
    };
    let (got, want) = (shape("g.json"), shape("ref.json"));
    assert!(
        got == want,
        "{} nodes / {} edges, expected {} / {}",
        got.0.len(),
        got.1,
        want.0.len(),
        want.1
    );

    let strict = authpath_in(
        dir.path(),
        &["import", "k8s", "manifests", "--strict", "-o", "s.json"],
    );
    assert_eq!(strict.code, 2);
    assert!(
        strict.stderr.contains(
            "manifests/graph.json:1:1: error: document 0: missing field `kind` [k8s-manifest-field]"
        ),
        "{}",
        strict.stderr
    );
    assert!(!dir.path().join("s.json").exists());
    // Named on the command line, a file is read as manifests whatever it holds.
    let named = authpath_in(
        dir.path(),
        &["import", "k8s", "manifests/graph.json", "-o", "n.json"],
    );
    assert_eq!(named.code, 2);
}

/// The shape users tried: cluster admins by binding, a partner's AWS role mapped into
/// `system:masters` by the aws-auth ConfigMap, and Secrets in a namespace that one account
/// may read.
fn trial() -> String {
    format!(
        "{ROOT_SA}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: humans-are-admin}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}}
subjects:
- {{kind: User, name: alice}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: aws-auth, namespace: kube-system}}
data:
  mapRoles: |
    - rolearn: arn:aws:iam::999999999999:role/partner-deployer
      username: partner:{{{{SessionName}}}}
      groups: [system:masters]
---
apiVersion: v1
kind: Secret
metadata: {{name: db-password, namespace: payments}}
type: Opaque
---
apiVersion: v1
kind: Secret
metadata: {{name: card-keys, namespace: payments}}
type: kubernetes.io/tls
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: report, namespace: payments}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: reader, namespace: payments}}
rules:
- {{apiGroups: [''], resources: [secrets], verbs: [get]}}
---
{}",
        binding(
            "RoleBinding",
            "payments/read",
            "Role/reader",
            "payments/report"
        )
    )
}

const PARTNER_ROLE: &str = "arn:aws:iam::999999999999:role/partner-deployer";
const DB_SECRET: &str = "k8s:res:payments:/secrets/db-password";

/// `who-can --reach ID --subjects all` on the imported graph.
fn who_can(dir: &Path, id: &str) -> Vec<(String, String)> {
    common::who_can(dir, "g.json", id, &["--subjects", "all"])
}

#[test]
fn a_secret_is_reached_by_every_grant_that_covers_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "m.yaml", trial().as_bytes());
    let i = import_in(dir.path(), &["m.yaml"], &[]);
    // Every Secret is a node, named, with its type, never its values.
    let secret = i.find_node(DB_SECRET).expect("the Secret is a node");
    assert_eq!(secret["kind"], "resource");
    assert_eq!(secret["name"], "Secret payments/db-password");
    assert_eq!(secret["k8s_secret_type"], "Opaque");
    assert_eq!(secret["sensitivity"], "high");
    assert!(i.find_node("k8s:res:payments:/secrets/card-keys").is_some());

    // The cluster admins (by binding and by system:masters) reach it at admin, through the
    // cover groups of the patterns they hold; the reader at read.
    let who = who_can(dir.path(), DB_SECRET);
    for (subject, level) in [
        ("k8s:sa:kube-system/root", "admin"),
        ("k8s:user:alice", "admin"),
        (PARTNER_ROLE, "admin"),
        ("k8s:sa:payments/report", "read"),
    ] {
        assert!(
            who.contains(&(subject.to_string(), level.to_string())),
            "{subject} at {level} missing from {who:?}"
        );
    }
    // The pattern in between is covered too.
    let who = who_can(dir.path(), "k8s:res:payments:/secrets");
    assert!(
        who.iter().any(|(s, l)| s == PARTNER_ROLE && l == "admin"),
        "{who:?}"
    );

    // The partner's role finds its chain to the Secret.
    let run = authpath_in(
        dir.path(),
        &[
            "path",
            "g.json",
            "--from",
            PARTNER_ROLE,
            "--to",
            DB_SECRET,
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let text = run.stdout.clone();
    assert_eq!(v["level"], "admin", "{text}");
    let first: Vec<&str> = v["paths"][0]["path"]
        .as_array()
        .unwrap_or_else(|| panic!("{text}"))
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(
        first,
        vec![
            PARTNER_ROLE,
            "k8s:group:system:masters",
            "k8s:res:*:*/*#covers",
            "k8s:res:payments:/secrets#covers",
            DB_SECRET
        ],
        "{text}"
    );
    // Nearest coverers only: the cluster-wide pattern does not grant the Secret directly.
    assert!(
        i.edge("k8s:res:*:*/*#covers", DB_SECRET, "grants")
            .is_none()
    );
    assert!(
        i.edge("k8s:res:payments:/secrets#covers", DB_SECRET, "grants")
            .is_some()
    );
    assert_eq!(
        i.edge(
            "k8s:role:payments/reader",
            "k8s:res:payments:/secrets#covers",
            "member_of"
        )
        .expect("the reader holds what its pattern covers")["level"],
        "read"
    );
}

#[test]
fn a_policy_makes_secrets_critical_for_every_command_alike() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "m.yaml", trial().as_bytes());
    import_in(dir.path(), &["m.yaml"], &[]);
    write(
        dir.path(),
        "authpath.toml",
        b"[critical]\ntags = [\"k8s-secret-type:Opaque\"]\n",
    );
    // analyze counts who reaches the Secret, now critical: the partner's role among them.
    let a = authpath_in(dir.path(), &["analyze", "g.json", "--format", "json"]);
    let v: Value = serde_json::from_str(&a.stdout).unwrap();
    let exposed = v["exposure"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == DB_SECRET)
        .unwrap_or_else(|| panic!("{}", a.stdout));
    assert_eq!(exposed["admin"], 2, "{exposed}");
    // blast-radius counts it as critical under the same policy: system:masters (tier0) and
    // the Secret; without the policy only the first.
    let critical = |extra: &[&str]| -> Value {
        let mut args = vec![
            "blast-radius",
            "g.json",
            "--from",
            PARTNER_ROLE,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let b = authpath_in(dir.path(), &args);
        let blast: Value = serde_json::from_str(&b.stdout).unwrap();
        blast["summary"]["critical"].clone()
    };
    assert_eq!(critical(&[]), 2);
    assert_eq!(critical(&["--policy", "/dev/null"]), 1);
    // cut's default targets are the critical nodes: the policy's Secret is among them.
    let c = authpath_in(
        dir.path(),
        &["cut", "g.json", "--from", PARTNER_ROLE, "--format", "json"],
    );
    assert_eq!(c.code, 0, "{}", c.stderr);
    let cut: Value = serde_json::from_str(&c.stdout).unwrap();
    assert!(
        cut["targets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == DB_SECRET),
        "{}",
        c.stdout
    );
    // Without the policy it is not critical.
    let c = authpath_in(
        dir.path(),
        &[
            "cut",
            "g.json",
            "--from",
            PARTNER_ROLE,
            "--format",
            "json",
            "--policy",
            "/dev/null",
        ],
    );
    let cut: Value = serde_json::from_str(&c.stdout).unwrap();
    assert!(
        !cut["targets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == DB_SECRET)
    );
}

#[test]
fn the_real_aws_auth_files_import_identically_with_their_mappings() {
    let mut graphs = Vec::new();
    for file in [
        "aws-auth.yaml",
        "aws-auth-crazy-case-keys.yaml",
        "aws-auth-open-source-case-keys.yaml",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let bytes = std::fs::read(root().join("tests/data/real/eks").join(file)).unwrap();
        // One name for all three, so that the nodes' sources match.
        write(dir.path(), "aws-auth.yaml", &bytes);
        let i = import_in(dir.path(), &["aws-auth.yaml", "--strict"], &[]);
        assert!(!i.stderr.contains("skipped"), "{file}: {}", i.stderr);
        let admin = "arn:aws:iam::555555555555:user/admin";
        let nodes =
            "arn:aws:iam::555555555555:role/devel-worker-nodes-NodeInstanceRole-74RF4UBDUKL6";
        assert_eq!(i.find_node(admin).unwrap()["kind"], "human", "{file}");
        assert_eq!(
            i.find_node(admin).unwrap()["org"],
            "aws:account:555555555555"
        );
        assert_eq!(i.find_node(nodes).unwrap()["kind"], "service");
        assert!(
            i.edge(admin, "k8s:group:system:masters", "member_of")
                .is_some(),
            "{file}"
        );
        assert!(i.edge(admin, "k8s:user:admin", "assumes").is_some());
        assert!(
            i.edge(nodes, "k8s:group:system:nodes", "member_of")
                .is_some()
        );
        assert!(
            i.edge(nodes, "k8s:group:system:bootstrappers", "member_of")
                .is_some()
        );
        assert!(
            i.edge(
                nodes,
                "k8s:user:system:node:{{EC2PrivateDNSName}}",
                "assumes"
            )
            .is_some()
        );
        assert!(i.find_node("aws:account:555555555555").is_some());
        // system:masters may do everything: tier0, and admin on every resource.
        assert!(
            i.find_node("k8s:group:system:masters").unwrap()["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t == "tier0")
        );
        assert!(
            i.edge("k8s:group:system:masters", "k8s:res:*:*/*", "grants")
                .is_some()
        );
        graphs.push(std::fs::read(dir.path().join("g.json")).unwrap());
    }
    assert_eq!(graphs[0], graphs[1]);
    assert_eq!(graphs[0], graphs[2]);
}

#[test]
fn aws_auth_entries_that_map_no_one_are_named() {
    let m = "
apiVersion: v1
kind: ConfigMap
metadata: {name: aws-auth, namespace: kube-system}
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef
      groups: [system:masters]
";
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "m.yaml", m.as_bytes());
    let run = authpath_in(dir.path(), &["import", "k8s", "m.yaml", "-o", "g.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("m.yaml:1:1: warning"), "{}", run.stderr);
    assert!(run.stderr.contains("mapRoles[0]") && run.stderr.contains("has a path"));
    assert!(
        run.stderr
            .contains("arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef")
    );
    assert!(run.stderr.contains("[k8s-aws-auth]"));
    let g = std::fs::read_to_string(dir.path().join("g.json")).unwrap();
    assert!(
        !g.contains("AWSReservedSSO"),
        "a dead entry draws no edge: {g}"
    );
}

#[test]
fn skipped_objects_are_named_and_strict_refuses_the_ones_that_matter() {
    let m = "
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: policy-gate}
webhooks: []
---
apiVersion: example.com/v1
kind: RoleTemplate
metadata: {name: tenant-admin, namespace: team}
spec:
  rules:
  - {apiGroups: ['*'], resources: ['*'], verbs: ['*']}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: apps}
data: {a: b}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: a, namespace: team}
";
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "m.yaml", m.as_bytes());
    let run = authpath_in(dir.path(), &["import", "k8s", "m.yaml", "-o", "g.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for expected in [
        "m.yaml:1:1: warning: document 0: ValidatingWebhookConfiguration \"policy-gate\" matters to authority but is not modelled: skipped [k8s-unmodelled-authority]",
        "RoleTemplate \"team/tenant-admin\" matters to authority",
        "skipped ConfigMap: apps/settings",
        "skipped RoleTemplate: team/tenant-admin",
        "skipped ValidatingWebhookConfiguration: policy-gate",
    ] {
        assert!(
            run.stderr.contains(expected),
            "{expected:?} not in:\n{}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("ConfigMap \"apps/settings\" matters"));
    std::fs::remove_file(dir.path().join("g.json")).unwrap();
    let run = authpath_in(
        dir.path(),
        &["import", "k8s", "m.yaml", "-o", "g.json", "--strict"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("2 warning(s), which --strict makes errors; no graph written"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("g.json").exists());
}
