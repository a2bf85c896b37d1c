//! Problems found in an input, each with its place and its fix, collected rather than thrown.

use crate::model::Span;
use std::fmt::{self, Write as _};

/// How many problems of each severity are kept for display; the rest are counted.
pub const MAX_SHOWN: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// The stable name of a kind of problem (`json-syntax`, `duplicate-id`): scripts and
/// docs/diagnostics.md refer to it while a message's wording may change. Only the
/// [`codes`] registry makes one, so every code a diagnostic carries is documented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    name: &'static str,
    severity: Severity,
    meaning: &'static str,
}

impl Code {
    /// The kebab-case name printed as `[name]`.
    pub fn name(self) -> &'static str {
        self.name
    }

    /// The severity every diagnostic of this code has.
    pub fn severity(self) -> Severity {
        self.severity
    }

    /// What the problem is, in one line.
    pub fn meaning(self) -> &'static str {
        self.meaning
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// Declares every code from one list: a constant each, and [`codes::ALL`].
macro_rules! codes {
    ($($name:ident = $code:literal, $severity:ident, $meaning:literal;)+) => {
        $(
            #[doc = $meaning]
            pub const $name: Code = Code {
                name: $code,
                severity: Severity::$severity,
                meaning: $meaning,
            };
        )+
        /// Every code, in the order docs/diagnostics.md lists them.
        pub const ALL: &[Code] = &[$($name),+];
    };
}

/// Every diagnostic code. Reading, encoding and syntax problems are named for what failed,
/// whatever the input; problems of the graph format's meaning have plain names; those of
/// another input carry its prefix (`policy-`, `baseline-`, `k8s-`, `aws-`, `opengraph-`).
pub mod codes {
    use super::{Code, Severity};

    codes! {
        READ_ERROR = "read-error", Error, "the file or standard input cannot be read";
        NOT_UTF8 = "not-utf8", Error, "the input is not UTF-8 text";
        JSON_SYNTAX = "json-syntax", Error, "the input is not valid JSON (a syntax error, a cut-off file, or, in an imported file, a key repeated in one object)";
        YAML_SYNTAX = "yaml-syntax", Error, "a YAML document cannot be read (a syntax error, a parser limit, or a key repeated in one mapping)";
        TOML_SYNTAX = "toml-syntax", Error, "the policy file is not valid TOML";
        EMPTY_FILE = "empty-file", Error, "the graph file is empty";
        SIZE_LIMIT = "size-limit", Error, "`nodes` or `edges` has more entries than --max-graph-nodes or --max-graph-edges allow";
        UNSUPPORTED_VERSION = "unsupported-version", Error, "`version` is not the JSON number 1";
        UNKNOWN_TOP_LEVEL_KEY = "unknown-top-level-key", Error, "the graph file's top level has a key the format does not define";
        MISSING_FIELD = "missing-field", Error, "a required key of the graph file, a node or an edge is absent";
        WRONG_TYPE = "wrong-type", Error, "a value of the graph file has the wrong JSON type";
        DUPLICATE_KEY = "duplicate-key", Error, "an object of the graph file repeats a key";
        EMPTY_ID = "empty-id", Error, "a node's `id` is empty or null";
        UNKNOWN_VALUE = "unknown-value", Error, "a value is not one of the words its field accepts (a node or edge kind, a status, a level…)";
        INVALID_TIMESTAMP = "invalid-timestamp", Error, "a date-time field is not RFC 3339";
        MISPLACED_FIELD = "misplaced-field", Error, "a field the format defines is on an object that cannot carry it";
        INVALID_PROPERTY = "invalid-property", Error, "a free-form property's value cannot be kept (a repeated key, too deep, a number out of range)";
        NEAR_MISS_KEY = "near-miss-key", Warning, "an unknown key looks like a misspelt field of the format, so that field is not set";
        NO_AS_OF = "no-as-of", Warning, "the graph has no `as_of`, so time-based rules judge at the wall clock unless --now is given";
        DUPLICATE_ID = "duplicate-id", Error, "two nodes have the same id";
        UNKNOWN_OWNER = "unknown-owner", Warning, "a node's `owner` names no node";
        ORG_ON_ORGANISATION = "org-on-organisation", Error, "a tenant or partner node carries `org`";
        UNKNOWN_ORG = "unknown-org", Error, "a node's `org` names no node";
        ORG_NOT_ORGANISATION = "org-not-organisation", Error, "a node's `org` names a node that is not a tenant or partner";
        UNKNOWN_ENDPOINT = "unknown-endpoint", Error, "an edge's `from` or `to` names no node";
        EDGE_KIND_MISMATCH = "edge-kind-mismatch", Error, "an edge's kind does not fit the kinds of its endpoints";
        BASELINE_NO_FINDINGS = "baseline-no-findings", Error, "the baseline has no `findings` array";
        BASELINE_FINDING_ID = "baseline-finding-id", Error, "a finding of the baseline has no string `id`";
        POLICY_UNKNOWN_KEY = "policy-unknown-key", Error, "a policy table has a key the policy format does not define";
        POLICY_WRONG_TYPE = "policy-wrong-type", Error, "a policy value has the wrong TOML type";
        POLICY_OUT_OF_RANGE = "policy-out-of-range", Error, "a number of days in the policy is negative or too large";
        POLICY_UNKNOWN_VALUE = "policy-unknown-value", Error, "a policy value is not one of the words its key accepts";
        POLICY_UNKNOWN_RULE = "policy-unknown-rule", Error, "`[rules]` names a rule that does not exist";
        POLICY_INVALID_TIMESTAMP = "policy-invalid-timestamp", Error, "a policy date-time is not RFC 3339";
        POLICY_MISSING_KEY = "policy-missing-key", Error, "a `[[waiver]]` or `[[assert]]` lacks a key it requires";
        POLICY_WAIVER_TARGET = "policy-waiver-target", Error, "a `[[waiver]]` names its finding both by `id` and by `rule`, or not at all";
        POLICY_EMPTY_VALUE = "policy-empty-value", Error, "a waiver's `reason` or `owner`, or an assertion's selector, is empty";
        POLICY_DUPLICATE_ASSERTION = "policy-duplicate-assertion", Error, "two [[assert]] tables have the same name";
        K8S_NOT_MANIFEST = "k8s-not-manifest", Warning, "a file found in a directory holds no Kubernetes object, so it is skipped";
        K8S_TOO_DEEP = "k8s-too-deep", Error, "a manifest nests collections deeper than any Kubernetes object does";
        K8S_NOT_OBJECT = "k8s-not-object", Error, "a manifest document is not an object";
        K8S_MANIFEST_FIELD = "k8s-manifest-field", Error, "a field of a Kubernetes object is missing or not as the Kubernetes API defines it";
        K8S_DUPLICATE_OBJECT = "k8s-duplicate-object", Warning, "the same object is defined twice; the later definition is used";
        K8S_TOKEN_WITHOUT_ACCOUNT = "k8s-token-without-account", Warning, "a service-account token Secret names no service account";
        K8S_ROLE_REF_KIND = "k8s-role-ref-kind", Warning, "a binding refers to a kind of role it cannot bind";
        K8S_UNKNOWN_ROLE = "k8s-unknown-role", Warning, "a binding refers to a role that is not in the manifests";
        K8S_NO_SUBJECTS = "k8s-no-subjects", Warning, "a binding has no subjects";
        K8S_SUBJECT_KIND = "k8s-subject-kind", Warning, "a binding subject is of a kind RBAC does not have";
        K8S_UNMODELLED_AUTHORITY = "k8s-unmodelled-authority", Warning, "an object that decides what identities can do is of a kind the importer does not model, so it is skipped";
        K8S_AWS_AUTH = "k8s-aws-auth", Warning, "an entry of the aws-auth ConfigMap cannot be read or can never match, so it maps no AWS principal";
        AWS_NOT_DETAILS = "aws-not-details", Error, "the file is not the output of `aws iam get-account-authorization-details`";
        AWS_TRUNCATED = "aws-truncated", Error, "the authorization details are only the first page of the listing (`IsTruncated`)";
        AWS_DETAILS_FIELD = "aws-details-field", Error, "a section, entry or field of the authorization details is missing or not as the AWS CLI writes it";
        AWS_UNKNOWN_KEY = "aws-unknown-key", Warning, "the authorization details have a top-level key the importer does not read";
        AWS_MISSING_SECTION = "aws-missing-section", Warning, "a section of the authorization details is absent, so what it lists is not in the graph";
        AWS_UNKNOWN_GROUP = "aws-unknown-group", Warning, "a user is in a group that GroupDetailList does not have";
        AWS_OTHER_ACCOUNT = "aws-other-account", Warning, "an entry or a credential report row belongs to another AWS account";
        AWS_UNKNOWN_POLICY = "aws-unknown-policy", Warning, "an attached managed policy is not in Policies, so its permissions are unknown";
        AWS_UNKNOWN_BOUNDARY = "aws-unknown-boundary", Warning, "a permissions boundary is not in Policies, so it is not applied";
        AWS_UNAPPLIED_RESTRICTION = "aws-unapplied-restriction", Warning, "a user's boundary or denies cannot narrow what it holds through its groups";
        AWS_EMPTY_FEDERATED = "aws-empty-federated", Warning, "a trust policy names an empty federated provider";
        AWS_DELETED_PRINCIPAL = "aws-deleted-principal", Warning, "a trust policy names a principal deleted since (IAM shows its unique id)";
        AWS_UNKNOWN_PRINCIPAL = "aws-unknown-principal", Warning, "a trust policy names a principal of the account that is not in the file";
        AWS_REPORT_CSV = "aws-report-csv", Error, "a line of the credential report cannot be read as CSV";
        AWS_REPORT_COLUMNS = "aws-report-columns", Error, "the credential report's header lacks columns the importer needs";
        AWS_REPORT_VALUE = "aws-report-value", Error, "a credential report row has a value that is not a time, true or false, or a user";
        AWS_REPORT_UNKNOWN_USER = "aws-report-unknown-user", Warning, "a credential report row is of a user the authorization details do not list";
        OPENGRAPH_MAPPING = "opengraph-mapping", Error, "the OpenGraph mapping file is not valid TOML, a value has the wrong type, or a rule lacks what it needs";
        OPENGRAPH_MAPPING_FIELD = "opengraph-mapping-field", Error, "a mapping's `fields` names a field the format does not have, or one the node's kind cannot have";
        OPENGRAPH_MAPPING_KEY = "opengraph-mapping-key", Error, "a mapping table has a key it does not define, or one that does not apply to the rule's kind";
        OPENGRAPH_MAPPING_VALUE = "opengraph-mapping-value", Error, "a mapping value is not one of those accepted (a node or edge kind, a level, a sensitivity, a credential type)";
        OPENGRAPH_NOT_DOCUMENT = "opengraph-not-document", Error, "the file has no `graph` object, so it is not an OpenGraph document";
        OPENGRAPH_MALFORMED = "opengraph-malformed", Error, "a node, an edge or a list of the OpenGraph document is not as OpenGraph defines it";
        OPENGRAPH_EDGE_END = "opengraph-edge-end", Error, "an edge's `start` or `end` is malformed or matches more than one node";
        OPENGRAPH_UNMODELLED = "opengraph-unmodelled", Warning, "an object that matters to authority is not imported, because the mapping marks its kind unmodelled";
        OPENGRAPH_SKIPPED = "opengraph-skipped", Warning, "objects are not imported because the mapping does not name their kind, their ends do not fit the mapped kind, or an end names no imported node";
        OPENGRAPH_ORG = "opengraph-org", Warning, "a node's `org` property names no tenant or partner node, so it is left in the home organisation";
        ESTATE_MANIFEST = "estate-manifest", Error, "the estate manifest is not as docs/estate.md defines it (an unknown key, a missing one, a value of the wrong type)";
        ESTATE_UNREAD = "estate-unread", Warning, "a key of the estate manifest names inputs this version does not read, so what they say is not in the graph";
        ESTATE_SOURCE = "estate-source", Error, "a source's files are not what the manifest says they are";
        ESTATE_EMPTY_SOURCE = "estate-empty-source", Warning, "a source of the estate yields no nodes";
        ESTATE_AS_OF = "estate-as-of", Warning, "the estate's sources describe different instants and the manifest sets none";
        ESTATE_ALIAS = "estate-alias", Error, "an alias names no node of the estate, or a native key several nodes share";
        ESTATE_ALIAS_UNUSED = "estate-alias-unused", Warning, "an alias names an external principal that no source mentions";
        EKS_ANSWER = "eks-answer", Warning, "a file of an EKS cluster's AWS CLI answers holds something authpath does not apply (another cluster's answer, a list without what it grants, an unknown shape, a policy for an entry not described)";
        EKS_ACCESS = "eks-access", Warning, "an EKS access entry or access policy cannot take effect as written (its mode ignores it, an access policy without known rules, a pod identity whose role does not trust EKS)";
        AWS_ORGANIZATION = "aws-organization", Error, "the organization's answers cannot be read, or lack the organization or its accounts, which SCPs need";
        AWS_ORGANIZATION_ANSWER = "aws-organization-answer", Warning, "a file of the organization's answers holds something authpath does not apply (an unknown shape, a list without its subject, a policy without content)";
        AWS_SCP_UNAPPLIED = "aws-scp-unapplied", Warning, "part of what SCPs would cut for the account is unknown (a level without its policies, a policy without its content, an account outside the organization), so less is cut";
        ENTRA_FILE = "entra-file", Error, "a file is JSON but not AzureHound's output (no `data` array of records)";
        ENTRA_TENANTS = "entra-tenants", Error, "the AzureHound files hold records of more than one tenant";
        ENTRA_RECORD = "entra-record", Warning, "an AzureHound record cannot be read or applied (no kind, no data, a field missing, an object the files do not list, a federated credential whose subject can never match)";
        IDENTITY_CENTER_ANSWER = "identity-center-answer", Warning, "a file of an aws-iam source's Identity Center answers holds something authpath does not apply (an unknown shape, an assignment without its fields)";
    }
}

/// One problem: where, what, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// What kind of problem it is; its severity is the code's.
    pub code: Code,
    /// Line and column in the input, when the problem has one.
    pub span: Option<Span>,
    /// What the problem is about (`node "svc:a" (nodes[3])`, `edges[7] (a -holds-> b)`), if
    /// it is about one node or edge.
    pub subject: Option<String>,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error of `code` (a code registered as an error).
    pub fn error(code: Code, span: Option<Span>, message: impl Into<String>) -> Diagnostic {
        debug_assert_eq!(code.severity, Severity::Error, "{code} is not an error");
        Diagnostic::new(Severity::Error, code, span, message.into())
    }

    /// A warning of `code` (a code registered as a warning).
    pub fn warning(code: Code, span: Option<Span>, message: impl Into<String>) -> Diagnostic {
        debug_assert_eq!(code.severity, Severity::Warning, "{code} is not a warning");
        Diagnostic::new(Severity::Warning, code, span, message.into())
    }

    fn new(severity: Severity, code: Code, span: Option<Span>, message: String) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            span,
            subject: None,
            message,
            help: None,
        }
    }

    pub fn about(mut self, subject: impl Into<String>) -> Diagnostic {
        self.subject = Some(subject.into());
        self
    }

    /// Names the node or edge the problem concerns (nothing for the top level).
    pub(crate) fn about_subject(self, subject: &Subject<'_>) -> Diagnostic {
        match subject {
            Subject::Top => self,
            s => self.about(s.to_string()),
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }
}

/// What a problem is about, turned into words only when a problem is reported (so that the
/// loader formats nothing for the millions of nodes and edges that are fine).
#[derive(Clone, Copy, Debug)]
pub enum Subject<'s> {
    /// The file's top-level object.
    Top,
    /// `nodes[index]`, with its id once known.
    Node { index: usize, id: Option<&'s str> },
    /// `edges[index]`, with whatever of its endpoints and kind is known.
    Edge {
        index: usize,
        from: Option<&'s str>,
        to: Option<&'s str>,
        kind: Option<&'static str>,
    },
}

impl fmt::Display for Subject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Top => f.write_str("the top-level object"),
            Subject::Node { index, id: None } => write!(f, "nodes[{index}]"),
            Subject::Node {
                index,
                id: Some(id),
            } => write!(f, "node {} (nodes[{index}])", quote(id)),
            Subject::Edge {
                index,
                from: None,
                to: None,
                kind: None,
            } => write!(f, "edges[{index}]"),
            Subject::Edge {
                index,
                from,
                to,
                kind,
            } => write!(
                f,
                "edges[{index}] ({} -{}-> {})",
                from.map_or("?".into(), quote),
                kind.unwrap_or("?"),
                to.map_or("?".into(), quote)
            ),
        }
    }
}

/// Every problem found in one input, capped for display but counted in full.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// The input's name as the user gave it.
    pub file: String,
    shown: Vec<Diagnostic>,
    errors: usize,
    warnings: usize,
}

impl Diagnostics {
    pub fn new(file: impl Into<String>) -> Diagnostics {
        Diagnostics {
            file: file.into(),
            ..Diagnostics::default()
        }
    }

    pub fn push(&mut self, d: Diagnostic) {
        let count = match d.severity {
            Severity::Error => &mut self.errors,
            Severity::Warning => &mut self.warnings,
        };
        *count += 1;
        if *count <= MAX_SHOWN {
            self.shown.push(d);
        }
    }

    /// Takes in every problem another list found (same file), keeping the caps.
    pub(crate) fn absorb(&mut self, other: Diagnostics) {
        let (hidden_errors, hidden_warnings) = (
            other.errors.saturating_sub(
                other
                    .shown
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count(),
            ),
            other.warnings.saturating_sub(
                other
                    .shown
                    .iter()
                    .filter(|d| d.severity == Severity::Warning)
                    .count(),
            ),
        );
        for d in other.shown {
            self.push(d);
        }
        self.errors += hidden_errors;
        self.warnings += hidden_warnings;
    }

    pub fn error_count(&self) -> usize {
        self.errors
    }

    pub fn warning_count(&self) -> usize {
        self.warnings
    }

    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// The kept problems: errors first, each severity in file order.
    pub fn items(&self) -> Vec<&Diagnostic> {
        let mut items: Vec<&Diagnostic> = self.shown.iter().collect();
        items.sort_by_key(|d| (d.severity, d.span.is_none(), d.span));
        items
    }

    /// The report a person reads: one block per problem, `file:line:col: error: … [code]`,
    /// then a count of what was left out.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for d in self.items() {
            let _ = writeln!(out, "{}", Located(&self.file, d));
        }
        let hidden_errors = self.errors.saturating_sub(MAX_SHOWN);
        let hidden_warnings = self.warnings.saturating_sub(MAX_SHOWN);
        if hidden_errors + hidden_warnings > 0 {
            let _ = writeln!(
                out,
                "{}: … and {} more error(s), {} more warning(s) not shown: fix the ones above and run again",
                self.file, hidden_errors, hidden_warnings
            );
        }
        if self.errors > 0 {
            let _ = writeln!(
                out,
                "{}: {} error(s), {} warning(s)",
                self.file, self.errors, self.warnings
            );
        }
        out
    }
}

struct Located<'a>(&'a str, &'a Diagnostic);

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Located(file, d) = self;
        f.write_str(file)?;
        if let Some(s) = d.span {
            write!(f, ":{}:{}", s.line, s.column)?;
        }
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {level}: ")?;
        if let Some(subject) = &d.subject {
            write!(f, "{subject}: ")?;
        }
        write!(f, "{} [{}]", d.message, d.code)?;
        if let Some(help) = &d.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// A user-supplied string made safe and short for a one-line message: quoted, escaped, and
/// cut in the middle when long.
pub(crate) fn quote(s: &str) -> String {
    const KEEP: usize = 60;
    if s.chars().count() <= KEEP + 20 {
        return format!("{s:?}");
    }
    let head: String = s.chars().take(KEEP).collect();
    let tail: String = s
        .chars()
        .rev()
        .take(10)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{:?}…{:?} ({} bytes)", head, tail, s.len())
}

/// An id as printed in a path: as it is when it is plain text, quoted and escaped when it has
/// whitespace, quotes, control characters or is empty, so no id can forge a line.
pub(crate) fn quote_if_needed(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && c != '"' && c != '\\');
    if plain && s.chars().count() <= 80 {
        s.to_owned()
    } else {
        quote(s)
    }
}

/// The closest of `candidates` to `wanted`, when one is close enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (wanted.chars().count() / 4).clamp(1, 4);
    let wanted_len = wanted.chars().count();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c.eq_ignore_ascii_case(wanted) && c != wanted {
            return Some(c);
        }
        if c.len().abs_diff(wanted.len()) > limit * 4 {
            continue;
        }
        let clen = c.chars().count();
        if clen.abs_diff(wanted_len) > limit {
            continue;
        }
        let d = strsim::damerau_levenshtein(wanted, c);
        if d <= limit && d > 0 && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_but_counts() {
        let mut d = Diagnostics::new("g.json");
        for i in 0..(MAX_SHOWN + 5) {
            d.push(Diagnostic::error(
                codes::DUPLICATE_ID,
                Some(Span {
                    line: i as u32 + 1,
                    column: 1,
                }),
                "bad",
            ));
        }
        assert_eq!(d.error_count(), MAX_SHOWN + 5);
        let text = d.render();
        assert!(text.contains("… and 5 more error(s)"), "{text}");
        assert!(
            text.starts_with("g.json:1:1: error: bad [duplicate-id]\n"),
            "{text}"
        );
    }

    #[test]
    fn the_code_ends_the_first_line() {
        let mut d = Diagnostics::new("g.json");
        d.push(
            Diagnostic::warning(codes::UNKNOWN_OWNER, None, "`owner` \"x\" names no node")
                .about("node \"k\" (nodes[0])")
                .help("point it at a node"),
        );
        assert_eq!(
            d.render(),
            "g.json: warning: node \"k\" (nodes[0]): `owner` \"x\" names no node [unknown-owner]\n  help: point it at a node\n"
        );
    }

    fn is_kebab_case(s: &str) -> bool {
        !s.is_empty()
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--")
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    }

    #[test]
    fn codes_are_unique_kebab_case_and_explained() {
        let mut names: Vec<&str> = codes::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), codes::ALL.len(), "a code is registered twice");
        for c in codes::ALL {
            assert!(is_kebab_case(c.name()), "{c} is not kebab-case");
            assert!(
                !c.meaning().is_empty() && !c.meaning().contains('\n'),
                "{c}"
            );
        }
    }

    #[test]
    fn codes_are_distinct_from_rule_and_reason_codes() {
        use crate::findings::{REASONS, Rule};
        for c in codes::ALL {
            assert!(
                Rule::ALL.iter().all(|r| r.name() != c.name()),
                "{c} is also a rule code"
            );
            assert!(
                REASONS.iter().all(|(_, r)| *r != c.name()),
                "{c} is also a reason code"
            );
        }
    }

    /// (code, severity) of every row of docs/diagnostics.md's tables.
    fn documented() -> Vec<(&'static str, &'static str)> {
        include_str!("../docs/diagnostics.md")
            .lines()
            .filter_map(|l| {
                let mut cells = l.strip_prefix("| `")?.split(" | ");
                let code = cells.next()?.strip_suffix('`')?;
                Some((code, cells.next()?))
            })
            .collect()
    }

    #[test]
    fn every_code_is_documented_and_every_documented_code_registered() {
        let documented = documented();
        for c in codes::ALL {
            let severity = match c.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let rows: Vec<_> = documented.iter().filter(|(d, _)| *d == c.name()).collect();
            assert_eq!(
                rows,
                [&(c.name(), severity)],
                "{c} must have one row in docs/diagnostics.md, with severity {severity}"
            );
        }
        for (d, _) in &documented {
            assert!(
                codes::ALL.iter().any(|c| c.name() == *d),
                "docs/diagnostics.md documents `{d}`, which is no code"
            );
        }
        let order: Vec<&str> = documented.iter().map(|(d, _)| *d).collect();
        let registered: Vec<&str> = codes::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(
            order, registered,
            "docs/diagnostics.md lists the codes in ALL's order"
        );
    }

    #[test]
    fn suggestions_are_close_or_absent() {
        let ids = ["svc:sync", "grp:ops", "db:prod"];
        assert_eq!(did_you_mean("svc:snyc", ids), Some("svc:sync"));
        assert_eq!(did_you_mean("GRP:OPS", ids), Some("grp:ops"));
        assert_eq!(did_you_mean("completely-else", ids), None);
    }

    #[test]
    fn quote_escapes_and_shortens() {
        assert_eq!(quote("a\"b\nc"), "\"a\\\"b\\nc\"");
        let long = "x".repeat(10_000);
        let q = quote(&long);
        assert!(q.len() < 120 && q.contains("10000 bytes"), "{q}");
    }
}
