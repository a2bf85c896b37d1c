//! IAM actions to authority levels.
//!
//! AWS's Service Authorization Reference sorts every action into List, Read, Tagging, Write
//! and Permissions management. The importer does not carry that 15,000-action table: it
//! reads the verb an action starts with (`Get`, `List`, `Describe`… read; anything else
//! writes) and lists the actions that change who may do what — IAM's own writes and the
//! resource-policy actions of other services — as admin. A wildcard pattern takes the
//! highest level of what it may match: `s3:Get*` reads, `s3:Put*` may call
//! `s3:PutBucketPolicy` and so administers.

use super::policy::{Actions, glob_match};
use crate::model::Level;

/// Verbs whose actions only read (List and Read in AWS's access levels).
/// (Counted over the Service Authorization Reference: these prefixes are List or Read for
/// all but a handful of actions; `Check`, `Test`, `Batch`, `Export`… are mixed, so write.)
const READ_VERBS: &[&str] = &[
    "Get",
    "List",
    "Describe",
    "Search",
    "Query",
    "Scan",
    "Select",
    "BatchGet",
    "Lookup",
    "Filter",
    "Read",
    "Count",
    "Calculate",
    "Estimate",
    "Simulate",
    "Fetch",
    "Compare",
    "View",
];

/// `Get` actions that hand out credentials: they act as whoever the credentials are for.
const CREDENTIAL_GETS: &[&str] = &[
    "redshift:GetClusterCredentials",
    "redshift:GetClusterCredentialsWithIAM",
    "redshift-serverless:GetCredentials",
    "emr-containers:GetManagedEndpointSessionCredentials",
    "lightsail:GetRelationalDatabaseMasterUserPassword",
    "lightsail:GetInstanceAccessDetails",
    "codeartifact:GetAuthorizationToken",
    "ecr:GetAuthorizationToken",
];

/// Actions of AWS's "Permissions management" access level outside IAM: they rewrite a
/// resource's policy or hand out grants on it, which is administrative control of it.
pub(crate) const PERMISSIONS_MANAGEMENT: &[&str] = &[
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
    "s3:PutObjectVersionAcl",
    "s3:PutAccessPointPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutAccountPublicAccessBlock",
    "s3:PutBucketOwnershipControls",
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:DeleteResourcePolicy",
    "lambda:AddPermission",
    "lambda:RemovePermission",
    "lambda:AddLayerVersionPermission",
    "sns:AddPermission",
    "sns:RemovePermission",
    "sns:SetTopicAttributes",
    "sqs:AddPermission",
    "sqs:RemovePermission",
    "sqs:SetQueueAttributes",
    "ecr:SetRepositoryPolicy",
    "ecr:DeleteRepositoryPolicy",
    "ecr:PutRegistryPolicy",
    "glacier:SetVaultAccessPolicy",
    "glacier:DeleteVaultAccessPolicy",
    "glacier:InitiateVaultLock",
    "s3:PutAccessPointPolicyForObjectLambda",
    "s3:PutMultiRegionAccessPointPolicy",
    "ecr-public:SetRepositoryPolicy",
    "es:UpdateElasticsearchDomainConfig",
    "es:UpdateDomainConfig",
    "logs:PutResourcePolicy",
    "logs:DeleteResourcePolicy",
    "logs:PutDestinationPolicy",
    "events:PutPermission",
    "events:RemovePermission",
    "backup:PutBackupVaultAccessPolicy",
    "elasticfilesystem:PutFileSystemPolicy",
    "dynamodb:PutResourcePolicy",
    "kinesis:PutResourcePolicy",
    "apigateway:UpdateRestApiPolicy",
    "codeartifact:PutDomainPermissionsPolicy",
    "codeartifact:PutRepositoryPermissionsPolicy",
    "codebuild:PutResourcePolicy",
    "glue:PutResourcePolicy",
    "mediastore:PutContainerPolicy",
    "ses:PutIdentityPolicy",
    "acm-pca:PutPolicy",
    "acm-pca:CreatePermission",
    "lakeformation:GrantPermissions",
    "cognito-identity:SetIdentityPoolRoles",
    "vpc-lattice:PutAuthPolicy",
    "lambda:CreateFunctionUrlConfig",
    "lambda:UpdateFunctionUrlConfig",
    "ssm:ModifyDocumentPermission",
    "cloudformation:SetStackPolicy",
    "redshift:AuthorizeSnapshotAccess",
    "ram:CreateResourceShare",
    "ram:AssociateResourceShare",
    "ec2:ModifySnapshotAttribute",
    "ec2:ModifyImageAttribute",
    "ec2:ModifyVpcEndpointServicePermissions",
    "rds:ModifyDBSnapshotAttribute",
    "rds:ModifyDBClusterSnapshotAttribute",
    "organizations:AttachPolicy",
    "organizations:DetachPolicy",
    "organizations:UpdatePolicy",
    "sso:AttachManagedPolicyToPermissionSet",
    "sso:PutInlinePolicyToPermissionSet",
    "sso:CreateAccountAssignment",
];

/// The highest level any action in `actions` carries.
pub fn level(actions: &Actions) -> Level {
    let pattern = actions.pattern();
    if pattern == "*" {
        // Every action administers; every action but some (`NotAction`) is taken to write:
        // what such statements leave out is, in practice, IAM.
        return if actions.exclude.is_empty() {
            Level::Admin
        } else {
            Level::Write
        };
    }
    let Some((svc, verb)) = pattern.split_once(':') else {
        return Level::Write;
    };
    let svc = svc.to_ascii_lowercase();
    if glob_match(&svc, "iam", true) && !is_read(verb) {
        // Every IAM write changes who may do what, except tags.
        let tags_only = glob_match("Tag*", verb, true) || glob_match("Untag*", verb, true);
        if !tags_only {
            return Level::Admin;
        }
    }
    if PERMISSIONS_MANAGEMENT
        .iter()
        .any(|a| glob_match(pattern, a, true) && actions.allows(a))
    {
        return Level::Admin;
    }
    if CREDENTIAL_GETS
        .iter()
        .any(|a| glob_match(pattern, a, true) && actions.allows(a))
    {
        return Level::Write;
    }
    if is_read(verb) {
        Level::Read
    } else {
        Level::Write
    }
}

/// Whether a pattern's action part can only match read verbs: its text before the first
/// wildcard starts with one.
fn is_read(verb: &str) -> bool {
    let literal = verb.split(['*', '?']).next().unwrap_or("");
    // "Get*" reads; "G*" may be anything.
    READ_VERBS.iter().any(|v| {
        literal.len() >= v.len() && literal.as_bytes()[..v.len()].eq_ignore_ascii_case(v.as_bytes())
    })
}

/// The services a pattern's actions belong to: its prefix, or `*` when the prefix itself is
/// a wildcard.
pub fn service(actions: &Actions) -> String {
    match actions.pattern().split_once(':') {
        Some((svc, _)) if !svc.contains(['*', '?']) => svc.to_ascii_lowercase(),
        _ => "*".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(include: &str) -> Actions {
        Actions::new(include)
    }

    #[test]
    fn levels() {
        assert_eq!(level(&a("s3:GetObject")), Level::Read);
        assert_eq!(level(&a("s3:Get*")), Level::Read);
        assert_eq!(level(&a("s3:List*")), Level::Read);
        assert_eq!(level(&a("s3:PutObject")), Level::Write);
        assert_eq!(level(&a("s3:Put*")), Level::Admin);
        assert_eq!(level(&a("s3:*")), Level::Admin);
        assert_eq!(level(&a("logs:*")), Level::Admin);
        assert_eq!(level(&a("dynamodb:PutItem")), Level::Write);
        assert_eq!(level(&a("iam:PassRole")), Level::Admin);
        assert_eq!(level(&a("iam:TagRole")), Level::Write);
        assert_eq!(level(&a("iam:Get*")), Level::Read);
        assert_eq!(level(&a("*:PassRole")), Level::Admin);
        assert_eq!(level(&a("i*:*")), Level::Admin);
        assert_eq!(level(&a("*")), Level::Admin);
        assert_eq!(level(&a("ec2:*")), Level::Admin);
        assert_eq!(level(&a("ec2:RunInstances")), Level::Write);
        assert_eq!(level(&a("athena:*")), Level::Write);
        assert_eq!(level(&a("redshift:Get*")), Level::Write);
        assert_eq!(level(&a("secretsmanager:Get*")), Level::Read);
        assert_eq!(level(&a("secretsmanager:Describe*")), Level::Read);
        assert_eq!(level(&a("s3:Head*")), Level::Write);
        let mut s3 = a("s3:*");
        s3.exclude = vec![
            "s3:PutBucketPolicy".into(),
            "s3:Put*Acl".into(),
            "s3:PutBucket*".into(),
            "s3:PutAccount*".into(),
            "s3:PutAccessPoint*".into(),
            "s3:PutMultiRegion*".into(),
            "s3:DeleteBucketPolicy".into(),
        ];
        assert_eq!(level(&s3), Level::Write);
        assert_eq!(service(&a("S3:Get*")), "s3");
        assert_eq!(service(&a("*")), "*");
    }
}
