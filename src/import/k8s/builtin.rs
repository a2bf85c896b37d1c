//! The control plane's own identities: the service accounts the controller manager, the
//! scheduler and the cluster add-ons run as in `kube-system`, and the component users their
//! client certificates name. A stock cluster grants them what they need to run the cluster
//! (the garbage collector deletes anything, a deployment controller creates pods as any
//! service account), so reporting them like workloads fails every gate on day one. The
//! importer tags them `builtin`; `analyze` rates their findings info unless
//! `--include-builtin` (docs/k8s-import.md lists them).

/// Service accounts in `kube-system` that the controller manager's controllers and the
/// cluster's add-ons run as (the subjects of the bootstrap `system:controller:*` bindings,
/// and the add-ons every distribution installs).
pub(crate) const KUBE_SYSTEM_ACCOUNTS: &[&str] = &[
    "attachdetach-controller",
    "bootstrap-signer",
    "certificate-controller",
    "cloud-provider",
    "clusterrole-aggregation-controller",
    "coredns",
    "cronjob-controller",
    "daemon-set-controller",
    "deployment-controller",
    "disruption-controller",
    "endpoint-controller",
    "endpointslice-controller",
    "endpointslicemirroring-controller",
    "ephemeral-volume-controller",
    "expand-controller",
    "generic-garbage-collector",
    "horizontal-pod-autoscaler",
    "job-controller",
    "kube-controller-manager",
    "kube-dns",
    "kube-proxy",
    "kube-scheduler",
    "leader-election-controller",
    "legacy-service-account-token-cleaner",
    "namespace-controller",
    "node-controller",
    "persistent-volume-binder",
    "pod-garbage-collector",
    "pv-protection-controller",
    "pvc-protection-controller",
    "replicaset-controller",
    "replication-controller",
    "resourcequota-controller",
    "root-ca-cert-publisher",
    "route-controller",
    "service-account-controller",
    "service-controller",
    "statefulset-controller",
    "token-cleaner",
    "ttl-after-finished-controller",
    "ttl-controller",
    "validatingadmissionpolicy-status-controller",
];

/// Users the control-plane components authenticate as (their certificates' common names).
pub(crate) const COMPONENT_USERS: &[&str] = &[
    "system:apiserver",
    "system:kube-controller-manager",
    "system:kube-proxy",
    "system:kube-scheduler",
];

/// A node's kubelet authenticates as `system:node:NODE-NAME`.
const NODE_USER_PREFIX: &str = "system:node:";

/// Whether the service account `ns/name` is one of the control plane's own.
pub(crate) fn is_builtin_account(ns: &str, name: &str) -> bool {
    ns == "kube-system" && KUBE_SYSTEM_ACCOUNTS.contains(&name)
}

/// Whether the user `name` is a control-plane component (a machine, not a person).
pub(crate) fn is_component_user(name: &str) -> bool {
    COMPONENT_USERS.contains(&name)
        || name
            .strip_prefix(NODE_USER_PREFIX)
            .is_some_and(|node| !node.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_and_scoped() {
        assert!(KUBE_SYSTEM_ACCOUNTS.is_sorted());
        assert!(COMPONENT_USERS.is_sorted());
        assert!(is_builtin_account("kube-system", "deployment-controller"));
        assert!(!is_builtin_account("default", "deployment-controller"));
        assert!(!is_builtin_account("kube-system", "my-operator"));
        assert!(is_component_user("system:kube-controller-manager"));
        assert!(is_component_user("system:node:worker-1"));
        assert!(!is_component_user("system:node:"));
        assert!(!is_component_user("system:anonymous"));
        assert!(!is_component_user("alice@example.com"));
    }
}
