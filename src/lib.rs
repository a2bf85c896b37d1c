//! authpath: who can really reach what, through which chain, and which credentials nobody
//! owns any more.
//!
//! The pipeline is [`load`] (bytes → validated [`model::Graph`] and every problem) →
//! [`graph`] (the analysis graph). `ARCHITECTURE.md` maps the modules.

pub mod analyze;
pub mod baseline;
pub mod choke;
pub mod cli;
pub mod context;
pub mod coverage;
pub mod diagnostics;
pub mod diff;
pub mod error;
pub mod estate;
pub mod explain;
pub mod export;
pub mod exposure;
pub mod findings;
pub mod graph;
pub mod import;
pub mod incident;
pub mod load;
pub mod manual;
pub mod model;
pub mod output;
pub mod picture;
pub mod policy;
pub mod progress;
pub mod reach;
pub mod render;
pub mod report;
pub mod request;
pub mod rules;
pub mod schema;
pub mod source;
#[cfg(feature = "generators")]
pub mod synth;
pub mod timestamp;
pub mod vocabulary;
