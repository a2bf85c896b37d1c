//! Conditions on a web identity token's subject claim (`sub`), as IAM evaluates them in a
//! trust policy: shared by the seams whose tokens come from an OIDC issuer (GitHub Actions,
//! an EKS cluster's service accounts).

use crate::import::aws::policy::{glob_intersects, glob_match};

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
