//! The pathfinding.cloud catalogue of AWS privilege-escalation paths (65 YAML files, vendored
//! unchanged in tests/data/real/pathfinding-cloud with their licence). For each path: an
//! account in the shape of `get-account-authorization-details` where the path's required
//! permissions and prerequisites hold, imported by the binary, where `blast-radius` from the
//! starting principal must reach the account's control (`aws:res:*:*`, tier 0) at admin; and
//! for each required permission, the same account without it, which must not — unless the
//! permissions left are exactly another catalogued path's (named below), which then rightly
//! applies. The accounts are built here from the catalogue's own data (team-made, from its
//! `permissions.required` and `prerequisites`).

mod common;

use common::{authpath_in, root, write};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const ACCOUNT: &str = "111122223333";
const CONTROL: &str = "aws:res:*:*";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn allow(actions: &[String]) -> Value {
    json!([{"Effect": "Allow", "Action": actions, "Resource": "*"}])
}

/// The starting principal's permissions as a principal-access path's prerequisites scope
/// them: IAM and STS actions on the target alone (its policy, for a new policy version),
/// so that changing its own permissions is not another way in; the rest on everything.
fn allow_on_target(actions: &[String], target: &str) -> Value {
    let (scoped, rest): (Vec<&String>, Vec<&String>) = actions
        .iter()
        .partition(|a| a.starts_with("iam:") || a.starts_with("sts:"));
    let mut statements = Vec::new();
    for a in scoped {
        let resource = if a == "iam:CreatePolicyVersion" {
            arn("policy", "TargetPolicy")
        } else {
            target.to_string()
        };
        statements.push(json!({"Effect": "Allow", "Action": a, "Resource": resource}));
    }
    if !rest.is_empty() {
        statements.push(json!({"Effect": "Allow", "Action": rest, "Resource": "*"}));
    }
    json!(statements)
}

fn admin() -> Value {
    json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])
}

fn readonly() -> Value {
    json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])
}

fn trust_account() -> Value {
    json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "sts:AssumeRole"}])
}

fn trust_services(services: &[&str]) -> Value {
    json!([{"Effect": "Allow", "Principal": {"Service": services}, "Action": "sts:AssumeRole"}])
}

fn role(name: &str, trust: Value, statements: Value) -> Value {
    json!({
        "Path": "/", "RoleName": name, "RoleId": format!("AROA{}", name.to_uppercase()), "Arn": arn("role", name),
        "CreateDate": "2024-01-01T00:00:00+00:00",
        "AssumeRolePolicyDocument": doc(trust),
        "InstanceProfileList": [],
        "RolePolicyList": [{"PolicyName": format!("{name}-inline"), "PolicyDocument": doc(statements)}],
        "AttachedManagedPolicies": [], "Tags": [], "RoleLastUsed": {}
    })
}

fn user(name: &str, groups: &[&str], statements: Value) -> Value {
    json!({
        "Path": "/", "UserName": name, "UserId": format!("AIDA{}", name.to_uppercase()), "Arn": arn("user", name),
        "CreateDate": "2024-01-01T00:00:00+00:00", "GroupList": groups,
        "UserPolicyList": [{"PolicyName": format!("{name}-inline"), "PolicyDocument": doc(statements)}],
        "AttachedManagedPolicies": [], "Tags": []
    })
}

fn group(name: &str, statements: Value) -> Value {
    json!({
        "Path": "/", "GroupName": name, "GroupId": format!("AGPA{}", name.to_uppercase()), "Arn": arn("group", name),
        "CreateDate": "2024-01-01T00:00:00+00:00",
        "GroupPolicyList": [{"PolicyName": format!("{name}-inline"), "PolicyDocument": doc(statements)}],
        "AttachedManagedPolicies": []
    })
}

fn managed(name: &str, statements: Value) -> Value {
    json!({
        "PolicyName": name, "PolicyId": format!("ANPA{}", name.to_uppercase()), "Arn": arn("policy", name),
        "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": true,
        "PolicyVersionList": [{"Document": doc(statements), "VersionId": "v1", "IsDefaultVersion": true}]
    })
}

fn attach(principal: &mut Value, policy: &str) {
    principal["AttachedManagedPolicies"] =
        json!([{"PolicyName": policy, "PolicyArn": arn("policy", policy)}]);
}

/// What must exist in the account besides the starting principal, per the path's
/// prerequisites.
#[derive(Clone, Copy, Debug)]
enum Setup {
    /// The starting user's permissions are in a customer managed policy attached to it.
    SelfManaged,
    /// The starting principal is a user (or a role) changing its own permissions.
    SelfUser,
    SelfRole,
    /// The starting user is in group `team`, whose permissions it changes.
    SelfGroup,
    /// A group `admins` with every permission.
    AdminGroup,
    /// A user `target` with every permission; its console password and key count as the
    /// credential report gives them.
    AdminUser {
        password: bool,
        keys: usize,
    },
    /// A user `target` with little permission.
    PlainUser,
    /// A role `target` with little permission, trusting the account or not, with a customer
    /// managed policy attached or not.
    PlainRole {
        trusts_account: bool,
        managed: bool,
    },
    /// A role `target` with every permission, trusting the account or not.
    AdminRole {
        trusts_account: bool,
    },
    /// A role `target` with every permission that the services trust, in an instance profile
    /// when `profile`.
    Service {
        services: &'static [&'static str],
        profile: bool,
    },
}

fn setup(id: &str) -> Setup {
    use Setup::*;
    let service = |services, profile| Service { services, profile };
    match id {
        "iam-001" => SelfManaged,
        "iam-007" | "iam-008" => SelfUser,
        "iam-005" | "iam-009" => SelfRole,
        "iam-010" | "iam-011" => SelfGroup,
        "iam-013" => AdminGroup,
        "iam-002" => AdminUser {
            password: true,
            keys: 0,
        },
        "iam-003" => AdminUser {
            password: true,
            keys: 2,
        },
        "iam-004" => AdminUser {
            password: false,
            keys: 0,
        },
        "iam-006" => AdminUser {
            password: true,
            keys: 0,
        },
        "iam-015" | "iam-018" => PlainUser,
        "iam-014" | "iam-017" => PlainRole {
            trusts_account: true,
            managed: false,
        },
        "iam-016" => PlainRole {
            trusts_account: true,
            managed: true,
        },
        "iam-019" | "iam-021" => PlainRole {
            trusts_account: false,
            managed: false,
        },
        "iam-020" => PlainRole {
            trusts_account: false,
            managed: true,
        },
        "iam-012" => AdminRole {
            trusts_account: false,
        },
        "sts-001" => AdminRole {
            trusts_account: true,
        },
        _ => {
            let svc = id.split('-').next().unwrap_or_default();
            match svc {
                "apprunner" => service(&["tasks.apprunner.amazonaws.com"], false),
                "bedrock" => service(&["bedrock-agentcore.amazonaws.com"], false),
                "cloudformation" => service(&["cloudformation.amazonaws.com"], false),
                "codebuild" => service(&["codebuild.amazonaws.com"], false),
                "datapipeline" => service(
                    &[
                        "datapipeline.amazonaws.com",
                        "elasticmapreduce.amazonaws.com",
                    ],
                    false,
                ),
                "ec2" | "ec2instanceconnect" | "ssm" => service(&["ec2.amazonaws.com"], true),
                "ecs" => service(&["ecs-tasks.amazonaws.com"], false),
                "glue" => service(&["glue.amazonaws.com"], false),
                "lambda" => service(&["lambda.amazonaws.com"], false),
                "sagemaker" => service(&["sagemaker.amazonaws.com"], false),
                other => panic!("no setup for {id} ({other})"),
            }
        }
    }
}

/// Dropping a required permission may leave exactly what another catalogued path needs (an
/// existing project instead of a new one, an existing cluster): that path then rightly
/// reaches control. (path, dropped permission) → the path that applies.
const STILL_ANOTHER_PATH: &[(&str, &str, &str)] = &[
    ("bedrock-001", "iam:PassRole", "bedrock-002"),
    (
        "bedrock-001",
        "bedrock-agentcore:CreateCodeInterpreter",
        "bedrock-002",
    ),
    ("codebuild-001", "codebuild:CreateProject", "codebuild-002"),
    ("codebuild-001", "iam:PassRole", "codebuild-002"),
    ("codebuild-004", "iam:PassRole", "codebuild-003"),
    ("codebuild-004", "codebuild:CreateProject", "codebuild-003"),
    ("ecs-001", "ecs:CreateCluster", "ecs-003"),
    ("ecs-002", "ecs:CreateCluster", "ecs-004"),
    ("lambda-004", "lambda:InvokeFunction", "lambda-003"),
    ("lambda-005", "lambda:AddPermission", "lambda-003"),
    ("iam-003", "iam:DeleteAccessKey", "iam-002"),
];

struct Path {
    id: String,
    file: String,
    required: Vec<String>,
}

fn catalogue() -> Vec<Path> {
    let dir = root().join("tests/data/real/pathfinding-cloud/paths");
    let mut out = Vec::new();
    for service in std::fs::read_dir(&dir).unwrap() {
        for f in std::fs::read_dir(service.unwrap().path()).unwrap() {
            let f = f.unwrap().path();
            let y: Value = serde_norway::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
            out.push(Path {
                id: y["id"].as_str().unwrap().to_string(),
                file: f.strip_prefix(root()).unwrap().display().to_string(),
                required: y["permissions"]["required"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["permission"].as_str().unwrap().to_string())
                    .collect(),
            });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

const REPORT_HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

fn report_row(name: &str, password: bool, keys: usize) -> String {
    let key = |on: bool| {
        if on {
            "true,2026-01-01T00:00:00+00:00,N/A,N/A,N/A"
        } else {
            "false,N/A,N/A,N/A,N/A"
        }
    };
    format!(
        "{name},{},2024-01-01T00:00:00+00:00,{password},N/A,N/A,N/A,false,{},{},false,N/A,false,N/A",
        arn("user", name),
        key(keys >= 1),
        key(keys >= 2)
    )
}

/// The account for `setup` where the starting principal holds `perms`: its files, and the
/// starting principal's node id.
fn account(setup: Setup, perms: &[String]) -> (String, String, &'static str) {
    let mut users = vec![];
    let mut groups = vec![];
    let mut roles = vec![];
    let mut policies = vec![];
    let mut report = vec![REPORT_HEADER.to_string(), report_row("start", true, 1)];
    let mut start = "aws:user:start";
    match setup {
        Setup::SelfManaged => {
            let mut u = user("start", &[], readonly());
            attach(&mut u, "StartPolicy");
            users.push(u);
            policies.push(managed("StartPolicy", allow(perms)));
        }
        Setup::SelfRole => {
            roles.push(role("start", trust_account(), allow(perms)));
            start = "aws:role:start";
        }
        Setup::SelfGroup => {
            users.push(user("start", &["team"], allow(perms)));
            groups.push(group("team", readonly()));
        }
        Setup::AdminUser { .. } | Setup::PlainUser => users.push(user(
            "start",
            &[],
            allow_on_target(perms, &arn("user", "target")),
        )),
        Setup::PlainRole { .. } | Setup::AdminRole { .. } => users.push(user(
            "start",
            &[],
            allow_on_target(perms, &arn("role", "target")),
        )),
        _ => users.push(user("start", &[], allow(perms))),
    }
    match setup {
        Setup::AdminGroup => groups.push(group("admins", admin())),
        Setup::AdminUser { password, keys } => {
            users.push(user("target", &[], admin()));
            report.push(report_row("target", password, keys));
        }
        Setup::PlainUser => users.push(user("target", &[], readonly())),
        Setup::PlainRole {
            trusts_account,
            managed: with_policy,
        } => {
            let trust = if trusts_account {
                trust_account()
            } else {
                trust_services(&["ec2.amazonaws.com"])
            };
            let mut r = role("target", trust, readonly());
            if with_policy {
                attach(&mut r, "TargetPolicy");
                policies.push(managed("TargetPolicy", readonly()));
            }
            roles.push(r);
        }
        Setup::AdminRole { trusts_account } => {
            let trust = if trusts_account {
                trust_account()
            } else {
                trust_services(&["ec2.amazonaws.com"])
            };
            roles.push(role("target", trust, admin()));
        }
        Setup::Service { services, profile } => {
            let mut r = role("target", trust_services(services), admin());
            if profile {
                r["InstanceProfileList"] = json!([{
                    "Path": "/", "InstanceProfileName": "target", "InstanceProfileId": "AIPATARGET",
                    "Arn": format!("arn:aws:iam::{ACCOUNT}:instance-profile/target"),
                    "CreateDate": "2024-01-01T00:00:00+00:00", "Roles": []
                }]);
            }
            roles.push(r);
        }
        _ => {}
    }
    let details = serde_json::to_string_pretty(&json!({
        "UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies
    }))
    .unwrap();
    (details, report.join("\n") + "\n", start)
}

/// The level at which the starting principal reaches the account's control, if it does;
/// with the path `blast-radius` gives.
fn reaches_control(setup: Setup, perms: &[String]) -> Option<(String, Value)> {
    let dir = tempfile::tempdir().unwrap();
    let (details, report, start) = account(setup, perms);
    write(dir.path(), "authz.json", details.as_bytes());
    write(dir.path(), "report.csv", report.as_bytes());
    let run = authpath_in(
        dir.path(),
        &[
            "import",
            "aws-iam",
            "authz.json",
            "--credential-report",
            "report.csv",
            "-o",
            "g.json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = authpath_in(
        dir.path(),
        &[
            "blast-radius",
            "g.json",
            "--from",
            start,
            "--format",
            "json",
            "--now",
            "2026-11-01T00:00:00Z",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    doc["reached"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["node"] == CONTROL)
        .map(|r| (r["level"].as_str().unwrap().to_string(), r["path"].clone()))
}

#[test]
fn every_catalogued_path_reaches_control_and_no_near_miss_does() {
    let paths = catalogue();
    assert_eq!(paths.len(), 65, "the catalogue has 65 paths");
    let mut missed = Vec::new();
    let mut false_paths = Vec::new();
    let mut near_misses = 0;
    for p in &paths {
        let s = setup(&p.id);
        match reaches_control(s, &p.required) {
            Some((level, _)) if level == "admin" => {}
            other => missed.push(format!("{} ({}): {other:?}", p.id, p.file)),
        }
        for drop in &p.required {
            let left: Vec<String> = p.required.iter().filter(|r| *r != drop).cloned().collect();
            if let Some((_, _, other)) = STILL_ANOTHER_PATH
                .iter()
                .find(|(id, d, _)| *id == p.id && d == drop)
            {
                // The named path's permissions must indeed be what is left.
                let o = paths.iter().find(|q| q.id == *other).unwrap();
                let o: BTreeSet<&String> = o.required.iter().collect();
                assert!(
                    o.is_subset(&left.iter().collect()),
                    "{} without {drop}: {other} does not apply",
                    p.id
                );
                continue;
            }
            near_misses += 1;
            if let Some((level, path)) = reaches_control(s, &left) {
                false_paths.push(format!("{} without {drop}: {level} via {path}", p.id));
            }
        }
    }
    eprintln!(
        "catalogue: {} paths, {} detected; {} near misses, {} reaching control",
        paths.len(),
        paths.len() - missed.len(),
        near_misses,
        false_paths.len()
    );
    assert!(
        missed.is_empty() && false_paths.is_empty(),
        "missed:\n{}\nfalse paths:\n{}",
        missed.join("\n"),
        false_paths.join("\n")
    );
}
