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

/// One output format. Each method writes one kind of document to `out` and returns what
/// the writing left to say (nodes a picture left out, Graphviz's warnings); a format without
/// a form for a document refuses it.
pub trait Reporter {
    /// The format's name, as `--format` spells it.
    fn name(&self) -> &'static str;

    fn findings(&self, _doc: &Findings, _out: &mut dyn Write) -> Result<Notes> {
        Err(unsupported(self.name(), "the findings of analyze"))
    }

    fn diff(&self, _doc: &Diff, _out: &mut dyn Write) -> Result<Notes> {
        Err(unsupported(self.name(), "a diff"))
    }

    fn blast_radius(&self, _doc: &BlastRadius, _out: &mut dyn Write) -> Result<Notes> {
        Err(unsupported(self.name(), "a blast radius"))
    }

    fn who_can(&self, _doc: &WhoCan, _out: &mut dyn Write) -> Result<Notes> {
        Err(unsupported(self.name(), "a who-can answer"))
    }

    fn paths(&self, _doc: &Paths, _out: &mut dyn Write) -> Result<Notes> {
        Err(unsupported(self.name(), "paths"))
    }

    fn cut(&self, _doc: &Cut, _out: &mut dyn Write) -> Result<Notes> {
        Err(unsupported(self.name(), "a cut"))
    }

    fn overview(&self, _doc: &Overview, _out: &mut dyn Write) -> Result<Notes> {
        Err(unsupported(self.name(), "a picture of the whole graph"))
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
    Findings: findings;
    Diff: diff;
    BlastRadius: blast_radius;
    WhoCan: who_can;
    Paths: paths;
    Cut: cut;
    Overview: overview;
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
