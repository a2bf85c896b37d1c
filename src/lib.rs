//! authpath: who can really reach what, through which chain, and which credentials nobody
//! owns any more.
//!
//! The pipeline is [`load`] (bytes → validated [`model::Graph`] and every problem) →
//! [`graph`] (the petgraph analysis graph). `ARCHITECTURE.md` maps the modules.

pub mod cli;
pub mod diagnostics;
pub mod graph;
pub mod load;
pub mod model;
pub mod output;
pub mod reach;
pub mod schema;
pub mod timestamp;
