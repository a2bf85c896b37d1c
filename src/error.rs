//! The one error type of every command, and the one place where outcomes become exit codes.
//!
//! A command either fails with an [`Error`] (exit 2: bad input, bad usage, an I/O error, a
//! limit, a strict gate) or completes with a [`Verdict`] (exit 0, or 1 when findings at or
//! above `--fail-on` count). Every problem of an input is reported in one error, not only
//! the first: an input error carries the rendered diagnostics of every file it read.

use crate::diagnostics::Diagnostics;
use std::fmt;

/// Exit codes of every command (docs/rules.md, "Exit codes").
pub mod exit {
    /// Success, nothing at or above `--fail-on`.
    pub const OK: u8 = 0;
    /// Findings at or above `--fail-on`.
    pub const FINDINGS: u8 = 1;
    /// Bad input, bad usage or an I/O error.
    pub const BAD_INPUT: u8 = 2;
    /// Interrupted by SIGINT or SIGTERM (outputs keep their previous content).
    pub const INTERRUPTED: u8 = 130;
}

/// What kind of failure an [`Error`] is. New kinds may be added, so a `match` needs a
/// wildcard arm.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// An input that is not what its format requires (graph, policy, baseline, manifests,
    /// IAM details, OpenGraph, mapping): every problem with its place.
    Input,
    /// Arguments that cannot be carried out on this input: an id naming no node, a format
    /// a document cannot be written in, PNG to a terminal.
    Usage,
    /// An answer or input larger than the limits of the run (`--max-graph-nodes`,
    /// `--max-path-nodes`, …).
    Limit,
    /// Reading or writing a file failed.
    Io,
    /// A program authpath runs (Graphviz) failed.
    Tool,
    /// A strict gate failed: an assertion that selects nothing under `strict`, warnings
    /// under `validate --strict`. The outputs were still written.
    Strict,
}

/// A failed command: its kind and what to tell the person who ran it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    text: Text,
    /// For a failed read or write, the kind of the I/O error (a closed pipe is no failure
    /// of the command's: the reader has what it wanted).
    io: Option<std::io::ErrorKind>,
}

/// What an error says: sentences (each perhaps with a `help:` line), or a report already
/// written out line by line (the diagnostics of the files read), and warnings owed before it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Text {
    Sentences(Vec<String>),
    Report(String),
}

/// A command's result.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// One problem, said in one sentence (and perhaps a `help:` line).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::sentences(kind, vec![message.into()])
    }

    /// Several problems of one kind, each its own sentence (every unknown id of a request).
    pub fn sentences(kind: ErrorKind, messages: Vec<String>) -> Error {
        Error {
            kind,
            text: Text::Sentences(messages),
            io: None,
        }
    }

    /// Every problem of the inputs read, each with its file and place.
    pub fn input(diagnostics: &[&Diagnostics]) -> Error {
        let text: String = diagnostics.iter().map(|d| d.render()).collect();
        Error::report(ErrorKind::Input, text)
    }

    /// A report already written out line by line, shown as it is.
    fn report(kind: ErrorKind, text: impl Into<String>) -> Error {
        Error {
            kind,
            text: Text::Report(text.into()),
            io: None,
        }
    }

    /// A failure whose every problem was already shown as it was found (`validate` reports
    /// file by file).
    pub fn already_said(kind: ErrorKind) -> Error {
        Error::report(kind, "")
    }

    /// This error with the input problems of `diagnostics` and a closing line before it
    /// (an importer that read every file: what failed, then that nothing was written).
    pub fn with_summary(diagnostics: &[Diagnostics], kind: ErrorKind, summary: &str) -> Error {
        let mut text: String = diagnostics.iter().map(|d| d.render()).collect();
        text.push_str(&format!("authpath: {summary}\n"));
        Error::report(kind, text)
    }

    /// The same error, preceded by lines a person was owed before it (a warning given while
    /// the request ran, such as the wall clock used).
    pub fn after(self, notes: &[String]) -> Error {
        if notes.is_empty() {
            return self;
        }
        let mut text: String = notes.iter().map(|n| format!("{n}\n")).collect();
        text.push_str(&self.to_stderr());
        Error {
            text: Text::Report(text),
            ..self
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The I/O error kind, when reading or writing failed.
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        self.io
    }

    /// The exit code of a command that failed with this error.
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            ErrorKind::Input
            | ErrorKind::Usage
            | ErrorKind::Limit
            | ErrorKind::Io
            | ErrorKind::Tool
            | ErrorKind::Strict => exit::BAD_INPUT,
        }
    }

    /// What goes to standard error: each sentence as `authpath: error: …`, a report as it
    /// is; ending with a newline (empty when everything was said already).
    pub fn to_stderr(&self) -> String {
        match &self.text {
            Text::Sentences(s) => s
                .iter()
                .map(|m| format!("authpath: error: {m}\n"))
                .collect(),
            Text::Report(r) if r.is_empty() || r.ends_with('\n') => r.clone(),
            Text::Report(r) => format!("{r}\n"),
        }
    }
}

/// The problems in words, without the program's name: sentences one per line, a report as
/// it was rendered.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.text {
            Text::Sentences(s) => f.write_str(&s.join("\n")),
            Text::Report(r) => f.write_str(r.trim_end()),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error {
            kind: ErrorKind::Io,
            text: Text::Sentences(vec![e.to_string()]),
            io: Some(e.kind()),
        }
    }
}

/// How a completed command judged its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing at or above the threshold (or nothing to judge).
    Pass,
    /// Findings at or above `--fail-on` count (or, for `diff`, new ones do).
    Fail,
}

/// The exit code of a command's outcome: the one place where results become exit codes.
pub fn exit_code(outcome: &Result<Verdict>) -> u8 {
    match outcome {
        Ok(Verdict::Pass) => exit::OK,
        Ok(Verdict::Fail) => exit::FINDINGS,
        Err(e) => e.exit_code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_map_to_the_documented_codes() {
        assert_eq!(exit_code(&Ok(Verdict::Pass)), 0);
        assert_eq!(exit_code(&Ok(Verdict::Fail)), 1);
        for kind in [
            ErrorKind::Input,
            ErrorKind::Usage,
            ErrorKind::Limit,
            ErrorKind::Io,
            ErrorKind::Tool,
            ErrorKind::Strict,
        ] {
            assert_eq!(exit_code(&Err(Error::new(kind, "x"))), 2, "{kind:?}");
        }
    }

    #[test]
    fn a_sentence_is_prefixed_and_a_report_shown_as_it_is() {
        let e = Error::new(ErrorKind::Usage, "no node has the id \"x\"");
        assert_eq!(e.to_stderr(), "authpath: error: no node has the id \"x\"\n");
        assert_eq!(e.to_string(), "no node has the id \"x\"");
        let r = Error::report(ErrorKind::Input, "g.json:1:2: error: bad\n");
        assert_eq!(r.to_stderr(), "g.json:1:2: error: bad\n");
        let boxed: Box<dyn std::error::Error> = Box::new(r);
        assert_eq!(boxed.to_string(), "g.json:1:2: error: bad");
        let two = Error::sentences(ErrorKind::Usage, vec!["a".into(), "b".into()]);
        assert_eq!(two.to_stderr(), "authpath: error: a\nauthpath: error: b\n");
        assert_eq!(two.to_string(), "a\nb");
        let owed = two.after(&["authpath: warning: w".into()]);
        assert_eq!(
            owed.to_stderr(),
            "authpath: warning: w\nauthpath: error: a\nauthpath: error: b\n"
        );
        assert_eq!(owed.kind(), ErrorKind::Usage);
    }
}
