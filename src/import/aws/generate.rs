//! Generated AWS accounts for measuring the importer and the estate's join: the output of
//! `aws iam get-account-authorization-details` for an account of `roles` roles, a quarter
//! as many users and twenty groups. Most principals read and write data services; a few
//! percent pass roles to EC2, assume roles their account trusts, create others' keys, or
//! hold AdministratorAccess. Roles trust EC2 (10%), an external partner account with an
//! external id (10%), or their own account.
//!
//! With [`Options::peers`] and [`Options::github`] some trusts are the estate's seams: about
//! 1% of roles trust GitHub Actions OIDC from one of the organisation's repositories (its
//! `main` branch, or any ref), about 2% trust another account of the estate, and one principal
//! in 400 may assume `arn:aws:iam::*:role/app-*` (in every account, its own included), so
//! those trusts find principals on the other side besides administrators. The seams draw
//! from their own stream, so every other draw is the same with or without them; without
//! them the account is the one the importer's benchmarks have always measured.
//! Deterministic: the same options give the same text.

use serde_json::{Value, json};

/// What to generate. [`Options::new`] gives the benchmarks' account: no seams.
#[derive(Clone, Debug)]
pub struct Options {
    /// The account id (12 digits).
    pub account: String,
    pub roles: usize,
    /// Seeds the xorshift streams (0 is replaced by a fixed non-zero seed).
    pub seed: u64,
    /// Other accounts of the estate, which some roles trust.
    pub peers: Vec<String>,
    /// A GitHub organisation and how many repositories (`repo-0`, `repo-1`, …) it has,
    /// whose workflows some roles trust.
    pub github: Option<(String, usize)>,
}

/// The seed the benchmarks' account has always had.
pub const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

impl Options {
    pub fn new(account: &str, roles: usize) -> Self {
        Options {
            account: account.to_string(),
            roles,
            seed: SEED,
            peers: Vec::new(),
            github: None,
        }
    }
}

/// The generated account, and which of its roles are seams.
#[derive(Clone, Debug)]
pub struct Account {
    /// The authorization details as JSON.
    pub json: String,
    /// Role names whose trust admits GitHub Actions OIDC.
    pub github_oidc: Vec<String>,
    /// (role name, trusted account) for the roles that trust another account of the estate.
    pub cross_account: Vec<(String, String)>,
}

/// A xorshift64 stream.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(if seed == 0 { SEED } else { seed })
    }

    /// A number below `n`.
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const SERVICES: [&str; 8] = [
    "s3", "dynamodb", "sqs", "sns", "lambda", "logs", "kms", "ec2",
];

/// The GitHub Actions OIDC provider's host, as IAM names it.
const GITHUB_OIDC: &str = "token.actions.githubusercontent.com";

struct Gen<'a> {
    o: &'a Options,
    rng: Rng,
    /// The seams' own stream.
    seams: Rng,
}

impl Gen<'_> {
    fn arn(&self, kind: &str, name: &str) -> String {
        format!("arn:aws:iam::{}:{kind}/{name}", self.o.account)
    }

    /// An identity policy for principal number `i`.
    fn statements(&mut self, i: usize) -> Value {
        let svc = SERVICES[self.rng.below(SERVICES.len())];
        let mut s = vec![
            json!({"Effect": "Allow", "Action": [format!("{svc}:Get*"), format!("{svc}:List*")], "Resource": "*"}),
            json!({"Effect": "Allow", "Action": format!("{svc}:Put*"), "Resource": format!("arn:aws:{svc}:::data-{}/*", i % 50)}),
        ];
        match self.rng.below(100) {
            0..=1 => s.push(json!({"Effect": "Allow", "Action": "*", "Resource": "*"})),
            2..=5 => s.push(
                json!({"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}),
            ),
            6..=15 => {
                // One in forty of these, in an estate, may assume app roles in any account.
                let resource = if !self.o.peers.is_empty() && self.seams.below(40) == 0 {
                    "arn:aws:iam::*:role/app-*".to_string()
                } else {
                    self.arn("role", &format!("app-{}-*", i % 10))
                };
                s.push(json!({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource}));
            }
            16 => s.push(json!({"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"})),
            17 => s.push(
                json!({"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": self.arn("role", &format!("app-{i}"))}),
            ),
            _ => {}
        }
        json!({"Version": "2012-10-17", "Statement": s})
    }

    /// The trust policy of role number `i`, and the seam it is, if any.
    fn trust(&mut self, i: usize) -> (Value, Option<Seam>) {
        let plain = match self.rng.below(10) {
            0 => {
                json!([{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}])
            }
            1 => {
                json!([{"Effect": "Allow", "Principal": {"AWS": format!("{}", 200_000_000_000u64 + self.rng.below(40) as u64)}, "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"sts:ExternalId": format!("ext-{i}")}}}])
            }
            _ => {
                json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{}:root", self.o.account)}, "Action": "sts:AssumeRole"}])
            }
        };
        if self.o.peers.is_empty() && self.o.github.is_none() {
            return (plain, None);
        }
        match self.seams.below(100) {
            0 => match &self.o.github {
                Some((org, repos)) if *repos > 0 => {
                    let repo = self.seams.below(*repos);
                    let subject = if self.seams.below(2) == 0 {
                        format!("repo:{org}/repo-{repo}:ref:refs/heads/main")
                    } else {
                        format!("repo:{org}/repo-{repo}:*")
                    };
                    let provider = self.arn("oidc-provider", GITHUB_OIDC);
                    let trust = json!([{"Effect": "Allow", "Principal": {"Federated": provider},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {"StringEquals": {format!("{GITHUB_OIDC}:aud"): "sts.amazonaws.com"},
                                      "StringLike": {format!("{GITHUB_OIDC}:sub"): subject}}}]);
                    (trust, Some(Seam::GithubOidc))
                }
                _ => (plain, None),
            },
            1..=2 if !self.o.peers.is_empty() => {
                let peer = self.o.peers[self.seams.below(self.o.peers.len())].clone();
                let trust = json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{peer}:root")}, "Action": "sts:AssumeRole"}]);
                (trust, Some(Seam::Account(peer)))
            }
            _ => (plain, None),
        }
    }
}

enum Seam {
    GithubOidc,
    Account(String),
}

/// Role number `i`'s name: `app-{i % 10}-{i}`.
pub fn role_name(i: usize) -> String {
    format!("app-{}-{i}", i % 10)
}

/// An account's authorization details, as `aws iam get-account-authorization-details`
/// writes them (roles, then groups, then users drawn in that order).
pub fn account(o: &Options) -> Account {
    let mut g = Gen {
        o,
        rng: Rng::new(o.seed),
        seams: Rng::new(o.seed.rotate_left(32) ^ 0x2545_f491_4f6c_dd1d),
    };
    let mut out = Account {
        json: String::new(),
        github_oidc: Vec::new(),
        cross_account: Vec::new(),
    };
    let mut role_list = Vec::with_capacity(o.roles);
    for i in 0..o.roles {
        let name = role_name(i);
        let (trust, seam) = g.trust(i);
        match seam {
            Some(Seam::GithubOidc) => out.github_oidc.push(name.clone()),
            Some(Seam::Account(peer)) => out.cross_account.push((name.clone(), peer)),
            None => {}
        }
        let profile = if i % 7 == 0 {
            json!([{"InstanceProfileName": format!("p-{i}")}])
        } else {
            json!([])
        };
        let policy = g.statements(i);
        role_list.push(json!({
            "RoleName": name, "Arn": g.arn("role", &name),
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": trust},
            "InstanceProfileList": profile,
            "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": policy}],
            "AttachedManagedPolicies": []
        }));
    }
    let groups: Vec<_> = (0..20)
        .map(|n| {
            let name = format!("g{n}");
            json!({"GroupName": name, "Arn": g.arn("group", &name),
                "GroupPolicyList": [{"PolicyName": "inline", "PolicyDocument": g.statements(n)}],
                "AttachedManagedPolicies": []})
        })
        .collect();
    let users: Vec<_> = (0..o.roles / 4)
        .map(|u| {
            let name = format!("u{u}");
            json!({"UserName": name, "Arn": g.arn("user", &name), "GroupList": [format!("g{}", u % 20)],
                "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": g.statements(u)}],
                "AttachedManagedPolicies": []})
        })
        .collect();
    out.json = serde_json::to_string(
        &json!({"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": role_list, "Policies": []}),
    )
    .expect("serialisable");
    out
}
