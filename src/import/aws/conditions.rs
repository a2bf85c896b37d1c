//! Conditions the input decides. `aws:PrincipalAccount` in an identity policy is the account
//! of the principal the policy belongs to (a managed policy: the file's account), and
//! `aws:PrincipalOrgID` its organization's id when the organization is given and lists the
//! account. In a trust statement that lets in services alone, `aws:SourceAccount` (and
//! `aws:SourceOrgID`) is the role's own account: the service acts for a resource, and the
//! resources this import reaches are that account's. The time
//! keys (`aws:CurrentTime`, `aws:EpochTime`, `aws:TokenIssueTime`) are judged at the instant
//! the graph is judged at, when one is given. A statement whose
//! time test is already false is dead — an `Allow` that expired allows nothing, a `Deny` that
//! expired denies nothing — and is removed; a test that holds for ever is removed from the
//! statement; one that holds until an instant becomes an `Until` marker, which the edges the
//! statement draws carry as `expires_at`. Every other condition stays, undecided.

use super::details::Details;
use super::organization::Organization;
use super::policy::{Condition, Document, Statement};
use crate::timestamp::Timestamp;

/// What judging the time conditions did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Judged {
    /// Statements removed: a time test false at the instant.
    pub dead: usize,
    /// Time tests decided (true for ever, or until an instant).
    pub decided: usize,
}

/// Judges every statement of every document in `d`: the principal's account and
/// organization always (the organization's id when `org` lists the account), the time keys
/// at `at` when given.
pub fn judge(d: &mut Details, at: Option<Timestamp>, org: Option<&Organization>) -> Judged {
    let mut j = Judged::default();
    let account = |arn: &str| arn.split(':').nth(4).unwrap_or_default().to_string();
    let file_account = d
        .principal_arns()
        .map(|a| account(a))
        .find(|a| !a.is_empty());
    // (the document, whose it is)
    let mut docs: Vec<(&mut Document, Whose)> = Vec::new();
    let inline = d
        .users
        .iter_mut()
        .map(|u| (account(&u.arn), &mut u.inline))
        .chain(
            d.groups
                .iter_mut()
                .map(|g| (account(&g.arn), &mut g.inline)),
        );
    for (a, policies) in inline {
        docs.extend(
            policies
                .iter_mut()
                .map(|i| (&mut i.document, Whose::Identity(a.clone()))),
        );
    }
    for r in &mut d.roles {
        let a = account(&r.arn);
        docs.push((&mut r.trust, Whose::Trust(a.clone())));
        docs.extend(
            r.inline
                .iter_mut()
                .map(|i| (&mut i.document, Whose::Identity(a.clone()))),
        );
    }
    for p in &mut d.policies {
        if let Some(a) = &file_account {
            docs.push((&mut p.document, Whose::Identity(a.clone())));
        }
    }
    for (doc, whose) in docs {
        judge_document(doc, at, &whose, org, &mut j);
    }
    j
}

/// Whose policy a document is, which decides the keys that name the principal.
enum Whose {
    /// An identity policy of a principal of this account: `aws:PrincipalAccount`,
    /// `aws:PrincipalOrgID` are its.
    Identity(String),
    /// The trust policy of a role of this account. The caller is anyone it names, so its
    /// principal keys stay undecided; but a service principal acts for a resource, and the
    /// resources this import draws are the role's account's (`aws:SourceAccount`,
    /// `aws:SourceOrgID`).
    Trust(String),
}

/// The keys a statement's request carries that the input knows, with their values.
fn known_keys<'a>(
    st: &Statement,
    whose: &'a Whose,
    org: Option<&'a Organization>,
) -> Vec<(&'static str, &'a str)> {
    let (account, keys) = match whose {
        Whose::Identity(a) => (a, ["aws:principalaccount", "aws:principalorgid"]),
        Whose::Trust(a) => {
            let services_only = st.principals.as_ref().is_some_and(|p| {
                !p.service.is_empty()
                    && !p.anyone
                    && p.aws.is_empty()
                    && p.federated.is_empty()
                    && p.canonical.is_empty()
            }) && !st.not_principal;
            if !services_only {
                return Vec::new();
            }
            (a, ["aws:sourceaccount", "aws:sourceorgid"])
        }
    };
    let mut known = Vec::new();
    if !account.is_empty() {
        known.push((keys[0], account.as_str()));
        if let Some(id) = org.and_then(|o| o.id_of(account)) {
            known.push((keys[1], id));
        }
    }
    known
}

fn judge_document(
    doc: &mut Document,
    at: Option<Timestamp>,
    whose: &Whose,
    org: Option<&Organization>,
    j: &mut Judged,
) {
    doc.statements.retain_mut(|st| {
        let known = known_keys(st, whose, org);
        let mut until: Option<Timestamp> = None;
        let mut alive = true;
        let verdict =
            |c: &Condition| known_test(c, &known).or_else(|| at.and_then(|at| test(c, at)));
        st.conditions.retain(|c| match verdict(c) {
            None => true,
            Some(Verdict::False) => {
                alive = false;
                true
            }
            Some(Verdict::Always) => {
                j.decided += 1;
                false
            }
            Some(Verdict::Until(t)) => {
                j.decided += 1;
                until = Some(until.map_or(t, |u| u.min(t)));
                false
            }
        });
        if !alive {
            j.dead += 1;
            return false;
        }
        if let Some(t) = until {
            st.conditions.push(Condition::until(t));
        }
        true
    });
}

enum Verdict {
    /// The test fails at the instant (and the statement with it).
    False,
    /// It holds at the instant and ever after.
    Always,
    /// It holds at the instant, and until the instant given (not at or after it).
    Until(Timestamp),
}

/// A `String…` test of a key whose value the input knows; `None` for another key or an
/// operator it does not decide.
fn known_test(c: &Condition, known: &[(&str, &str)]) -> Option<Verdict> {
    let key = c.key.to_ascii_lowercase();
    let (_, value) = known.iter().find(|(k, _)| *k == key)?;
    // `Null` asks whether the key is absent: it is present.
    let holds = if c.base_operator() == "Null" {
        c.values.iter().any(|v| v == "false")
    } else {
        c.string_test(value)?
    };
    Some(if holds {
        Verdict::Always
    } else {
        Verdict::False
    })
}

const TIME_KEYS: [&str; 3] = ["aws:currenttime", "aws:epochtime", "aws:tokenissuetime"];

/// The verdict of one condition at `at`, or `None` when it is not a time test this
/// judgement decides (another key, another operator, a value it cannot read).
fn test(c: &Condition, at: Timestamp) -> Option<Verdict> {
    if !TIME_KEYS.contains(&c.key.to_ascii_lowercase().as_str()) || c.values.is_empty() {
        return None;
    }
    let op = c.base_operator();
    let base = op
        .strip_prefix("Date")
        .or_else(|| op.strip_prefix("Numeric"))?;
    let values: Vec<Timestamp> = c.values.iter().map(|v| instant(v)).collect::<Option<_>>()?;
    let now = at.unix_seconds();
    // Values are ORed: the test holds when one of them passes.
    let holds = |f: &dyn Fn(i64) -> bool| values.iter().any(|t| f(t.unix_seconds()));
    Some(match base {
        "LessThan" | "LessThanEquals" => {
            let strict = base == "LessThan";
            let pass = |t: i64| if strict { now < t } else { now <= t };
            if !holds(&pass) {
                Verdict::False
            } else {
                // Holds until the latest bound (`LessThanEquals` T: through T itself).
                let end = values.iter().map(|t| t.unix_seconds()).max().unwrap_or(now);
                let end = if strict { end } else { end + 1 };
                Verdict::Until(Timestamp::from_unix_seconds(end)?)
            }
        }
        "GreaterThan" => {
            if holds(&|t| now > t) {
                Verdict::Always
            } else {
                Verdict::False
            }
        }
        "GreaterThanEquals" => {
            if holds(&|t| now >= t) {
                Verdict::Always
            } else {
                Verdict::False
            }
        }
        "Equals" => {
            if holds(&|t| now == t) {
                Verdict::Until(Timestamp::from_unix_seconds(now + 1)?)
            } else {
                Verdict::False
            }
        }
        "NotEquals" => {
            // False only at the listed instants themselves.
            if values.iter().all(|t| t.unix_seconds() != now) {
                Verdict::Always
            } else {
                Verdict::False
            }
        }
        _ => return None,
    })
}

/// A condition's time value: RFC 3339, a date alone (midnight UTC), or seconds since the
/// epoch, as IAM accepts them.
fn instant(v: &str) -> Option<Timestamp> {
    if let Ok(t) = Timestamp::parse(v) {
        return Some(t);
    }
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return Timestamp::from_unix_seconds(v.parse().ok()?);
    }
    if v.len() == 10 {
        return Timestamp::parse(&format!("{v}T00:00:00Z")).ok();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> Timestamp {
        Timestamp::parse("2026-11-01T00:00:00Z").unwrap()
    }

    fn c(op: &str, key: &str, v: &[&str]) -> Condition {
        Condition {
            operator: op.into(),
            key: key.into(),
            values: v.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn verdict(cond: Condition) -> Option<String> {
        test(&cond, at()).map(|v| match v {
            Verdict::False => "false".into(),
            Verdict::Always => "always".into(),
            Verdict::Until(t) => format!("until {t}"),
        })
    }

    #[test]
    fn time_tests_are_decided_at_the_instant() {
        let past = "2020-01-01T00:00:00Z";
        let future = "2027-01-01T00:00:00Z";
        assert_eq!(
            verdict(c("DateLessThan", "aws:TokenIssueTime", &[past])).as_deref(),
            Some("false")
        );
        assert_eq!(
            verdict(c("DateLessThan", "aws:CurrentTime", &[future])).as_deref(),
            Some("until 2027-01-01T00:00:00Z")
        );
        assert_eq!(
            verdict(c("DateGreaterThan", "aws:CurrentTime", &[past])).as_deref(),
            Some("always")
        );
        assert_eq!(
            verdict(c("DateGreaterThan", "aws:CurrentTime", &[future])).as_deref(),
            Some("false")
        );
        // Epoch seconds, a date alone, IfExists and the set qualifiers.
        assert_eq!(
            verdict(c("NumericLessThan", "aws:EpochTime", &["1577836800"])).as_deref(),
            Some("false")
        );
        assert_eq!(
            verdict(c(
                "DateLessThanIfExists",
                "aws:currenttime",
                &["2020-01-01"]
            ))
            .as_deref(),
            Some("false")
        );
        assert_eq!(
            verdict(c(
                "ForAnyValue:DateLessThanEquals",
                "aws:CurrentTime",
                &[future]
            ))
            .as_deref(),
            Some("until 2027-01-01T00:00:01Z")
        );
        // Not a time test, or a value it cannot read: undecided.
        assert_eq!(
            verdict(c("Bool", "aws:MultiFactorAuthPresent", &["true"])),
            None
        );
        assert_eq!(
            verdict(c("DateLessThan", "aws:CurrentTime", &["soon"])),
            None
        );
        assert_eq!(verdict(c("StringLike", "aws:CurrentTime", &[future])), None);
    }

    fn trust_statement(principal: serde_json::Value, condition: serde_json::Value) -> Statement {
        let doc = serde_json::json!({"Statement": [{"Effect": "Allow", "Principal": principal,
            "Action": "sts:AssumeRole", "Condition": condition}]});
        let doc = super::super::policy::parse_document(&doc, "", &mut Vec::new()).unwrap();
        doc.statements.into_iter().next().unwrap()
    }

    #[test]
    fn a_services_trust_knows_its_source_account_and_a_principals_policy_its_own() {
        let whose = Whose::Trust("111122223333".into());
        let cond = serde_json::json!({"StringEquals": {"aws:SourceAccount": "111122223333"}});
        let service = trust_statement(
            serde_json::json!({"Service": "ec2.amazonaws.com"}),
            cond.clone(),
        );
        let known = known_keys(&service, &whose, None);
        assert!(matches!(
            known_test(&service.conditions[0], &known),
            Some(Verdict::Always)
        ));
        // Another account's resource: the service acting for it is not this import's.
        let other = c("StringEquals", "aws:SourceAccount", &["999999999999"]);
        assert!(matches!(known_test(&other, &known), Some(Verdict::False)));
        // A principal of an account: the key is the request's, undecided.
        let person = trust_statement(
            serde_json::json!({"AWS": "arn:aws:iam::111122223333:root"}),
            cond,
        );
        assert!(known_keys(&person, &whose, None).is_empty());
        // Null asks whether the key is absent.
        let identity = Whose::Identity("111122223333".into());
        let known = known_keys(&person, &identity, None);
        assert!(matches!(
            known_test(&c("Null", "aws:PrincipalAccount", &["true"]), &known),
            Some(Verdict::False)
        ));
        assert!(known_test(&c("Null", "aws:PrincipalOrgID", &["true"]), &known).is_none());
    }

    #[test]
    fn an_unknown_operator_is_never_decided() {
        let past = "2020-01-01T00:00:00Z";
        assert_eq!(
            verdict(c("DateSomedayBefore", "aws:CurrentTime", &[past])),
            None
        );
        let known = [("aws:principalaccount", "111122223333")];
        assert!(known_test(&c("ArnLikeFancy", "aws:PrincipalAccount", &["1"]), &known).is_none());
        // Kept on the statement: judging leaves it in place.
        let mut doc = Document {
            statements: vec![Statement {
                label: "0".into(),
                effect: super::super::policy::Effect::Allow,
                actions: super::super::policy::Matcher::Only(vec!["*".into()]),
                resources: super::super::policy::Matcher::Only(vec!["*".into()]),
                principals: None,
                not_principal: false,
                conditions: vec![c("DateSomedayBefore", "aws:CurrentTime", &[past])],
            }],
        };
        let mut j = Judged::default();
        judge_document(
            &mut doc,
            Some(at()),
            &Whose::Identity("111122223333".into()),
            None,
            &mut j,
        );
        assert_eq!(doc.statements[0].conditions.len(), 1);
        assert_eq!(j, Judged::default());
    }
}
