//! `import k8s` on generated manifests (one file each, as a directory of manifests is read):
//! reading and parsing, the derivations, and writing the graph.

use authpath::import::k8s::{Options, generate, import};

fn main() {
    divan::main();
}

#[divan::bench(args = [1_000, 10_000], sample_count = 5)]
fn import_manifests(bencher: divan::Bencher, n: usize) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (i, m) in generate::manifests(n).iter().enumerate() {
        std::fs::write(dir.path().join(format!("m{i:06}.yaml")), m).expect("write");
    }
    let paths = [dir.path().to_path_buf()];
    bencher.bench(|| {
        let imported = import(&paths, &Options::default());
        let graph = imported.graph.expect("the generated manifests import");
        graph.to_json(None).len()
    });
}

/// An AWS account's authorization details with `roles` roles, a quarter as many users and
/// twenty groups: most principals read and write data services; a few percent pass roles to
/// EC2, assume roles their account trusts, create others' keys, or hold AdministratorAccess.
fn aws_account(roles: usize) -> String {
    use serde_json::json;
    let account = "111122223333";
    let arn = |kind: &str, name: &str| format!("arn:aws:iam::{account}:{kind}/{name}");
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let services = [
        "s3", "dynamodb", "sqs", "sns", "lambda", "logs", "kms", "ec2",
    ];
    let statements = |i: usize, next: &mut dyn FnMut(usize) -> usize| {
        let svc = services[next(services.len())];
        let mut s = vec![
            json!({"Effect": "Allow", "Action": [format!("{svc}:Get*"), format!("{svc}:List*")], "Resource": "*"}),
            json!({"Effect": "Allow", "Action": format!("{svc}:Put*"), "Resource": format!("arn:aws:{svc}:::data-{}/*", i % 50)}),
        ];
        match next(100) {
            0..=1 => s.push(json!({"Effect": "Allow", "Action": "*", "Resource": "*"})),
            2..=5 => s.push(json!({"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"})),
            6..=15 => s.push(json!({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn("role", &format!("app-{}-*", i % 10))})),
            16 => s.push(json!({"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"})),
            17 => s.push(json!({"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": arn("role", &format!("app-{i}"))})),
            _ => {}
        }
        json!({"Version": "2012-10-17", "Statement": s})
    };
    let mut role_list = Vec::with_capacity(roles);
    for i in 0..roles {
        let trust = match next(10) {
            0 => {
                json!([{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}])
            }
            1 => {
                json!([{"Effect": "Allow", "Principal": {"AWS": format!("{}", 200_000_000_000u64 + next(40) as u64)}, "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"sts:ExternalId": format!("ext-{i}")}}}])
            }
            _ => {
                json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "sts:AssumeRole"}])
            }
        };
        let profile = if i % 7 == 0 {
            json!([{"InstanceProfileName": format!("p-{i}")}])
        } else {
            json!([])
        };
        role_list.push(json!({
            "RoleName": format!("app-{}-{i}", i % 10), "Arn": arn("role", &format!("app-{}-{i}", i % 10)),
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": trust},
            "InstanceProfileList": profile,
            "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": statements(i, &mut next)}],
            "AttachedManagedPolicies": []
        }));
    }
    let groups: Vec<_> = (0..20)
        .map(|g| json!({"GroupName": format!("g{g}"), "Arn": arn("group", &format!("g{g}")),
            "GroupPolicyList": [{"PolicyName": "inline", "PolicyDocument": statements(g, &mut next)}], "AttachedManagedPolicies": []}))
        .collect();
    let users: Vec<_> = (0..roles / 4)
        .map(|u| json!({"UserName": format!("u{u}"), "Arn": arn("user", &format!("u{u}")), "GroupList": [format!("g{}", u % 20)],
            "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": statements(u, &mut next)}], "AttachedManagedPolicies": []}))
        .collect();
    serde_json::to_string(&json!({"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": role_list, "Policies": []}))
        .expect("serialisable")
}

#[divan::bench(args = [1_000, 5_000], sample_count = 3)]
fn import_aws_iam(bencher: divan::Bencher, roles: usize) {
    let text = aws_account(roles);
    bencher.bench(|| {
        let imported = authpath::import::aws::import_text("authz.json", &text, None);
        let graph = imported.graph.expect("the generated account imports");
        graph.to_json(None).len()
    });
}
