//! Conditions the input decides. `aws:PrincipalAccount` in an identity policy is the account
//! of the principal the policy belongs to (a managed policy: the file's account). The time
//! keys (`aws:CurrentTime`, `aws:EpochTime`, `aws:TokenIssueTime`) are judged at the instant
//! the graph is judged at, when one is given. A statement whose
//! time test is already false is dead — an `Allow` that expired allows nothing, a `Deny` that
//! expired denies nothing — and is removed; a test that holds for ever is removed from the
//! statement; one that holds until an instant becomes an `Until` marker, which the edges the
//! statement draws carry as `expires_at`. Every other condition stays, undecided.

use super::details::Details;
use super::policy::{Condition, Document};
use crate::timestamp::Timestamp;

/// What judging the time conditions did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Judged {
    /// Statements removed: a time test false at the instant.
    pub dead: usize,
    /// Time tests decided (true for ever, or until an instant).
    pub decided: usize,
}

/// Judges every statement of every document in `d`: the principal account always, the
/// time keys at `at` when given.
pub fn judge(d: &mut Details, at: Option<Timestamp>) -> Judged {
    let mut j = Judged::default();
    let account = |arn: &str| arn.split(':').nth(4).unwrap_or_default().to_string();
    let file_account = d
        .principal_arns()
        .map(|a| account(a))
        .find(|a| !a.is_empty());
    // (the document, the account of the principal whose identity policy it is; none for a
    // trust policy, whose principal is the caller)
    let mut docs: Vec<(&mut Document, Option<String>)> = Vec::new();
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
                .map(|i| (&mut i.document, Some(a.clone()))),
        );
    }
    for r in &mut d.roles {
        let a = account(&r.arn);
        docs.push((&mut r.trust, None));
        docs.extend(
            r.inline
                .iter_mut()
                .map(|i| (&mut i.document, Some(a.clone()))),
        );
    }
    for p in &mut d.policies {
        docs.push((&mut p.document, file_account.clone()));
    }
    for (doc, principal_account) in docs {
        judge_document(doc, at, principal_account.as_deref(), &mut j);
    }
    j
}

fn judge_document(
    doc: &mut Document,
    at: Option<Timestamp>,
    principal_account: Option<&str>,
    j: &mut Judged,
) {
    doc.statements.retain_mut(|st| {
        let mut until: Option<Timestamp> = None;
        let mut alive = true;
        let verdict = |c: &Condition| {
            principal_account
                .and_then(|a| account_test(c, a))
                .or_else(|| at.and_then(|at| test(c, at)))
        };
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

/// An `aws:PrincipalAccount` test, whose value is `account`; `None` for another key or an
/// operator it does not decide.
fn account_test(c: &Condition, account: &str) -> Option<Verdict> {
    if !c.key.eq_ignore_ascii_case("aws:PrincipalAccount") || account.is_empty() {
        return None;
    }
    Some(if c.string_test(account)? {
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
}
