//! The EKS seams end to end through the binary: an `aws-iam` source's `eks` answers read
//! (the AWS CLI's own example answers among them), the authentication mode deciding which
//! of aws-auth and access entries count, access policies held with the EKS User Guide's
//! rules, Pod Identity links checked against the role's trust, IRSA matched on the
//! cluster's issuer and the token's subject, and coverage saying what was not decided.

mod common;

use common::{authpath_in, root, write};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// The JSON answers of an AWS CLI example page: each indented block after `Output::`.
fn rst_outputs(file: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(l) = lines.next() {
        if l.trim() != "Output::" {
            continue;
        }
        let mut block = String::new();
        while let Some(next) = lines.peek() {
            if next.is_empty() || next.starts_with("    ") {
                block.push_str(next.strip_prefix("    ").unwrap_or(next));
                block.push('\n');
                lines.next();
            } else {
                break;
            }
        }
        out.push(serde_json::from_str(&block).unwrap_or_else(|e| panic!("{e}: {block}")));
    }
    out
}

fn import(dir: &Path) -> (Value, String) {
    let run = authpath_in(dir, &["import", "estate", "estate.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    (serde_json::from_str(&run.stdout).unwrap(), run.stderr)
}

fn analyze(dir: &Path) -> Value {
    let run = authpath_in(dir, &["analyze", "estate.toml", "--format", "json"]);
    assert!(run.code <= 1, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

fn edges<'a>(g: &'a Value, seam: &str) -> Vec<(&'a str, &'a str)> {
    g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["seam"] == seam)
        .map(|e| (e["from"].as_str().unwrap(), e["to"].as_str().unwrap()))
        .collect()
}

fn seam<'a>(doc: &'a Value, kind: &str) -> &'a Value {
    doc["coverage"]["seams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == kind)
        .unwrap()
}

/// An estate of one AWS account (`authz` as its authorization details) and one cluster
/// (`cluster` as its manifests), the account's `eks` answers being `answers`.
fn estate(dir: &Path, authz: &str, cluster: &str, answers: &[(&str, String)]) {
    write(dir, "authz.json", authz.as_bytes());
    write(dir, "cluster.yaml", cluster.as_bytes());
    std::fs::create_dir_all(dir.join("eks")).unwrap();
    for (name, text) in answers {
        write(&dir.join("eks"), name, text.as_bytes());
    }
    let manifest = "version = 1\nas_of = \"2026-11-01T00:00:00Z\"\n[[source]]\nname = \"aws\"\nkind = \"aws-iam\"\npath = \"authz.json\"\neks = { c = \"eks/\" }\n[[source]]\nname = \"c\"\nkind = \"k8s\"\npath = \"cluster.yaml\"\neks = \"aws/c\"\n";
    write(dir, "estate.toml", manifest.as_bytes());
}

/// Team-made: account 111122223333 with the roles the answers name.
fn authz(roles: &[(&str, &str)]) -> String {
    let roles: Vec<Value> = roles
        .iter()
        .map(|(name, trust)| {
            serde_json::json!({
                "Path": "/", "RoleName": name, "RoleId": format!("AROA{}", name.to_uppercase()),
                "Arn": format!("arn:aws:iam::111122223333:role/{name}"),
                "AssumeRolePolicyDocument": serde_json::from_str::<Value>(trust).unwrap(),
                "InstanceProfileList": [], "RolePolicyList": [], "AttachedManagedPolicies": [],
            })
        })
        .collect();
    serde_json::json!({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": roles, "Policies": []})
        .to_string()
}

const SERVICE_TRUST: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#;

/// Team-made: a cluster with an aws-auth ConfigMap mapping `mapped` into system:masters,
/// a Secret, and service accounts.
fn cluster(mapped: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: aws-auth, namespace: kube-system}}\ndata:\n  mapRoles: |\n    - rolearn: {mapped}\n      groups: [system:masters]\n---\napiVersion: v1\nkind: Secret\nmetadata: {{name: db, namespace: apps}}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: web, namespace: apps}}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: batch, namespace: jobs}}\n"
    )
}

fn describe_cluster(mode: Option<&str>) -> String {
    let access = mode.map_or(String::new(), |m| {
        format!(", \"accessConfig\": {{\"authenticationMode\": \"{m}\", \"bootstrapClusterCreatorAdminPermissions\": false}}")
    });
    format!(
        "{{\"cluster\": {{\"name\": \"c\", \"identity\": {{\"oidc\": {{\"issuer\": \"https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE\"}}}}{access}}}}}"
    )
}

fn entry(role: &str, policy: Option<(&str, &[&str])>) -> String {
    let mut out = format!(
        "{{\"accessEntry\": {{\"clusterName\": \"c\", \"principalArn\": \"arn:aws:iam::111122223333:role/{role}\", \"kubernetesGroups\": [], \"type\": \"STANDARD\"}}}}\n"
    );
    if let Some((p, namespaces)) = policy {
        let scope = if namespaces.is_empty() {
            "{\"type\": \"cluster\", \"namespaces\": []}".to_string()
        } else {
            format!("{{\"type\": \"namespace\", \"namespaces\": {namespaces:?}}}")
        };
        out.push_str(&format!(
            "{{\"associatedAccessPolicies\": [{{\"policyArn\": \"arn:aws:eks::aws:cluster-access-policy/{p}\", \"accessScope\": {scope}}}], \"clusterName\": \"c\", \"principalArn\": \"arn:aws:iam::111122223333:role/{role}\"}}\n"
        ));
    }
    out
}

const MASTERS: &str = "c:k8s:group:system:masters";

#[test]
fn the_authentication_mode_decides_which_of_aws_auth_and_access_entries_count() {
    let roles = [("ops", SERVICE_TRUST), ("viewer", SERVICE_TRUST)];
    let mapped = "arn:aws:iam::111122223333:role/ops";
    let answers = |mode: Option<&str>| {
        vec![
            ("cluster.json", describe_cluster(mode)),
            (
                "entries.json",
                entry("ops", Some(("AmazonEKSViewPolicy", &["apps"])))
                    + &entry("viewer", Some(("AmazonEKSAdminViewPolicy", &[]))),
            ),
        ]
    };
    let masters_of = |g: &Value| -> BTreeSet<String> {
        g["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["to"] == MASTERS)
            .map(|e| e["from"].as_str().unwrap().to_string())
            .collect()
    };

    // CONFIG_MAP: aws-auth only; the entries let no one in (a warning); the creator is a gap.
    let tmp = tempfile::tempdir().unwrap();
    estate(
        tmp.path(),
        &authz(&roles),
        &cluster(mapped),
        &answers(Some("CONFIG_MAP")),
    );
    let (g, stderr) = import(tmp.path());
    assert_eq!(
        masters_of(&g),
        BTreeSet::from(["aws:aws:role:ops".to_string()])
    );
    assert!(edges(&g, "eks-access-entry").is_empty());
    assert!(
        stderr.contains("authentication mode is CONFIG_MAP: its 2 access entries let no one in"),
        "{stderr}"
    );
    let doc = analyze(tmp.path());
    let gaps: Vec<&str> = doc["coverage"]["undecided"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["what"].as_str().unwrap())
        .collect();
    assert!(gaps.contains(&"cluster creator of cluster c"), "{gaps:?}");

    // API: entries only; aws-auth is not read.
    let tmp = tempfile::tempdir().unwrap();
    estate(
        tmp.path(),
        &authz(&roles),
        &cluster(mapped),
        &answers(Some("API")),
    );
    let (g, stderr) = import(tmp.path());
    assert!(masters_of(&g).is_empty());
    assert!(
        stderr.contains("authentication mode is API: EKS does not read the aws-auth ConfigMap"),
        "{stderr}"
    );
    assert_eq!(edges(&g, "eks-access-entry").len(), 2);

    // API_AND_CONFIG_MAP: both, and ops's entry replaces its aws-auth mapping: the view
    // policy in `apps`, no longer system:masters.
    let tmp = tempfile::tempdir().unwrap();
    estate(
        tmp.path(),
        &authz(&roles),
        &cluster(mapped),
        &answers(Some("API_AND_CONFIG_MAP")),
    );
    let (g, _) = import(tmp.path());
    assert!(masters_of(&g).is_empty(), "the entry replaced the mapping");
    let doc = analyze(tmp.path());
    assert_eq!(seam(&doc, "eks-access-entry")["edges"], 2);
    assert!(
        !doc["coverage"]["undecided"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["what"] == "cluster creator of cluster c"),
        "an API cluster records its creator"
    );
    // AdminView reads every Secret; View reads none.
    let who = common::who_can(
        tmp.path(),
        "estate.toml",
        "c/apps/Secret/db",
        &["--subjects", "all"],
    );
    let subjects: BTreeSet<&str> = who.iter().map(|(s, _)| s.as_str()).collect();
    assert!(subjects.contains("aws:aws:role:viewer"), "{who:?}");
    assert!(!subjects.contains("aws:aws:role:ops"), "{who:?}");
}

#[test]
fn access_policies_are_the_rules_the_eks_user_guide_lists() {
    // The policies as ClusterRoles, compared rule by rule with the guide's tables.
    let page =
        std::fs::read_to_string(root().join("tests/data/real/eks/access-policy-reference.adoc"))
            .unwrap();
    let clean = |s: &str| -> Vec<String> {
        s.replace('`', "")
            .replace("\\*", "*")
            .replace("+*+", "*")
            .split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect()
    };
    let mut expected: Vec<(String, Vec<Value>)> = Vec::new();
    for section in page.split("\n== ").skip(1) {
        let name = section.lines().next().unwrap().trim().to_string();
        if !name.starts_with("AmazonEKS") {
            continue;
        }
        let Some(start) = section.find("|===\n") else {
            continue;
        };
        let body = &section[start + 5..];
        let body = &body[..body.find("\n|===").unwrap()];
        let cols = if body.contains("nonResourceURLs") {
            4
        } else {
            3
        };
        let mut cells: Vec<String> = Vec::new();
        for l in body.lines() {
            if let Some(c) = l.strip_prefix('|') {
                cells.push(c.to_string());
            } else if !l.trim().is_empty() {
                cells.last_mut().unwrap().push_str(l);
            }
        }
        let rules = cells[cols..]
            .chunks(cols)
            .map(|row| {
                let (g, nr, r, v) = if cols == 4 {
                    (&row[0], row[1].as_str(), &row[2], &row[3])
                } else {
                    (&row[0], "", &row[1], &row[2])
                };
                if !clean(nr).is_empty() {
                    serde_json::json!({"nonResourceURLs": clean(nr), "verbs": clean(v)})
                } else {
                    let groups = clean(g);
                    serde_json::json!({"apiGroups": if groups.is_empty() { vec![String::new()] } else { groups }, "resources": clean(r), "verbs": clean(v)})
                }
            })
            .collect();
        expected.push((name, rules));
    }
    let ours =
        std::fs::read_to_string(root().join("src/import/k8s/eks-access-policies.yaml")).unwrap();
    let mut actual: Vec<(String, Vec<Value>)> = Vec::new();
    for doc in ours.split("\n---\n").skip(1) {
        let name = doc
            .lines()
            .find_map(|l| l.strip_prefix("metadata: {name: \"eks:access-policy:"))
            .unwrap()
            .trim_end_matches("\"}")
            .to_string();
        let rules = doc
            .lines()
            .filter_map(|l| l.strip_prefix("- "))
            .map(|r| serde_json::from_str(r).unwrap())
            .collect();
        actual.push((name, rules));
    }
    assert_eq!(
        actual.len(),
        6,
        "the six policies the guide gives tables for"
    );
    assert_eq!(actual, expected);
}

#[test]
fn the_aws_cli_example_answers_import() {
    // The CLI's own example answers for cluster eks-customer, each page's JSON as it prints it.
    let dir = root().join("tests/data/real/aws-cli-examples/eks");
    let tmp = tempfile::tempdir().unwrap();
    let mut answers = Vec::new();
    for page in [
        "create-access-entry",
        "describe-access-entry",
        "associate-access-policy",
        "list-associated-access-policies",
        "describe-pod-identity-association",
        "list-access-entries",
        "list-pod-identity-associations",
        "describe-cluster",
    ] {
        for (i, v) in rst_outputs(&dir.join(format!("{page}.rst")))
            .iter()
            .enumerate()
        {
            answers.push((format!("{page}-{i}.json"), v.to_string()));
        }
    }
    let named: Vec<(&str, String)> = answers
        .iter()
        .map(|(n, t)| (n.as_str(), t.clone()))
        .collect();
    // Team-made: the cluster's manifests (a default service account) and its account's roles.
    let roles = [
        ("Admin", SERVICE_TRUST),
        ("admin-test-ip", SERVICE_TRUST),
        (
            "my-role",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}"#,
        ),
    ];
    estate(
        tmp.path(),
        &authz(&roles),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: default}\n",
        &named,
    );
    let manifest = std::fs::read_to_string(tmp.path().join("estate.toml"))
        .unwrap()
        .replace(
            "eks = { c = \"eks/\" }",
            "eks = { eks-customer = \"eks/\" }",
        )
        .replace("eks = \"aws/c\"", "eks = \"aws/eks-customer\"");
    write(tmp.path(), "estate.toml", manifest.as_bytes());
    let (g, stderr) = import(tmp.path());
    // describe-cluster is of another cluster (my-eks-cluster); the list answers name entries
    // without what they grant; Admin's policies have no describe-access-entry answer.
    for said in [
        "describe-cluster of \"my-eks-cluster\", not of \"eks-customer\": skipped",
        "a list answer names entries without what they grant: skipped",
        "is associated with \"arn:aws:iam::111122223333:role/Admin\", which no access entry describes",
    ] {
        assert!(stderr.contains(said), "{said}: {stderr}");
    }
    let entries: BTreeSet<(&str, &str)> = edges(&g, "eks-access-entry").into_iter().collect();
    assert_eq!(
        entries,
        BTreeSet::from([
            // The node entry: a node identity, in system:nodes.
            ("aws:aws:role:admin-test-ip", "c:k8s:group:system:nodes"),
            (
                "aws:aws:role:admin-test-ip",
                "c:k8s:user:system:node:{{EC2PrivateDNSName}}"
            ),
            // IAM users no source exports stay keyed by their ARNs.
            (
                "c:arn:aws:iam::111122223333:user/eks-admin-user",
                "c:k8s:user:arn:aws:iam::111122223333:user/eks-admin-user"
            ),
            (
                "c:arn:aws:iam::111122223333:user/eks-user",
                "c:k8s:user:arn:aws:iam::111122223333:user/eks-user"
            ),
        ])
    );
    // describe-cluster, read for its own cluster: the mode (API_AND_CONFIG_MAP, so no
    // unrecorded creator) and the issuer (so IRSA is evaluated).
    let only = tempfile::tempdir().unwrap();
    let page = rst_outputs(&dir.join("describe-cluster.rst"));
    estate(
        only.path(),
        &authz(&[]),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: default}\n",
        &[("describe-cluster.json", page[0].to_string())],
    );
    let manifest = std::fs::read_to_string(only.path().join("estate.toml"))
        .unwrap()
        .replace(
            "eks = { c = \"eks/\" }",
            "eks = { my-eks-cluster = \"eks/\" }",
        )
        .replace("eks = \"aws/c\"", "eks = \"aws/my-eks-cluster\"");
    write(only.path(), "estate.toml", manifest.as_bytes());
    let doc = analyze(only.path());
    assert_eq!(seam(&doc, "irsa")["evaluated"], true, "{}", doc["coverage"]);
    assert!(
        !doc["coverage"]["undecided"]
            .to_string()
            .contains("cluster creator"),
        "{}",
        doc["coverage"]
    );

    // Pod Identity: default/default gets my-role, whose trust lets EKS in.
    assert_eq!(
        edges(&g, "eks-pod-identity"),
        [("c:k8s:sa:default/default", "aws:aws:role:my-role")]
    );
}

#[test]
fn pod_identity_needs_a_role_that_trusts_eks_and_irsa_matches_the_subject() {
    let issuer = "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    let web = |cond: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "Irsa", "Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::111122223333:oidc-provider/{issuer}"}}, "Action": "sts:AssumeRoleWithWebIdentity"{cond}}}]}}"#
        )
    };
    let exact = web(&format!(
        r#", "Condition": {{"StringEquals": {{"{issuer}:sub": "system:serviceaccount:apps:web", "{issuer}:aud": "sts.amazonaws.com"}}}}"#
    ));
    let glob = web(&format!(
        r#", "Condition": {{"StringLike": {{"{issuer}:sub": "system:serviceaccount:jobs:*"}}}}"#
    ));
    let every = web("");
    let dangling = web(&format!(
        r#", "Condition": {{"StringEquals": {{"{issuer}:sub": "system:serviceaccount:apps:gone"}}}}"#
    ));
    let roles = [
        ("web", exact.as_str()),
        ("jobs", glob.as_str()),
        ("anyone-in-cluster", every.as_str()),
        ("dangling", dangling.as_str()),
        ("no-eks-trust", SERVICE_TRUST),
    ];
    let pod = r#"{"association": {"clusterName": "c", "namespace": "apps", "serviceAccount": "web", "roleArn": "arn:aws:iam::111122223333:role/no-eks-trust"}}"#;
    let tmp = tempfile::tempdir().unwrap();
    // Team-made: a service account whose annotation names a role whose trust admits another
    // account only (a dead link), and one naming a role no source holds.
    let annotated = cluster("arn:aws:iam::111122223333:role/none")
        + "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ghost\n  namespace: apps\n  annotations: {eks.amazonaws.com/role-arn: \"arn:aws:iam::111122223333:role/web\"}\n"
        + "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: elsewhere\n  namespace: apps\n  annotations: {eks.amazonaws.com/role-arn: \"arn:aws:iam::999988887777:role/x\"}\n";
    estate(
        tmp.path(),
        &authz(&roles),
        &annotated,
        &[
            ("cluster.json", describe_cluster(Some("API_AND_CONFIG_MAP"))),
            ("pod.json", pod.to_string()),
        ],
    );
    let (g, _) = import(tmp.path());
    let irsa: BTreeSet<(&str, &str)> = edges(&g, "irsa").into_iter().collect();
    assert_eq!(
        irsa,
        BTreeSet::from([
            ("c:k8s:sa:apps/web", "aws:aws:role:web"),
            ("c:k8s:sa:jobs/batch", "aws:aws:role:jobs"),
            ("c:k8s:sa:apps/web", "aws:aws:role:anyone-in-cluster"),
            ("c:k8s:sa:jobs/batch", "aws:aws:role:anyone-in-cluster"),
            ("c:k8s:sa:apps/ghost", "aws:aws:role:anyone-in-cluster"),
            ("c:k8s:sa:apps/elsewhere", "aws:aws:role:anyone-in-cluster"),
        ])
    );
    // The dead Pod Identity link is not drawn.
    assert!(edges(&g, "eks-pod-identity").is_empty());
    let doc = analyze(tmp.path());
    let undecided: Vec<String> = doc["coverage"]["undecided"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            format!(
                "{}: {}",
                u["what"].as_str().unwrap(),
                u["why"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        undecided
            .iter()
            .any(|u| u.starts_with("trust policy of role dangling statement Irsa: dangling")),
        "{undecided:?}"
    );
    assert!(
        undecided
            .iter()
            .any(|u| u.contains("no-eks-trust")
                && u.contains("does not let pods.eks.amazonaws.com in")),
        "{undecided:?}"
    );
    assert!(
        undecided.iter().any(|u| u.starts_with("annotation eks.amazonaws.com/role-arn of apps/ghost: arn:aws:iam::111122223333:role/web: the role's trust does not admit this service account's token: a dead link")),
        "{undecided:?}"
    );
    assert!(
        undecided.iter().any(|u| u
            .starts_with("annotation eks.amazonaws.com/role-arn of apps/elsewhere")
            && u.contains("in no source")),
        "{undecided:?}"
    );
    // `anyone-in-cluster` has no sub condition: the two annotated accounts reach it too.
    assert_eq!(seam(&doc, "irsa")["edges"], 6);
    assert_eq!(seam(&doc, "irsa")["evaluated"], true);
}

/// cartography's mock EKS data (re-expressed): its aws-auth ConfigMap and access entries
/// for cluster `test-cluster` in account 123456789012, with the principals it lists.
fn cartography_estate(dir: &Path, mode: &str, config_map: &str) {
    let real = root().join("tests/data/real/cartography-eks");
    let roles = [
        "EKSNodeRole",
        "EKSDevRole",
        "EKSAdminRole",
        "EKSViewerRole",
        "EKSGroupOnlyRole",
        "EKSServiceRole",
        "EKSAccessRole",
    ];
    let users = ["alice", "bob", "charlie", "dana", "service-account"];
    let authz = serde_json::json!({
        "RoleDetailList": roles.iter().map(|r| serde_json::json!({
            "Path": "/", "RoleName": r, "RoleId": format!("AROA{r}"),
            "Arn": format!("arn:aws:iam::123456789012:role/{r}"),
            "AssumeRolePolicyDocument": {"Statement": []},
            "InstanceProfileList": [], "RolePolicyList": [], "AttachedManagedPolicies": []})).collect::<Vec<_>>(),
        "UserDetailList": users.iter().map(|u| serde_json::json!({
            "Path": "/", "UserName": u, "UserId": format!("AIDA{u}"),
            "Arn": format!("arn:aws:iam::123456789012:user/{u}"),
            "GroupList": [], "UserPolicyList": [], "AttachedManagedPolicies": []})).collect::<Vec<_>>(),
        "GroupDetailList": [], "Policies": [],
    });
    write(dir, "authz.json", authz.to_string().as_bytes());
    std::fs::create_dir_all(dir.join("eks")).unwrap();
    std::fs::copy(
        real.join("access-entries.json"),
        dir.join("eks/access-entries.json"),
    )
    .unwrap();
    write(
        &dir.join("eks"),
        "cluster.json",
        format!("{{\"cluster\": {{\"name\": \"test-cluster\", \"accessConfig\": {{\"authenticationMode\": \"{mode}\"}}}}}}").as_bytes(),
    );
    std::fs::copy(real.join(config_map), dir.join("aws-auth.yaml")).unwrap();
    // Team-made: bindings that give the mapped groups something to hold.
    let bindings = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: devs}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects:\n- {kind: Group, name: developers}\n- {kind: Group, name: access-entry-devs}\n- {kind: Group, name: system:authenticated}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: view}\nrules:\n- {apiGroups: [''], resources: [pods], verbs: [get]}\n";
    write(dir, "bindings.yaml", bindings.as_bytes());
    let manifest = "version = 1\n[[source]]\nname = \"aws\"\nkind = \"aws-iam\"\npath = \"authz.json\"\neks = { test-cluster = \"eks/\" }\n[[source]]\nname = \"c\"\nkind = \"k8s\"\npath = [\"aws-auth.yaml\", \"bindings.yaml\"]\ncluster = \"test-cluster\"\neks = \"aws/test-cluster\"\n";
    write(dir, "estate.toml", manifest.as_bytes());
}

fn groups_of(g: &Value, principal: &str) -> BTreeSet<String> {
    g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["from"] == principal && e["kind"] == "member_of")
        .filter_map(|e| {
            e["to"]
                .as_str()?
                .strip_prefix("c:k8s:group:")
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn cartographys_aws_auth_and_access_entries_import_as_eks_applies_them() {
    // CONFIG_MAP: aws-auth as written; every mapped principal is also authenticated.
    let tmp = tempfile::tempdir().unwrap();
    cartography_estate(tmp.path(), "CONFIG_MAP", "aws-auth.yaml");
    let (g, _) = import(tmp.path());
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        groups_of(&g, "aws:aws:user:bob"),
        set(&["system:authenticated", "system:masters"])
    );
    assert_eq!(
        groups_of(&g, "aws:aws:role:EKSNodeRole"),
        set(&[
            "system:authenticated",
            "system:bootstrappers",
            "system:nodes"
        ])
    );
    assert_eq!(
        groups_of(&g, "aws:aws:role:EKSGroupOnlyRole"),
        set(&["automation", "ci-cd", "system:authenticated"])
    );
    assert_eq!(
        groups_of(&g, "aws:aws:user:alice"),
        set(&["dev-team", "developers", "system:authenticated"])
    );

    // API_AND_CONFIG_MAP: an access entry replaces its principal's mapping — bob is no
    // longer system:masters, alice holds the entry's groups — and principals without an
    // entry keep their mapping.
    let tmp = tempfile::tempdir().unwrap();
    cartography_estate(tmp.path(), "API_AND_CONFIG_MAP", "aws-auth.yaml");
    let (g, _) = import(tmp.path());
    assert!(!groups_of(&g, "aws:aws:user:bob").contains("system:masters"));
    assert_eq!(
        groups_of(&g, "aws:aws:user:alice"),
        set(&[
            "access-entry-devs",
            "access-entry-team",
            "system:authenticated"
        ])
    );
    assert!(groups_of(&g, "aws:aws:role:EKSAdminRole").contains("system:masters"));
    assert_eq!(
        groups_of(&g, "aws:aws:role:EKSAccessRole"),
        set(&[
            "access-entry-admins",
            "platform-team",
            "system:authenticated"
        ])
    );

    // mapAccounts: every principal of the account authenticates, so system:authenticated's
    // binding covers the whole account.
    let tmp = tempfile::tempdir().unwrap();
    cartography_estate(tmp.path(), "CONFIG_MAP", "aws-auth-map-accounts.yaml");
    let (g, _) = import(tmp.path());
    let authenticated: Vec<&str> = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["to"] == "c:k8s:group:system:authenticated")
        .map(|e| e["from"].as_str().unwrap())
        .collect();
    assert!(
        authenticated.contains(&"aws:aws:account:123456789012"),
        "{authenticated:?}"
    );
}

#[test]
fn import_k8s_reads_a_clusters_eks_answers_too() {
    let dir = root().join("graphs/estate");
    let run = authpath_in(
        &dir,
        &["import", "k8s", "payments/", "--eks", "prod/eks/payments/"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let g: Value = serde_json::from_str(&run.stdout).unwrap();
    let entries = edges(&g, "eks-access-entry");
    assert!(
        entries.contains(&(
            "arn:aws:iam::444455556666:role/ops-automation",
            "k8s:user:arn:aws:sts::444455556666:assumed-role/ops-automation/{{SessionName}}"
        )),
        "{entries:?}"
    );
    assert_eq!(
        edges(&g, "eks-pod-identity"),
        [(
            "k8s:sa:payments/ledger",
            "arn:aws:iam::111122223333:role/ledger-reader"
        )]
    );
    // Broken answers are refused at their place.
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "bad.json", b"{\"cluster\": ");
    let run = authpath_in(
        &dir,
        &[
            "import",
            "k8s",
            "payments/",
            "--eks",
            tmp.path().join("bad.json").to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("bad.json:1:"), "{}", run.stderr);
}

#[test]
fn an_oidc_identity_provider_becomes_the_users_and_groups_its_prefixes_allow() {
    // cartography's Okta provider config (re-expressed): users `okta:…`, and no groups claim,
    // so its tokens carry no groups whatever its groups prefix.
    let real = root().join("tests/data/real/cartography-eks/identity-provider.json");
    let bindings = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}\nsubjects:\n- {kind: User, name: \"okta:jane\"}\n- {kind: User, name: bob}\n- {kind: Group, name: \"okta:platform\"}\n- {kind: Group, name: platform}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: admin}\nrules:\n- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n";
    let idp_edges = |answer: &str| -> BTreeSet<String> {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "rbac.yaml", bindings.as_bytes());
        write(tmp.path(), "idp.json", answer.as_bytes());
        let run = authpath_in(
            tmp.path(),
            &["import", "k8s", "rbac.yaml", "--eks", "idp.json"],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let g: Value = serde_json::from_str(&run.stdout).unwrap();
        edges(&g, "eks-identity-provider")
            .into_iter()
            .map(|(f, t)| format!("{f} -> {t}"))
            .collect()
    };
    assert_eq!(
        idp_edges(&std::fs::read_to_string(real).unwrap()),
        BTreeSet::from(["k8s:idp:okta-provider -> k8s:user:okta:jane".to_string()])
    );
    // Team-made: with a groups claim, the prefixed groups too.
    let with_groups = r#"{"identityProviderConfig": {"oidc": {"identityProviderConfigName": "okta", "issuerUrl": "https://company.okta.com", "usernamePrefix": "okta:", "groupsClaim": "groups", "groupsPrefix": "okta:"}}}"#;
    assert_eq!(
        idp_edges(with_groups),
        BTreeSet::from([
            "k8s:idp:okta -> k8s:group:okta:platform".to_string(),
            "k8s:idp:okta -> k8s:user:okta:jane".to_string(),
        ])
    );
}

#[test]
fn pod_identity_role_chaining_needs_the_source_role_allowed_into_the_target() {
    // Team-made: `chain-src` trusts EKS Pod Identity and may assume `chain-ok`, whose trust
    // names it; `chain-bad` trusts only EC2.
    let role = |name: &str, trust: Value, policy: Option<Value>| {
        serde_json::json!({
            "Path": "/", "RoleName": name, "RoleId": format!("AROA{}", name.to_uppercase()),
            "Arn": format!("arn:aws:iam::111122223333:role/{name}"),
            "AssumeRolePolicyDocument": trust,
            "InstanceProfileList": [], "AttachedManagedPolicies": [],
            "RolePolicyList": policy.map(|p| vec![serde_json::json!({"PolicyName": "p", "PolicyDocument": p})]).unwrap_or_default(),
        })
    };
    let pods = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]});
    let from_src = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/chain-src"}, "Action": "sts:AssumeRole"}]});
    let allow = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111122223333:role/chain-*"}]});
    let authz = serde_json::json!({"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [
        role("chain-src", pods, Some(allow)),
        role("chain-ok", from_src, None),
        role("chain-bad", serde_json::from_str::<Value>(SERVICE_TRUST).unwrap(), None),
    ]});
    let association = |sa: &str, target: &str| {
        format!(
            r#"{{"association": {{"clusterName": "c", "namespace": "apps", "serviceAccount": "{sa}", "roleArn": "arn:aws:iam::111122223333:role/chain-src", "targetRoleArn": "arn:aws:iam::111122223333:role/{target}"}}}}"#
        )
    };
    let tmp = tempfile::tempdir().unwrap();
    estate(
        tmp.path(),
        &authz.to_string(),
        &cluster("arn:aws:iam::111122223333:role/none"),
        &[
            ("cluster.json", describe_cluster(Some("API_AND_CONFIG_MAP"))),
            ("ok.json", association("web", "chain-ok")),
            ("bad.json", association("ghost", "chain-bad")),
        ],
    );
    let (g, _) = import(tmp.path());
    let links: BTreeSet<(&str, &str)> = edges(&g, "eks-pod-identity").into_iter().collect();
    assert!(
        links.contains(&("aws:aws:role:chain-src", "aws:aws:role:chain-ok")),
        "{links:?}"
    );
    assert!(
        !links.contains(&("aws:aws:role:chain-src", "aws:aws:role:chain-bad")),
        "{links:?}"
    );
    let doc = analyze(tmp.path());
    assert!(
        doc["coverage"]["undecided"]
            .to_string()
            .contains("may not assume its target role"),
        "{}",
        doc["coverage"]
    );
}
