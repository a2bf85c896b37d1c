//! IAM Identity Center, from the AWS CLI's JSON answers: `sso-admin
//! list-account-assignments` (which user or group holds which permission set in which
//! account), `sso-admin describe-permission-set` (a permission set's name, by which its
//! roles are named), and `identitystore list-users`, `list-groups` and
//! `list-group-memberships` (who the principals are). Files are recognised by their shape;
//! a file may hold one answer, an array of answers, or several one after another.

use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::source::str_of;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// One account assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub account: String,
    pub permission_set_arn: String,
    /// `USER` or `GROUP`.
    pub principal_type: String,
    pub principal_id: String,
}

/// A user or group of the identity store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub id: String,
    pub name: String,
    /// The identity provider's own id when SCIM provisions it (`ExternalIds[].Id`).
    pub external_ids: Vec<String>,
}

/// What an Identity Center directory holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdentityCenter {
    pub assignments: Vec<Assignment>,
    /// Permission set ARN → name.
    pub permission_sets: BTreeMap<String, String>,
    pub users: Vec<Principal>,
    pub groups: Vec<Principal>,
    /// (group id, member user id).
    pub memberships: Vec<(String, String)>,
    pub files: usize,
}

/// Reads every `.json` file under `path` (a file or a directory).
pub fn read(path: &Path) -> (IdentityCenter, Vec<Diagnostics>) {
    let mut out = IdentityCenter::default();
    let (files, problems) =
        crate::source::read_json_files(path, |name, text| read_text(name, text, &mut out));
    out.files = files;
    (out, problems)
}

fn principal(v: &Value, id_key: &str, name_key: &str) -> Option<Principal> {
    Some(Principal {
        id: str_of(v, id_key)?.to_string(),
        name: str_of(v, name_key)
            .unwrap_or(str_of(v, id_key)?)
            .to_string(),
        external_ids: v
            .get("ExternalIds")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| str_of(e, "Id").map(str::to_string))
            .collect(),
    })
}

/// One file's answers into `out`; its problems.
pub fn read_text(name: &str, text: &str, out: &mut IdentityCenter) -> Diagnostics {
    let mut d = Diagnostics::new(name);
    let Some(values) = crate::source::json_answers(text, &mut d) else {
        return d;
    };
    fn list<'v>(v: &'v Value, key: &str) -> &'v [Value] {
        v.get(key)
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
    for (i, v) in values.iter().enumerate() {
        if v.get("AccountAssignments").is_some() {
            for a in list(v, "AccountAssignments") {
                match (
                    str_of(a, "AccountId"),
                    str_of(a, "PermissionSetArn"),
                    str_of(a, "PrincipalType"),
                    str_of(a, "PrincipalId"),
                ) {
                    (Some(acc), Some(ps), Some(t), Some(id)) => out.assignments.push(Assignment {
                        account: acc.to_string(),
                        permission_set_arn: ps.to_string(),
                        principal_type: t.to_string(),
                        principal_id: id.to_string(),
                    }),
                    _ => d.push(
                        Diagnostic::warning(
                            codes::IDENTITY_CENTER_ANSWER,
                            None,
                            "an account assignment without AccountId, PermissionSetArn, PrincipalType or PrincipalId: skipped".to_string(),
                        )
                        .about(format!("answer {}", i + 1))
                        .help("save the whole list-account-assignments answer"),
                    ),
                }
            }
        } else if let Some(ps) = v.get("PermissionSet") {
            if let (Some(arn), Some(n)) = (str_of(ps, "PermissionSetArn"), str_of(ps, "Name")) {
                out.permission_sets.insert(arn.to_string(), n.to_string());
            }
        } else if v.get("Users").is_some() {
            out.users.extend(
                list(v, "Users")
                    .iter()
                    .filter_map(|u| principal(u, "UserId", "UserName")),
            );
        } else if v.get("Groups").is_some() {
            out.groups.extend(
                list(v, "Groups")
                    .iter()
                    .filter_map(|g| principal(g, "GroupId", "DisplayName")),
            );
        } else if v.get("GroupMemberships").is_some() {
            for m in list(v, "GroupMemberships") {
                if let (Some(g), Some(u)) = (
                    str_of(m, "GroupId"),
                    m.get("MemberId").and_then(|x| str_of(x, "UserId")),
                ) {
                    out.memberships.push((g.to_string(), u.to_string()));
                }
            }
        } else {
            d.push(
                Diagnostic::warning(
                    codes::IDENTITY_CENTER_ANSWER,
                    None,
                    "not an Identity Center answer authpath reads (list-account-assignments, describe-permission-set, list-users, list-groups, list-group-memberships): skipped".to_string(),
                )
                .about(format!("answer {}", i + 1))
                .help("remove the file, or save one of those answers in it"),
            );
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_recognised_by_shape() {
        let mut ic = IdentityCenter::default();
        let d = read_text(
            "a.json",
            r#"{"AccountAssignments": [{"AccountId": "111122223333", "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-1", "PrincipalType": "GROUP", "PrincipalId": "g-1"}]}
{"PermissionSet": {"Name": "Admin_Access", "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-1"}}
{"Users": [{"UserName": "jo@example.com", "UserId": "u-1", "ExternalIds": [{"Issuer": "https://scim", "Id": "ext-1"}]}]}
{"Groups": [{"DisplayName": "Admins", "GroupId": "g-1"}]}
{"GroupMemberships": [{"GroupId": "g-1", "MemberId": {"UserId": "u-1"}}]}
{"other": 1}"#,
            &mut ic,
        );
        assert_eq!(ic.assignments.len(), 1);
        assert_eq!(ic.permission_sets.values().next().unwrap(), "Admin_Access");
        assert_eq!(ic.users[0].external_ids, ["ext-1"]);
        assert_eq!(ic.memberships, [("g-1".into(), "u-1".into())]);
        assert_eq!(d.warning_count(), 1);
    }
}
