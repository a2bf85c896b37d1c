//! IAM policy documents: their grammar, IAM's wildcards, and what a principal's policies
//! allow once explicit denies and a permissions boundary have taken their share.
//!
//! The evaluation is a sound over-approximation on the questions the importer asks ("may
//! this principal call this action on this resource?"): a deny or a boundary removes an
//! allowed action only where it covers it completely and carries no condition; anything
//! partial or conditional is kept, and conditional permissions are marked as such.

use serde_json::Value;

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Action` (the listed patterns) or `NotAction` (everything but them); likewise for
/// resources and principals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Matcher {
    Only(Vec<String>),
    AllBut(Vec<String>),
}

/// The principals a trust-policy statement names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Principals {
    /// `"Principal": "*"` or `{"AWS": "*"}`.
    pub anyone: bool,
    /// Account ids, account roots and IAM principal ARNs.
    pub aws: Vec<String>,
    /// Service principals such as `ec2.amazonaws.com`.
    pub service: Vec<String>,
    /// SAML and OIDC providers.
    pub federated: Vec<String>,
    /// `CanonicalUser` ids (S3's).
    pub canonical: Vec<String>,
}

/// One condition test: `StringEquals sts:ExternalId = [..]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
}

/// The operator of the marker that stands for time tests decided to hold until an instant
/// (`conditions::judge`): not IAM's, never read from a policy as such.
pub(crate) const UNTIL: &str = "Until";

impl Condition {
    pub fn describe(&self) -> String {
        format!("{} {} {}", self.operator, self.key, self.values.join("|"))
    }

    /// The marker for "holds until `t`".
    pub(crate) fn until(t: crate::timestamp::Timestamp) -> Condition {
        Condition {
            operator: UNTIL.into(),
            key: "aws:CurrentTime".into(),
            values: vec![t.to_string()],
        }
    }

    /// The operator without the set qualifier (`ForAnyValue:`, `ForAllValues:`) and without
    /// `IfExists`: for the single-valued keys the input decides, neither changes the test
    /// (the key is always present in the requests concerned).
    pub(crate) fn base_operator(&self) -> &str {
        let op = self
            .operator
            .strip_prefix("ForAnyValue:")
            .or_else(|| self.operator.strip_prefix("ForAllValues:"))
            .unwrap_or(&self.operator);
        op.strip_suffix("IfExists").unwrap_or(op)
    }

    /// Whether a `String…` test holds when its key's value is `value`; `None` for another
    /// operator.
    pub(crate) fn string_test(&self, value: &str) -> Option<bool> {
        let any = |f: &dyn Fn(&str) -> bool| self.values.iter().any(|v| f(v));
        let like = |v: &str| glob_match(v, value, false);
        Some(match self.base_operator() {
            "StringEquals" => any(&|v| v == value),
            "StringEqualsIgnoreCase" => any(&|v| v.eq_ignore_ascii_case(value)),
            "StringLike" => any(&like),
            "StringNotEquals" => !any(&|v| v == value),
            "StringNotEqualsIgnoreCase" => !any(&|v| v.eq_ignore_ascii_case(value)),
            "StringNotLike" => !any(&like),
            _ => return None,
        })
    }

    /// The instant an `Until` marker ends at; `None` for a condition proper.
    pub(crate) fn expiry(&self) -> Option<crate::timestamp::Timestamp> {
        if self.operator != UNTIL {
            return None;
        }
        crate::timestamp::Timestamp::parse(self.values.first()?).ok()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// `Sid`, or the statement's index when it has none.
    pub label: String,
    pub effect: Effect,
    pub actions: Matcher,
    pub resources: Matcher,
    pub principals: Option<Principals>,
    /// `NotPrincipal` was used (read as "anyone", an over-approximation).
    pub not_principal: bool,
    pub conditions: Vec<Condition>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    pub statements: Vec<Statement>,
}

/// A policy document's problems, each with the path inside the document.
pub(crate) type Problems = Vec<(String, String)>;

/// Reads a policy document: a JSON object, or the URL-encoded JSON string the IAM API itself
/// returns (the AWS CLI decodes it; other tools pass it through).
pub(crate) fn parse_document(value: &Value, at: &str, problems: &mut Problems) -> Option<Document> {
    let decoded;
    let value = match value {
        Value::String(s) => {
            let text = percent_decode(s);
            let mut de = serde_json::Deserializer::from_str(&text);
            let parsed = serde::de::DeserializeSeed::deserialize(crate::load::StrictValue, &mut de)
                .and_then(|v| de.end().map(|()| v));
            match parsed {
                Ok(v) => {
                    decoded = v;
                    &decoded
                }
                Err(e) => {
                    problems.push((at.into(), format!("the policy document is not JSON: {e}")));
                    return None;
                }
            }
        }
        v => v,
    };
    let Some(obj) = value.as_object() else {
        problems.push((
            at.into(),
            format!(
                "must be a policy document (an object), found {}",
                kind_of(value)
            ),
        ));
        return None;
    };
    let statements = match obj.get("Statement") {
        None => {
            problems.push((at.into(), "has no `Statement`".into()));
            return None;
        }
        Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
        Some(v @ Value::Object(_)) => vec![v],
        Some(v) => {
            problems.push((
                format!("{at}.Statement"),
                format!("must be an object or an array, found {}", kind_of(v)),
            ));
            return None;
        }
    };
    let before = problems.len();
    let mut doc = Document::default();
    for (i, s) in statements.into_iter().enumerate() {
        if let Some(st) = parse_statement(s, i, &format!("{at}.Statement[{i}]"), problems) {
            doc.statements.push(st);
        }
    }
    (problems.len() == before).then_some(doc)
}

fn parse_statement(
    v: &Value,
    index: usize,
    at: &str,
    problems: &mut Problems,
) -> Option<Statement> {
    let Some(obj) = v.as_object() else {
        problems.push((
            at.into(),
            format!("must be an object, found {}", kind_of(v)),
        ));
        return None;
    };
    let before = problems.len();
    let label = match obj.get("Sid") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => format!("#{index}"),
    };
    let effect = match obj.get("Effect") {
        Some(Value::String(s)) if s == "Allow" => Effect::Allow,
        Some(Value::String(s)) if s == "Deny" => Effect::Deny,
        Some(v) => {
            problems.push((
                format!("{at}.Effect"),
                format!("{} is neither \"Allow\" nor \"Deny\"", short(v)),
            ));
            Effect::Deny
        }
        None => {
            problems.push((at.into(), "has no `Effect`".into()));
            Effect::Deny
        }
    };
    let actions = either(obj, "Action", "NotAction", at, problems);
    // Trust policies name principals instead of resources.
    let has_principal = obj.contains_key("Principal") || obj.contains_key("NotPrincipal");
    let resources =
        if has_principal && !obj.contains_key("Resource") && !obj.contains_key("NotResource") {
            Some(Matcher::Only(vec!["*".into()]))
        } else {
            either(obj, "Resource", "NotResource", at, problems)
        };
    let (principals, not_principal) = match (obj.get("Principal"), obj.get("NotPrincipal")) {
        (Some(p), None) => (principals(p, &format!("{at}.Principal"), problems), false),
        (None, Some(p)) => (principals(p, &format!("{at}.NotPrincipal"), problems), true),
        (Some(_), Some(_)) => {
            problems.push((at.into(), "has both `Principal` and `NotPrincipal`".into()));
            (None, false)
        }
        (None, None) => (None, false),
    };
    let conditions = match obj.get("Condition") {
        None | Some(Value::Null) => Vec::new(),
        Some(c) => conditions(c, &format!("{at}.Condition"), problems),
    };
    if problems.len() != before {
        return None;
    }
    Some(Statement {
        label,
        effect,
        actions: actions?,
        resources: resources?,
        principals,
        not_principal,
        conditions,
    })
}

fn either(
    obj: &serde_json::Map<String, Value>,
    key: &str,
    not_key: &str,
    at: &str,
    problems: &mut Problems,
) -> Option<Matcher> {
    match (obj.get(key), obj.get(not_key)) {
        (Some(v), None) => strings(v, &format!("{at}.{key}"), problems).map(Matcher::Only),
        (None, Some(v)) => strings(v, &format!("{at}.{not_key}"), problems).map(Matcher::AllBut),
        (Some(_), Some(_)) => {
            problems.push((at.into(), format!("has both `{key}` and `{not_key}`")));
            None
        }
        (None, None) => {
            problems.push((at.into(), format!("has neither `{key}` nor `{not_key}`")));
            None
        }
    }
}

/// A string or an array of strings.
fn strings(v: &Value, at: &str, problems: &mut Problems) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => out.push(s.clone()),
                    other => {
                        problems.push((
                            format!("{at}[{i}]"),
                            format!("must be a string, found {}", kind_of(other)),
                        ));
                        return None;
                    }
                }
            }
            Some(out)
        }
        other => {
            problems.push((
                at.into(),
                format!(
                    "must be a string or an array of strings, found {}",
                    kind_of(other)
                ),
            ));
            None
        }
    }
}

fn principals(v: &Value, at: &str, problems: &mut Problems) -> Option<Principals> {
    let mut p = Principals::default();
    match v {
        Value::String(s) if s == "*" => p.anyone = true,
        Value::Object(map) => {
            for (k, v) in map {
                let list = strings(v, &format!("{at}.{k}"), problems)?;
                match k.as_str() {
                    "AWS" => {
                        for s in list {
                            if s == "*" {
                                p.anyone = true;
                            } else {
                                p.aws.push(s);
                            }
                        }
                    }
                    "Service" => p.service.extend(list),
                    "Federated" => p.federated.extend(list),
                    "CanonicalUser" => p.canonical.extend(list),
                    other => {
                        problems.push((
                            format!("{at}.{other}"),
                            "is not a principal type (AWS, Service, Federated or CanonicalUser)"
                                .into(),
                        ));
                        return None;
                    }
                }
            }
        }
        other => {
            problems.push((
                at.into(),
                format!("must be \"*\" or an object, found {}", short(other)),
            ));
            return None;
        }
    }
    Some(p)
}

fn conditions(v: &Value, at: &str, problems: &mut Problems) -> Vec<Condition> {
    let Some(ops) = v.as_object() else {
        problems.push((
            at.into(),
            format!("must be an object, found {}", kind_of(v)),
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (op, tests) in ops {
        let Some(tests) = tests.as_object() else {
            problems.push((
                format!("{at}.{op}"),
                format!("must be an object, found {}", kind_of(tests)),
            ));
            continue;
        };
        for (key, values) in tests {
            let values = match values {
                Value::Array(items) => items.iter().map(scalar).collect(),
                v => vec![scalar(v)],
            };
            out.push(Condition {
                operator: op.clone(),
                key: key.clone(),
                values,
            });
        }
    }
    out
}

/// Whether an `iam:PassedToService` test admits `service`; `None` for another key or an
/// operator it does not decide.
fn passed_to(c: &Condition, service: &str) -> Option<bool> {
    if !c.key.eq_ignore_ascii_case("iam:PassedToService") {
        return None;
    }
    c.string_test(service)
}

/// Condition values may be strings, numbers or booleans.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// RFC 3986 percent-decoding, as the IAM API encodes documents (`+` is a plus sign there).
fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------
// IAM's wildcards: `*` any run of characters, `?` any one.

/// Whether `pattern` matches `text`. Action names compare without case, ARNs with it.
pub(crate) fn glob_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if pattern == "*" {
        return true;
    }
    if pattern.is_ascii() && text.is_ascii() {
        let fold = |b: u8| {
            if ignore_case {
                b.to_ascii_lowercase()
            } else {
                b
            }
        };
        return glob_units(
            pattern.as_bytes(),
            text.as_bytes(),
            |p, t| fold(p) == fold(t),
            b'*',
            b'?',
        );
    }
    let p: Vec<char> = fold(pattern, ignore_case);
    let t: Vec<char> = fold(text, ignore_case);
    glob_units(&p, &t, |a, b| a == b, '*', '?')
}

/// Classic two-pointer glob with one backtrack point: linear for IAM's short patterns.
fn glob_units<T: PartialEq + Copy>(
    p: &[T],
    t: &[T],
    same: impl Fn(T, T) -> bool,
    any: T,
    one: T,
) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != any && (p[pi] == one || same(p[pi], t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == any {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == any)
}

/// Patterns longer than this are not compared by their wildcards (see `glob_covers`).
const LONGEST: usize = 2048;

/// Whether every text `inner` matches is also matched by `outer` (sound: a `*` or `?` in
/// `inner` can only be answered by the same wildcard, or a `*`, in `outer`).
pub(crate) fn glob_covers(outer: &str, inner: &str, ignore_case: bool) -> bool {
    // IAM caps an ARN at 2,048 characters; longer patterns are compared as text, so that a
    // crafted file cannot make the comparison quadratic.
    if outer.len() > LONGEST || inner.len() > LONGEST {
        return outer == "*" || outer == inner;
    }
    let o = fold(outer, ignore_case);
    let i = fold(inner, ignore_case);
    let (n, m) = (o.len(), i.len());
    // can[a][b]: outer[a..] covers inner[b..].
    let mut can = vec![vec![false; m + 1]; n + 1];
    can[n][m] = true;
    for a in (0..n).rev() {
        for b in (0..=m).rev() {
            can[a][b] = match o[a] {
                '*' => can[a + 1][b] || (b < m && can[a][b + 1]),
                '?' => b < m && i[b] != '*' && can[a + 1][b + 1],
                c => b < m && i[b] == c && can[a + 1][b + 1],
            };
        }
    }
    can[0][0]
}

/// Whether some text matches both patterns.
pub(crate) fn glob_intersects(a: &str, b: &str, ignore_case: bool) -> bool {
    if a.len() > LONGEST || b.len() > LONGEST {
        // Assumed to meet: the safe side for an allow, and denies are only applied when
        // they cover.
        return true;
    }
    let x = fold(a, ignore_case);
    let y = fold(b, ignore_case);
    let (n, m) = (x.len(), y.len());
    // ok[i][j]: x[i..] and y[j..] share a match.
    let mut ok = vec![vec![false; m + 1]; n + 1];
    for i in (0..=n).rev() {
        for j in (0..=m).rev() {
            ok[i][j] = if i == n && j == m {
                true
            } else if i < n && x[i] == '*' {
                ok[i + 1][j] || (j < m && ok[i][j + 1])
            } else if j < m && y[j] == '*' {
                ok[i][j + 1] || (i < n && ok[i + 1][j])
            } else if i < n && j < m {
                (x[i] == '?' || y[j] == '?' || x[i] == y[j]) && ok[i + 1][j + 1]
            } else {
                false
            };
        }
    }
    ok[0][0]
}

fn fold(s: &str, ignore_case: bool) -> Vec<char> {
    if ignore_case {
        s.chars().flat_map(char::to_lowercase).collect()
    } else {
        s.chars().collect()
    }
}

// ---------------------------------------------------------------------------------------
// What a principal's policies allow.

/// A set of actions: those `include` matches, except those any of `exclude` matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actions {
    pub include: String,
    pub exclude: Vec<String>,
    /// Patterns every allowed action must also match: where a permissions boundary's
    /// pattern overlaps the policy's without either covering the other, both must hold.
    pub require: Vec<String>,
}

impl Actions {
    pub fn new(include: &str) -> Actions {
        Actions {
            include: include.to_string(),
            exclude: Vec::new(),
            require: Vec::new(),
        }
    }

    pub fn allows(&self, action: &str) -> bool {
        glob_match(&self.include, action, true)
            && self.require.iter().all(|r| glob_match(r, action, true))
            && !self.exclude.iter().any(|x| glob_match(x, action, true))
    }

    /// The pattern that best describes the set: `include`, or the narrower pattern a
    /// boundary or a deny-all-but requires of it.
    pub(crate) fn pattern(&self) -> &str {
        match self.require.first() {
            Some(r) if self.include == "*" => r,
            _ => &self.include,
        }
    }

    /// Every action, without exception: `"Action": "*"`.
    pub(crate) fn is_everything(&self) -> bool {
        self.include == "*" && self.exclude.is_empty() && self.require.is_empty()
    }
}

/// A set of resources: one pattern, or every resource but some (`NotResource`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resources {
    Pattern(String),
    AllBut(Vec<String>),
}

impl Resources {
    pub fn allows(&self, arn: &str) -> bool {
        match self {
            Resources::Pattern(p) => glob_match(p, arn, false),
            Resources::AllBut(xs) => !xs.iter().any(|x| glob_match(x, arn, false)),
        }
    }

    /// Whether the set may hold some resource matching `pattern`.
    pub(crate) fn meets(&self, pattern: &str) -> bool {
        match self {
            Resources::Pattern(p) => glob_intersects(p, pattern, false),
            Resources::AllBut(xs) => !xs.iter().any(|x| glob_covers(x, pattern, false)),
        }
    }

    fn covers(&self, other: &Resources) -> bool {
        match (self, other) {
            (Resources::Pattern(p), Resources::Pattern(q)) => glob_covers(p, q, false),
            (Resources::Pattern(p), Resources::AllBut(_)) => p == "*",
            (Resources::AllBut(xs), Resources::Pattern(q)) => {
                !xs.iter().any(|x| glob_intersects(x, q, false))
            }
            (Resources::AllBut(_), Resources::AllBut(_)) => false,
        }
    }

    pub(crate) fn is_everything(&self) -> bool {
        matches!(self, Resources::Pattern(p) if p == "*")
    }
}

/// One allowed (actions × resources) block, from one statement of one policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permission {
    pub actions: Actions,
    pub resources: Resources,
    /// The statement's conditions: the permission holds only when they do.
    pub conditions: Vec<Condition>,
    /// `policy NAME statement SID`.
    pub source: String,
    /// Written with `NotAction` or `NotResource`: "everything but", an over-approximation.
    pub negated: bool,
    /// The resource as the policy writes it, variables and all (`*` for `NotResource`).
    pub written: String,
    /// Unconditional denies that take part of it away, which the graph cannot draw
    /// (`Deny s3:GetObject on arn:aws:s3:::payroll/*`): shown on the edge.
    pub except: Vec<String>,
}

impl Permission {
    /// Whether a condition proper restricts it (a decided time limit does not: it holds
    /// until then).
    pub(crate) fn is_conditional(&self) -> bool {
        self.conditions.iter().any(|c| c.expiry().is_none())
    }
}

/// How an action is allowed: unconditionally, or only under the conditions of the
/// permissions that allow it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allowed {
    pub conditions: Vec<Condition>,
    pub source: String,
}

/// The identity-policy permissions of one principal, denies and boundary applied.
#[derive(Clone, Debug, Default)]
pub struct Permissions {
    pub allows: Vec<Permission>,
    /// Unconditional denies, kept for the questions asked later (an allow of `iam:*` minus a
    /// deny of `iam:PassRole` on one role still answers "no" for that role).
    pub denies: Vec<(Matcher, Matcher)>,
}

impl Permissions {
    /// Adds a document's statements; `substitute` replaces `${aws:username}` (users only).
    pub fn add(&mut self, doc: &Document, source: &str, username: Option<&str>) {
        for st in &doc.statements {
            let subst = |s: &String| substitute(s, username);
            let unknown_variable = |m: &Matcher| {
                let v = match m {
                    Matcher::Only(v) | Matcher::AllBut(v) => v,
                };
                v.iter().any(|x| unknown_variable_in(x, username))
            };
            match st.effect {
                // A deny naming a value known only at request time may not apply: like a
                // conditional deny, it is not applied.
                Effect::Deny
                    if unknown_variable(&st.resources) || unknown_variable(&st.actions) => {}
                Effect::Deny if st.conditions.is_empty() => {
                    let map = |m: &Matcher| match m {
                        Matcher::Only(v) => Matcher::Only(v.iter().map(subst).collect()),
                        Matcher::AllBut(v) => Matcher::AllBut(v.iter().map(subst).collect()),
                    };
                    self.denies.push((map(&st.actions), map(&st.resources)));
                }
                // A conditional deny may not apply: the allow stands (over-approximation).
                Effect::Deny => {}
                Effect::Allow => {
                    let actions: Vec<Actions> = match &st.actions {
                        Matcher::Only(v) => v.iter().map(|a| Actions::new(a)).collect(),
                        Matcher::AllBut(v) => vec![Actions {
                            exclude: v.clone(),
                            ..Actions::new("*")
                        }],
                    };
                    let resources: Vec<(Resources, String)> = match &st.resources {
                        Matcher::Only(v) => v
                            .iter()
                            .map(|r| (Resources::Pattern(subst(r)), r.clone()))
                            .collect(),
                        Matcher::AllBut(v) => {
                            vec![(Resources::AllBut(v.iter().map(subst).collect()), "*".into())]
                        }
                    };
                    let negated = matches!(st.actions, Matcher::AllBut(_))
                        || matches!(st.resources, Matcher::AllBut(_));
                    for a in &actions {
                        for (r, written) in &resources {
                            self.allows.push(Permission {
                                actions: a.clone(),
                                resources: r.clone(),
                                conditions: st.conditions.clone(),
                                source: format!("{source} statement {}", st.label),
                                negated,
                                written: written.clone(),
                                except: Vec::new(),
                            });
                        }
                    }
                }
            }
        }
    }

    /// Takes in another principal's permissions (a user's groups).
    pub fn extend(&mut self, other: &Permissions) {
        self.allows.extend(other.allows.iter().cloned());
        self.denies.extend(other.denies.iter().cloned());
    }

    /// Applies the unconditional denies to the allows: an allow whose resources a deny covers
    /// loses the denied actions (dropped when they cover all of it).
    pub(crate) fn apply_denies(&mut self) {
        let denies = std::mem::take(&mut self.denies);
        self.allows.retain_mut(|p| {
            for (actions, resources) in &denies {
                let res_covered = match resources {
                    Matcher::Only(v) => v
                        .iter()
                        .any(|r| Resources::Pattern(r.clone()).covers(&p.resources)),
                    Matcher::AllBut(v) => Resources::AllBut(v.clone()).covers(&p.resources),
                };
                if !res_covered {
                    let meets = match resources {
                        Matcher::Only(v) => v.iter().any(|r| match &p.resources {
                            Resources::Pattern(x) => glob_intersects(r, x, false),
                            Resources::AllBut(_) => true,
                        }),
                        Matcher::AllBut(_) => true,
                    };
                    let acts = match actions {
                        Matcher::Only(v) => v
                            .iter()
                            .any(|d| glob_intersects(d, &p.actions.include, true)),
                        Matcher::AllBut(_) => true,
                    };
                    if meets && acts {
                        let (a, r) = (describe(actions, "Action"), describe(resources, "Resource"));
                        let note = format!("Deny {a} on {r}");
                        if !p.except.contains(&note) {
                            p.except.push(note);
                        }
                    }
                    continue;
                }
                match actions {
                    Matcher::Only(v) => {
                        if v.iter().any(|d| glob_covers(d, &p.actions.include, true)) {
                            return false;
                        }
                        for d in v {
                            if glob_intersects(d, &p.actions.include, true)
                                && !p.actions.exclude.contains(d)
                            {
                                p.actions.exclude.push(d.clone());
                            }
                        }
                    }
                    // "Deny everything but X": what is left is what X shares with the allow.
                    Matcher::AllBut(keep) => {
                        let shared: Vec<&String> = keep
                            .iter()
                            .filter(|k| glob_intersects(k, &p.actions.include, true))
                            .collect();
                        let whole = shared
                            .iter()
                            .any(|k| glob_covers(k, &p.actions.include, true));
                        match shared.as_slice() {
                            [] => return false,
                            [k] if !whole && !p.actions.require.contains(k) => {
                                p.actions.require.push((*k).clone());
                            }
                            // Several kept patterns: the allow keeps its own (an over-approximation).
                            _ => {}
                        }
                    }
                }
            }
            true
        });
        self.denies = denies;
    }

    /// Limits the allows to what a permissions boundary allows: an allow survives where it
    /// meets a boundary allow, narrowed to the boundary's pattern when that is the smaller.
    pub(crate) fn bound_by(&mut self, boundary: &Permissions) {
        let mut kept = Vec::new();
        for p in &self.allows {
            for b in &boundary.allows {
                let Some(actions) = meet_actions(&p.actions, &b.actions) else {
                    continue;
                };
                let resources = if b.resources.covers(&p.resources) {
                    p.resources.clone()
                } else if p.resources.covers(&b.resources) {
                    b.resources.clone()
                } else if let (Resources::Pattern(x), Resources::Pattern(y)) =
                    (&p.resources, &b.resources)
                {
                    if !glob_intersects(x, y, false) {
                        continue;
                    }
                    p.resources.clone()
                } else {
                    p.resources.clone()
                };
                let mut conditions = p.conditions.clone();
                conditions.extend(b.conditions.iter().cloned());
                let written = match &resources {
                    Resources::Pattern(_)
                        if resources == b.resources && resources != p.resources =>
                    {
                        b.written.clone()
                    }
                    _ => p.written.clone(),
                };
                kept.push(Permission {
                    actions,
                    resources,
                    conditions,
                    source: p.source.clone(),
                    negated: p.negated || b.negated,
                    written,
                    except: p.except.clone(),
                });
            }
        }
        kept.dedup();
        self.allows = kept;
        self.denies.extend(boundary.denies.iter().cloned());
        self.apply_denies();
    }

    /// The part of these permissions that can speak about `actions`: the questions a method
    /// asks about every principal of the account are then asked of a handful of permissions.
    pub fn only(&self, actions: &[&str]) -> Permissions {
        let about = |m: &Matcher| match m {
            Matcher::Only(v) => v
                .iter()
                .any(|d| actions.iter().any(|a| glob_match(d, a, true))),
            Matcher::AllBut(_) => true,
        };
        Permissions {
            allows: self
                .allows
                .iter()
                .filter(|p| actions.iter().any(|a| p.actions.allows(a)))
                .cloned()
                .collect(),
            denies: self
                .denies
                .iter()
                .filter(|(a, _)| about(a))
                .cloned()
                .collect(),
        }
    }

    /// Whether some permission allows `action` on anything at all: a cheap test before asking
    /// about each resource.
    pub fn may(&self, action: &str) -> bool {
        self.allows.iter().any(|p| p.actions.allows(action))
    }

    /// Whether `action` is allowed on `arn` (`None`: on some resource, for actions that create
    /// what they act on). An unconditional permission wins over conditional ones.
    pub fn can(&self, action: &str, arn: Option<&str>) -> Option<Allowed> {
        self.allowed(action, arn, |r| arn.is_none_or(|a| r.allows(a)))
    }

    /// `iam:PassRole` on `arn` to `service`: a permission whose `iam:PassedToService` test
    /// refuses that service does not count, and one whose test admits it holds without that
    /// test (the input decides it); other conditions stay.
    pub(crate) fn can_pass(&self, arn: &str, service: &str) -> Option<Allowed> {
        self.allowed_deciding(
            "iam:PassRole",
            Some(arn),
            |r| r.allows(arn),
            |c| passed_to(c, service),
        )
    }

    /// Whether `action` is allowed on some resource matching `pattern` (a resource yet to be
    /// created, of a known shape).
    pub(crate) fn can_meeting(&self, action: &str, pattern: &str) -> Option<Allowed> {
        self.allowed(action, Some(pattern), |r| r.meets(pattern))
    }

    /// The permission that allows `action` on resources `fits` accepts: an unconditional one
    /// if any, else the first conditional one; `None` when none does or a deny forbids it.
    fn allowed(
        &self,
        action: &str,
        arn: Option<&str>,
        fits: impl Fn(&Resources) -> bool,
    ) -> Option<Allowed> {
        self.allowed_deciding(action, arn, fits, |_| None)
    }

    /// `allowed`, where `decide` settles the conditions the input decides: a permission with
    /// a condition decided false does not count, and one decided true is dropped from it.
    fn allowed_deciding(
        &self,
        action: &str,
        arn: Option<&str>,
        fits: impl Fn(&Resources) -> bool,
        decide: impl Fn(&Condition) -> Option<bool>,
    ) -> Option<Allowed> {
        if self.denied(action, arn) {
            return None;
        }
        let undecided = |c: &&Condition| decide(c).is_none();
        let allowed = |p: &Permission| Allowed {
            conditions: p.conditions.iter().filter(undecided).cloned().collect(),
            source: p.source.clone(),
        };
        let mut first = None;
        for p in self.allows.iter().filter(|p| {
            p.actions.allows(action)
                && fits(&p.resources)
                && !p.conditions.iter().any(|c| decide(c) == Some(false))
        }) {
            // A decided time limit is no condition: it holds until then.
            if p.conditions
                .iter()
                .filter(undecided)
                .all(|c| c.expiry().is_some())
            {
                return Some(allowed(p));
            }
            first.get_or_insert(p);
        }
        first.map(allowed)
    }

    pub(crate) fn denied(&self, action: &str, arn: Option<&str>) -> bool {
        self.denies.iter().any(|(actions, resources)| {
            let a = match actions {
                Matcher::Only(v) => v.iter().any(|d| glob_match(d, action, true)),
                Matcher::AllBut(v) => !v.iter().any(|d| glob_match(d, action, true)),
            };
            let r = match (resources, arn) {
                (Matcher::Only(v), Some(arn)) => v.iter().any(|d| glob_match(d, arn, false)),
                (Matcher::AllBut(v), Some(arn)) => !v.iter().any(|d| glob_match(d, arn, false)),
                (Matcher::Only(v), None) => v.iter().any(|d| d == "*"),
                (Matcher::AllBut(_), None) => false,
            };
            a && r
        })
    }

    /// Whether some unconditional permission allows every action on every resource.
    pub fn everything(&self) -> Option<&Permission> {
        self.allows.iter().find(|p| {
            p.actions.is_everything() && p.resources.is_everything() && !p.is_conditional()
        })
    }
}

fn describe(m: &Matcher, what: &str) -> String {
    match m {
        Matcher::Only(v) => v.join(", "),
        Matcher::AllBut(v) => format!("every {} but {}", what.to_lowercase(), v.join(", ")),
    }
}

/// The actions both sets allow, as one set when one pattern covers the other; `None` when
/// they share nothing.
fn meet_actions(a: &Actions, b: &Actions) -> Option<Actions> {
    if !glob_intersects(&a.include, &b.include, true) {
        return None;
    }
    let mut require: Vec<String> = a.require.iter().chain(&b.require).cloned().collect();
    let include = if glob_covers(&a.include, &b.include, true) {
        b.include.clone()
    } else {
        if !glob_covers(&b.include, &a.include, true) {
            require.push(b.include.clone());
        }
        a.include.clone()
    };
    let mut exclude = a.exclude.clone();
    for x in &b.exclude {
        if !exclude.contains(x) {
            exclude.push(x.clone());
        }
    }
    if exclude.iter().any(|x| glob_covers(x, &include, true)) {
        return None;
    }
    require.sort();
    require.dedup();
    Some(Actions {
        include,
        exclude,
        require,
    })
}

/// Whether `s` names a policy variable whose value is not known here (anything but the
/// escapes and, for a user, `${aws:username}`).
fn unknown_variable_in(s: &str, username: Option<&str>) -> bool {
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else {
            return false;
        };
        let var = after[..end].split(',').next().unwrap_or("").trim();
        let known = matches!(var, "*" | "?" | "$")
            || (var.eq_ignore_ascii_case("aws:username") && username.is_some());
        if !known {
            return true;
        }
        rest = &after[end + 1..];
    }
    false
}

/// `${aws:username}` is the calling user's name; IAM's escapes `${*}`, `${?}` and `${$}` are
/// the literal characters. Any other variable stands for a value only known at request
/// time, read here as `*` (it may match anything).
pub(crate) fn substitute(s: &str, username: Option<&str>) -> String {
    if !s.contains("${") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[i..]);
            rest = "";
            break;
        };
        let name = &after[..end];
        let var = name.split(',').next().unwrap_or("").trim();
        match var {
            "*" => out.push('*'),
            "?" => out.push('?'),
            "$" => out.push('$'),
            v if v.eq_ignore_ascii_case("aws:username") => match username {
                Some(u) => out.push_str(u),
                // Without a user (a role, or a group read on its own) the variable stays as
                // written: `$` and braces match no ARN, so it matches nothing.
                None => out.push_str(&rest[i..i + 2 + end + 1]),
            },
            _ => out.push('*'),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn globs() {
        assert!(glob_match("s3:Get*", "s3:GetObject", true));
        assert!(glob_match("S3:get*", "s3:GetObject", true));
        assert!(!glob_match("s3:Get*", "s3:PutObject", true));
        assert!(glob_match("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y", false));
        assert!(!glob_match("arn:aws:s3:::B/*", "arn:aws:s3:::b/x", false));
        assert!(glob_match("iam:?etRole", "iam:GetRole", true));
        assert!(glob_covers("*", "s3:Get*", true));
        assert!(glob_covers("s3:*", "s3:Get*", true));
        assert!(!glob_covers("s3:Get*", "s3:*", true));
        assert!(!glob_covers("s3:Get?bject", "s3:Get*", true));
        assert!(glob_intersects("s3:*Object", "s3:Get*", true));
        assert!(!glob_intersects("s3:Put*", "s3:Get*", true));
        assert!(glob_intersects("arn:aws:iam::1:role/*", "*", false));
    }

    #[test]
    fn statement_forms_and_errors() {
        let mut problems = Vec::new();
        let doc = parse_document(
            &json!({"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": ["*"]}}),
            "p",
            &mut problems,
        )
        .unwrap();
        assert_eq!(
            doc.statements[0].actions,
            Matcher::AllBut(vec!["iam:*".into()])
        );
        let encoded = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
        assert!(parse_document(&json!(encoded), "p", &mut problems).is_some());
        assert!(problems.is_empty());
        assert!(
            parse_document(
                &json!({"Statement": [{"Effect": "Alow", "Action": 3}]}),
                "doc",
                &mut problems
            )
            .is_none()
        );
        let paths: Vec<&str> = problems.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "doc.Statement[0].Effect",
                "doc.Statement[0].Action",
                "doc.Statement[0]"
            ]
        );
    }

    fn perms(doc: serde_json::Value) -> Permissions {
        let mut problems = Vec::new();
        let mut p = Permissions::default();
        p.add(
            &parse_document(&doc, "p", &mut problems).unwrap(),
            "policy P",
            Some("bob"),
        );
        p.apply_denies();
        p
    }

    #[test]
    fn denies_take_their_share() {
        let p = perms(json!({"Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}));
        assert!(p.everything().is_none());
        assert!(p.can("s3:GetObject", Some("arn:aws:s3:::b/k")).is_some());
        assert!(
            p.can("iam:CreateAccessKey", Some("arn:aws:iam::1:user/x"))
                .is_none()
        );
        let p = perms(json!({"Statement": [
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "arn:aws:iam::1:role/admin"}]}));
        assert!(
            p.can("iam:PassRole", Some("arn:aws:iam::1:role/admin"))
                .is_none()
        );
        assert!(
            p.can("iam:PassRole", Some("arn:aws:iam::1:role/app"))
                .is_some()
        );
        // A conditional deny may not apply.
        let p = perms(json!({"Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]}));
        assert!(p.everything().is_some());
    }

    #[test]
    fn boundary_narrows() {
        let mut p =
            perms(json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}));
        let b = perms(
            json!({"Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "ec2:Describe*"], "Resource": "*"}]}),
        );
        p.bound_by(&b);
        assert!(p.everything().is_none());
        assert_eq!(p.allows.len(), 2);
        assert_eq!(p.allows[0].actions.include, "s3:Get*");
        assert!(
            p.can("iam:PutUserPolicy", Some("arn:aws:iam::1:user/bob"))
                .is_none()
        );
    }

    #[test]
    fn variables_and_conditions() {
        let p = perms(json!({"Statement": [
            {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::1:user/${aws:username}"},
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}]}));
        assert!(
            p.can("iam:CreateAccessKey", Some("arn:aws:iam::1:user/bob"))
                .is_some()
        );
        assert!(
            p.can("iam:CreateAccessKey", Some("arn:aws:iam::1:user/alice"))
                .is_none()
        );
        let c = p.can("s3:PutObject", Some("arn:aws:s3:::b/k")).unwrap();
        assert_eq!(
            c.conditions[0].describe(),
            "IpAddress aws:SourceIp 203.0.113.0/24"
        );
        assert_eq!(substitute("a/${aws:userid}/${*}", None), "a/*/*");
    }
}
