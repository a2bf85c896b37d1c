//! Conditions on a web identity token's subject claim (`sub`), as IAM evaluates them in a
//! trust policy: shared by the seams whose tokens come from an OIDC issuer (GitHub Actions,
//! an EKS cluster's service accounts).

use crate::import::aws::policy::{glob_intersects, glob_match};
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Test {
    Equals,
    EqualsIgnoreCase,
    Like,
}

/// One condition on `sub`: a subject satisfies it when one value matches (or, negated, none).
#[derive(Clone, Debug)]
pub(super) struct SubCondition {
    pub test: Test,
    pub negated: bool,
    pub values: Vec<String>,
    pub text: String,
}

impl SubCondition {
    pub(super) fn parse(operator: &str, values: Vec<String>, key: &str) -> Option<SubCondition> {
        let op = operator
            .strip_prefix("ForAnyValue:")
            .or_else(|| operator.strip_prefix("ForAllValues:"))
            .unwrap_or(operator);
        let (test, negated) = match op {
            "StringEquals" => (Test::Equals, false),
            "StringEqualsIgnoreCase" => (Test::EqualsIgnoreCase, false),
            "StringLike" => (Test::Like, false),
            "StringNotEquals" => (Test::Equals, true),
            "StringNotEqualsIgnoreCase" => (Test::EqualsIgnoreCase, true),
            "StringNotLike" => (Test::Like, true),
            _ => return None,
        };
        let text = format!("{operator} {key} {}", values.join("|"));
        Some(SubCondition {
            test,
            negated,
            values,
            text,
        })
    }

    fn one(&self, value: &str, sub: &str) -> bool {
        match self.test {
            Test::Equals => value == sub,
            Test::EqualsIgnoreCase => value.eq_ignore_ascii_case(sub),
            Test::Like => glob_match(value, sub, false),
        }
    }

    pub(super) fn admits(&self, sub: &str) -> bool {
        self.values.iter().any(|v| self.one(v, sub)) != self.negated
    }

    /// Whether some subject with this literal head (any text after it) satisfies it.
    pub(super) fn admits_some_after(&self, head: &str) -> bool {
        if self.negated {
            // A negation rules out the whole family only when one value covers it.
            return !self
                .values
                .iter()
                .any(|v| self.test == Test::Like && v.strip_suffix('*') == Some(head));
        }
        self.values.iter().any(|v| match self.test {
            Test::Equals => v.starts_with(head),
            Test::EqualsIgnoreCase => v
                .get(..head.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(head)),
            Test::Like => glob_intersects(v, &format!("{head}*"), false),
        })
    }
}

/// One trust statement's conditions (as the AWS importer writes them on a provider's edge),
/// sorted for a token seam: the conditions on `sub`, the conditions not evaluated (any key
/// but `sub` and `aud`, whose value the token's holder chooses), and an operator on `sub`
/// that cannot be evaluated.
pub(super) struct Statement {
    pub label: String,
    pub subs: Vec<SubCondition>,
    pub unevaluated: Vec<String>,
    pub refused: Option<String>,
}

impl Statement {
    pub(super) fn read(
        st: &Value,
        is_sub: impl Fn(&str) -> bool,
        is_aud: impl Fn(&str) -> bool,
    ) -> Statement {
        let mut out = Statement {
            label: st
                .get("statement")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            subs: Vec::new(),
            unevaluated: Vec::new(),
            refused: None,
        };
        for c in st
            .get("conditions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let op = c.get("operator").and_then(Value::as_str).unwrap_or("");
            let key = c.get("key").and_then(Value::as_str).unwrap_or("");
            let values: Vec<String> = c
                .get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            if is_sub(key) {
                match SubCondition::parse(op, values, key) {
                    Some(s) => out.subs.push(s),
                    None => out.refused = Some(format!("{op} {key}")),
                }
            } else if !is_aud(key) {
                out.unevaluated
                    .push(format!("{op} {key} {}", values.join("|")));
            }
        }
        out
    }
}
