//! The estate's seams end to end, through the binary: GitHub Actions OIDC trusts matched to
//! the branches, environments and repositories of a GitHub source (the worked estate, and
//! GitHound's real collection of SpecterTst with team-made trusts for the roles its
//! workflows name), and the coverage every analysis carries.

mod common;

use common::{authpath_in, root, write};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;

fn json(dir: &Path, args: &[&str]) -> Value {
    let run = authpath_in(dir, args);
    assert!(run.code <= 1, "{args:?}: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

const SECRET: &str = "payments:k8s:res:payments:/secrets/card-vault-token";
const CONTRACTOR: &str = "github:U_fab";

fn seam<'a>(coverage: &'a Value, kind: &str) -> &'a Value {
    coverage["seams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == kind)
        .unwrap_or_else(|| panic!("no seam {kind}: {coverage}"))
}

#[test]
fn the_sample_estate_tells_the_chain_from_the_contractors_push_to_the_clusters_secrets() {
    let dir = root().join("graphs/estate");
    let doc = json(&dir, &["analyze", "estate.toml", "--format", "json"]);
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"] == CONTRACTOR && f["target"] == SECRET)
        .expect("the contractor reaches the payment secrets");
    assert_eq!(f["rule"], "transitive-privilege");
    assert_eq!(f["severity"], "critical", "a partner's member, at admin");
    assert_eq!(
        f["path"],
        serde_json::json!([
            CONTRACTOR,
            "github:B_main",
            "estate:github-oidc:github:B_main",
            "prod:aws:role:payments-deployer",
            "payments:k8s:group:system:masters",
            "payments:k8s:res:*:*/*#covers",
            "payments:k8s:res:payments:/secrets#covers",
            SECRET
        ])
    );
    let message = f["message"].as_str().unwrap();
    assert!(
        message.starts_with("fab-contractor (human) can administer Secret payments/card-vault-token, though it belongs to Fabrikam Managed Services, whose contract ended on 2026-10-01T00:00:00Z: it has write on payments-deploy\\main, which exposes the GitHub Actions OIDC token of contoso/payments-deploy@main, which authenticates as payments-deployer, a member of system:masters"),
        "{message}"
    );
    // The provider no longer stands for "whoever it admits": nobody is reported as the
    // provider itself once its trust is decided.
    assert!(
        !doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["subject"]
                .as_str()
                .unwrap()
                .contains("token.actions.githubusercontent.com")),
        "{doc}"
    );
    // The token is GitHub's, minted per job: its credential findings are information.
    let token = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"] == "estate:github-oidc:github:B_main")
        .expect("the token's stale-credential finding");
    assert_eq!(token["severity"], "info");
}

#[test]
fn coverage_is_in_every_format_and_changes_when_a_source_is_removed() {
    let dir = root().join("graphs/estate");
    let doc = json(&dir, &["analyze", "estate.toml", "--format", "json"]);
    let coverage = &doc["coverage"];
    let sources: Vec<(&str, &str)> = coverage["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        sources,
        [
            ("partners", "graph"),
            ("github", "opengraph"),
            ("prod", "aws-iam"),
            ("shared", "aws-iam"),
            ("payments", "k8s")
        ]
    );
    let github = &coverage["sources"][1];
    assert_eq!(
        (github["files"].as_u64(), github["nodes"].as_u64()),
        (Some(1), Some(9))
    );
    let oidc = seam(coverage, "github-oidc");
    assert_eq!(oidc["evaluated"], true);
    assert_eq!(oidc["edges"], 1);
    assert_eq!(oidc["undecided"], 0);
    assert_eq!(seam(coverage, "alias")["edges"], 2);
    assert_eq!(seam(coverage, "same-principal")["edges"], 7);
    assert_eq!(seam(coverage, "aws-cross-account")["edges"], 1);
    // Fabrikam's account is aliased and the shared account is a source: no account is
    // left unresolved. What is left: the node role's access entry names a role the prod
    // export does not have.
    let undecided: Vec<&str> = coverage["undecided"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["what"].as_str().unwrap())
        .collect();
    assert_eq!(
        undecided,
        ["access entry of arn:aws:iam::111122223333:role/payments-nodes"]
    );

    // Text, SARIF and HTML carry the same coverage.
    let text = authpath_in(&dir, &["analyze", "estate.toml", "--format", "text"]);
    assert!(
        text.stdout
            .contains("Coverage:\n  source partners (graph): 1 file(s), 2 node(s), 0 edge(s)\n"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("  seam github-oidc: 1 link(s), 0 undecided\n"),
        "{}",
        text.stdout
    );
    let sarif = json(&dir, &["analyze", "estate.toml", "--format", "sarif"]);
    assert_eq!(sarif["runs"][0]["properties"]["coverage"], *coverage);
    let html = authpath_in(&dir, &["report", "estate.toml"]);
    assert!(
        html.stdout
            .contains("seam github-oidc: 1 link(s), 0 undecided"),
        "the report's data carries the coverage lines"
    );

    // Without the GitHub source the seam is not evaluated, and says why; the trust it could
    // have resolved is listed as undecided; the contractor's chain is gone.
    let tmp = tempfile::tempdir().unwrap();
    for f in [
        "partners.json",
        "prod/authz-details.json",
        "prod/eks/payments/describe-cluster.json",
        "prod/eks/payments/access-entries.json",
        "prod/eks/payments/access-policies-ops-automation.json",
        "prod/eks/payments/pod-identity-ledger.json",
        "shared/authz-details.json",
        "payments/cluster.yaml",
    ] {
        let to = tmp.path().join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(dir.join(f), to).unwrap();
    }
    let manifest = std::fs::read_to_string(dir.join("estate.toml")).unwrap();
    let without = manifest.replace(
        "[[source]]\nname = \"github\"\nkind = \"opengraph\"\npath = \"github/contoso.json\"\nmapping = \"githound\"\n\n",
        "",
    );
    assert_ne!(without, manifest, "the GitHub source was removed");
    write(tmp.path(), "estate.toml", without.as_bytes());
    let run = authpath_in(tmp.path(), &["analyze", "estate.toml", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let coverage = &doc["coverage"];
    assert_eq!(coverage["sources"].as_array().unwrap().len(), 4);
    let oidc = seam(coverage, "github-oidc");
    assert_eq!(oidc["evaluated"], false);
    assert!(
        oidc["why"]
            .as_str()
            .unwrap()
            .starts_with("no GitHub source"),
        "{oidc}"
    );
    assert_eq!(oidc["undecided"], 1);
    let undecided = coverage["undecided"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["seam"] == "github-oidc")
        .unwrap();
    assert_eq!(undecided["source"], "prod");
    assert_eq!(undecided["seam"], "github-oidc");
    assert!(
        undecided["what"]
            .as_str()
            .unwrap()
            .contains("role payments-deployer statement GitHubMainOnly"),
        "{undecided}"
    );
    // The alias names a GitHub user no source holds now: a warning, and one fewer link.
    assert!(
        run.stderr.contains("github:user:fab-contractor"),
        "{}",
        run.stderr
    );
    assert_eq!(seam(coverage, "alias")["edges"], 1);
    assert!(
        !doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["subject"] == CONTRACTOR)
    );
}

#[test]
fn a_graph_file_alone_is_one_source_and_diff_carries_both_coverages() {
    let graphs = root().join("graphs");
    let doc = json(
        &graphs,
        &["analyze", "partner-offboarding.json", "--format", "json"],
    );
    assert_eq!(
        doc["coverage"],
        serde_json::json!({
            "sources": [{"name": "partner-offboarding.json", "kind": "graph", "files": 1,
                         "nodes": doc["graph"]["nodes"], "edges": doc["graph"]["edges"]}],
            "seams": [],
            "undecided": []
        })
    );
    let diff = json(
        &root(),
        &[
            "diff",
            "graphs/partner-offboarding.json",
            "graphs/estate/estate.toml",
            "--format",
            "json",
        ],
    );
    assert_eq!(diff["coverage_old"]["sources"].as_array().unwrap().len(), 1);
    assert_eq!(diff["coverage"]["sources"].as_array().unwrap().len(), 5);
    let sarif = json(
        &root(),
        &[
            "diff",
            "graphs/partner-offboarding.json",
            "graphs/estate/estate.toml",
            "--format",
            "sarif",
        ],
    );
    assert_eq!(sarif["runs"][0]["properties"]["coverage"], diff["coverage"]);
}

/// (start node's native key, role) for every GitHub OIDC link of a joined graph.
fn oidc_links(g: &Value) -> BTreeSet<(String, String)> {
    let keys: std::collections::HashMap<&str, &str> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["id"].as_str().unwrap(),
                n["native_key"].as_str().unwrap_or(""),
            )
        })
        .collect();
    g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["seam"] == "github-oidc" && e["kind"] == "authenticates_as")
        .map(|e| {
            let token = e["from"].as_str().unwrap();
            let start = token.strip_prefix("estate:github-oidc:").unwrap();
            let role = e["to"]
                .as_str()
                .unwrap()
                .strip_prefix("aws:aws:role:")
                .unwrap();
            (keys[start].to_string(), role.to_string())
        })
        .collect()
}

#[test]
fn github_oidc_trusts_match_githounds_branches_environments_and_repositories() {
    let dir = root().join("tests/data/team-made/github-oidc");
    let run = authpath_in(&dir, &["import", "estate", "estate.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let g: Value = serde_json::from_str(&run.stdout).unwrap();
    let links = oidc_links(&g);
    let of = |role: &str| -> BTreeSet<&str> {
        links
            .iter()
            .filter(|(_, r)| r == role)
            .map(|(k, _)| k.as_str())
            .collect()
    };
    let repo = "github:SpecterTst/oidc-actions-test-1";
    // repo:O/R:* starts at every branch and environment of O/R, and at O/R itself.
    assert_eq!(
        of("GithubActionsTest"),
        BTreeSet::from([
            repo,
            "github:SpecterTst/oidc-actions-test-1#github-pages",
            "github:SpecterTst/oidc-actions-test-1#prod",
            "github:SpecterTst/oidc-actions-test-1@jared",
            "github:SpecterTst/oidc-actions-test-1@main",
            "github:SpecterTst/oidc-actions-test-1@prod",
        ])
    );
    // ref:refs/heads/prod is the branch, never the environment of the same name.
    assert_eq!(
        of("GithubActionsTest-Prod-Role"),
        BTreeSet::from(["github:SpecterTst/oidc-actions-test-1@prod"])
    );
    assert_eq!(
        of("GithubActionTest-Prod-Environment"),
        BTreeSet::from(["github:SpecterTst/oidc-actions-test-1#prod"])
    );
    // StringEquals compares literally; an environment GitHound did not collect dangles.
    assert!(of("GithubActionsTest-Literal").is_empty());
    assert!(of("GithubActionsTest-Dangling").is_empty());
    // repo:O/* starts at the organisation and at every repository, branch and environment.
    let org = of("GithubActionsTest-Org");
    assert!(org.contains("github:SpecterTst"));
    assert!(org.contains("github:SpecterTst/secure-environment"));
    assert!(org.contains("github:SpecterTst/githound-workflow-test#production"));
    assert_eq!(
        org.len(),
        1 + 12 + 3 + 60,
        "the organisation, 12 repositories, 3 environments, 60 branches"
    );
    // No sub condition: any GitHub account.
    assert_eq!(of("GithubActionsTest-Anyone"), BTreeSet::from(["github:*"]));
    // Another organisation: an external branch, its unevaluated condition kept on the link.
    assert_eq!(
        of("GithubActionsTest-Foreign"),
        BTreeSet::from(["github:wald0AzureResearch/AzureOIDC@main"])
    );
    assert!(
        run.stderr
            .contains("seam github-oidc: 86 link(s), 3 undecided"),
        "{}",
        run.stderr
    );
    for what in [
        "role GithubActionsTest-Dangling statement NoSuchEnvironment",
        "role GithubActionsTest-Literal statement LiteralWildcard",
        "condition StringEquals token.actions.githubusercontent.com:repository_owner wald0AzureResearch: condition not evaluated",
    ] {
        assert!(run.stderr.contains(what), "{what}: {}", run.stderr);
    }
    // A trust that admits any GitHub account is a critical finding of its own, on the role
    // anyone can become (and only that role: what the role reaches is the access rules').
    let doc = json(&dir, &["analyze", "estate.toml", "--format", "json"]);
    let open: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "open-trust")
        .collect();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["severity"], "critical");
    assert_eq!(open[0]["subject"], "estate:github:*");
    assert_eq!(open[0]["target"], "aws:aws:role:GithubActionsTest-Anyone");
    assert_eq!(open[0]["level"], "admin");
    assert_eq!(open[0]["path_edges"], json!(["holds", "authenticates_as"]));
    assert!(
        open[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("any GitHub account (partner), that is anyone who signs up, can administer GithubActionsTest-Anyone"),
        "{}",
        open[0]["message"]
    );
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| { f["rule"] == "transitive-privilege" && f["subject"] == "estate:github:*" })
    );
}

#[test]
fn a_trust_naming_another_account_of_the_estate_reaches_only_the_principals_allowed_to_assume() {
    let dir = root().join("graphs/estate");
    let run = authpath_in(&dir, &["import", "estate", "estate.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let g: Value = serde_json::from_str(&run.stdout).unwrap();
    let into_operator: Vec<&Value> = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["to"] == "prod:aws:role:payments-operator" && e["kind"] == "assumes")
        .collect();
    // The automation role's policy allows sts:AssumeRole on the role; the intern's does
    // not; the account itself no longer stands for its principals.
    assert_eq!(into_operator.len(), 1, "{into_operator:?}");
    let e = into_operator[0];
    assert_eq!(e["from"], "shared:aws:role:ops-automation");
    assert_eq!(e["seam"], "aws-cross-account");
    assert!(
        e["derived_from"]
            .to_string()
            .contains("its identity policy allows sts:AssumeRole on arn:aws:iam::111122223333:role/payments-operator"),
        "{e}"
    );
    let shared = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "shared:aws:account:444455556666")
        .unwrap();
    // The prod trust's placeholder and the cluster's (its access entry names the account's
    // role) both join the shared account's own node.
    assert_eq!(
        shared["aliases"],
        serde_json::json!([
            "payments:aws:account:444455556666",
            "prod:aws:account:444455556666"
        ])
    );

    // Without the shared account's export, the trust stays on an external account node, and
    // coverage says the seam was not evaluated and which account is unknown.
    let tmp = tempfile::tempdir().unwrap();
    for f in ["prod/authz-details.json", "shared/authz-details.json"] {
        let to = tmp.path().join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(dir.join(f), to).unwrap();
    }
    let one = "version = 1\n[[source]]\nname = \"prod\"\nkind = \"aws-iam\"\npath = \"prod/authz-details.json\"\n";
    write(tmp.path(), "one.toml", one.as_bytes());
    let doc = json(tmp.path(), &["analyze", "one.toml", "--format", "json"]);
    let cross = seam(&doc["coverage"], "aws-cross-account");
    assert_eq!(cross["evaluated"], false);
    let unknown: Vec<&str> = doc["coverage"]["undecided"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["what"].as_str().unwrap())
        .collect();
    assert!(unknown.contains(&"AWS account 444455556666"), "{unknown:?}");
    assert!(unknown.contains(&"AWS account 999999999999"), "{unknown:?}");
    // With both accounts, the automation role reaches prod's administrator role.
    let two = format!(
        "{one}[[source]]\nname = \"shared\"\nkind = \"aws-iam\"\npath = \"shared/authz-details.json\"\n"
    );
    write(tmp.path(), "two.toml", two.as_bytes());
    let doc = json(tmp.path(), &["analyze", "two.toml", "--format", "json"]);
    assert_eq!(
        seam(&doc["coverage"], "aws-cross-account")["evaluated"],
        true
    );
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["subject"] == "shared:aws:role:ops-automation"
                && f["path"][1] == "prod:aws:role:payments-operator"),
        "{}",
        doc["findings"]
    );
    assert!(
        !doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["subject"] == "shared:aws:user:intern")
    );
}

#[test]
fn saml_providers_stand_for_whoever_they_admit_and_identity_center_roles_name_their_set() {
    // Team-made: a role federated from an ADFS SAML provider, and an Identity Center role
    // (its reserved path and name, trusting the Identity Center's SAML provider).
    let saml = |provider: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::111122223333:saml-provider/{provider}"}}, "Action": "sts:AssumeRoleWithSAML", "Condition": {{"StringEquals": {{"SAML:aud": "https://signin.aws.amazon.com/saml"}}}}}}]}}"#
        )
    };
    let role = |path: &str, name: &str, trust: String| {
        serde_json::json!({
            "Path": path, "RoleName": name, "RoleId": format!("AROA{}", name.len()),
            "Arn": format!("arn:aws:iam::111122223333:role{path}{name}"),
            "AssumeRolePolicyDocument": serde_json::from_str::<Value>(&trust).unwrap(),
            "InstanceProfileList": [], "RolePolicyList": [],
            "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}],
        })
    };
    let authz = serde_json::json!({"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [
        role("/", "adfs-admins", saml("ADFS")),
        role("/aws-reserved/sso.amazonaws.com/", "AWSReservedSSO_Platform_Admin_0123456789abcdef", saml("AWSSSO_0123456789abcdef_DO_NOT_DELETE")),
    ]});
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "authz.json", authz.to_string().as_bytes());
    write(
        tmp.path(),
        "estate.toml",
        b"version = 1\nas_of = \"2026-11-01T00:00:00Z\"\n[[source]]\nname = \"aws\"\nkind = \"aws-iam\"\npath = \"authz.json\"\n",
    );
    let doc = json(tmp.path(), &["analyze", "estate.toml", "--format", "json"]);
    let s = seam(&doc["coverage"], "saml");
    assert_eq!(s["evaluated"], true);
    assert_eq!(s["edges"], 2);
    assert_eq!(s["undecided"], 2, "{s}");
    let run = authpath_in(tmp.path(), &["import", "estate", "estate.toml"]);
    let g: Value = serde_json::from_str(&run.stdout).unwrap();
    let sso = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "aws:aws:role:AWSReservedSSO_Platform_Admin_0123456789abcdef")
        .unwrap();
    assert_eq!(sso["identity_center_permission_set"], "Platform_Admin");
    // The provider is the subject: whoever the IdP admits administers the account.
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["subject"] == "aws:aws:idp:ADFS"),
        "{}",
        doc["findings"]
    );
}

#[test]
fn identity_center_assignments_reach_the_permission_sets_reserved_roles() {
    // Team-made: an Identity Center role (reserved path and name) in account 111122223333,
    // and the Identity Center answers that assign its permission set to a group.
    let trust = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"}, "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"]}]}"#;
    let authz = serde_json::json!({"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [{
        "Path": "/aws-reserved/sso.amazonaws.com/", "RoleName": "AWSReservedSSO_Platform_Admin_0123456789abcdef", "RoleId": "AROASSO",
        "Arn": "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Platform_Admin_0123456789abcdef",
        "AssumeRolePolicyDocument": serde_json::from_str::<Value>(trust).unwrap(),
        "InstanceProfileList": [], "RolePolicyList": [],
        "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]}]});
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "authz.json", authz.to_string().as_bytes());
    std::fs::create_dir_all(tmp.path().join("sso")).unwrap();
    write(
        &tmp.path().join("sso"),
        "answers.json",
        br#"{"AccountAssignments": [
  {"AccountId": "111122223333", "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-admin", "PrincipalType": "GROUP", "PrincipalId": "g-1"},
  {"AccountId": "111122223333", "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-unknown", "PrincipalType": "USER", "PrincipalId": "u-1"},
  {"AccountId": "999999999999", "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-admin", "PrincipalType": "USER", "PrincipalId": "u-1"}]}
{"PermissionSet": {"Name": "Platform_Admin", "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-admin"}}
{"Users": [{"UserName": "jo@example.com", "UserId": "u-1", "ExternalIds": [{"Issuer": "https://scim.aws.com/1", "Id": "entra-object-1"}]}]}
{"Groups": [{"DisplayName": "Platform admins", "GroupId": "g-1"}]}
{"GroupMemberships": [{"GroupId": "g-1", "MemberId": {"UserId": "u-1"}}]}
"#,
    );
    write(
        tmp.path(),
        "estate.toml",
        b"version = 1\nas_of = \"2026-11-01T00:00:00Z\"\n[[source]]\nname = \"aws\"\nkind = \"aws-iam\"\npath = \"authz.json\"\nidentity_center = \"sso/\"\n",
    );
    let run = authpath_in(tmp.path(), &["import", "estate", "estate.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let g: Value = serde_json::from_str(&run.stdout).unwrap();
    let has = |from: &str, to: &str, kind: &str| {
        g["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["from"] == from && e["to"] == to && e["kind"] == kind)
    };
    let role = "aws:aws:role:AWSReservedSSO_Platform_Admin_0123456789abcdef";
    assert!(has("aws:identitystore:group:g-1", role, "assumes"));
    assert!(has(
        "aws:identitystore:user:u-1",
        "aws:identitystore:group:g-1",
        "member_of"
    ));
    let doc = json(
        tmp.path(),
        &[
            "analyze",
            "estate.toml",
            "--format",
            "json",
            "--subjects",
            "all",
        ],
    );
    let s = seam(&doc["coverage"], "identity-center");
    assert_eq!(
        (s["edges"].as_u64(), s["undecided"].as_u64()),
        (Some(1), Some(2)),
        "{s}"
    );
    let why: Vec<&str> = doc["coverage"]["undecided"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["why"].as_str().unwrap())
        .collect();
    assert!(
        why.iter()
            .any(|w| w.contains("no describe-permission-set answer")),
        "{why:?}"
    );
    assert!(why.contains(&"the account is not in the estate"), "{why:?}");
    // The user reaches the account's everything through the group and the reserved role.
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["subject"] == "aws:identitystore:user:u-1"),
        "{}",
        doc["findings"]
    );
}
