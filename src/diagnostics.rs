//! Problems found in an input, each with its place and its fix, collected rather than thrown.

use crate::model::Span;
use std::fmt::{self, Write as _};

/// How many problems of each severity are kept for display; the rest are counted.
pub(crate) const MAX_SHOWN: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem: where, what, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Line and column in the input, when the problem has one.
    pub span: Option<Span>,
    /// What the problem is about (`node "svc:a" (nodes[3])`, `edges[7] (a -holds-> b)`), if
    /// it is about one node or edge.
    pub subject: Option<String>,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(span: Option<Span>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            span,
            subject: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(span: Option<Span>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(span, message)
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

    pub(crate) fn error_count(&self) -> usize {
        self.errors
    }

    pub(crate) fn warning_count(&self) -> usize {
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

    /// The report a person reads: one block per problem, `file:line:col: error: …`, then a
    /// count of what was left out.
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
        f.write_str(&d.message)?;
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
        assert!(text.starts_with("g.json:1:1: error: bad\n"), "{text}");
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
