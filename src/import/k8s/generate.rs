//! Generated manifests for measuring the importer: per namespace of 50 objects, service
//! accounts, Roles and RoleBindings, Deployments, token Secrets, and ClusterRoles with
//! their ClusterRoleBindings. Deterministic: object `i` depends only on `i`.

use std::fmt::Write as _;

/// `n` manifests, one YAML object each.
pub fn manifests(n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let ns = format!("ns-{}", i / 50);
        let k = i % 50;
        let mut m = String::new();
        match k % 10 {
            0 if k == 0 => {
                let _ = write!(
                    m,
                    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"
                );
            }
            0..=2 => {
                let _ = write!(
                    m,
                    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-{k}\n  namespace: {ns}\n"
                );
            }
            3 => {
                let verbs = ["get", "list", "create", "update"][k % 4];
                let res = ["pods", "secrets", "deployments", "configmaps"][(k / 10) % 4];
                let group = if res == "deployments" { "apps" } else { "" };
                let _ = write!(
                    m,
                    "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: role-{k}\n  namespace: {ns}\nrules:\n- apiGroups: [\"{group}\"]\n  resources: [\"{res}\"]\n  verbs: [\"{verbs}\"]\n"
                );
            }
            4 => {
                let _ = write!(
                    m,
                    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb-{k}\n  namespace: {ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: role-{}\nsubjects:\n- kind: ServiceAccount\n  name: sa-{}\n",
                    k - 1,
                    k - 3
                );
            }
            5 | 6 => {
                let _ = write!(
                    m,
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{k}\n  namespace: {ns}\nspec:\n  template:\n    spec:\n      serviceAccountName: sa-{}\n      containers:\n      - name: app\n        image: example/app:1\n",
                    k - k % 10
                );
            }
            7 => {
                let _ = write!(
                    m,
                    "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/service-account-token\nmetadata:\n  name: tok-{k}\n  namespace: {ns}\n  annotations:\n    kubernetes.io/service-account.name: sa-{}\n",
                    k - k % 10
                );
            }
            8 => {
                let _ = write!(
                    m,
                    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr-{i}\nrules:\n- apiGroups: [\"\"]\n  resources: [\"nodes\", \"namespaces\"]\n  verbs: [\"get\", \"list\", \"watch\"]\n"
                );
            }
            _ => {
                let _ = write!(
                    m,
                    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: crb-{i}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cr-{}\nsubjects:\n- kind: ServiceAccount\n  name: sa-{}\n  namespace: {ns}\n",
                    i - 1,
                    k - k % 10
                );
            }
        }
        out.push(m);
    }
    out
}
