//! Outputs: one renderer per format, each turning a report into bytes. Serialisation lives
//! here only; analysis types are not output types.

pub mod dot;
pub mod graphviz;
pub mod html;
pub mod json;
pub mod query;
pub mod sarif;
pub mod text;

use crate::analyze::Report;

/// One output format.
pub trait Renderer {
    fn render(&self, report: &Report) -> String;
}
