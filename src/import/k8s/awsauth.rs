//! The `aws-auth` ConfigMap of an EKS cluster: which AWS principals authenticate as which
//! Kubernetes users and groups. Its `mapRoles`, `mapUsers` and `mapAccounts` values are YAML
//! documents inside strings; item keys are matched without regard to case, as the AWS IAM
//! authenticator does (`rolearn`, `roleARN` and `rOlEaRn` are one key).

use super::manifest::{ConfigMapObject, Origin};
use crate::diagnostics::{Diagnostic, codes, quote};
use crate::model::Span;
use serde_json::Value;

/// Which kind of IAM principal a mapping names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Principal {
    Role,
    User,
}

/// One `mapRoles` or `mapUsers` entry that can match a caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Mapping {
    pub principal: Principal,
    /// The ARN as written.
    pub arn: String,
    pub account: String,
    /// The role's or user's name (the last part of the ARN).
    pub name: String,
    /// The Kubernetes username; templates such as `{{SessionName}}` kept as written.
    pub username: Option<String>,
    pub groups: Vec<String>,
    /// `mapRoles[2]`, for `derived_from`.
    pub entry: String,
}

/// What an aws-auth ConfigMap maps, and what in it maps nothing.
#[derive(Debug, Default)]
pub(super) struct AwsAuth {
    pub mappings: Vec<Mapping>,
    /// Accounts of `mapAccounts`: every principal of each authenticates as its own ARN.
    pub accounts: Vec<String>,
    pub warnings: Vec<Diagnostic>,
}

/// Reads the three mapping keys of `cm`; an entry that cannot match anyone is a warning
/// naming it, never silently dropped.
pub(super) fn read(cm: &ConfigMapObject, origin: &Origin) -> AwsAuth {
    let mut out = AwsAuth::default();
    let mut warn = |message: String, help: &str| {
        Diagnostic::warning(
            codes::K8S_AWS_AUTH,
            Some(Span {
                line: origin.line,
                column: 1,
            }),
            message,
        )
        .about(origin.describe())
        .help(help)
    };
    for key in ["mapRoles", "mapUsers"] {
        let principal = if key == "mapRoles" {
            Principal::Role
        } else {
            Principal::User
        };
        let Some(items) = list(cm, key, &mut out.warnings, &mut warn) else {
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let entry = format!("{key}[{i}]");
            match mapping(item, principal, &entry) {
                Ok(m) => out.mappings.push(m),
                Err((message, help)) => out.warnings.push(warn(
                    format!("aws-auth {entry}: {message}: it maps no one"),
                    &help,
                )),
            }
        }
    }
    if let Some(items) = list(cm, "mapAccounts", &mut out.warnings, &mut warn) {
        for (i, item) in items.iter().enumerate() {
            let id = match item {
                Value::String(s) => Some(s.trim().to_string()),
                // Unquoted, YAML reads an account id as a number and drops leading zeros;
                // account ids are always twelve digits.
                Value::Number(n) => n.as_u64().map(|n| format!("{n:012}")),
                _ => None,
            };
            match id {
                Some(id) if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) => {
                    out.accounts.push(id)
                }
                _ => out.warnings.push(warn(
                    format!(
                        "aws-auth mapAccounts[{i}] is not a 12-digit account id: it maps no one"
                    ),
                    "write each account id as a quoted 12-digit string",
                )),
            }
        }
    }
    out
}

/// The list a mapping key holds (`None` when absent or unreadable, with a warning then).
fn list(
    cm: &ConfigMapObject,
    key: &str,
    warnings: &mut Vec<Diagnostic>,
    warn: &mut impl FnMut(String, &str) -> Diagnostic,
) -> Option<Vec<Value>> {
    let text = cm.data.get(key)?;
    match serde_norway::from_str::<Value>(text) {
        Ok(Value::Array(items)) => Some(items),
        Ok(Value::Null) => None,
        Ok(_) => {
            warnings.push(warn(
                format!("aws-auth {key} is not a list: nothing in it is mapped"),
                "write the value as a YAML list of entries",
            ));
            None
        }
        Err(e) => {
            warnings.push(warn(
                format!("aws-auth {key} is not valid YAML ({e}): nothing in it is mapped"),
                "the value is a YAML document inside a string; check its indentation",
            ));
            None
        }
    }
}

/// One entry, or why it can never match a caller.
fn mapping(item: &Value, principal: Principal, entry: &str) -> Result<Mapping, (String, String)> {
    let Value::Object(fields) = item else {
        return Err((
            "is not a mapping".into(),
            "each entry has an ARN, a username and groups".into(),
        ));
    };
    let arn_key = match principal {
        Principal::Role => "rolearn",
        Principal::User => "userarn",
    };
    let get = |k: &str| {
        fields
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v)
    };
    let Some(Value::String(arn)) = get(arn_key) else {
        return Err((
            format!("has no `{arn_key}`"),
            format!("give the {} ARN under `{arn_key}`", kind_word(principal)),
        ));
    };
    let (account, resource) = parse_arn(arn).ok_or_else(|| {
        (
            format!("{} is not an IAM ARN", quote(arn)),
            "write arn:aws:iam::ACCOUNT:role/NAME or arn:aws:iam::ACCOUNT:user/NAME".to_string(),
        )
    })?;
    let name = match (principal, resource.split_once('/')) {
        (Principal::Role, Some(("role", rest))) if !rest.contains('/') && !rest.is_empty() => {
            rest.to_string()
        }
        // The authenticator compares a role ARN with the caller's canonical ARN, which has no
        // path: an entry with a path can never match.
        (Principal::Role, Some(("role", rest))) if !rest.is_empty() => {
            let last = rest.rsplit('/').next().unwrap_or(rest);
            return Err((
                format!(
                    "role ARN {} has a path, and the authenticator matches role ARNs without their path",
                    quote(arn)
                ),
                format!("write the ARN without the path: arn:aws:iam::{account}:role/{last}"),
            ));
        }
        (Principal::User, Some(("user", rest))) if !rest.is_empty() => {
            rest.rsplit('/').next().unwrap_or(rest).to_string()
        }
        _ => {
            return Err((
                format!(
                    "{} does not name an IAM {}",
                    quote(arn),
                    kind_word(principal)
                ),
                format!("write arn:aws:iam::ACCOUNT:{}/NAME", kind_word(principal)),
            ));
        }
    };
    let username = match get("username") {
        Some(Value::String(u)) if !u.is_empty() => Some(u.clone()),
        _ => None,
    };
    let groups = match get("groups") {
        Some(Value::Array(gs)) => gs
            .iter()
            .filter_map(Value::as_str)
            .filter(|g| !g.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    };
    Ok(Mapping {
        principal,
        arn: arn.clone(),
        account,
        name,
        username,
        groups,
        entry: entry.to_string(),
    })
}

fn kind_word(p: Principal) -> &'static str {
    match p {
        Principal::Role => "role",
        Principal::User => "user",
    }
}

/// `(account, resource)` of `arn:PARTITION:iam::ACCOUNT:RESOURCE`.
fn parse_arn(arn: &str) -> Option<(String, String)> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (!partition.is_empty() && account_ok).then(|| (account.to_string(), resource.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn cm(data: &[(&str, &str)]) -> ConfigMapObject {
        ConfigMapObject {
            metadata: Default::default(),
            data: data
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    fn origin() -> Origin {
        Origin {
            file: "aws-auth.yaml".into(),
            doc: 0,
            item: None,
            line: 1,
        }
    }

    #[test]
    fn keys_match_without_case_and_accounts_keep_twelve_digits() {
        let a = read(
            &cm(&[
                (
                    "mapRoles",
                    "- rOlEaRn: arn:aws:iam::555555555555:role/nodes\n  UsErNaMe: system:node:{{EC2PrivateDNSName}}\n  gRoUpS: [system:nodes]\n",
                ),
                ("mapAccounts", "- 55555555555\n- \"111122223333\"\n"),
            ]),
            &origin(),
        );
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
        assert_eq!(a.mappings.len(), 1);
        let m = &a.mappings[0];
        assert_eq!(
            (m.account.as_str(), m.name.as_str()),
            ("555555555555", "nodes")
        );
        assert_eq!(
            m.username.as_deref(),
            Some("system:node:{{EC2PrivateDNSName}}")
        );
        assert_eq!(m.groups, vec!["system:nodes"]);
        assert_eq!(a.accounts, vec!["055555555555", "111122223333"]);
    }

    #[test]
    fn an_entry_that_can_never_match_is_a_warning_naming_it() {
        let a = read(
            &cm(&[
                (
                    "mapRoles",
                    "- rolearn: arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef\n  groups: [system:masters]\n- username: x\n",
                ),
                ("mapUsers", "{not: a list}"),
            ]),
            &origin(),
        );
        assert!(a.mappings.is_empty());
        let text: Vec<String> = a.warnings.iter().map(|w| w.message.clone()).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(text[0].contains("mapRoles[0]") && text[0].contains("has a path"));
        assert!(text[1].contains("mapRoles[1]") && text[1].contains("no `rolearn`"));
        assert!(text[2].contains("mapUsers is not a list"));
    }
}
