//! An AWS organization's service control policies, from the AWS CLI's JSON answers:
//! `organizations describe-organization` (its id, management account and feature set),
//! `list-accounts` (its members), `list-roots` (the root and whether SCPs are enabled on it),
//! `describe-policy` (each SCP's content), `list-policies --filter SERVICE_CONTROL_POLICY`
//! (their names, to say which contents are missing), `list-targets-for-policy` (where each
//! SCP is attached) and `list-parents` (the OU above an account or an OU).
//!
//! Files are recognised by their shape. The two answers that do not name their subject take
//! it from a `PolicyId` / `ChildId` key set beside the answer, or else from the file's name
//! (`targets-p-1a2b3c4d.json`, `parents-111122223333.json`, `parents-ou-ab12-cd34ef56.json`).
//! A file may hold one answer, an array of answers, or several one after another.
//!
//! IAM's rule, as applied here: a request by a principal of a member account is allowed only
//! if, at every level from the root through each OU down to the account, some SCP attached
//! at that level allows it, and no SCP at any level denies it. The management account and
//! service-linked roles are not bound by SCPs.

use super::policy::{Document, Permissions, parse_document};
use crate::diagnostics::{Diagnostic, Diagnostics, codes, quote};
use crate::source::str_of;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One service control policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scp {
    pub name: String,
    /// `None`: listed or attached, but its `describe-policy` answer was not given.
    pub document: Option<Document>,
}

/// What the answers say of the organization.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Organization {
    /// `o-…`; empty when `describe-organization` was not given.
    pub id: String,
    pub management: String,
    /// `FeatureSet` is `ALL` (consolidated billing alone has no SCPs).
    pub all_features: bool,
    /// Member account id → name.
    pub accounts: BTreeMap<String, String>,
    /// `r-…` → whether the SCP policy type is enabled on it (`None`: not said).
    pub roots: BTreeMap<String, Option<bool>>,
    /// Policy id → policy.
    pub policies: BTreeMap<String, Scp>,
    /// Target id (root, OU or account) → ids of the policies attached to it.
    pub attached: BTreeMap<String, BTreeSet<String>>,
    /// Account or OU id → its parent's id.
    pub parents: BTreeMap<String, String>,
    pub files: usize,
}

/// How SCPs bind one account.
#[derive(Clone, Debug)]
pub enum Scope {
    /// They do not: the reason.
    Unbound(String),
    /// Each level from the root down, as one set of permissions to bound by.
    Levels(Vec<Permissions>),
}

impl Organization {
    /// How SCPs bind `account`, with what could not be known (each a sentence).
    pub fn scope(&self, account: &str) -> (Scope, Vec<String>) {
        let mut notes = Vec::new();
        if !self.all_features {
            let why = "the organization has consolidated billing features only: no SCP applies";
            return (Scope::Unbound(why.into()), notes);
        }
        if account == self.management {
            let why =
                format!("{account} is the organization's management account: SCPs do not bind it");
            return (Scope::Unbound(why), notes);
        }
        if !self.accounts.contains_key(account) {
            let why = format!(
                "account {account} is not among the organization's accounts: no SCP is applied"
            );
            notes.push(why.clone());
            return (Scope::Unbound(why), notes);
        }
        if self.roots.values().any(|enabled| *enabled == Some(false)) {
            let why =
                "the SCP policy type is not enabled on the organization's root: no SCP applies";
            return (Scope::Unbound(why.into()), notes);
        }
        // The account, then each parent up to a root.
        let mut chain = vec![account.to_string()];
        let mut seen = BTreeSet::new();
        let mut at = account.to_string();
        let mut reached_root = false;
        while let Some(p) = self.parents.get(&at) {
            if !seen.insert(p.clone()) {
                break;
            }
            chain.push(p.clone());
            if p.starts_with("r-") {
                reached_root = true;
                break;
            }
            at = p.clone();
        }
        if !reached_root {
            notes.push(format!(
                "the parents of {} are not given up to the root (list-parents): the SCPs of the OUs between are not applied",
                chain.last().map_or(account, String::as_str)
            ));
            chain.extend(self.roots.keys().cloned());
        }
        chain.reverse();
        let mut levels = Vec::new();
        for target in &chain {
            let ids = self.attached.get(target);
            let Some(ids) = ids.filter(|ids| !ids.is_empty()) else {
                notes.push(format!(
                    "no SCP is known to be attached to {target} (list-targets-for-policy), though every level holds one: that level is not applied"
                ));
                continue;
            };
            let mut level = Permissions::default();
            let mut complete = true;
            for id in ids {
                match self.policies.get(id).and_then(|p| p.document.as_ref()) {
                    Some(doc) => {
                        let name = &self.policies[id].name;
                        level.add(doc, &format!("SCP {name} attached to {target}"), None);
                    }
                    None => {
                        complete = false;
                        notes.push(format!(
                            "the content of SCP {id} attached to {target} is not given (describe-policy): what it allows is taken as everything, its denies as none"
                        ));
                    }
                }
            }
            if !complete {
                level.add(
                    super::administrator_access(),
                    "an SCP whose content is not given",
                    None,
                );
            }
            level.apply_denies();
            levels.push(level);
        }
        (Scope::Levels(levels), notes)
    }

    /// The organization's id when `account` is a member (the value of `aws:PrincipalOrgID`
    /// for its principals).
    pub fn id_of(&self, account: &str) -> Option<&str> {
        (!self.id.is_empty() && (self.accounts.contains_key(account) || account == self.management))
            .then_some(self.id.as_str())
    }
}

/// Reads every `.json` file under `path` (a file or a directory).
pub fn read(path: &Path) -> (Option<Organization>, Vec<Diagnostics>) {
    let mut org = Organization::default();
    let (files, mut problems) =
        crate::source::read_json_files(path, |name, text| read_text(name, text, &mut org));
    org.files = files;
    let mut d = Diagnostics::new(path.display().to_string());
    finish(&org, &mut d);
    if d.error_count() + d.warning_count() > 0 {
        problems.push(d);
    }
    let failed = problems.iter().any(Diagnostics::has_errors);
    ((!failed).then_some(org), problems)
}

/// What the answers must hold together: the organization itself and its accounts.
pub fn finish(org: &Organization, d: &mut Diagnostics) {
    if org.id.is_empty() {
        d.push(
            Diagnostic::error(
                codes::AWS_ORGANIZATION,
                None,
                "no `describe-organization` answer: the management account, exempt from SCPs, is unknown"
                    .to_string(),
            )
            .help("add the answer of `aws organizations describe-organization`"),
        );
    }
    if org.accounts.is_empty() {
        d.push(
            Diagnostic::error(
                codes::AWS_ORGANIZATION,
                None,
                "no `list-accounts` answer: which accounts the SCPs bind is unknown".to_string(),
            )
            .help("add the answer of `aws organizations list-accounts` (every page)"),
        );
    }
}

/// The subject an answer that does not name it takes from its file's name.
fn subject_in_name(name: &str, policy: bool) -> Option<String> {
    let stem = Path::new(name).file_stem()?.to_str()?;
    let token = |start: usize| {
        stem[start..]
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let at_boundary = |i: usize| i == 0 || matches!(stem.as_bytes()[i - 1], b'-' | b'_' | b'.');
    if policy {
        return stem
            .match_indices("p-")
            .map(|(i, _)| i)
            .find(|&i| at_boundary(i))
            .map(token)
            .filter(|t| t.len() > 2);
    }
    if let Some(i) = stem.find("ou-").filter(|&i| at_boundary(i)) {
        return Some(token(i));
    }
    let bytes = stem.as_bytes();
    (0..bytes.len().saturating_sub(11))
        .find(|&i| {
            bytes[i..i + 12].iter().all(u8::is_ascii_digit)
                && (i == 0 || !bytes[i - 1].is_ascii_digit())
                && bytes.get(i + 12).is_none_or(|b| !b.is_ascii_digit())
        })
        .map(|i| stem[i..i + 12].to_string())
}

/// Reads one file's answers into `org`; returns its problems.
pub fn read_text(name: &str, text: &str, org: &mut Organization) -> Diagnostics {
    let mut d = Diagnostics::new(name);
    let Some(values) = crate::source::json_answers(text, &mut d) else {
        return d;
    };
    for (i, v) in values.iter().enumerate() {
        let at = format!("answer {}", i + 1);
        let mut warn = |message: String, help: &str| {
            d.push(
                Diagnostic::warning(codes::AWS_ORGANIZATION_ANSWER, None, message)
                    .about(at.clone())
                    .help(help),
            )
        };
        if let Some(o) = v.get("Organization") {
            let (Some(id), Some(management)) = (str_of(o, "Id"), str_of(o, "MasterAccountId"))
            else {
                warn(
                    "an organization without `Id` or `MasterAccountId`: skipped".into(),
                    "save the whole describe-organization answer",
                );
                continue;
            };
            org.id = id.to_string();
            org.management = management.to_string();
            org.all_features = str_of(o, "FeatureSet") == Some("ALL");
        } else if let Some(list) = v.get("Accounts").and_then(Value::as_array) {
            for a in list {
                match str_of(a, "Id") {
                    // A suspended or closing account is still bound; it is a member.
                    Some(id) => {
                        org.accounts.insert(
                            id.to_string(),
                            str_of(a, "Name").unwrap_or_default().to_string(),
                        );
                    }
                    None => warn(
                        "an account without `Id`: skipped".into(),
                        "save the whole list-accounts answer",
                    ),
                }
            }
        } else if let Some(list) = v.get("Roots").and_then(Value::as_array) {
            for r in list {
                let Some(id) = str_of(r, "Id") else {
                    warn(
                        "a root without `Id`: skipped".into(),
                        "save the whole list-roots answer",
                    );
                    continue;
                };
                let enabled = r.get("PolicyTypes").and_then(Value::as_array).map(|types| {
                    types.iter().any(|t| {
                        str_of(t, "Type") == Some("SERVICE_CONTROL_POLICY")
                            && str_of(t, "Status") == Some("ENABLED")
                    })
                });
                org.roots.insert(id.to_string(), enabled);
            }
        } else if let Some(p) = v.get("Policy") {
            let summary = p.get("PolicySummary");
            let id = summary.and_then(|s| str_of(s, "Id"));
            let kind = summary.and_then(|s| str_of(s, "Type"));
            let Some(id) = id else {
                warn(
                    "a policy without `PolicySummary.Id`: skipped".into(),
                    "save the whole describe-policy answer",
                );
                continue;
            };
            if kind.is_some_and(|k| k != "SERVICE_CONTROL_POLICY") {
                warn(
                    format!(
                        "policy {} is a {}, not an SCP: skipped",
                        quote(id),
                        kind.unwrap_or_default()
                    ),
                    "only service control policies are read",
                );
                continue;
            }
            let name = summary
                .and_then(|s| str_of(s, "Name"))
                .unwrap_or(id)
                .to_string();
            let Some(content) = str_of(p, "Content") else {
                warn(
                    format!("policy {} has no `Content`: not applied", quote(id)),
                    "save the whole describe-policy answer",
                );
                continue;
            };
            // Organizations returns the document as a JSON string, not URL-encoded.
            let mut problems = Vec::new();
            let document = match serde_json::from_str::<Value>(content) {
                Ok(doc) => parse_document(&doc, "Content", &mut problems),
                Err(e) => {
                    let why = crate::source::strip_position(&e);
                    problems.push(("its Content is not JSON:".into(), why));
                    None
                }
            };
            for (place, message) in problems {
                d.push(
                    Diagnostic::error(
                        codes::AWS_ORGANIZATION,
                        None,
                        format!("SCP {} ({}): {place} {message}", quote(&name), quote(id)),
                    )
                    .about(at.clone())
                    .help("give the policy as describe-policy printed it"),
                );
            }
            org.policies.insert(id.to_string(), Scp { name, document });
        } else if let Some(list) = v.get("Policies").and_then(Value::as_array) {
            for p in list {
                if str_of(p, "Type").is_some_and(|k| k != "SERVICE_CONTROL_POLICY") {
                    continue;
                }
                if let Some(id) = str_of(p, "Id") {
                    org.policies.entry(id.to_string()).or_insert_with(|| Scp {
                        name: str_of(p, "Name").unwrap_or(id).to_string(),
                        document: None,
                    });
                }
            }
        } else if let Some(list) = v.get("Targets").and_then(Value::as_array) {
            let Some(policy) = str_of(v, "PolicyId")
                .map(str::to_string)
                .or_else(|| subject_in_name(name, true))
            else {
                warn(
                    "list-targets-for-policy does not name its policy, and neither does the answer's `PolicyId` nor the file's name: skipped".into(),
                    "name the file after the policy (`targets-p-1a2b3c4d.json`) or add `\"PolicyId\"` beside `Targets`",
                );
                continue;
            };
            for t in list {
                if let Some(target) = str_of(t, "TargetId") {
                    org.attached
                        .entry(target.to_string())
                        .or_default()
                        .insert(policy.clone());
                }
                if str_of(t, "Type") == Some("ROOT")
                    && let Some(r) = str_of(t, "TargetId")
                {
                    org.roots.entry(r.to_string()).or_insert(None);
                }
            }
            org.policies.entry(policy.clone()).or_insert_with(|| Scp {
                name: policy.clone(),
                document: None,
            });
        } else if let Some(list) = v.get("Parents").and_then(Value::as_array) {
            let Some(child) = str_of(v, "ChildId")
                .map(str::to_string)
                .or_else(|| subject_in_name(name, false))
            else {
                warn(
                    "list-parents does not name its child, and neither does the answer's `ChildId` nor the file's name: skipped".into(),
                    "name the file after the account or OU (`parents-111122223333.json`) or add `\"ChildId\"` beside `Parents`",
                );
                continue;
            };
            if let Some(parent) = list.first().and_then(|p| str_of(p, "Id")) {
                org.parents.insert(child, parent.to_string());
            }
        } else {
            let keys: Vec<&str> = v
                .as_object()
                .map(|o| o.keys().map(String::as_str).take(5).collect())
                .unwrap_or_default();
            warn(
                format!(
                    "not an answer this reader knows (keys: {}): skipped",
                    if keys.is_empty() {
                        "none".to_string()
                    } else {
                        keys.join(", ")
                    }
                ),
                "give the answers of describe-organization, list-accounts, list-roots, describe-policy, list-policies, list-targets-for-policy and list-parents",
            );
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answers(files: &[(&str, Value)]) -> Organization {
        let mut org = Organization::default();
        for (name, v) in files {
            let d = read_text(name, &v.to_string(), &mut org);
            assert_eq!(d.error_count() + d.warning_count(), 0, "{}", d.render());
        }
        org
    }

    fn policy(id: &str, content: Value) -> Value {
        json!({"Policy": {"PolicySummary": {"Id": id, "Name": id, "Type": "SERVICE_CONTROL_POLICY"},
                          "Content": content.to_string()}})
    }

    fn org() -> Organization {
        let full = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
        let no_iam = json!({"Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]});
        answers(&[
            (
                "org.json",
                json!({"Organization": {"Id": "o-1", "MasterAccountId": "111111111111", "FeatureSet": "ALL"}}),
            ),
            (
                "accounts.json",
                json!({"Accounts": [{"Id": "111111111111"}, {"Id": "222222222222"}]}),
            ),
            (
                "roots.json",
                json!({"Roots": [{"Id": "r-ab12", "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}]}),
            ),
            ("p1.json", policy("p-FullAWSAccess", full)),
            ("p2.json", policy("p-noiam000", no_iam)),
            (
                "targets-p-FullAWSAccess.json",
                json!({"Targets": [{"TargetId": "r-ab12", "Type": "ROOT"}, {"TargetId": "ou-ab12-00000000", "Type": "ORGANIZATIONAL_UNIT"}, {"TargetId": "222222222222", "Type": "ACCOUNT"}]}),
            ),
            (
                "x.json",
                json!({"PolicyId": "p-noiam000", "Targets": [{"TargetId": "ou-ab12-00000000", "Type": "ORGANIZATIONAL_UNIT"}]}),
            ),
            (
                "parents-222222222222.json",
                json!({"Parents": [{"Id": "ou-ab12-00000000", "Type": "ORGANIZATIONAL_UNIT"}]}),
            ),
            (
                "parents-ou-ab12-00000000.json",
                json!({"Parents": [{"Id": "r-ab12", "Type": "ROOT"}]}),
            ),
        ])
    }

    #[test]
    fn a_member_account_is_bound_at_every_level_and_the_management_one_is_not() {
        let o = org();
        let (scope, notes) = o.scope("222222222222");
        assert!(notes.is_empty(), "{notes:?}");
        let Scope::Levels(levels) = scope else {
            panic!("bound")
        };
        assert_eq!(levels.len(), 3, "root, OU, account");
        assert!(levels[1].denied("iam:CreateUser", Some("*")));
        assert!(matches!(o.scope("111111111111").0, Scope::Unbound(_)));
        assert!(matches!(o.scope("333333333333").0, Scope::Unbound(_)));
        assert_eq!(o.id_of("222222222222"), Some("o-1"));
        assert_eq!(o.id_of("333333333333"), None);
    }

    #[test]
    fn what_is_not_given_binds_less_and_says_so() {
        let mut o = org();
        o.parents.clear();
        o.policies.get_mut("p-FullAWSAccess").unwrap().document = None;
        let (Scope::Levels(levels), notes) = o.scope("222222222222") else {
            panic!("bound")
        };
        assert_eq!(levels.len(), 2, "root and account: the OU is unknown");
        assert!(levels.iter().all(|l| l.everything().is_some()));
        assert!(
            notes.iter().any(|n| n.contains("parents of 222222222222")),
            "{notes:?}"
        );
        assert!(
            notes
                .iter()
                .any(|n| n.contains("content of SCP p-FullAWSAccess")),
            "{notes:?}"
        );
    }

    #[test]
    fn subjects_come_from_file_names() {
        assert_eq!(
            subject_in_name("d/targets-p-1a2b3c4d.json", true).as_deref(),
            Some("p-1a2b3c4d")
        );
        assert_eq!(
            subject_in_name("targets_p-FullAWSAccess.json", true).as_deref(),
            Some("p-FullAWSAccess")
        );
        assert_eq!(subject_in_name("targets.json", true), None);
        assert_eq!(
            subject_in_name("parents-111122223333.json", false).as_deref(),
            Some("111122223333")
        );
        assert_eq!(
            subject_in_name("parents-ou-ab12-cd34ef56.json", false).as_deref(),
            Some("ou-ab12-cd34ef56")
        );
        assert_eq!(subject_in_name("parents-1111222233334.json", false), None);
    }

    #[test]
    fn hostile_answers_are_problems_not_panics() {
        let mut o = Organization::default();
        let d = read_text(
            "x.json",
            r#"{"Policy": {"PolicySummary": {"Id": "p-1"}, "Content": "{not json"}}"#,
            &mut o,
        );
        assert!(d.has_errors(), "{}", d.render());
        let d = read_text(
            "x.json",
            r#"{"Targets": [{"TargetId": "r-1"}]} {"Surprise": 1} [1, "a"]"#,
            &mut o,
        );
        assert_eq!(d.warning_count(), 4, "{}", d.render());
        let d = read_text("x.json", "{", &mut o);
        assert!(d.has_errors());
        let mut d = Diagnostics::new("org");
        finish(&Organization::default(), &mut d);
        assert_eq!(d.error_count(), 2);
    }
}
