//! `authpath import aws-iam` end to end: authorization-details files in the shape the AWS CLI
//! writes, imported by the binary, validated and analysed — one small account per
//! escalation method of docs/aws-import.md (and its near misses), the sample account in
//! graphs/aws/, the real teaching account in tests/data/real, and broken inputs.

mod common;

use common::imported::Imported;
use common::{authpath_in, root, write};
use serde_json::{Value, json};
use std::path::Path;

const ACCOUNT: &str = "111122223333";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn allow(actions: &[&str], resource: &str) -> Value {
    json!({"Effect": "Allow", "Action": actions, "Resource": resource})
}

/// A role as `get-account-authorization-details` lists it.
fn role(name: &str, trust: Value, statements: Value) -> Value {
    json!({
        "Path": "/", "RoleName": name, "RoleId": format!("AROA{name}"), "Arn": arn("role", name),
        "CreateDate": "2024-01-01T00:00:00+00:00",
        "AssumeRolePolicyDocument": doc(trust),
        "InstanceProfileList": [],
        "RolePolicyList": [{"PolicyName": format!("{name}-inline"), "PolicyDocument": doc(statements)}],
        "AttachedManagedPolicies": [], "Tags": [], "RoleLastUsed": {}
    })
}

fn trust_service(service: &str) -> Value {
    json!([{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}])
}

fn trust_account() -> Value {
    json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "sts:AssumeRole"}])
}

fn user(name: &str, groups: &[&str], statements: Value) -> Value {
    json!({
        "Path": "/", "UserName": name, "UserId": format!("AIDA{name}"), "Arn": arn("user", name),
        "CreateDate": "2024-01-01T00:00:00+00:00", "GroupList": groups,
        "UserPolicyList": [{"PolicyName": format!("{name}-inline"), "PolicyDocument": doc(statements)}],
        "AttachedManagedPolicies": [], "Tags": []
    })
}

fn group(name: &str, statements: Value) -> Value {
    json!({
        "Path": "/", "GroupName": name, "GroupId": format!("AGPA{name}"), "Arn": arn("group", name),
        "CreateDate": "2024-01-01T00:00:00+00:00",
        "GroupPolicyList": [{"PolicyName": format!("{name}-inline"), "PolicyDocument": doc(statements)}],
        "AttachedManagedPolicies": []
    })
}

/// The role every escalation aims at: it may do anything, and its own account may assume it.
fn admin_role() -> Value {
    role("Admin", trust_account(), json!([allow(&["*"], "*")]))
}

fn details(users: Value, groups: Value, roles: Value, policies: Value) -> String {
    serde_json::to_string_pretty(&json!({
        "UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies
    }))
    .unwrap()
}

fn import(authz: &str, report: Option<&str>) -> Imported {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "authz.json", authz.as_bytes());
    let mut args = vec!["import", "aws-iam", "authz.json", "-o", "g.json"];
    if let Some(r) = report {
        write(dir.path(), "report.csv", r.as_bytes());
        args.extend_from_slice(&["--credential-report", "report.csv"]);
    }
    import_in(dir.path(), &args)
}

fn import_in(dir: &Path, args: &[&str]) -> Imported {
    Imported::check(dir, authpath_in(dir, args))
}

impl Imported {
    fn path(&self, rule: &str, subject: &str, target: &str) -> Vec<String> {
        self.path_of(rule, subject, target)
    }

    fn edges_from(&self, from: &str) -> Vec<String> {
        self.graph["edges"]
            .as_array()
            .unwrap()
            .iter()
            // Grants, and the memberships that hold what a granted pattern covers, are the
            // principal's standing access; the rest are what derivations drew.
            .filter(|e| {
                e["from"] == from
                    && e["kind"] != "grants"
                    && !e["to"].as_str().unwrap().ends_with("#covers")
            })
            .map(|e| {
                format!(
                    "{} {}",
                    e["kind"].as_str().unwrap(),
                    e["to"].as_str().unwrap()
                )
            })
            .collect()
    }

    fn tier0(&self, id: &str) -> bool {
        self.node(id)["tags"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("tier0")))
    }
}

const ACCOUNT_NODE: &str = "aws:res:*:*";

#[test]
fn the_sample_account_findings_are_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let sample = root().join("graphs/aws/saas-partners");
    let authz = sample.join("authz-details.json");
    let report = sample.join("credential-report.csv");
    let i = import_in(
        dir.path(),
        &[
            "import",
            "aws-iam",
            authz.to_str().unwrap(),
            "--credential-report",
            report.to_str().unwrap(),
            "--as-of",
            "2026-11-01T00:00:00Z",
            "-o",
            "g.json",
        ],
    );
    assert_eq!(i.graph["as_of"], "2026-11-01T00:00:00Z");
    // A partner account trusted without an external id, holding AdministratorAccess.
    let vendor = "aws:account:999988887777";
    let f = i
        .finding(
            "external-critical-access",
            vendor,
            "aws:role:VendorSupportRole",
        )
        .unwrap();
    assert_eq!(f["severity"], "critical");
    assert!(
        i.edge(vendor, "aws:role:VendorSupportRole", "assumes")
            .unwrap()
            .get("external_id")
            .is_none()
    );
    assert_eq!(
        i.path("transitive-privilege", vendor, ACCOUNT_NODE).len(),
        3
    );
    // The monitoring partner comes in with an external id: recorded on its edge, and the
    // edge is marked as holding only under that condition.
    let datadog = i
        .edge(
            "aws:account:464622532012",
            "aws:role:DatadogIntegrationRole",
            "assumes",
        )
        .unwrap();
    assert_eq!(datadog["external_id"], json!(["a1b2c3d4e5f60718"]));
    assert_eq!(datadog["unconditional_level"], "none");
    assert!(
        i.finding(
            "ungoverned-access",
            "aws:account:464622532012",
            "aws:role:DatadogIntegrationRole"
        )
        .is_some()
    );
    // The CI role passes an admin role to EC2: the path the issue of a passed role draws.
    assert_eq!(
        i.path(
            "transitive-privilege",
            "aws:role:CIDeployRole",
            ACCOUNT_NODE
        ),
        [
            "aws:role:CIDeployRole",
            "aws:role:EC2AdminRole",
            ACCOUNT_NODE
        ]
    );
    let pass = i
        .edge("aws:role:CIDeployRole", "aws:role:EC2AdminRole", "assumes")
        .unwrap();
    assert!(pass["derived_from"][0].as_str().unwrap().starts_with(
        "iam:PassRole on role EC2AdminRole (trusting ec2.amazonaws.com) with ec2:RunInstances"
    ));
    // The machine user assumes any role its account trusts, BuildRole among them, which
    // can rewrite its own policy.
    assert_eq!(
        i.path("transitive-privilege", "aws:user:legacy-sync", ACCOUNT_NODE),
        ["aws:user:legacy-sync", "aws:role:BuildRole", ACCOUNT_NODE]
    );
    assert_eq!(i.node("aws:user:legacy-sync")["kind"], "service");
    assert_eq!(i.node("aws:user:alice")["kind"], "human");
    // Two keys, one unused for more than a year.
    let dormant = i
        .finding("stale-credential", "aws:key:legacy-sync/2", "")
        .or_else(|| {
            i.findings["findings"].as_array().unwrap().iter().find(|f| {
                f["rule"] == "stale-credential" && f["subject"] == "aws:key:legacy-sync/2"
            })
        });
    assert!(
        dormant.unwrap()["reasons"]
            .as_array()
            .unwrap()
            .contains(&json!("dormant"))
    );
    let fresh = i.findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"] == "aws:key:legacy-sync/1")
        .unwrap();
    assert!(
        !fresh["reasons"]
            .as_array()
            .unwrap()
            .contains(&json!("dormant"))
    );
    let key = i.node("aws:key:legacy-sync/2");
    assert_eq!(key["last_used_at"], "2025-09-15T02:13:00Z");
    assert_eq!(key["owner"], "aws:user:legacy-sync");
    assert_eq!(i.node("aws:key:old-contractor/1")["status"], "disabled");
    // Tier0: AdministratorAccess holders, directly or through a group; a boundary keeps the
    // intern's PowerUserAccess to reads.
    for id in [
        "aws:group:Admins",
        "aws:user:alice",
        "aws:role:EC2AdminRole",
        "aws:role:VendorSupportRole",
        "aws:root:111122223333",
    ] {
        assert!(i.tier0(id), "{id} should be tier0");
    }
    assert!(!i.tier0("aws:user:intern"));
    let intern: Vec<&Value> = i.graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["from"] == "aws:user:intern")
        .collect();
    assert!(
        intern.iter().all(|e| e["level"] == "read"
            && (e["kind"] == "grants"
                || (e["kind"] == "member_of" && e["to"].as_str().unwrap().ends_with("#covers")))),
        "{intern:?}"
    );
    // A conditional statement is kept and marked; a partial deny is shown on the grant.
    let athena = i
        .edge("aws:role:ReportingRole", "aws:res:athena:*", "grants")
        .unwrap();
    assert_eq!(
        athena["conditions"],
        json!(["IpAddress aws:SourceIp 203.0.113.0/24"])
    );
    let s3 = i
        .edge("aws:role:ReportingRole", "aws:res:s3:*", "grants")
        .unwrap();
    assert_eq!(
        s3["except"],
        json!(["Deny s3:GetObject on arn:aws:s3:::acme-payroll/*"])
    );
    // A service principal is not a partner.
    assert!(
        i.graph["nodes"].as_array().unwrap().iter().all(|n| !n["id"]
            .as_str()
            .unwrap()
            .contains("amazonaws.com")
            || n["kind"] == "app")
    );

    let lines = common::finding_lines(&i.findings, true);
    insta::assert_snapshot!(lines.join("\n"));
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
fn credentials_and_login_profiles_are_minted() {
    let authz = details(
        json!([
            user("victim", &[], json!([allow(&["s3:GetObject"], "*")])),
            user("nopass", &[], json!([allow(&["s3:GetObject"], "*")])),
            user(
                "keys",
                &[],
                json!([
                    allow(&["iam:CreateAccessKey"], &arn("user", "victim")),
                    allow(&["iam:CreateAccessKey"], &arn("user", "full"))
                ])
            ),
            user("full", &[], json!([allow(&["s3:GetObject"], "*")])),
            user(
                "rotator",
                &[],
                json!([allow(
                    &["iam:CreateAccessKey", "iam:DeleteAccessKey"],
                    &arn("user", "full")
                )])
            ),
            user(
                "login",
                &[],
                json!([allow(
                    &["iam:CreateLoginProfile", "iam:UpdateLoginProfile"],
                    "*"
                )])
            ),
            user(
                "update-only",
                &[],
                json!([allow(&["iam:UpdateLoginProfile"], "*")])
            ),
        ]),
        json!([]),
        json!([]),
        json!([]),
    );
    let header = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
    let row = |name: &str, password: &str| {
        format!(
            "{name},{},2024-01-01T00:00:00+00:00,{password},N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
            arn("user", name)
        )
    };
    let full = format!(
        "full,{},2024-01-01T00:00:00+00:00,true,N/A,N/A,N/A,false,true,2024-01-01T00:00:00+00:00,N/A,N/A,N/A,true,2024-02-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A",
        arn("user", "full")
    );
    let report = [
        header.to_string(),
        row("victim", "true"),
        row("nopass", "false"),
        row("keys", "false"),
        row("login", "true"),
        row("update-only", "true"),
        full,
        row("rotator", "true"),
    ]
    .join("\n");
    let i = import(&authz, Some(&report));
    // A user with two keys already takes a third only after one is deleted.
    assert_eq!(i.edges_from("aws:user:keys"), ["mints aws:user:victim"]);
    assert!(
        i.edges_from("aws:user:rotator")
            .contains(&"mints aws:user:full".to_string())
    );
    // Creating a login profile works only where none exists; updating only where one does.
    let mut login = i.edges_from("aws:user:login");
    login.sort();
    assert_eq!(
        login,
        [
            "mints aws:user:full",
            "mints aws:user:keys",
            "mints aws:user:nopass",
            "mints aws:user:rotator",
            "mints aws:user:update-only",
            "mints aws:user:victim"
        ]
    );
    assert!(
        i.edge("aws:user:login", "aws:user:nopass", "mints")
            .unwrap()["derived_from"][0]
            .as_str()
            .unwrap()
            .starts_with("iam:CreateLoginProfile")
    );
    assert!(
        i.edge("aws:user:login", "aws:user:victim", "mints")
            .unwrap()["derived_from"][0]
            .as_str()
            .unwrap()
            .starts_with("iam:UpdateLoginProfile")
    );
    let mut update = i.edges_from("aws:user:update-only");
    update.sort();
    assert_eq!(
        update,
        [
            "mints aws:user:full",
            "mints aws:user:login",
            "mints aws:user:rotator",
            "mints aws:user:victim"
        ]
    );
}

#[test]
fn rewriting_oneself_controls_the_account_and_another_only_with_a_way_to_become_it() {
    let managed = json!({
        "PolicyName": "Shared", "PolicyId": "ANPAShared", "Arn": format!("arn:aws:iam::{ACCOUNT}:policy/Shared"),
        "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0, "IsAttachable": true,
        "PolicyVersionList": [{"Document": doc(json!([allow(&["s3:GetObject"], "*")])), "VersionId": "v1", "IsDefaultVersion": true}]
    });
    let mut with_shared = role(
        "Worker",
        trust_service("ec2.amazonaws.com"),
        json!([allow(&["s3:PutObject"], "*")]),
    );
    with_shared["AttachedManagedPolicies"] = json!([{"PolicyName": "Shared", "PolicyArn": format!("arn:aws:iam::{ACCOUNT}:policy/Shared")}]);
    let authz = details(
        json!([
            user(
                "self-put",
                &[],
                json!([allow(&["iam:PutUserPolicy"], &arn("user", "self-put"))])
            ),
            user(
                "other-attach",
                &[],
                json!([allow(&["iam:AttachUserPolicy"], &arn("user", "self-put"))])
            ),
            user("in-ops", &["ops"], json!([allow(&["s3:GetObject"], "*")])),
            user(
                "joiner",
                &[],
                json!([allow(&["iam:AddUserToGroup"], &arn("group", "ops"))])
            ),
        ]),
        json!([group(
            "ops",
            json!([allow(&["iam:PutGroupPolicy"], &arn("group", "ops"))])
        )]),
        json!([
            admin_role(),
            with_shared,
            role(
                "SelfRole",
                trust_account(),
                json!([allow(&["iam:AttachRolePolicy"], &arn("role", "SelfRole"))])
            ),
            role(
                "OtherRole",
                trust_account(),
                json!([allow(&["iam:PutRolePolicy"], &arn("role", "Worker"))])
            ),
            role(
                "Versioner",
                trust_account(),
                json!([allow(&["iam:CreatePolicyVersion"], "*")])
            ),
            role(
                "Trustee",
                trust_account(),
                json!([allow(
                    &["iam:UpdateAssumeRolePolicy"],
                    &arn("role", "Admin")
                )])
            ),
        ]),
        json!([managed]),
    );
    let i = import(&authz, None);
    assert_eq!(
        i.edges_from("aws:user:self-put"),
        [format!("admin_of {ACCOUNT_NODE}")]
    );
    // Changing another principal's policy, with no way to act as it, gives nothing.
    assert!(i.edges_from("aws:user:other-attach").is_empty());
    // A group that may rewrite its own policy puts every member in charge of the account.
    assert_eq!(
        i.edges_from("aws:group:ops"),
        [format!("admin_of {ACCOUNT_NODE}")]
    );
    // A role that may rewrite itself administers the account as plainly as one holding
    // AdministratorAccess: one edge, standing access, no transitive finding of its own.
    assert_eq!(
        i.edges_from("aws:role:SelfRole"),
        [format!("admin_of {ACCOUNT_NODE}")]
    );
    assert!(
        i.finding("transitive-privilege", "aws:role:SelfRole", ACCOUNT_NODE)
            .is_none()
    );
    assert!(i.edges_from("aws:role:OtherRole").is_empty());
    assert!(i.edges_from("aws:role:Versioner").is_empty());
    assert_eq!(i.edges_from("aws:role:Trustee"), ["assumes aws:role:Admin"]);
    assert_eq!(
        i.path("transitive-privilege", "aws:role:Trustee", ACCOUNT_NODE),
        ["aws:role:Trustee", "aws:role:Admin", ACCOUNT_NODE]
    );
    // A user who may add itself to a group joins it.
    assert_eq!(i.edges_from("aws:user:joiner"), ["member_of aws:group:ops"]);
}

#[test]
fn passing_roles_to_compute_and_reaching_existing_workloads() {
    let mut ec2_admin = role(
        "Ec2Admin",
        trust_service("ec2.amazonaws.com"),
        json!([allow(&["*"], "*")]),
    );
    ec2_admin["InstanceProfileList"] = json!([{"Path": "/", "InstanceProfileName": "Ec2Admin", "InstanceProfileId": "AIPAEc2Admin", "Arn": arn("instance-profile", "Ec2Admin"), "CreateDate": "2024-01-01T00:00:00+00:00", "Roles": []}]);
    let no_profile = role(
        "Ec2NoProfile",
        trust_service("ec2.amazonaws.com"),
        json!([allow(&["*"], "*")]),
    );
    let lambda_admin = role(
        "LambdaAdmin",
        trust_service("lambda.amazonaws.com"),
        json!([allow(&["*"], "*")]),
    );
    let ecs_admin = role(
        "EcsAdmin",
        trust_service("ecs-tasks.amazonaws.com"),
        json!([allow(&["*"], "*")]),
    );
    let authz = details(
        json!([]),
        json!([]),
        json!([
            ec2_admin,
            no_profile,
            lambda_admin,
            ecs_admin,
            role(
                "Ec2Launcher",
                trust_account(),
                json!([
                    allow(&["iam:PassRole"], "*"),
                    allow(&["ec2:RunInstances"], "*")
                ])
            ),
            role(
                "HalfLambda",
                trust_account(),
                json!([
                    allow(&["iam:PassRole"], "*"),
                    allow(&["lambda:CreateFunction"], "*")
                ])
            ),
            role(
                "Lambda",
                trust_account(),
                json!([
                    allow(&["iam:PassRole"], &arn("role", "Lambda*")),
                    allow(
                        &["lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
                        "*"
                    )
                ])
            ),
            role(
                "Ecs",
                trust_account(),
                json!([
                    allow(&["iam:PassRole"], "*"),
                    allow(&["ecs:RegisterTaskDefinition", "ecs:RunTask"], "*")
                ])
            ),
            role(
                "Denied",
                trust_account(),
                json!([allow(&["iam:PassRole"], "*"), allow(&["ec2:RunInstances"], "*"),
                {"Effect": "Deny", "Action": "iam:PassRole", "Resource": arn("role", "Ec2Admin")}])
            ),
            role(
                "Ssm",
                trust_account(),
                json!([allow(&["ssm:SendCommand"], "*")])
            ),
            role(
                "Coder",
                trust_account(),
                json!([allow(&["lambda:UpdateFunctionCode"], "*")])
            ),
        ]),
        json!([]),
    );
    let i = import(&authz, None);
    // EC2 runs only roles that are in an instance profile.
    assert_eq!(
        i.edges_from("aws:role:Ec2Launcher"),
        ["assumes aws:role:Ec2Admin"]
    );
    assert!(
        i.edges_from("aws:role:HalfLambda").is_empty(),
        "creating a function without running it passes nothing"
    );
    assert_eq!(
        i.edges_from("aws:role:Lambda"),
        ["assumes aws:role:LambdaAdmin"]
    );
    assert_eq!(i.edges_from("aws:role:Ecs"), ["assumes aws:role:EcsAdmin"]);
    assert!(
        i.edges_from("aws:role:Denied").is_empty(),
        "an explicit deny of the pass wins"
    );
    assert_eq!(i.edges_from("aws:role:Ssm"), ["assumes aws:role:Ec2Admin"]);
    let coder = i
        .edge("aws:role:Coder", "aws:role:LambdaAdmin", "assumes")
        .unwrap();
    assert!(
        coder["derived_from"][0]
            .as_str()
            .unwrap()
            .contains("approximate")
    );
    assert_eq!(
        i.path("transitive-privilege", "aws:role:Lambda", ACCOUNT_NODE),
        ["aws:role:Lambda", "aws:role:LambdaAdmin", ACCOUNT_NODE]
    );
}

#[test]
fn trust_policies_partners_providers_and_the_account() {
    let trust = json!([
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole",
         "Condition": {"StringEquals": {"sts:ExternalId": "ext-1"}}},
        {"Effect": "Allow", "Principal": {"AWS": ["777788889999", "arn:aws:iam::222233334444:role/deployer"]}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Federated": format!("arn:aws:iam::{ACCOUNT}:saml-provider/Okta")}, "Action": "sts:AssumeRoleWithSAML"},
        {"Effect": "Allow", "Principal": {"AWS": arn("user", "ops")}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]);
    let authz = details(
        json!([
            user("ops", &[], json!([allow(&["s3:GetObject"], "*")])),
            user("assumer", &[], json!([allow(&["sts:AssumeRole"], "*")])),
        ]),
        json!([]),
        json!([
            role("Shared", trust, json!([allow(&["*"], "*")])),
            admin_role(),
            role(
                "Public",
                json!([{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]),
                json!([allow(&["s3:GetObject"], "*")])
            ),
            role(
                "Stale",
                json!([{"Effect": "Allow", "Principal": {"AWS": "AROAEXAMPLEDELETED1"}, "Action": "sts:AssumeRole"}]),
                json!([allow(&["s3:GetObject"], "*")])
            ),
        ]),
        json!([]),
    );
    let i = import(&authz, None);
    let partner = i
        .edge("aws:account:444455556666", "aws:role:Shared", "assumes")
        .unwrap();
    assert_eq!(partner["external_id"], json!(["ext-1"]));
    assert_eq!(i.node("aws:account:444455556666")["kind"], "partner");
    let deployer = i
        .edge("aws:account:222233334444", "aws:role:Shared", "assumes")
        .unwrap();
    assert_eq!(
        deployer["trusted_principals"],
        json!(["arn:aws:iam::222233334444:role/deployer"])
    );
    assert!(
        i.edge("aws:account:777788889999", "aws:role:Shared", "assumes")
            .is_some()
    );
    assert_eq!(i.node("aws:idp:Okta")["kind"], "app");
    assert!(
        i.edge("aws:idp:Okta", "aws:role:Shared", "assumes")
            .is_some()
    );
    assert!(
        i.edge("aws:user:ops", "aws:role:Shared", "assumes")
            .is_some()
    );
    assert_eq!(
        i.node("aws:role:Shared")["aws_trusted_services"],
        json!(["ec2.amazonaws.com"])
    );
    // Same-account trust needs both sides: the account root in the trust policy and the
    // caller's own sts:AssumeRole.
    let mut assumer = i.edges_from("aws:user:assumer");
    assumer.sort();
    assert_eq!(
        assumer,
        ["assumes aws:role:Admin", "assumes aws:role:Public"]
    );
    assert!(
        i.edges_from("aws:user:ops")
            .iter()
            .all(|e| e != "assumes aws:role:Admin")
    );
    assert!(
        i.edge("aws:account:*", "aws:role:Public", "assumes")
            .is_some()
    );
    assert!(i.stderr.contains("AROAEXAMPLEDELETED1"), "{}", i.stderr);
    assert_eq!(
        i.finding(
            "external-critical-access",
            "aws:account:444455556666",
            "aws:role:Shared"
        )
        .unwrap()["severity"],
        "critical"
    );
}

#[test]
fn the_real_teaching_account_imports() {
    let dir = tempfile::tempdir().unwrap();
    let real = root().join("tests/data/real/aws-iam/example-authz-details.json");
    let i = import_in(
        dir.path(),
        &["import", "aws-iam", real.to_str().unwrap(), "-o", "g.json"],
    );
    assert!(
        i.stderr
            .contains("3 user(s), 2 group(s), 3 role(s), 32 managed policies"),
        "{}",
        i.stderr
    );
    // The over-privileged EC2 role may create access keys for every user, an administrator
    // among them.
    assert_eq!(
        i.path(
            "transitive-privilege",
            "aws:role:OverprivilegedEC2",
            "aws:res:*:*"
        ),
        [
            "aws:role:OverprivilegedEC2",
            "aws:user:obama",
            "aws:res:*:*"
        ]
    );
    assert!(i.tier0("aws:user:obama") && i.tier0("aws:group:admin") && !i.tier0("aws:user:biden"));
    let found: Vec<(String, String)> = i.findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().into(),
                f["target"].as_str().unwrap_or("-").into(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("transitive-privilege".into(), "aws:group:admin".into()),
            ("transitive-privilege".into(), "aws:res:*:*".into())
        ]
    );
}

#[test]
fn broken_files_exit_2_naming_section_entry_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let good = details(
        json!([user("bob", &[], json!([allow(&["s3:GetObject"], "*")]))]),
        json!([]),
        json!([admin_role()]),
        json!([]),
    );
    // Truncated inside the second section's first entry.
    let cut = good.find("\"RolePolicyList\"").unwrap() + 40;
    write(dir.path(), "cut.json", &good.as_bytes()[..cut]);
    let run = authpath_in(
        dir.path(),
        &["import", "aws-iam", "cut.json", "-o", "g.json"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("cut.json:"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the file ends inside RoleDetailList[0] (role \"Admin\").RolePolicyList[0]"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("truncated"), "{}", run.stderr);
    assert!(!dir.path().join("g.json").exists());
    // Every problem of every entry, each with its place.
    let mut bad: Value = serde_json::from_str(&good).unwrap();
    bad["UserDetailList"][0]["GroupList"] = json!("ops");
    bad["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0]["Effect"] = json!("Alow");
    bad["RoleDetailList"][0]["RolePolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"] =
        json!(7);
    write(
        dir.path(),
        "bad.json",
        serde_json::to_string_pretty(&bad).unwrap().as_bytes(),
    );
    let run = authpath_in(
        dir.path(),
        &["import", "aws-iam", "bad.json", "-o", "g.json"],
    );
    assert_eq!(run.code, 2);
    for expected in [
        "UserDetailList[0] (user \"bob\"): GroupList: must be an array, found a string",
        "RoleDetailList[0] (role \"Admin\"): AssumeRolePolicyDocument.Statement[0].Effect: \"Alow\" is neither \"Allow\" nor \"Deny\"",
        "RoleDetailList[0] (role \"Admin\"): RolePolicyList[0].PolicyDocument.Statement[0].Action: must be a string or an array of strings, found a number",
        "import failed: 3 error(s)",
    ] {
        assert!(
            run.stderr.contains(expected),
            "missing {expected:?} in:\n{}",
            run.stderr
        );
    }
    assert!(
        run.stderr
            .contains("bad.json:5:5: error: RoleDetailList[0]"),
        "{}",
        run.stderr
    );
    // Not this kind of file; a listing that stopped at its first page; not UTF-8.
    write(
        dir.path(),
        "graph.json",
        br#"{"version": 1, "nodes": [], "edges": []}"#,
    );
    let run = authpath_in(dir.path(), &["import", "aws-iam", "graph.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not an authorization details file"),
        "{}",
        run.stderr
    );
    write(
        dir.path(),
        "page.json",
        br#"{"UserDetailList": [], "IsTruncated": true, "Marker": "abc"}"#,
    );
    let run = authpath_in(dir.path(), &["import", "aws-iam", "page.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("IsTruncated"), "{}", run.stderr);
    write(
        dir.path(),
        "latin1.json",
        b"{\"UserDetailList\": [{\"UserName\": \"ren\xe9\"}]}",
    );
    let run = authpath_in(dir.path(), &["import", "aws-iam", "latin1.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("latin1.json:1:38: error: the file is not UTF-8"),
        "{}",
        run.stderr
    );
    // A credential report with a bad value names its line and column name.
    write(dir.path(), "good.json", good.as_bytes());
    write(dir.path(), "r.csv", b"user,arn,password_enabled,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date\nbob,arn:aws:iam::111122223333:user/bob,false,true,last tuesday,N/A,false,N/A,N/A\n");
    let run = authpath_in(
        dir.path(),
        &[
            "import",
            "aws-iam",
            "good.json",
            "--credential-report",
            "r.csv",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("r.csv:2:1: error: row of user \"bob\": access_key_1_last_rotated: \"last tuesday\" is not a time [aws-report-value]"), "{}", run.stderr);
}

#[test]
fn imports_are_deterministic_and_read_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let sample = root().join("graphs/aws/saas-partners/authz-details.json");
    let a = authpath_in(
        dir.path(),
        &[
            "import",
            "aws-iam",
            sample.to_str().unwrap(),
            "-o",
            "a.json",
        ],
    );
    let b = authpath_in(
        dir.path(),
        &[
            "import",
            "aws-iam",
            sample.to_str().unwrap(),
            "-o",
            "b.json",
        ],
    );
    assert_eq!(a.code + b.code, 0);
    let a = std::fs::read(dir.path().join("a.json")).unwrap();
    assert_eq!(a, std::fs::read(dir.path().join("b.json")).unwrap());
    let piped = common::authpath_stdin(
        &["import", "aws-iam", "-"],
        &std::fs::read(&sample).unwrap(),
    );
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    assert_eq!(piped.stdout.as_bytes(), a.as_slice());
    // Without the credential report there are no keys and every user is a person.
    let g: Value = serde_json::from_slice(&a).unwrap();
    assert!(
        g["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["kind"] != "credential")
    );
    assert!(
        g["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["id"].as_str().unwrap().starts_with("aws:user:"))
            .all(|n| n["kind"] == "human")
    );
}

#[test]
fn boundaries_and_denies_cut_escalations() {
    let boundary = json!({
        "PolicyName": "OnlyS3", "PolicyId": "ANPAOnlyS3", "Arn": format!("arn:aws:iam::{ACCOUNT}:policy/OnlyS3"),
        "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 0, "PermissionsBoundaryUsageCount": 1, "IsAttachable": true,
        "PolicyVersionList": [{"Document": doc(json!([allow(&["s3:*"], "*")])), "VersionId": "v1", "IsDefaultVersion": true}]
    });
    let mut bounded = role("Bounded", trust_account(), json!([allow(&["*"], "*")]));
    bounded["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": format!("arn:aws:iam::{ACCOUNT}:policy/OnlyS3")});
    let authz = details(
        json!([]),
        json!([]),
        json!([
            admin_role(),
            bounded,
            role(
                "NoIam",
                trust_account(),
                json!([allow(&["*"], "*"), {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}, {"Effect": "Deny", "Action": "sts:*", "Resource": "*"}])
            ),
            role(
                "Conditional",
                trust_account(),
                json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}])
            ),
        ]),
        json!([boundary]),
    );
    let i = import(&authz, None);
    assert!(!i.tier0("aws:role:Bounded"));
    assert!(i.edges_from("aws:role:Bounded").is_empty());
    assert_eq!(
        i.edge("aws:role:Bounded", "aws:res:s3:*", "grants")
            .unwrap()["level"],
        json!(null),
        "s3:* administers s3"
    );
    assert!(!i.tier0("aws:role:NoIam") && i.edges_from("aws:role:NoIam").is_empty());
    let c = i
        .edge("aws:role:Conditional", "aws:role:Admin", "assumes")
        .unwrap();
    assert_eq!(
        c["conditions"],
        json!(["Bool aws:MultiFactorAuthPresent true"])
    );
    assert_eq!(c["unconditional_level"], "none");
}

#[test]
fn denies_narrow_and_boundaries_cap_self_rewrites() {
    let boundary = json!({
        "PolicyName": "Capped", "PolicyId": "ANPACapped", "Arn": format!("arn:aws:iam::{ACCOUNT}:policy/Capped"),
        "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 0, "PermissionsBoundaryUsageCount": 1, "IsAttachable": true,
        "PolicyVersionList": [{"Document": doc(json!([allow(&["s3:Get*", "iam:Put*Policy"], "*")])), "VersionId": "v1", "IsDefaultVersion": true}]
    });
    let mut capped = role(
        "Capped",
        trust_account(),
        json!([allow(&["iam:PutRolePolicy"], &arn("role", "Capped"))]),
    );
    capped["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": format!("arn:aws:iam::{ACCOUNT}:policy/Capped")});
    let trust = json!([
        {"Effect": "Allow", "Principal": {"AWS": ["444455556666", "999988887777"]}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}
    ]);
    let authz = details(
        json!([user(
            "ops",
            &[],
            json!([allow(&["s3:GetObject"], "*"), {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}])
        )]),
        json!([]),
        json!([
            capped,
            role(
                "S3Only",
                trust_account(),
                json!([allow(&["*"], "*"), {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}])
            ),
            role(
                "Reader",
                trust_account(),
                json!([allow(&["*:Describe*", "*:List*"], "*")])
            ),
            role("Shared", trust, json!([allow(&["*"], "*")])),
            role(
                "Named",
                json!([{"Effect": "Allow", "Principal": {"AWS": arn("user", "ops")}, "Action": "sts:AssumeRole"}]),
                json!([allow(&["*"], "*")])
            ),
        ]),
        json!([boundary]),
    );
    let i = import(&authz, None);
    // A boundary caps what a role may write into its own policy.
    assert!(i.edges_from("aws:role:Capped").is_empty());
    // Allow everything, deny everything but S3: S3 is left.
    assert!(!i.tier0("aws:role:S3Only"));
    assert_eq!(
        i.edge("aws:role:S3Only", "aws:res:s3:*", "grants").unwrap()["level"],
        json!(null)
    );
    // Reading every service is not the account's crown.
    assert!(i.edge("aws:role:Reader", ACCOUNT_NODE, "grants").is_none());
    assert_eq!(
        i.edge("aws:role:Reader", "aws:res:any:*", "grants")
            .unwrap()["level"],
        "read"
    );
    // A trust policy's deny keeps a partner out; a principal's own deny keeps it out of a
    // role that names it.
    assert!(
        i.edge("aws:account:444455556666", "aws:role:Shared", "assumes")
            .is_some()
    );
    assert!(
        i.edge("aws:account:999988887777", "aws:role:Shared", "assumes")
            .is_none()
    );
    assert!(
        i.edge("aws:user:ops", "aws:role:Named", "assumes")
            .is_none()
    );
}

/// Wildcards cover what they name: the account's `*`, a service's `*`, and ARN patterns
/// reach every narrower resource node, at the grant's level, and no pattern reaches what it
/// does not match.
#[test]
fn patterns_cover_the_resources_they_match() {
    let service = trust_service("ec2.amazonaws.com");
    let roles = json!([
        admin_role(),
        role("S3All", service.clone(), json!([allow(&["s3:*"], "*")])),
        role(
            "AcmeReader",
            service.clone(),
            json!([allow(&["s3:GetObject"], "arn:aws:s3:::acme-*")])
        ),
        role(
            "ExportWriter",
            service.clone(),
            json!([allow(&["s3:PutObject"], "arn:aws:s3:::acme-exports/*")])
        ),
        role(
            "BucketLister",
            service.clone(),
            json!([allow(&["s3:ListBucket"], "arn:aws:s3:::acme-exports")])
        ),
        role(
            "Other",
            service,
            json!([allow(&["s3:GetObject"], "arn:aws:s3:::other/*")])
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "authz.json",
        details(json!([]), json!([]), roles, json!([])).as_bytes(),
    );
    let _ = import_in(
        dir.path(),
        &["import", "aws-iam", "authz.json", "-o", "g.json"],
    );
    let who = |target: &str| common::who_can(dir.path(), "g.json", target, &[]);
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    // The objects of one bucket: the account's admin, every s3 action, the acme-* reader
    // and the writer of exactly these objects; not the lister (the bucket, not its objects)
    // and not the other bucket's reader.
    assert_eq!(
        who("aws:res:s3:::acme-exports/*"),
        pairs(&[
            ("aws:role:AcmeReader", "read"),
            ("aws:role:Admin", "admin"),
            ("aws:role:ExportWriter", "write"),
            ("aws:role:S3All", "admin"),
        ])
    );
    // The bucket itself: acme-* matches its ARN too; the objects' writer does not.
    assert_eq!(
        who("aws:res:s3:::acme-exports"),
        pairs(&[
            ("aws:role:AcmeReader", "read"),
            ("aws:role:Admin", "admin"),
            ("aws:role:BucketLister", "read"),
            ("aws:role:S3All", "admin"),
        ])
    );
    assert_eq!(
        who("aws:res:s3:::other/*"),
        pairs(&[
            ("aws:role:Admin", "admin"),
            ("aws:role:Other", "read"),
            ("aws:role:S3All", "admin"),
        ])
    );
}

/// `--strict` refuses an import with warnings (here an unknown top-level key), writing
/// nothing; without it the warning is shown and the graph written.
#[test]
fn strict_refuses_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let mut v: Value = serde_json::from_str(&details(
        json!([]),
        json!([]),
        json!([admin_role()]),
        json!([]),
    ))
    .unwrap();
    v["Comments"] = json!("exported by hand");
    write(dir.path(), "authz.json", v.to_string().as_bytes());
    let run = authpath_in(
        dir.path(),
        &["import", "aws-iam", "authz.json", "-o", "g.json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown top-level key"),
        "{}",
        run.stderr
    );
    std::fs::remove_file(dir.path().join("g.json")).unwrap();
    let run = authpath_in(
        dir.path(),
        &[
            "import",
            "aws-iam",
            "authz.json",
            "-o",
            "g.json",
            "--strict",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("which --strict makes errors; no graph written"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("g.json").exists());
}

#[test]
fn changing_a_principal_and_acting_as_it_together_control_the_account() {
    let authz = details(
        json!([user("ops", &[], json!([allow(&["s3:GetObject"], "*")])),]),
        json!([]),
        json!([
            role(
                "deploy",
                trust_account(),
                json!([allow(&["s3:GetObject"], "*")])
            ),
            role(
                "dev",
                trust_service("ec2.amazonaws.com"),
                json!([allow(
                    &["iam:PutRolePolicy", "sts:AssumeRole"],
                    &arn("role", "deploy")
                )])
            ),
            // Only half of it: may change the role, may not assume it.
            role(
                "half",
                trust_service("ec2.amazonaws.com"),
                json!([allow(&["iam:PutRolePolicy"], &arn("role", "deploy"))])
            ),
            // Through a credential: attach a policy to a user, then mint its key.
            role(
                "keysmith",
                trust_service("ec2.amazonaws.com"),
                json!([allow(
                    &["iam:AttachUserPolicy", "iam:CreateAccessKey"],
                    &arn("user", "ops")
                )])
            ),
        ]),
        json!([]),
    );
    let i = import(&authz, None);
    let both = "aws:role:deploy#rewritten-by:aws:role:dev";
    assert_eq!(
        i.path("transitive-privilege", "aws:role:dev", ACCOUNT_NODE),
        ["aws:role:dev", both, ACCOUNT_NODE]
    );
    let sentence = i
        .finding("transitive-privilege", "aws:role:dev", ACCOUNT_NODE)
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        sentence
            .contains("its policy rewritten by dev, who can then act as it (it assumes deploy)"),
        "{sentence}"
    );
    let why = i.edge("aws:role:dev", both, "admin_of").unwrap()["derived_from"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        why.contains("iam:PutRolePolicy on role deploy") && why.contains("it assumes deploy"),
        "{why}"
    );
    assert!(i.edges_from("aws:role:half").is_empty());
    assert!(
        i.finding("transitive-privilege", "aws:role:half", ACCOUNT_NODE)
            .is_none()
    );
    assert_eq!(
        i.path("transitive-privilege", "aws:role:keysmith", ACCOUNT_NODE),
        [
            "aws:role:keysmith",
            "aws:user:ops#rewritten-by:aws:role:keysmith",
            ACCOUNT_NODE
        ]
    );
}

/// Team-made: policies limited in time, the shapes the IAM guide gives for
/// `aws:CurrentTime` and `aws:TokenIssueTime` (no real export with them was found).
#[test]
fn time_conditions_are_judged_at_the_import_instant() {
    let timed = |name: &str, op: &str, key: &str, value: &str| {
        role(
            name,
            trust_service("ec2.amazonaws.com"),
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*",
                    "Condition": {op: {key: value}}}]),
        )
    };
    let mut frozen = role(
        "frozen",
        trust_service("ec2.amazonaws.com"),
        json!([
            allow(&["s3:GetObject"], "*"),
            {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
             "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}
        ]),
    );
    frozen["Tags"] = json!([]);
    let authz = details(
        json!([]),
        json!([]),
        json!([
            timed(
                "old-admin",
                "DateLessThan",
                "aws:TokenIssueTime",
                "2020-01-01T00:00:00Z"
            ),
            timed(
                "contractor",
                "DateLessThan",
                "aws:CurrentTime",
                "2027-01-01T00:00:00Z"
            ),
            timed(
                "not-yet",
                "DateGreaterThan",
                "aws:CurrentTime",
                "2030-01-01T00:00:00Z"
            ),
            timed("mfa", "Bool", "aws:MultiFactorAuthPresent", "true"),
            timed(
                "own-account",
                "StringEquals",
                "aws:PrincipalAccount",
                ACCOUNT
            ),
            timed(
                "other-account",
                "StringEquals",
                "aws:PrincipalAccount",
                "999988887777"
            ),
            frozen,
        ]),
        json!([]),
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "authz.json", authz.as_bytes());
    let args = [
        "import",
        "aws-iam",
        "authz.json",
        "--as-of",
        "2026-11-01T00:00:00Z",
        "-o",
        "g.json",
    ];
    let i = import_in(dir.path(), &args);
    assert!(
        i.stderr
            .contains("3 statement(s) that cannot hold left out; 3 test(s) decided"),
        "{}",
        i.stderr
    );
    // Expired, or not in force yet: no path to control.
    assert!(
        i.edge("aws:role:old-admin", ACCOUNT_NODE, "grants")
            .is_none()
    );
    assert!(i.edge("aws:role:not-yet", ACCOUNT_NODE, "grants").is_none());
    assert!(
        i.finding("transitive-privilege", "aws:role:old-admin", ACCOUNT_NODE)
            .is_none()
    );
    // The principal's own account is the one it is in.
    let e = i
        .edge("aws:role:own-account", ACCOUNT_NODE, "grants")
        .unwrap();
    assert!(e.get("conditions").is_none(), "{e}");
    assert!(
        i.edge("aws:role:other-account", ACCOUNT_NODE, "grants")
            .is_none()
    );
    // In force until a future instant: unconditional, ending then.
    let e = i
        .edge("aws:role:contractor", ACCOUNT_NODE, "grants")
        .unwrap();
    assert_eq!(e["expires_at"], "2027-01-01T00:00:00Z");
    assert!(e.get("conditions").is_none(), "{e}");
    // A request-time key stays undecided, carrying its key, and the import lists it.
    assert!(
        i.stderr.contains("condition keys not evaluated, their edges drawn as if they held: aws:MultiFactorAuthPresent (14 edge(s))"),
        "{}",
        i.stderr
    );
    let e = i.edge("aws:role:mfa", ACCOUNT_NODE, "grants").unwrap();
    assert_eq!(
        e["conditions"],
        json!(["Bool aws:MultiFactorAuthPresent true"])
    );
    // A deny in force since 2020 applies.
    assert!(
        i.edge("aws:role:frozen", "aws:res:s3:*", "grants")
            .is_none()
    );
    // Without an instant nothing is decided: the old statement is a conditional edge.
    let dir2 = tempfile::tempdir().unwrap();
    write(dir2.path(), "authz.json", authz.as_bytes());
    let undecided = import_in(
        dir2.path(),
        &["import", "aws-iam", "authz.json", "-o", "g.json"],
    );
    let e = undecided
        .edge("aws:role:old-admin", ACCOUNT_NODE, "grants")
        .unwrap();
    assert_eq!(
        e["conditions"],
        json!(["DateLessThan aws:TokenIssueTime 2020-01-01T00:00:00Z"])
    );
    // (and the deny, conditional then, is not applied)
    assert!(
        undecided
            .edge("aws:role:frozen", "aws:res:s3:*", "grants")
            .is_some()
    );
}

#[test]
fn a_role_passed_only_to_one_service_reaches_only_that_services_roles() {
    let mut ec2_role = role(
        "on-ec2",
        trust_service("ec2.amazonaws.com"),
        json!([allow(&["*"], "*")]),
    );
    ec2_role["InstanceProfileList"] = json!([{
        "Path": "/", "InstanceProfileName": "on-ec2", "InstanceProfileId": "AIPAONEC2",
        "Arn": format!("arn:aws:iam::{ACCOUNT}:instance-profile/on-ec2"),
        "CreateDate": "2024-01-01T00:00:00+00:00", "Roles": []
    }]);
    let pass_to = |name: &str, op: &str, service: &str| {
        role(
            name,
            trust_service("ec2.amazonaws.com"),
            json!([
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
                 "Condition": {op: {"iam:PassedToService": service}}},
                allow(&["ec2:RunInstances", "lambda:CreateFunction", "lambda:InvokeFunction"], "*")
            ]),
        )
    };
    let authz = details(
        json!([]),
        json!([]),
        json!([
            ec2_role,
            role(
                "on-lambda",
                trust_service("lambda.amazonaws.com"),
                json!([allow(&["*"], "*")])
            ),
            pass_to("lambda-only", "StringEquals", "lambda.amazonaws.com"),
            pass_to("not-lambda", "StringNotEquals", "lambda.amazonaws.com"),
            pass_to("any-service", "StringLike", "*.amazonaws.com"),
        ]),
        json!([]),
    );
    let i = import(&authz, None);
    // The test is decided: the edge holds without it, and only to the service it names.
    assert_eq!(
        i.edges_from("aws:role:lambda-only"),
        ["assumes aws:role:on-lambda"]
    );
    let e = i
        .edge("aws:role:lambda-only", "aws:role:on-lambda", "assumes")
        .unwrap();
    assert!(e.get("conditions").is_none(), "{e}");
    assert_eq!(
        i.edges_from("aws:role:not-lambda"),
        ["assumes aws:role:on-ec2"]
    );
    assert_eq!(
        i.edges_from("aws:role:any-service"),
        ["assumes aws:role:on-ec2", "assumes aws:role:on-lambda"]
    );
}

/// Team-made: one file naming principals of two accounts (no real export of that shape was
/// found): a role of the other account is never passed, nor its users' keys minted.
#[test]
fn a_file_mixing_two_accounts_gets_no_cross_account_escalation() {
    let other = |kind: &str, name: &str| format!("arn:aws:iam::999988887777:{kind}/{name}");
    let mut foreign_admin = role(
        "foreign-admin",
        trust_service("ec2.amazonaws.com"),
        json!([allow(&["*"], "*")]),
    );
    foreign_admin["Arn"] = json!(other("role", "foreign-admin"));
    foreign_admin["InstanceProfileList"] = json!([{
        "Path": "/", "InstanceProfileName": "fa", "InstanceProfileId": "AIPAFA",
        "Arn": "arn:aws:iam::999988887777:instance-profile/fa",
        "CreateDate": "2024-01-01T00:00:00+00:00", "Roles": []
    }]);
    let mut foreign_user = user("foreign-user", &[], json!([allow(&["*"], "*")]));
    foreign_user["Arn"] = json!(other("user", "foreign-user"));
    let mut home_admin = role(
        "home-admin",
        trust_service("ec2.amazonaws.com"),
        json!([allow(&["*"], "*")]),
    );
    home_admin["InstanceProfileList"] = foreign_admin["InstanceProfileList"].clone();
    let authz = details(
        json!([
            user(
                "dev",
                &[],
                json!([allow(
                    &["iam:PassRole", "ec2:RunInstances", "iam:CreateAccessKey"],
                    "*"
                )])
            ),
            foreign_user,
        ]),
        json!([]),
        json!([home_admin, foreign_admin]),
        json!([]),
    );
    let i = import(&authz, None);
    assert!(i.stderr.contains("the file mixes accounts"), "{}", i.stderr);
    assert_eq!(
        i.edges_from("aws:user:dev"),
        ["assumes aws:role:home-admin"],
        "no PassRole of another account's role, no key of another account's user"
    );
}

/// The answer of an AWS CLI example page: the JSON after its last `::`, as printed.
fn rst_answer(page: &str) -> String {
    let text = std::fs::read_to_string(
        root()
            .join("tests/data/real/aws-cli-examples/organizations")
            .join(page),
    )
    .unwrap();
    // ARNs hold `::` too: the answer follows the last line that ends with it.
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        at += line.len();
        if line.trim_end().ends_with("::") {
            let after = &text[at..];
            if let Some(brace) = after.find('{') {
                return after[brace..].trim_end().to_string();
            }
        }
    }
    panic!("no answer on {page}")
}

/// The organization of the AWS CLI's examples (real answers), with what they leave out
/// added, team-made: the parent of the OU, the content of `p-FullAWSAccess`, and an SCP
/// denying IAM attached to the OU that holds account 444444444444.
fn organization(dir: &Path) {
    let org = dir.join("org");
    std::fs::create_dir_all(&org).unwrap();
    // The page's answer lacks one `}`; repaired here, refused as printed below.
    let described = rst_answer("describe-organization.rst").replace(
        "\"SERVICE_CONTROL_POLICY\"\n      ]",
        "\"SERVICE_CONTROL_POLICY\"\n      }]",
    );
    write(&org, "organization.json", described.as_bytes());
    for (page, file) in [
        ("list-accounts.rst", "accounts.json"),
        ("list-roots.rst", "roots.json"),
        ("describe-policy.rst", "policy-s3.json"),
        (
            "list-targets-for-policy.rst",
            "targets-p-FullAWSAccess.json",
        ),
        ("list-parents.rst", "parents-444444444444.json"),
    ] {
        write(&org, file, rst_answer(page).as_bytes());
    }
    let policy = |id: &str, name: &str, content: Value| {
        json!({"Policy": {"PolicySummary": {"Id": id, "Name": name, "Type": "SERVICE_CONTROL_POLICY"},
                          "Content": content.to_string()}})
        .to_string()
    };
    let full = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let deny_iam = json!({"Version": "2012-10-17", "Statement": [{"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}]});
    write(
        &org,
        "policy-full.json",
        policy("p-FullAWSAccess", "FullAWSAccess", full).as_bytes(),
    );
    write(
        &org,
        "policy-deny-iam.json",
        policy("p-denyiam0001", "DenyIam", deny_iam).as_bytes(),
    );
    write(
        &org,
        "targets-p-denyiam0001.json",
        json!({"Targets": [{"TargetId": "ou-examplerootid111-exampleouid111", "Type": "ORGANIZATIONAL_UNIT", "Name": "Accounting"}]})
            .to_string()
            .as_bytes(),
    );
    write(
        &org,
        "parents-ou-examplerootid111-exampleouid111.json",
        json!({"Parents": [{"Id": "r-examplerootid111", "Type": "ROOT"}]})
            .to_string()
            .as_bytes(),
    );
}

/// Real organization answers (AWS CLI examples) plus a team-made SCP: what it denies is cut
/// for every principal of a member account, the root user included, and not for the
/// management account; `aws:PrincipalOrgID` and a service trust's `aws:SourceAccount` are
/// decided.
#[test]
fn service_control_policies_cut_what_they_deny_in_member_accounts() {
    let org_only = |op: &str| {
        json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                "Condition": {op: {"aws:PrincipalOrgID": "o-exampleorgid"}}}])
    };
    let authz = details(
        json!([
            user("dev", &[], json!([allow(&["*"], "*")])),
            user(
                "keysmith",
                &[],
                json!([allow(&["iam:CreateAccessKey"], &arn("user", "admin"))])
            ),
            user("admin", &[], json!([allow(&["*"], "*")])),
            user("in-org", &[], org_only("StringEquals")),
            user("outside-org", &[], org_only("StringNotEquals")),
            user(
                "mfa",
                &[],
                json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}])
            ),
        ]),
        json!([]),
        json!([role(
            "worker",
            json!([{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]),
            json!([allow(&["s3:GetObject"], "*")])
        )]),
        json!([]),
    );
    let report = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,true,2026-01-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";
    let in_account = |account: &str| {
        let dir = tempfile::tempdir().unwrap();
        organization(dir.path());
        write(
            dir.path(),
            "authz.json",
            authz.replace(ACCOUNT, account).as_bytes(),
        );
        write(
            dir.path(),
            "report.csv",
            report.replace(ACCOUNT, account).as_bytes(),
        );
        let args = [
            "import",
            "aws-iam",
            "authz.json",
            "--credential-report",
            "report.csv",
            "--organization",
            "org",
            "-o",
            "g.json",
        ];
        let i = import_in(dir.path(), &args);
        (i, dir)
    };

    let (member, _d) = in_account("444444444444");
    assert!(
        member.stderr.contains(
            "the SCPs of organization o-exampleorgid bind account 444444444444 at 2 level(s)"
        ),
        "{}",
        member.stderr
    );
    // The real targets do not attach anything to the account itself: said, not guessed.
    assert!(
        member
            .stderr
            .contains("no SCP is known to be attached to 444444444444"),
        "{}",
        member.stderr
    );
    assert!(!member.tier0("aws:user:dev"));
    assert!(!member.tier0("aws:root:444444444444"));
    assert!(
        member
            .finding("transitive-privilege", "aws:user:dev", ACCOUNT_NODE)
            .is_none()
    );
    assert!(
        member
            .edge("aws:user:dev", ACCOUNT_NODE, "grants")
            .is_none()
    );
    assert!(
        member
            .edge("aws:user:dev", "aws:res:any:*", "grants")
            .is_some(),
        "what IAM leaves: every other service"
    );
    assert!(
        member.edges_from("aws:user:keysmith").is_empty(),
        "no key minted under the SCP"
    );
    let why = member
        .edge("aws:user:dev", "aws:res:any:*", "grants")
        .unwrap()["derived_from"]
        .to_string();
    assert!(why.contains("narrowed by the organization's SCPs"), "{why}");
    // aws:PrincipalOrgID and aws:SourceAccount decided: no condition left on what holds.
    let in_org = member
        .edge("aws:user:in-org", "aws:res:s3:*", "grants")
        .unwrap();
    assert!(in_org.get("conditions").is_none(), "{in_org}");
    assert!(
        member
            .edge("aws:user:outside-org", "aws:res:s3:*", "grants")
            .is_none()
    );
    // What stays undecided is on the edge and in the analysis' coverage.
    let mfa = member
        .edge("aws:user:mfa", "aws:res:s3:*", "grants")
        .unwrap();
    assert_eq!(
        mfa["condition_keys"],
        json!(["aws:MultiFactorAuthPresent"]),
        "{mfa}"
    );
    let run = authpath_in(_d.path(), &["analyze", "g.json", "--format", "json"]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        report["coverage"]["undecided"],
        json!([{"source": "g.json", "what": "condition key aws:MultiFactorAuthPresent on 1 edge(s)",
                "why": "not evaluated (the request decides it): the edges are drawn as if it held"}]),
        "{}",
        run.stderr
    );

    // The same answers named by an estate's aws-iam source.
    let (_, dir) = in_account("444444444444");
    write(
        dir.path(),
        "estate.toml",
        b"version = 1\n[[source]]\nname = \"test\"\nkind = \"aws-iam\"\npath = \"authz.json\"\norganization = \"org\"\n",
    );
    let run = authpath_in(dir.path(), &["import", "estate", "estate.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let joined: Value = serde_json::from_str(&run.stdout).unwrap();
    let dev = joined["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "test:aws:user:dev")
        .unwrap();
    assert!(!dev["tags"].to_string().contains("tier0"), "{dev}");

    let (management, _d) = in_account("111111111111");
    assert!(
        management.stderr.contains("management account"),
        "{}",
        management.stderr
    );
    assert!(management.tier0("aws:user:dev"));
    assert!(management.tier0("aws:root:111111111111"));
    assert!(!management.edges_from("aws:user:keysmith").is_empty());
}

#[test]
fn broken_organization_answers_exit_2_naming_file_and_place() {
    let dir = tempfile::tempdir().unwrap();
    organization(dir.path());
    let authz = details(
        json!([user("dev", &[], json!([allow(&["*"], "*")]))]),
        json!([]),
        json!([]),
        json!([]),
    );
    write(dir.path(), "authz.json", authz.as_bytes());
    // The describe-organization answer exactly as the AWS CLI's example page prints it.
    write(
        &dir.path().join("org"),
        "organization.json",
        rst_answer("describe-organization.rst").as_bytes(),
    );
    std::fs::remove_file(dir.path().join("org/accounts.json")).unwrap();
    write(
        &dir.path().join("org"),
        "bad-scp.json",
        br#"{"Policy": {"PolicySummary": {"Id": "p-bad00001", "Name": "Bad"}, "Content": "{\"Statement\": 3}"}}"#,
    );
    let run = authpath_in(
        dir.path(),
        &[
            "import",
            "aws-iam",
            "authz.json",
            "--organization",
            "org",
            "-o",
            "g.json",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!dir.path().join("g.json").exists());
    for expected in [
        "org/organization.json:13:",
        "[json-syntax]",
        "bad-scp.json",
        "SCP \"Bad\"",
        "[aws-organization]",
        "no `list-accounts` answer",
    ] {
        assert!(run.stderr.contains(expected), "{expected}: {}", run.stderr);
    }
}

/// Team-made: two accounts' exports in one file, each with a `dev` user. Each account is
/// modelled in its own right: its own control node, ids that keep the two `dev`s apart, and
/// a trust between them that holds only where the caller's own policy allows
/// `sts:AssumeRole`.
#[test]
fn a_file_of_two_accounts_models_each_and_joins_their_trusts_both_sides_agreeing() {
    const OTHER: &str = "999988887777";
    let other = |v: Value| -> Value {
        // `HOME` names the file's own account inside another account's entries.
        let text = v
            .to_string()
            .replace(ACCOUNT, OTHER)
            .replace("HOME", ACCOUNT);
        serde_json::from_str(&text).unwrap()
    };
    let shared_trust = json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{OTHER}:root")}, "Action": "sts:AssumeRole"}]);
    let named_trust = json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{OTHER}:user/nope")}, "Action": "sts:AssumeRole"}]);
    let authz = details(
        json!([
            user("dev", &[], json!([allow(&["s3:GetObject"], "*")])),
            user("ops", &[], json!([allow(&["s3:GetObject"], "*")])),
            other(user("dev", &[], json!([allow(&["*"], "*")]))),
            other(user("nope", &[], json!([allow(&["s3:GetObject"], "*")]))),
        ]),
        json!([]),
        json!([
            role("shared", shared_trust, json!([allow(&["*"], "*")])),
            role("named", named_trust, json!([allow(&["*"], "*")])),
            other(role(
                "caller",
                trust_service("ec2.amazonaws.com"),
                json!([allow(&["sts:AssumeRole"], "arn:aws:iam::HOME:role/shared")])
            )),
        ]),
        json!([]),
    );
    let i = import(&authz, None);
    assert!(
        i.stderr.contains("the file mixes accounts: 111122223333 (4 principal(s), the file's own), 999988887777 (3 principal(s))"),
        "{}",
        i.stderr
    );
    let q = |id: &str, account: &str| {
        if account == ACCOUNT {
            id.to_string()
        } else {
            let (kind, rest) = id.strip_prefix("aws:").unwrap().split_once(':').unwrap();
            format!("aws:{kind}:{account}/{rest}")
        }
    };
    let other_dev = q("aws:user:dev", OTHER);
    let home_dev = q("aws:user:dev", ACCOUNT);
    assert_ne!(other_dev, home_dev);
    assert!(i.tier0(&other_dev));
    assert!(!i.tier0(&home_dev));
    // Each account's control is its own node.
    let other_all = q(ACCOUNT_NODE, OTHER);
    let home_all = q(ACCOUNT_NODE, ACCOUNT);
    assert!(i.edge(&other_dev, &other_all, "grants").is_some());
    assert!(i.edge(&other_dev, &home_all, "grants").is_none());
    assert!(
        i.edge(&q("aws:role:shared", ACCOUNT), &home_all, "grants")
            .is_some()
    );
    assert_eq!(
        i.node(&format!("aws:account:{OTHER}"))["kind"],
        "tenant",
        "not a partner: the file holds it"
    );
    // The trust of the whole other account: only the principals whose policy agrees.
    let shared = q("aws:role:shared", ACCOUNT);
    let caller = q("aws:role:caller", OTHER);
    let e = i
        .edge(&caller, &shared, "assumes")
        .expect("caller may assume shared");
    assert!(
        e["derived_from"]
            .to_string()
            .contains("its identity policy allows sts:AssumeRole"),
        "{e}"
    );
    assert!(
        i.edge(&q("aws:user:nope", OTHER), &shared, "assumes")
            .is_none()
    );
    assert!(
        i.edge(&format!("aws:account:{OTHER}"), &shared, "assumes")
            .is_none(),
        "the placeholder edge is resolved"
    );
    // Named in the trust, but its own policy does not allow it: no edge.
    let named = q("aws:role:named", ACCOUNT);
    let into_named = i.graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["to"] == named.as_str() && e["kind"] == "assumes")
        .count();
    assert_eq!(into_named, 0);
    // The caller reaches the other account's control through the joined trust.
    assert_eq!(
        i.path("transitive-privilege", &caller, &home_all),
        [caller.as_str(), shared.as_str(), home_all.as_str()]
    );
}

/// Team-made: creating a principal and giving it a policy (and, for a user, a credential)
/// is control of the account; any one step missing is not.
#[test]
fn creating_a_principal_with_a_policy_controls_the_account() {
    let creator = |name: &str, actions: &[&str]| {
        role(
            name,
            trust_service("ec2.amazonaws.com"),
            json!([allow(actions, "*")]),
        )
    };
    let authz = details(
        json!([]),
        json!([]),
        json!([
            creator("role-maker", &["iam:CreateRole", "iam:PutRolePolicy"]),
            creator("role-only", &["iam:CreateRole"]),
            creator(
                "user-maker",
                &[
                    "iam:CreateUser",
                    "iam:AttachUserPolicy",
                    "iam:CreateAccessKey"
                ]
            ),
            creator("user-no-key", &["iam:CreateUser", "iam:AttachUserPolicy"]),
        ]),
        json!([]),
    );
    let i = import(&authz, None);
    assert_eq!(
        i.edges_from("aws:role:role-maker"),
        [format!("admin_of {ACCOUNT_NODE}")]
    );
    assert_eq!(
        i.edges_from("aws:role:user-maker"),
        [format!("admin_of {ACCOUNT_NODE}")]
    );
    let why = i
        .edge("aws:role:user-maker", ACCOUNT_NODE, "admin_of")
        .unwrap()["derived_from"]
        .to_string();
    assert!(
        why.contains("iam:CreateUser with a policy and a credential"),
        "{why}"
    );
    assert!(i.edges_from("aws:role:role-only").is_empty());
    assert!(i.edges_from("aws:role:user-no-key").is_empty());
}

/// Team-made: a user's boundary narrows its own grants, but not what a group's edges give
/// every member: the user is flagged and a warning says so.
#[test]
fn a_users_boundary_cannot_narrow_its_groups_and_says_so() {
    let mut bounded = user("bounded", &["admins"], json!([allow(&["s3:*"], "*")]));
    bounded["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy",
        "PermissionsBoundaryArn": format!("arn:aws:iam::{ACCOUNT}:policy/only-s3")});
    let boundary = json!({
        "PolicyName": "only-s3", "PolicyId": "ANPAONLYS3", "Arn": format!("arn:aws:iam::{ACCOUNT}:policy/only-s3"),
        "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 1,
        "IsAttachable": true, "CreateDate": "2024-01-01T00:00:00+00:00", "UpdateDate": "2024-01-01T00:00:00+00:00",
        "PolicyVersionList": [{"Document": doc(json!([allow(&["s3:GetObject"], "*")])), "VersionId": "v1",
                               "IsDefaultVersion": true, "CreateDate": "2024-01-01T00:00:00+00:00"}]
    });
    let authz = details(
        json!([bounded]),
        json!([group("admins", json!([allow(&["*"], "*")]))]),
        json!([]),
        json!([boundary]),
    );
    let i = import(&authz, None);
    assert!(
        i.stderr.contains("[aws-unapplied-restriction]"),
        "{}",
        i.stderr
    );
    assert_eq!(
        i.node("aws:user:bounded")["aws_boundary_not_applied_to_groups"],
        true
    );
    // Its own grant is narrowed to the boundary: s3:GetObject, a read.
    let own = i
        .edge("aws:user:bounded", "aws:res:s3:*", "grants")
        .unwrap();
    assert_eq!(
        own.get("level").and_then(Value::as_str),
        Some("read"),
        "{own}"
    );
}
