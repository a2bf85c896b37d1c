//! The known IAM privilege-escalation methods, one small function each: given what a
//! principal's policies allow, the principals it can turn into (`assumes`), issue
//! credentials for (`mints`), rewrite the permissions of (`admin_of`), or join
//! (`member_of`) — and, when it can rewrite its own permissions, the account itself.
//!
//! The catalogue and its sources are in `docs/aws-import.md`.

use super::policy::{Allowed, Condition, Permissions};
use crate::model::EdgeKind;
use std::collections::{BTreeMap, BTreeSet};

/// An IAM principal of the account, as a target.
#[derive(Clone, Debug)]
pub struct Principal {
    pub id: String,
    pub name: String,
    pub arn: String,
}

#[derive(Clone, Debug)]
pub struct RoleInfo {
    pub principal: Principal,
    /// Service principals its trust policy allows (`lambda.amazonaws.com`).
    pub services: BTreeSet<String>,
    /// It is in an instance profile (so an EC2 instance can run as it).
    pub instance_profile: bool,
    /// The conditions under which its trust policy lets principals of its own account in
    /// (through the account root or `*`), when it does.
    pub account_trust: Option<Vec<Condition>>,
}

#[derive(Clone, Debug)]
pub struct PolicyInfo {
    pub arn: String,
    pub name: String,
    /// Principal ids it is attached to.
    pub attached_to: Vec<String>,
    pub versions: usize,
}

/// What the methods look at.
pub struct Ctx {
    pub account_id: String,
    pub partition: String,
    pub users: Vec<Principal>,
    pub groups: Vec<Principal>,
    pub roles: Vec<RoleInfo>,
    /// The roles as targets, in the order of `roles`.
    pub role_principals: Vec<Principal>,
    pub policies: Vec<PolicyInfo>,
    /// Group id → member user ids.
    pub members: BTreeMap<String, BTreeSet<String>>,
    /// User id → whether it has a console password (from the credential report).
    pub passwords: BTreeMap<String, bool>,
    /// User id → how many access keys it has (from the credential report).
    pub key_counts: BTreeMap<String, usize>,
    /// Principal id → its ARN, for the account a target is in.
    pub arns: BTreeMap<String, String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorKind {
    User,
    Group,
    Role,
}

/// The principal whose permissions are asked about.
pub struct Actor<'a> {
    pub id: &'a str,
    pub arn: &'a str,
    pub kind: ActorKind,
    /// For a user, its groups' ids.
    pub groups: &'a [String],
    /// It has a permissions boundary: rewriting its own policies stays within it.
    pub bounded: bool,
    pub perms: &'a Permissions,
}

impl Actor<'_> {
    /// Whether rewriting `target`'s permissions rewrites the actor's own.
    fn is_or_in(&self, target: &str) -> bool {
        self.id == target || self.groups.iter().any(|g| g == target)
    }

    /// Whether rewriting its own policies can give it everything: no permissions boundary
    /// caps it, or it may remove or replace its boundary.
    fn unbounded(&self) -> bool {
        if !self.bounded {
            return true;
        }
        let (delete, put) = match self.kind {
            ActorKind::Role => (
                "iam:DeleteRolePermissionsBoundary",
                "iam:PutRolePermissionsBoundary",
            ),
            _ => (
                "iam:DeleteUserPermissionsBoundary",
                "iam:PutUserPermissionsBoundary",
            ),
        };
        self.perms.can(delete, Some(self.arn)).is_some()
            || self.perms.can(put, Some(self.arn)).is_some()
    }
}

/// One edge a method derives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Derived {
    /// The target node id; `None` means the account itself.
    pub to: Option<String>,
    pub kind: EdgeKind,
    pub why: String,
    pub conditions: Vec<Condition>,
    /// The actor can change `to`'s permissions: not an edge by itself (rewriting another
    /// principal gives the rewriter nothing until it can also act as that principal).
    pub rewrites: bool,
}

type Method = fn(&Ctx, &Actor<'_>, &mut Vec<Derived>);

/// The methods, by the name the docs and `derived_from` use.
pub(crate) const METHODS: &[(&str, Method)] = &[
    ("create-access-key", create_access_key),
    ("login-profile", login_profile),
    ("user-policy", user_policy),
    ("group-policy", group_policy),
    ("role-policy", role_policy),
    ("policy-version", policy_version),
    ("add-user-to-group", add_user_to_group),
    ("update-assume-role-policy", update_assume_role_policy),
    ("assume-role", assume_role),
    ("pass-role", pass_role),
    ("existing-workload", existing_workload),
    ("new-principal", new_principal),
];

/// Every edge every method derives for `actor`. IAM's actions and a passed role act in the
/// caller's own account only: in a file that mixes accounts, a target of another account is
/// out of reach (a cross-account role is assumed through its trust, drawn apart).
pub fn derive(ctx: &Ctx, actor: &Actor<'_>) -> Vec<Derived> {
    let mut out = Vec::new();
    for (_, method) in METHODS {
        method(ctx, actor, &mut out);
    }
    let account = |arn: &str| arn.split(':').nth(4).map(str::to_string);
    let mine = account(actor.arn);
    out.retain(|d| match &d.to {
        Some(to) => ctx.arns.get(to).is_none_or(|arn| account(arn) == mine),
        // Control of the account is the file's account's: a principal of another account
        // controls its own, which this file does not model.
        None => mine.as_deref().is_none_or(|m| m == ctx.account_id),
    });
    out
}

fn push(
    out: &mut Vec<Derived>,
    to: Option<&str>,
    kind: EdgeKind,
    why: String,
    allowed: &[&Allowed],
) {
    let mut conditions: Vec<Condition> = Vec::new();
    for a in allowed {
        for c in &a.conditions {
            if !conditions.contains(c) {
                conditions.push(c.clone());
            }
        }
    }
    out.push(Derived {
        to: to.map(str::to_string),
        kind,
        why,
        conditions,
        rewrites: false,
    });
}

/// The capability to change `to`'s permissions (a policy written, attached or versioned).
fn push_rewrite(out: &mut Vec<Derived>, to: &str, why: String, allowed: &[&Allowed]) {
    push(out, Some(to), EdgeKind::AdminOf, why, allowed);
    if let Some(d) = out.last_mut() {
        d.rewrites = true;
    }
}

fn sources(allowed: &[&Allowed]) -> String {
    let mut s: Vec<&str> = allowed.iter().map(|a| a.source.as_str()).collect();
    s.dedup();
    s.join("; ")
}

/// `iam:CreateAccessKey` on another user: a key of theirs, in the actor's hands.
fn create_access_key(ctx: &Ctx, actor: &Actor<'_>, out: &mut Vec<Derived>) {
    if !actor.perms.may("iam:CreateAccessKey") {
        return;
    }
    let perms = &actor
        .perms
        .only(&["iam:CreateAccessKey", "iam:DeleteAccessKey"]);
    for u in ctx.users.iter().filter(|u| u.id != actor.id) {
        let Some(a) = perms.can("iam:CreateAccessKey", Some(&u.arn)) else {
            continue;
        };
        // A user holds at most two keys: at the limit, one must be deleted first.
        if ctx.key_counts.get(&u.id).is_some_and(|&n| n >= 2) {
            if let Some(d) = perms.can("iam:DeleteAccessKey", Some(&u.arn)) {
                let why = format!(
                    "iam:DeleteAccessKey + iam:CreateAccessKey on user {} ({})",
                    u.name,
                    sources(&[&d, &a])
                );
                push(out, Some(&u.id), EdgeKind::Mints, why, &[&d, &a]);
            }
            continue;
        }
        let why = format!("iam:CreateAccessKey on user {} ({})", u.name, a.source);
        push(out, Some(&u.id), EdgeKind::Mints, why, &[&a]);
    }
}

/// `iam:CreateLoginProfile` (a user without a console password) or
/// `iam:UpdateLoginProfile` (one with): a password the actor chose.
fn login_profile(ctx: &Ctx, actor: &Actor<'_>, out: &mut Vec<Derived>) {
    if !actor.perms.may("iam:CreateLoginProfile") && !actor.perms.may("iam:UpdateLoginProfile") {
        return;
    }
    let perms = &actor
        .perms
        .only(&["iam:CreateLoginProfile", "iam:UpdateLoginProfile"]);
    for u in ctx.users.iter().filter(|u| u.id != actor.id) {
        let has_password = ctx.passwords.get(&u.id).copied();
        for (action, applies) in [
            ("iam:CreateLoginProfile", has_password != Some(true)),
            ("iam:UpdateLoginProfile", has_password != Some(false)),
        ] {
            if !applies {
                continue;
            }
            if let Some(a) = perms.can(action, Some(&u.arn)) {
                let why = format!("{action} on user {} ({})", u.name, a.source);
                push(out, Some(&u.id), EdgeKind::Mints, why, &[&a]);
                break;
            }
        }
    }
}

/// Attaching or writing a policy of a principal: control of what it may do, and of
/// everything when the principal is the actor (or a group it is in).
fn rewrite(
    actor: &Actor<'_>,
    out: &mut Vec<Derived>,
    targets: &[Principal],
    actions: [&str; 2],
    what: &str,
) {
    if !actions.iter().any(|a| actor.perms.may(a)) {
        return;
    }
    let perms = &actor.perms.only(&actions);
    for t in targets {
        for action in actions {
            if let Some(a) = perms.can(action, Some(&t.arn)) {
                if actor.is_or_in(&t.id) && !actor.unbounded() {
                    break;
                }
                if actor.is_or_in(&t.id) {
                    let why = format!("{action} on its own {what} {} ({})", t.name, a.source);
                    push(out, None, EdgeKind::AdminOf, why, &[&a]);
                } else {
                    let why = format!("{action} on {what} {} ({})", t.name, a.source);
                    push_rewrite(out, &t.id, why, &[&a]);
                }
                break;
            }
        }
    }
}

fn user_policy(ctx: &Ctx, actor: &Actor<'_>, out: &mut Vec<Derived>) {
    rewrite(
        actor,
        out,
        &ctx.users,
        ["iam:AttachUserPolicy", "iam:PutUserPolicy"],
        "user",
    );
}

fn group_policy(ctx: &Ctx, actor: &Actor<'_>, out: &mut Vec<Derived>) {
    rewrite(
        actor,
        out,
        &ctx.groups,
        ["iam:AttachGroupPolicy", "iam:PutGroupPolicy"],
        "group",
    );
}

fn role_policy(ctx: &Ctx, actor: &Actor<'_>, out: &mut Vec<Derived>) {
    rewrite(
        actor,
        out,
        &ctx.role_principals,
        ["iam:AttachRolePolicy", "iam:PutRolePolicy"],
        "role",
    );
}

/// `iam:CreatePolicyVersion` (a customer managed policy), or `iam:SetDefaultPolicyVersion`
/// (one with another version to switch to): the permissions of everyone it is attached to.
fn policy_version(ctx: &Ctx, actor: &Actor<'_>, out: &mut Vec<Derived>) {
    if !actor.perms.may("iam:CreatePolicyVersion")
        && !actor.perms.may("iam:SetDefaultPolicyVersion")
    {
        return;
    }
    let perms = &actor
        .perms
        .only(&["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"]);
    for p in ctx
        .policies
        .iter()
        .filter(|p| !p.arn.contains(":iam::aws:policy/"))
    {
        let allowed = perms
            .can("iam:CreatePolicyVersion", Some(&p.arn))
            .map(|a| ("iam:CreatePolicyVersion", a))
            .or_else(|| {
                (p.versions > 1)
                    .then(|| perms.can("iam:SetDefaultPolicyVersion", Some(&p.arn)))
                    .flatten()
                    .map(|a| ("iam:SetDefaultPolicyVersion", a))
            });
        let Some((action, a)) = allowed else { continue };
        for t in &p.attached_to {
            if actor.is_or_in(t) && !actor.unbounded() {
                continue;
            }
            let why = format!(
                "{action} on policy {}, attached to it ({})",
                p.name, a.source
            );
            if actor.is_or_in(t) {
                push(out, None, EdgeKind::AdminOf, why, &[&a]);
            } else {
                push_rewrite(out, t, why, &[&a]);
            }
        }
    }
}

/// `iam:AddUserToGroup`: a user adds itself, and a group's members each add themselves.
/// A role has no user to add (unless it controls one: that path is not drawn).
fn add_user_to_group(ctx: &Ctx, actor: &Actor<'_>, out: &mut Vec<Derived>) {
    if actor.kind == ActorKind::Role || !actor.perms.may("iam:AddUserToGroup") {
        return;
    }
    let perms = &actor.perms.only(&["iam:AddUserToGroup"]);
    for g in ctx
        .groups
        .iter()
        .filter(|g| g.id != actor.id && !actor.groups.contains(&g.id))
    {
        if let Some(a) = perms.can("iam:AddUserToGroup", Some(&g.arn)) {
            let why = format!("iam:AddUserToGroup on group {} ({})", g.name, a.source);
            push(out, Some(&g.id), EdgeKind::MemberOf, why, &[&a]);
        }
    }
}

/// `iam:UpdateAssumeRolePolicy`: rewrite a role's trust policy to let oneself in.
fn update_assume_role_policy(ctx: &Ctx, actor: &Actor<'_>, out: &mut Vec<Derived>) {
    if !actor.perms.may("iam:UpdateAssumeRolePolicy") {
        return;
    }
    let perms = &actor.perms.only(&["iam:UpdateAssumeRolePolicy"]);
    for r in ctx.roles.iter().filter(|r| r.principal.id != actor.id) {
        if let Some(a) = perms.can("iam:UpdateAssumeRolePolicy", Some(&r.principal.arn)) {
            let why = format!(
                "iam:UpdateAssumeRolePolicy on role {} ({})",
                r.principal.name, a.source
            );
            push(out, Some(&r.principal.id), EdgeKind::Assumes, why, &[&a]);
        }
    }
}

/// `sts:AssumeRole` on a role whose trust policy lets in its own account: both sides agree.
fn assume_role(ctx: &Ctx, actor: &Actor<'_>, out: &mut Vec<Derived>) {
    if !actor.perms.may("sts:AssumeRole") {
        return;
    }
    let perms = &actor.perms.only(&["sts:AssumeRole"]);
    for r in ctx.roles.iter().filter(|r| r.principal.id != actor.id) {
        let Some(trust) = &r.account_trust else {
            continue;
        };
        if let Some(a) = perms.can("sts:AssumeRole", Some(&r.principal.arn)) {
            let why = format!(
                "sts:AssumeRole on role {}, whose trust policy lets in the account ({})",
                r.principal.name, a.source
            );
            let trusted = Allowed {
                conditions: trust.clone(),
                source: String::new(),
            };
            push(
                out,
                Some(&r.principal.id),
                EdgeKind::Assumes,
                why,
                &[&a, &trusted],
            );
        }
    }
}

/// Compute services that run code as a role passed to them: the service principal the role
/// must trust, whether it must be in an EC2 instance profile, and the sets of actions (any
/// one set suffices) that start such code.
type Launch = (&'static str, bool, &'static [&'static [&'static str]]);

const PASS_TARGETS: &[Launch] = &[
    (
        "ec2.amazonaws.com",
        true,
        &[
            &["ec2:RunInstances"],
            &["ec2:RequestSpotInstances"],
            &[
                "autoscaling:CreateLaunchConfiguration",
                "autoscaling:CreateAutoScalingGroup",
            ],
            &[
                "ec2:CreateLaunchTemplate",
                "autoscaling:CreateAutoScalingGroup",
            ],
        ],
    ),
    // A pipeline runs as the role passed to it once activated (pathfinding.cloud
    // datapipeline-001); an EMR-backed pipeline's role trusts elasticmapreduce.
    (
        "datapipeline.amazonaws.com",
        false,
        &[&[
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
            "datapipeline:ActivatePipeline",
        ]],
    ),
    (
        "elasticmapreduce.amazonaws.com",
        false,
        &[&[
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
            "datapipeline:ActivatePipeline",
        ]],
    ),
    (
        "lambda.amazonaws.com",
        false,
        &[
            &["lambda:CreateFunction", "lambda:InvokeFunction"],
            &["lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
            &["lambda:CreateFunction", "lambda:AddPermission"],
        ],
    ),
    (
        "glue.amazonaws.com",
        false,
        &[
            &["glue:CreateDevEndpoint"],
            &["glue:CreateJob", "glue:StartJobRun"],
            &["glue:CreateJob", "glue:CreateTrigger"],
            // An existing job given the passed role, then run (glue-005, glue-006).
            &["glue:UpdateJob", "glue:StartJobRun"],
            &["glue:UpdateJob", "glue:CreateTrigger"],
        ],
    ),
    (
        "cloudformation.amazonaws.com",
        false,
        &[
            &["cloudformation:CreateStack"],
            &[
                "cloudformation:CreateStackSet",
                "cloudformation:CreateStackInstances",
            ],
            // An existing stack set given the passed role (cloudformation-004).
            &["cloudformation:UpdateStackSet"],
        ],
    ),
    (
        "ecs-tasks.amazonaws.com",
        false,
        &[
            &["ecs:RegisterTaskDefinition", "ecs:RunTask"],
            &["ecs:RegisterTaskDefinition", "ecs:StartTask"],
            &["ecs:RegisterTaskDefinition", "ecs:CreateService"],
        ],
    ),
    (
        "sagemaker.amazonaws.com",
        false,
        &[
            // The notebook's lifecycle or its own terminal runs code as the role
            // (sagemaker-001).
            &["sagemaker:CreateNotebookInstance"],
            &["sagemaker:CreateTrainingJob"],
            &["sagemaker:CreateProcessingJob"],
        ],
    ),
    (
        "codebuild.amazonaws.com",
        false,
        &[
            &["codebuild:CreateProject", "codebuild:StartBuild"],
            &["codebuild:CreateProject", "codebuild:StartBuildBatch"],
        ],
    ),
    (
        "tasks.apprunner.amazonaws.com",
        false,
        &[&["apprunner:CreateService"]],
    ),
    (
        "bedrock-agentcore.amazonaws.com",
        false,
        &[&[
            "bedrock-agentcore:CreateCodeInterpreter",
            "bedrock-agentcore:StartCodeInterpreterSession",
            "bedrock-agentcore:InvokeCodeInterpreter",
        ]],
    ),
];

/// The first action set of `sets` the actor holds entirely, with how.
fn holds_set<'s>(
    perms: &Permissions,
    sets: &'s [&'s [&'s str]],
) -> Option<(&'s [&'s str], Vec<Allowed>)> {
    sets.iter().find_map(|set| {
        let allowed: Option<Vec<Allowed>> = set.iter().map(|a| perms.can(a, None)).collect();
        allowed.map(|a| (*set, a))
    })
}

/// `iam:PassRole` to a compute service the actor can start code on: the code runs as the
/// role. An EC2 instance needs the role in an instance profile (or the right to add it).
fn pass_role(ctx: &Ctx, actor: &Actor<'_>, out: &mut Vec<Derived>) {
    if !actor.perms.may("iam:PassRole") {
        return;
    }
    let passing = &actor.perms.only(&["iam:PassRole"]);
    for (service, needs_profile, sets) in PASS_TARGETS {
        let Some((set, starts)) = holds_set(actor.perms, sets) else {
            continue;
        };
        for r in ctx
            .roles
            .iter()
            .filter(|r| r.principal.id != actor.id && r.services.contains(*service))
        {
            let Some(pass) = passing.can_pass(&r.principal.arn, service) else {
                continue;
            };
            let profile = if *needs_profile && !r.instance_profile {
                match actor.perms.can("iam:AddRoleToInstanceProfile", None) {
                    Some(a) => Some(a),
                    None => continue,
                }
            } else {
                None
            };
            let mut allowed: Vec<&Allowed> = vec![&pass];
            allowed.extend(starts.iter());
            allowed.extend(profile.iter());
            let why = format!(
                "iam:PassRole on role {} (trusting {service}) with {} ({})",
                r.principal.name,
                set.join(" + "),
                sources(&allowed)
            );
            push(out, Some(&r.principal.id), EdgeKind::Assumes, why, &allowed);
        }
    }
}

/// Running code inside workloads that already exist and already run as a role. The
/// authorization details do not list functions, instances, stacks or endpoints, so every
/// role that trusts the service (and, for EC2, is in an instance profile) is taken to be in
/// use: an over-approximation, said so in `derived_from`.
const EXISTING: &[Launch] = &[
    (
        "lambda.amazonaws.com",
        false,
        &[
            &["lambda:UpdateFunctionCode"],
            &["lambda:UpdateFunctionConfiguration"],
        ],
    ),
    ("glue.amazonaws.com", false, &[&["glue:UpdateDevEndpoint"]]),
    (
        "ec2.amazonaws.com",
        true,
        &[
            &["ssm:SendCommand"],
            &["ssm:StartSession"],
            // The instance must be found to be reached (ec2instanceconnect-003).
            &[
                "ec2-instance-connect:SendSSHPublicKey",
                "ec2:DescribeInstances",
            ],
            // A launch template's new default version, used by the next launch (ec2-004).
            &[
                "ec2:CreateLaunchTemplateVersion",
                "ec2:ModifyLaunchTemplate",
            ],
            &[
                "ec2:ModifyInstanceAttribute",
                "ec2:StopInstances",
                "ec2:StartInstances",
            ],
        ],
    ),
    ("ecs-tasks.amazonaws.com", false, &[&["ecs:ExecuteCommand"]]),
    (
        "sagemaker.amazonaws.com",
        false,
        &[
            &["sagemaker:CreatePresignedNotebookInstanceUrl"],
            // A lifecycle configuration given to a stopped notebook runs on its start
            // (sagemaker-005).
            &[
                "sagemaker:CreateNotebookInstanceLifecycleConfig",
                "sagemaker:StopNotebookInstance",
                "sagemaker:UpdateNotebookInstance",
                "sagemaker:StartNotebookInstance",
            ],
        ],
    ),
    (
        "codebuild.amazonaws.com",
        false,
        &[&["codebuild:StartBuild"], &["codebuild:StartBuildBatch"]],
    ),
    (
        "cloudformation.amazonaws.com",
        false,
        &[
            &["cloudformation:UpdateStack"],
            &[
                "cloudformation:CreateChangeSet",
                "cloudformation:ExecuteChangeSet",
            ],
        ],
    ),
    (
        "tasks.apprunner.amazonaws.com",
        false,
        &[&["apprunner:UpdateService"]],
    ),
    (
        "bedrock-agentcore.amazonaws.com",
        false,
        &[&[
            "bedrock-agentcore:StartCodeInterpreterSession",
            "bedrock-agentcore:InvokeCodeInterpreter",
        ]],
    ),
];

fn existing_workload(ctx: &Ctx, actor: &Actor<'_>, out: &mut Vec<Derived>) {
    let mut done = BTreeSet::new();
    for (service, needs_profile, sets) in EXISTING {
        let Some((set, allowed)) = holds_set(actor.perms, sets) else {
            continue;
        };
        for r in ctx.roles.iter().filter(|r| {
            r.principal.id != actor.id
                && r.services.contains(*service)
                && (!needs_profile || r.instance_profile)
        }) {
            if !done.insert(r.principal.id.clone()) {
                continue;
            }
            let refs: Vec<&Allowed> = allowed.iter().collect();
            let why = format!(
                "{} on existing workloads, which may run as role {} (trusting {service}; approximate: the workloads are not in the input) ({})",
                set.join(" + "),
                r.principal.name,
                sources(&refs)
            );
            push(out, Some(&r.principal.id), EdgeKind::Assumes, why, &refs);
        }
    }
}

/// Creating a role (whose trust policy the creator writes) or a user (with a key or password
/// the creator sets) and giving it a policy: a principal of one's own with any permission.
fn new_principal(ctx: &Ctx, actor: &Actor<'_>, out: &mut Vec<Derived>) {
    let arn = |kind: &str| format!("arn:{}:iam::{}:{kind}/*", ctx.partition, ctx.account_id);
    let role = arn("role");
    if let Some(create) = actor.perms.can_meeting("iam:CreateRole", &role)
        && let Some(give) = actor
            .perms
            .can_meeting("iam:AttachRolePolicy", &role)
            .or_else(|| actor.perms.can_meeting("iam:PutRolePolicy", &role))
    {
        let why = format!(
            "iam:CreateRole with a policy for it ({})",
            sources(&[&create, &give])
        );
        push(out, None, EdgeKind::AdminOf, why, &[&create, &give]);
        return;
    }
    let user = arn("user");
    if let Some(create) = actor.perms.can_meeting("iam:CreateUser", &user)
        && let Some(give) = actor
            .perms
            .can_meeting("iam:AttachUserPolicy", &user)
            .or_else(|| actor.perms.can_meeting("iam:PutUserPolicy", &user))
        && let Some(cred) = actor
            .perms
            .can_meeting("iam:CreateAccessKey", &user)
            .or_else(|| actor.perms.can_meeting("iam:CreateLoginProfile", &user))
    {
        let why = format!(
            "iam:CreateUser with a policy and a credential for it ({})",
            sources(&[&create, &give, &cred])
        );
        push(out, None, EdgeKind::AdminOf, why, &[&create, &give, &cred]);
    }
}
