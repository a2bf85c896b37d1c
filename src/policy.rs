//! The policy file `authpath.toml`: parsed, then validated, every problem reported with its
//! line and column before anything runs. Unknown keys are errors.
//!
//! ```toml
//! fail_on = "high"                 # critical | high | medium | low | never
//! subjects = "default"             # default | all
//! strict = false                   # true: an [[assert]] selecting no node is an error
//!
//! [thresholds]                     # days (docs/rules.md defaults shown)
//! dormant_days = 90
//! never_used_days = 90
//! rotation_days = 365
//!
//! [critical]                       # widens the built-in definition, never narrows it
//! sensitivities = ["high"]
//! tags = ["crown-jewel"]
//! ids = ["db:billing"]
//! kinds = ["tenant"]
//!
//! [rules.stale-credential]
//! severity = "high"                # override
//! enabled = true
//!
//! [[waiver]]
//! id = "ap-1f0c9e77a2b4d3c5"       # or rule + subject (+ target)
//! reason = "migration in progress"
//! owner = "alice@example.com"
//! expires = 2026-12-31T00:00:00Z
//!
//! [[assert]]
//! name = "partners-read-only-on-tier0"
//! from = { kind = "partner" }
//! to = { tag = "tier0" }
//! max_level = "read"               # none | read | write
//! severity = "high"
//! ```

use crate::diagnostics::{Code, Diagnostic, Diagnostics, codes, did_you_mean, quote};
use crate::findings::{Rule, Severity};
use crate::model::{Level, Node, NodeKind, Sensitivity};
use crate::source::{Locator, toml_type as type_name};
use crate::timestamp::Timestamp;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Which principals start the subject-based rules (docs/rules.md "subjects").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Subjects {
    /// Live partners, services, agents and apps, and live external principals of any kind.
    #[default]
    Default,
    /// The default set plus every live human and tenant.
    All,
}

/// The time thresholds of the credential rules, in days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    pub dormant_days: u32,
    pub never_used_days: u32,
    pub rotation_days: u32,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            dormant_days: 90,
            never_used_days: 90,
            rotation_days: 365,
        }
    }
}

/// The file looked for in the working directory when `--policy` is not given.
pub const DEFAULT_FILE: &str = "authpath.toml";

/// Which nodes count as critical beyond `sensitivity: critical` and the `tier0` tag.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CriticalSpec {
    pub sensitivities: Vec<Sensitivity>,
    pub tags: Vec<String>,
    pub ids: Vec<String>,
    pub kinds: Vec<NodeKind>,
}

impl CriticalSpec {
    /// Critical by docs/rules.md, or by what the policy adds.
    pub fn is_critical(&self, n: &Node) -> bool {
        n.is_critical()
            || self.sensitivities.contains(&n.sensitivity)
            || self.kinds.contains(&n.kind)
            || self.ids.iter().any(|i| i == &n.id)
            || n.tags.iter().any(|t| self.tags.contains(t))
    }

    /// Marks the nodes this policy makes critical, so that every command reading the graph
    /// afterwards (analysis, queries, pictures, the report) judges the same critical set.
    pub fn mark(&self, g: &mut crate::model::Graph) {
        if *self == CriticalSpec::default() {
            return;
        }
        for n in &mut g.nodes {
            n.critical_by_policy = self.is_critical(n);
        }
    }
}

/// Per-rule settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleConfig {
    pub enabled: bool,
    pub severity: Option<Severity>,
}

/// Which finding a waiver names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaiverTarget {
    Id(String),
    Finding {
        rule: Rule,
        subject: String,
        target: Option<String>,
    },
}

/// An accepted risk: a finding, why, who answers for it, and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    pub names: WaiverTarget,
    pub reason: String,
    pub owner: String,
    pub expires: Timestamp,
    /// Line of the `[[waiver]]` entry, for messages.
    pub line: u32,
}

/// Picks nodes: every given field must match; a list matches any of its values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    pub ids: Vec<String>,
    pub kinds: Vec<NodeKind>,
    pub orgs: Vec<String>,
    pub tags: Vec<String>,
    pub sensitivities: Vec<Sensitivity>,
    pub external: Option<bool>,
}

/// A reachability assertion: nothing chosen by `from` may hold more than `max_level` over
/// anything chosen by `to` (`None`: no access at all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assertion {
    pub name: String,
    pub from: Selector,
    pub to: Selector,
    pub max_level: Option<Level>,
    pub severity: Severity,
}

/// A validated policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// `Some(None)` is `never`.
    pub fail_on: Option<Option<Severity>>,
    pub subjects: Option<Subjects>,
    /// An assertion that selects no node fails the run instead of warning.
    pub strict: bool,
    pub thresholds: Thresholds,
    pub critical: CriticalSpec,
    pub rules: BTreeMap<Rule, RuleConfig>,
    pub waivers: Vec<Waiver>,
    pub asserts: Vec<Assertion>,
}

impl Policy {
    pub fn rule(&self, r: Rule) -> RuleConfig {
        self.rules.get(&r).copied().unwrap_or(RuleConfig {
            enabled: true,
            severity: None,
        })
    }
}

/// Reads the policy at `path`, or `authpath.toml` in the working directory when `path` is
/// `None` and that file exists. `Ok(None)`: no policy.
pub fn find_and_load(path: Option<&Path>) -> Result<Option<Policy>, Diagnostics> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => {
            let p = Path::new(DEFAULT_FILE);
            if !p.exists() {
                return Ok(None);
            }
            p.to_path_buf()
        }
    };
    let name = path.display().to_string();
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&name, &text).map(Some),
        Err(e) => {
            let mut d = Diagnostics::new(name);
            d.push(
                Diagnostic::error(
                    codes::READ_ERROR,
                    None,
                    format!("cannot read the policy file: {e}"),
                )
                .help("check the path given to --policy"),
            );
            Err(d)
        }
    }
}

/// Parses and validates a policy; every problem is reported, each with its place.
pub fn parse(name: &str, text: &str) -> Result<Policy, Diagnostics> {
    let mut v = Validator {
        loc: Locator::new(text),
        diags: Diagnostics::new(name),
    };
    let (root, errors) = DeTable::parse_recoverable(text);
    for e in &errors {
        let at = e.span().map_or(0, |s| s.start);
        let span = v.loc.span(at);
        v.diags.push(
            Diagnostic::error(
                codes::TOML_SYNTAX,
                Some(span),
                format!("invalid TOML: {}", e.message().trim()),
            )
            .help("fix the TOML syntax at this place"),
        );
    }
    let policy = if errors.is_empty() {
        v.policy(root.get_ref())
    } else {
        Policy::default()
    };
    if v.diags.has_errors() {
        Err(v.diags)
    } else {
        Ok(policy)
    }
}

struct Validator<'t> {
    loc: Locator<'t>,
    diags: Diagnostics,
}

impl Validator<'_> {
    fn error(&mut self, code: Code, at: usize, message: String, help: Option<String>) {
        let span = self.loc.span(at);
        let mut d = Diagnostic::error(code, Some(span), message);
        if let Some(h) = help {
            d = d.help(h);
        }
        self.diags.push(d);
    }

    fn wrong<T>(&mut self, key: &str, v: &Spanned<DeValue<'_>>, expected: &str) -> Option<T> {
        self.error(
            codes::POLICY_WRONG_TYPE,
            v.span().start,
            format!(
                "`{key}` must be {expected}, found {}",
                type_name(v.get_ref())
            ),
            None,
        );
        None
    }

    /// Reports keys outside `known`, with a suggestion.
    fn unknown_keys(&mut self, table: &DeTable<'_>, known: &[&str], what: &str) {
        for (k, _) in table.iter() {
            if !known.contains(&k.get_ref().as_ref()) {
                let mut help = format!("the keys of {what} are: {}", known.join(", "));
                if let Some(m) = did_you_mean(k.get_ref(), known.iter().copied()) {
                    help = format!("did you mean {m:?}? ({help})");
                }
                self.error(
                    codes::POLICY_UNKNOWN_KEY,
                    k.span().start,
                    format!("unknown key {} in {what}", quote(k.get_ref())),
                    Some(help),
                );
            }
        }
    }

    fn string(&mut self, key: &str, v: &Spanned<DeValue<'_>>) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => self.wrong(key, v, "a string"),
        }
    }

    fn strings(&mut self, key: &str, v: &Spanned<DeValue<'_>>) -> Option<Vec<String>> {
        match v.get_ref() {
            DeValue::String(s) => Some(vec![s.to_string()]),
            DeValue::Array(items) => items
                .iter()
                .map(|i| self.string(key, i))
                .collect::<Option<Vec<_>>>(),
            _ => self.wrong(key, v, "a string or an array of strings"),
        }
    }

    fn days(&mut self, key: &str, v: &Spanned<DeValue<'_>>) -> Option<u32> {
        match v.get_ref() {
            DeValue::Integer(i) => match u32::from_str_radix(i.as_str(), i.radix()) {
                Ok(d) => Some(d),
                Err(_) => {
                    self.error(
                        codes::POLICY_OUT_OF_RANGE,
                        v.span().start,
                        format!("`{key}` must be a whole number of days from 0 to 4294967295"),
                        None,
                    );
                    None
                }
            },
            _ => self.wrong(key, v, "a whole number of days"),
        }
    }

    fn boolean(&mut self, key: &str, v: &Spanned<DeValue<'_>>) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => self.wrong(key, v, "true or false"),
        }
    }

    /// A value of a closed vocabulary, with the accepted list and a suggestion.
    fn word<T>(
        &mut self,
        key: &str,
        v: &Spanned<DeValue<'_>>,
        parse: impl Fn(&str) -> Option<T>,
        names: &[&str],
    ) -> Option<T> {
        let s = self.string(key, v)?;
        if let Some(t) = parse(&s) {
            return Some(t);
        }
        let mut help = format!("use one of: {}", names.join(", "));
        if let Some(m) = did_you_mean(&s, names.iter().copied()) {
            help = format!("did you mean {m:?}? ({help})");
        }
        self.error(
            codes::POLICY_UNKNOWN_VALUE,
            v.span().start,
            format!("unknown {key} {}", quote(&s)),
            Some(help),
        );
        None
    }

    fn words<T>(
        &mut self,
        key: &str,
        v: &Spanned<DeValue<'_>>,
        parse: impl Fn(&str) -> Option<T> + Copy,
        names: &[&str],
    ) -> Option<Vec<T>> {
        match v.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .map(|i| self.word(key, i, parse, names))
                .collect::<Vec<_>>()
                .into_iter()
                .collect(),
            _ => self.word(key, v, parse, names).map(|t| vec![t]),
        }
    }

    fn time(&mut self, key: &str, v: &Spanned<DeValue<'_>>) -> Option<Timestamp> {
        let text = match v.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Datetime(d) => d.to_string(),
            _ => return self.wrong(key, v, "an RFC 3339 date-time"),
        };
        match Timestamp::parse(&text) {
            Ok(t) => Some(t),
            Err(why) => {
                self.error(
                    codes::POLICY_INVALID_TIMESTAMP,
                    v.span().start,
                    format!("`{key}` is not an RFC 3339 date-time: {}", quote(&text)),
                    Some(why.to_string()),
                );
                None
            }
        }
    }

    fn table<'a, 'i>(&mut self, key: &str, v: &'a Spanned<DeValue<'i>>) -> Option<&'a DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => self.wrong(key, v, "a table"),
        }
    }

    /// The tables of an array of tables (`[[waiver]]`), or of a single table.
    fn tables<'a, 'i>(
        &mut self,
        key: &str,
        v: &'a Spanned<DeValue<'i>>,
    ) -> Vec<(usize, &'a DeTable<'i>)> {
        match v.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .filter_map(|i| match i.get_ref() {
                    DeValue::Table(t) => Some((i.span().start, t)),
                    _ => self.wrong(key, i, &format!("a table (write [[{key}]])")),
                })
                .collect(),
            DeValue::Table(t) => vec![(v.span().start, t)],
            _ => {
                self.wrong::<()>(key, v, &format!("an array of tables (write [[{key}]])"));
                Vec::new()
            }
        }
    }

    fn policy(&mut self, root: &DeTable<'_>) -> Policy {
        let mut p = Policy::default();
        self.unknown_keys(
            root,
            &[
                "fail_on",
                "subjects",
                "strict",
                "thresholds",
                "critical",
                "rules",
                "waiver",
                "assert",
            ],
            "the policy",
        );
        for (k, v) in root.iter() {
            match k.get_ref().as_ref() {
                "fail_on" => {
                    let names = ["critical", "high", "medium", "low", "never"];
                    p.fail_on = self.word("fail_on", v, parse_fail_on, &names);
                }
                "subjects" => {
                    p.subjects = self.word(
                        "subjects",
                        v,
                        |s| match s {
                            "default" => Some(Subjects::Default),
                            "all" => Some(Subjects::All),
                            _ => None,
                        },
                        &["default", "all"],
                    )
                }
                "strict" => p.strict = self.boolean("strict", v).unwrap_or(false),
                "thresholds" => {
                    if let Some(t) = self.table("thresholds", v) {
                        p.thresholds = self.thresholds(t);
                    }
                }
                "critical" => {
                    if let Some(t) = self.table("critical", v) {
                        p.critical = self.critical(t);
                    }
                }
                "rules" => {
                    if let Some(t) = self.table("rules", v) {
                        p.rules = self.rules(t);
                    }
                }
                "waiver" => {
                    for (at, t) in self.tables("waiver", v) {
                        if let Some(w) = self.waiver(at, t) {
                            p.waivers.push(w);
                        }
                    }
                }
                "assert" => {
                    for (at, t) in self.tables("assert", v) {
                        if let Some(a) = self.assertion(at, t) {
                            p.asserts.push(a);
                        }
                    }
                }
                _ => {}
            }
        }
        let mut names: BTreeMap<&str, ()> = BTreeMap::new();
        for a in &p.asserts {
            if names.insert(&a.name, ()).is_some() {
                self.diags.push(
                    Diagnostic::error(
                        codes::POLICY_DUPLICATE_ASSERTION,
                        None,
                        format!("two assertions are named {}", quote(&a.name)),
                    )
                    .help(
                        "give every [[assert]] a distinct name: findings cite it as assert:<name>",
                    ),
                );
            }
        }
        p
    }

    fn thresholds(&mut self, t: &DeTable<'_>) -> Thresholds {
        let known = ["dormant_days", "never_used_days", "rotation_days"];
        self.unknown_keys(t, &known, "[thresholds]");
        let mut out = Thresholds::default();
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            let slot = match key {
                "dormant_days" => &mut out.dormant_days,
                "never_used_days" => &mut out.never_used_days,
                "rotation_days" => &mut out.rotation_days,
                _ => continue,
            };
            if let Some(d) = self.days(key, v) {
                *slot = d;
            }
        }
        out
    }

    fn critical(&mut self, t: &DeTable<'_>) -> CriticalSpec {
        self.unknown_keys(t, &["sensitivities", "tags", "ids", "kinds"], "[critical]");
        let mut out = CriticalSpec::default();
        for (k, v) in t.iter() {
            match k.get_ref().as_ref() {
                "sensitivities" => {
                    out.sensitivities = self
                        .words("sensitivities", v, Sensitivity::parse, Sensitivity::NAMES)
                        .unwrap_or_default()
                }
                "kinds" => {
                    out.kinds = self
                        .words("kinds", v, NodeKind::parse, NodeKind::NAMES)
                        .unwrap_or_default()
                }
                "tags" => out.tags = self.strings("tags", v).unwrap_or_default(),
                "ids" => out.ids = self.strings("ids", v).unwrap_or_default(),
                _ => {}
            }
        }
        out
    }

    fn rules(&mut self, t: &DeTable<'_>) -> BTreeMap<Rule, RuleConfig> {
        let names: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
        let mut out = BTreeMap::new();
        for (k, v) in t.iter() {
            let Some(rule) = Rule::parse(k.get_ref()) else {
                let mut help = format!("the rules are: {}", names.join(", "));
                if let Some(m) = did_you_mean(k.get_ref(), names.iter().copied()) {
                    help = format!("did you mean {m:?}? ({help})");
                }
                self.error(
                    codes::POLICY_UNKNOWN_RULE,
                    k.span().start,
                    format!("unknown rule {} in [rules]", quote(k.get_ref())),
                    Some(help),
                );
                continue;
            };
            let Some(table) = self.table(k.get_ref(), v) else {
                continue;
            };
            let what = format!("[rules.{}]", rule.name());
            self.unknown_keys(table, &["enabled", "severity"], &what);
            let mut cfg = RuleConfig {
                enabled: true,
                severity: None,
            };
            for (k2, v2) in table.iter() {
                match k2.get_ref().as_ref() {
                    "enabled" => cfg.enabled = self.boolean("enabled", v2).unwrap_or(true),
                    "severity" => cfg.severity = self.severity(v2),
                    _ => {}
                }
            }
            out.insert(rule, cfg);
        }
        out
    }

    fn severity(&mut self, v: &Spanned<DeValue<'_>>) -> Option<Severity> {
        let names: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
        self.word("severity", v, parse_severity, &names)
    }

    /// The value of a required key, or an error at the table's start.
    fn required<'a, 'i>(
        &mut self,
        t: &'a DeTable<'i>,
        at: usize,
        key: &str,
        what: &str,
        why: &str,
    ) -> Option<&'a Spanned<DeValue<'i>>> {
        let found = t.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v);
        if found.is_none() {
            self.error(
                codes::POLICY_MISSING_KEY,
                at,
                format!("{what} has no `{key}`"),
                Some(why.to_owned()),
            );
        }
        found
    }

    fn waiver(&mut self, at: usize, t: &DeTable<'_>) -> Option<Waiver> {
        let known = [
            "id", "rule", "subject", "target", "reason", "owner", "expires",
        ];
        self.unknown_keys(t, &known, "[[waiver]]");
        let what = "this [[waiver]]";
        let get = |key: &str| t.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v);
        let names = match (get("id"), get("rule")) {
            (Some(id), None) => {
                if get("subject").is_some() || get("target").is_some() {
                    self.error(
                        codes::POLICY_WAIVER_TARGET,
                        at,
                        "a [[waiver]] names its finding by `id` or by `rule` + `subject` (+ `target`), not both".into(),
                        None,
                    );
                }
                self.string("id", id).map(WaiverTarget::Id)
            }
            (None, Some(rule)) => {
                let names: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
                let rule = self.word("rule", rule, Rule::parse, &names);
                let subject = self
                    .required(t, at, "subject", what, "a waiver by rule also names the finding's `subject` (and `target` when the finding has one)")
                    .and_then(|v| self.string("subject", v));
                let target = get("target").and_then(|v| self.string("target", v));
                match (rule, subject) {
                    (Some(rule), Some(subject)) => Some(WaiverTarget::Finding {
                        rule,
                        subject,
                        target,
                    }),
                    _ => None,
                }
            }
            (Some(_), Some(_)) => {
                self.error(
                    codes::POLICY_WAIVER_TARGET,
                    at,
                    "a [[waiver]] names its finding by `id` or by `rule` + `subject` (+ `target`), not both".into(),
                    None,
                );
                None
            }
            (None, None) => {
                self.error(
                    codes::POLICY_WAIVER_TARGET,
                    at,
                    "this [[waiver]] names no finding".into(),
                    Some("add `id = \"ap-…\"`, or `rule`, `subject` and (when the finding has one) `target`".into()),
                );
                None
            }
        };
        let reason = self
            .required(
                t,
                at,
                "reason",
                what,
                "say why the risk is accepted: `reason = \"…\"`",
            )
            .and_then(|v| self.string("reason", v));
        let owner = self
            .required(
                t,
                at,
                "owner",
                what,
                "name who answers for the accepted risk: `owner = \"alice@example.com\"`",
            )
            .and_then(|v| self.string("owner", v));
        let expires = self
            .required(
                t,
                at,
                "expires",
                what,
                "every waiver ends: `expires = 2026-12-31T00:00:00Z`",
            )
            .and_then(|v| self.time("expires", v));
        for (key, value) in [("reason", &reason), ("owner", &owner)] {
            if value.as_deref().is_some_and(|s| s.trim().is_empty()) {
                self.error(
                    codes::POLICY_EMPTY_VALUE,
                    at,
                    format!("the `{key}` of this [[waiver]] is empty"),
                    None,
                );
            }
        }
        Some(Waiver {
            names: names?,
            reason: reason.filter(|s| !s.trim().is_empty())?,
            owner: owner.filter(|s| !s.trim().is_empty())?,
            expires: expires?,
            line: self.loc.span(at).line,
        })
    }

    fn assertion(&mut self, at: usize, t: &DeTable<'_>) -> Option<Assertion> {
        self.unknown_keys(
            t,
            &["name", "from", "to", "max_level", "severity"],
            "[[assert]]",
        );
        let what = "this [[assert]]";
        let name = self
            .required(
                t,
                at,
                "name",
                what,
                "name the assertion: findings cite it as assert:<name>",
            )
            .and_then(|v| self.string("name", v));
        let from = self
            .required(
                t,
                at,
                "from",
                what,
                "choose the subjects, e.g. `from = { kind = \"partner\" }`",
            )
            .and_then(|v| self.selector("from", v));
        let to = self
            .required(
                t,
                at,
                "to",
                what,
                "choose the targets, e.g. `to = { tag = \"tier0\" }`",
            )
            .and_then(|v| self.selector("to", v));
        let max_level = self
            .required(
                t,
                at,
                "max_level",
                what,
                "the most access allowed: none, read or write",
            )
            .and_then(|v| {
                self.word(
                    "max_level",
                    v,
                    |s| match s {
                        "none" => Some(None),
                        "read" => Some(Some(Level::Read)),
                        "write" => Some(Some(Level::Write)),
                        _ => None,
                    },
                    &["none", "read", "write"],
                )
            });
        let severity = match t.iter().find(|(k, _)| k.get_ref() == "severity") {
            Some((_, v)) => self.severity(v),
            None => Some(Severity::High),
        };
        Some(Assertion {
            name: name?,
            from: from?,
            to: to?,
            max_level: max_level?,
            severity: severity?,
        })
    }

    fn selector(&mut self, key: &str, v: &Spanned<DeValue<'_>>) -> Option<Selector> {
        let t = self.table(key, v)?;
        let what = format!("the `{key}` selector");
        let known = ["id", "kind", "org", "tag", "sensitivity", "external"];
        self.unknown_keys(t, &known, &what);
        if t.is_empty() {
            self.error(
                codes::POLICY_EMPTY_VALUE,
                v.span().start,
                format!("{what} is empty"),
                Some(format!("choose nodes by any of: {}", known.join(", "))),
            );
            return None;
        }
        let mut s = Selector::default();
        let mut ok = true;
        for (k, val) in t.iter() {
            let done = match k.get_ref().as_ref() {
                "id" => self.strings("id", val).map(|x| s.ids = x),
                "org" => self.strings("org", val).map(|x| s.orgs = x),
                "tag" => self.strings("tag", val).map(|x| s.tags = x),
                "kind" => self
                    .words("kind", val, NodeKind::parse, NodeKind::NAMES)
                    .map(|x| s.kinds = x),
                "sensitivity" => self
                    .words("sensitivity", val, Sensitivity::parse, Sensitivity::NAMES)
                    .map(|x| s.sensitivities = x),
                "external" => self.boolean("external", val).map(|x| s.external = Some(x)),
                _ => Some(()),
            };
            ok &= done.is_some();
        }
        ok.then_some(s)
    }
}

fn parse_severity(s: &str) -> Option<Severity> {
    Severity::ALL.into_iter().find(|x| x.as_str() == s)
}

fn parse_fail_on(s: &str) -> Option<Option<Severity>> {
    match s {
        "never" => Some(None),
        "info" => None,
        _ => parse_severity(s).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_policy_parses() {
        let p = parse(
            "authpath.toml",
            r#"
fail_on = "medium"
subjects = "all"
[thresholds]
dormant_days = 30
[critical]
sensitivities = ["high"]
tags = ["crown-jewel"]
[rules.stale-credential]
severity = "high"
[rules.shared-credential]
enabled = false
[[waiver]]
id = "ap-0000000000000000"
reason = "migration"
owner = "alice"
expires = 2026-12-31T00:00:00Z
[[waiver]]
rule = "transitive-privilege"
subject = "partner:acme"
target = "db:prod"
reason = "contract renewal"
owner = "bob"
expires = "2027-01-01T00:00:00Z"
[[assert]]
name = "partners-read-only"
from = { kind = "partner" }
to = { tag = "tier0", sensitivity = ["critical", "high"] }
max_level = "read"
"#,
        )
        .unwrap_or_else(|d| panic!("{}", d.render()));
        assert_eq!(p.fail_on, Some(Some(Severity::Medium)));
        assert_eq!(p.subjects, Some(Subjects::All));
        assert_eq!(p.thresholds.dormant_days, 30);
        assert_eq!(p.thresholds.rotation_days, 365);
        assert_eq!(p.rule(Rule::StaleCredential).severity, Some(Severity::High));
        assert!(!p.rule(Rule::SharedCredential).enabled);
        assert_eq!(p.waivers.len(), 2);
        assert_eq!(p.asserts[0].max_level, Some(Level::Read));
        assert_eq!(p.asserts[0].severity, Severity::High);
        assert_eq!(p.asserts[0].to.sensitivities.len(), 2);
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let d = parse(
            "authpath.toml",
            "fail_on = \"hgh\"\nfoo = 1\n[thresholds]\ndormant_days = \"ninety\"\n[[waiver]]\nid = \"ap-1\"\nreason = \"r\"\nexpires = 2026-12-31\n",
        )
        .unwrap_err();
        let text = d.render();
        assert!(
            text.contains(
                "authpath.toml:1:11: error: unknown fail_on \"hgh\" [policy-unknown-value]"
            ),
            "{text}"
        );
        assert!(text.contains("did you mean \"high\"?"), "{text}");
        assert!(
            text.contains(
                "authpath.toml:2:1: error: unknown key \"foo\" in the policy [policy-unknown-key]"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "authpath.toml:4:16: error: `dormant_days` must be a whole number of days"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "authpath.toml:5:1: error: this [[waiver]] has no `owner` [policy-missing-key]"
            ),
            "{text}"
        );
        assert!(
            text.contains("authpath.toml:8:11: error: `expires` is not an RFC 3339 date-time"),
            "{text}"
        );
    }

    #[test]
    fn toml_syntax_errors_have_places() {
        let d = parse("p.toml", "fail_on = \"high\"\n[rules\n").unwrap_err();
        assert!(d.render().starts_with("p.toml:2:"), "{}", d.render());
    }
}
