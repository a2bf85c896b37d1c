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
    message: String,
    /// The message is a finished report (rendered diagnostics, the importers' lines) rather
    /// than one sentence for `authpath: error: …`.
    rendered: bool,
    /// For a failed read or write, the kind of the I/O error (a closed pipe is no failure
    /// of the command's: the reader has what it wanted).
    io: Option<std::io::ErrorKind>,
}

/// A command's result.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// One problem, said in one sentence (and perhaps a `help:` line).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            rendered: false,
            io: None,
        }
    }

    /// A report already written out line by line, shown as it is.
    pub fn report(kind: ErrorKind, text: impl Into<String>) -> Error {
        Error {
            kind,
            message: text.into(),
            rendered: true,
            io: None,
        }
    }

    /// Every problem of the inputs read, each with its file and place.
    pub fn input(diagnostics: &[&Diagnostics]) -> Error {
        let text: String = diagnostics.iter().map(|d| d.render()).collect();
        Error::report(ErrorKind::Input, text)
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

    /// What goes to standard error, ending with a newline.
    pub fn to_stderr(&self) -> String {
        if self.rendered {
            let mut text = self.message.clone();
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text
        } else {
            format!("authpath: error: {}\n", self.message)
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message.trim_end())
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error {
            kind: ErrorKind::Io,
            message: e.to_string(),
            rendered: false,
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
    }
}
