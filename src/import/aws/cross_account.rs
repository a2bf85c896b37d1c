//! Who of another account a role's trust admits. IAM lets a principal of account B into a
//! role of account A only when both sides agree: A's trust policy names B (the whole
//! account, or that principal), and the principal's own identity policies allow
//! `sts:AssumeRole` on the role. B's root user is limited by no identity policy. The same
//! decision serves a file that holds both accounts (`import aws-iam`) and an estate that
//! holds their exports.

use super::policy::{Allowed, Permissions};
use std::collections::BTreeMap;

/// The same principal as IAM compares ARNs in a trust policy: exactly, except that an
/// `assumed-role` session names its role.
pub(crate) fn principal_arn(arn: &str) -> String {
    match arn.split_once(":assumed-role/") {
        Some((head, rest)) if head.starts_with("arn:") => {
            let role = rest.split('/').next().unwrap_or(rest);
            format!("{}:role/{role}", head.replacen(":sts:", ":iam:", 1))
        }
        _ => arn.to_string(),
    }
}

/// One account's principals, as the trusts of another account's roles see them.
#[derive(Default)]
pub(crate) struct Principals<'a> {
    /// ARN → node id.
    pub arns: BTreeMap<String, String>,
    /// Node id → what its identity policies allow of `sts:AssumeRole`.
    pub assume_role: BTreeMap<String, &'a Permissions>,
    /// The root user's node, when the graph has one.
    pub root: Option<String>,
}

/// One principal a trust admits: its node, and the permission that lets it (`None`: the
/// root user, whom no identity policy limits).
pub(crate) type Admitted = (String, Option<Allowed>);

impl Principals<'_> {
    /// The principals a trust of `role_arn` admits — every one of the account (`whole`) or
    /// those `named` — and the named ARNs that are none of the account's principals.
    pub(crate) fn admitted(
        &self,
        whole: bool,
        named: &[String],
        role_arn: &str,
    ) -> (Vec<Admitted>, Vec<String>) {
        let mut candidates: Vec<&String> = Vec::new();
        let mut missing = Vec::new();
        if whole {
            candidates.extend(self.assume_role.keys());
            candidates.extend(self.root.as_ref());
        }
        for arn in named {
            match self.arns.get(&principal_arn(arn)) {
                Some(id) => candidates.push(id),
                None => missing.push(arn.clone()),
            }
        }
        candidates.sort();
        candidates.dedup();
        let admitted = candidates
            .into_iter()
            .filter_map(|id| {
                if self.root.as_ref() == Some(id) {
                    return Some((id.clone(), None));
                }
                let allowed = self
                    .assume_role
                    .get(id)?
                    .can("sts:AssumeRole", Some(role_arn))?;
                Some((id.clone(), Some(allowed)))
            })
            .collect();
        (admitted, missing)
    }
}

/// Whom the placeholder edge of a trust names, from its properties (`get`): the whole
/// account (`trusted_whole_account`), and the principals' ARNs (`trusted_principals`).
pub(crate) fn trusted<'a>(
    get: impl Fn(&str) -> Option<&'a serde_json::Value>,
) -> (bool, Vec<String>) {
    let whole = get("trusted_whole_account") == Some(&serde_json::Value::Bool(true));
    let named = get("trusted_principals")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    (whole, named)
}

/// Why an admitted principal's `assumes` edge holds, for its `derived_from`.
pub(crate) fn reason(role_arn: &str, allowed: Option<&Allowed>) -> String {
    match allowed {
        Some(a) => format!(
            "its identity policy allows sts:AssumeRole on {role_arn} ({})",
            a.source
        ),
        None => "the account's root user, whom no identity policy limits".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_names_its_role() {
        assert_eq!(
            principal_arn("arn:aws:sts::1:assumed-role/deploy/ci-run"),
            "arn:aws:iam::1:role/deploy"
        );
        assert_eq!(
            principal_arn("arn:aws:iam::1:user/bob"),
            "arn:aws:iam::1:user/bob"
        );
    }

    #[test]
    fn both_sides_must_agree() {
        let doc = serde_json::json!({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": "arn:aws:iam::1:role/target"}]});
        let doc = super::super::policy::parse_document(&doc, "", &mut Vec::new()).unwrap();
        let mut may = Permissions::default();
        may.add(&doc, "policy p", None);
        let may_not = Permissions::default();
        let p = Principals {
            arns: [
                ("arn:aws:iam::2:user/a".to_string(), "a".to_string()),
                ("arn:aws:iam::2:user/b".to_string(), "b".to_string()),
            ]
            .into(),
            assume_role: [("a".to_string(), &may), ("b".to_string(), &may_not)].into(),
            root: Some("root".into()),
        };
        let ids = |v: Vec<Admitted>| v.into_iter().map(|(id, _)| id).collect::<Vec<_>>();
        let (whole, _) = p.admitted(true, &[], "arn:aws:iam::1:role/target");
        assert_eq!(ids(whole), ["a", "root"]);
        let named = [
            "arn:aws:iam::2:user/b".to_string(),
            "arn:aws:iam::2:user/gone".to_string(),
        ];
        let (some, missing) = p.admitted(false, &named, "arn:aws:iam::1:role/target");
        assert!(some.is_empty(), "b's own policy does not allow it");
        assert_eq!(missing, ["arn:aws:iam::2:user/gone"]);
        let (other, _) = p.admitted(true, &[], "arn:aws:iam::1:role/other");
        assert_eq!(ids(other), ["root"]);
    }
}
