//! Outputs: one reporter per format, each writing the documents the library answers with
//! (`crate::request`). Serialisation lives here only; analysis types are not output types.
//!
//! A format is one file implementing [`Reporter`]: a method per kind of document, and the
//! default method — "this format has no form for this document" — for the rest.

pub mod dot;
pub mod graphviz;
pub mod html;
pub mod json;
pub mod query;
pub mod sarif;
pub mod text;

use crate::error::{Error, ErrorKind, Result};
use crate::request::analysis::{Diff, Findings};
use crate::request::query::{BlastRadius, Cut, Overview, Paths, WhoCan};
use crate::request::{Answer, Notes};
use std::io::Write;

/// A reporter's methods, each refusing its document until the format gives it a form.
macro_rules! refusing {
    ($($(#[$doc:meta])* $method:ident($ty:ty): $what:literal;)*) => {
        $($(#[$doc])*
        fn $method(&self, _doc: &$ty, _out: &mut dyn Write) -> Result<Notes> {
            Err(unsupported(self.name(), $what))
        })*
    };
}

/// One output format. Each method writes one kind of document to `out` and returns what
/// the writing left to say (nodes a picture left out, Graphviz's warnings); a format without
/// a form for a document refuses it.
pub trait Reporter {
    /// The format's name, as `--format` spells it.
    fn name(&self) -> &'static str;

    /// Whether it can write findings an analysis without a cap spilled to a file as they
    /// were found (`AnalyzeRequest::run_streamed`): only a format written finding by
    /// finding can.
    fn streams(&self) -> bool {
        false
    }

    refusing! {
        /// `analyze` and `report`: the findings of one graph.
        findings(Findings): "the findings of analyze";
        /// `diff`: what changed between two graphs.
        diff(Diff): "a diff";
        blast_radius(BlastRadius): "a blast radius";
        who_can(WhoCan): "a who-can answer";
        paths(Paths): "paths";
        cut(Cut): "a cut";
        /// `dot`: the whole graph.
        overview(Overview): "a picture of the whole graph";
    }
}

/// A document a command answers with, written by any reporter that has a form for it.
pub trait Document: Answer {
    /// Writes the document with `reporter`; the notes are what the writing left to say.
    fn write(&self, reporter: &dyn Reporter, out: &mut dyn Write) -> Result<Notes>;
}

macro_rules! documents {
    ($($doc:ident: $method:ident;)*) => {
        $(impl Document for $doc {
            fn write(&self, reporter: &dyn Reporter, out: &mut dyn Write) -> Result<Notes> {
                reporter.$method(self, out)
            }
        })*
    };
}

documents! {
    Diff: diff;
    BlastRadius: blast_radius;
    WhoCan: who_can;
    Paths: paths;
    Cut: cut;
    Overview: overview;
}

impl Document for Findings {
    fn write(&self, reporter: &dyn Reporter, out: &mut dyn Write) -> Result<Notes> {
        if self.spilled().is_some() && !reporter.streams() {
            return Err(unsupported(
                reporter.name(),
                "findings streamed without a cap (give --max-findings)",
            ));
        }
        reporter.findings(self, out)
    }
}

fn unsupported(format: &str, document: &str) -> Error {
    Error::new(
        ErrorKind::Usage,
        format!("{format} cannot write {document}: choose another --format"),
    )
}

/// Writes `text` whole: for formats built in memory.
fn put(out: &mut dyn Write, text: &str) -> Result<Notes> {
    out.write_all(text.as_bytes())?;
    Ok(Vec::new())
}
