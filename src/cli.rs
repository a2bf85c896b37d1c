//! The command line: clap types, and the dispatch from a parsed command to the library.

use crate::load::{Loaded, load_path};
use crate::model::Graph;
use crate::output;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes of every command (RULES.md).
pub mod exit {
    /// Success, nothing at or above `--fail-on`.
    pub const OK: u8 = 0;
    /// Findings at or above `--fail-on`.
    pub const FINDINGS: u8 = 1;
    /// Bad input, bad usage or an I/O error.
    pub const BAD_INPUT: u8 = 2;
}

#[derive(Debug, Parser)]
#[command(
    name = "authpath",
    version,
    about = "Who can really reach what, through which chain, and which credentials nobody owns any more.",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check graph files against the format; print a one-line summary per valid file, or
    /// every problem found (exit 2).
    Validate {
        /// Graph files to check; `-` reads standard input.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print the JSON Schema of the graph format (for editors).
    Schema {
        /// Write to this file (atomically) instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(run(cli))
}

/// Runs a parsed command and returns its exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Validate { files } => validate(&files),
        Command::Schema { output } => {
            let text = crate::schema::graph_schema_json();
            match output::emit(output.as_deref(), text.as_bytes()) {
                Ok(()) => exit::OK,
                Err(e) => {
                    let target =
                        output.map_or("standard output".into(), |p| p.display().to_string());
                    eprintln!("authpath: error: cannot write {target}: {e}");
                    exit::BAD_INPUT
                }
            }
        }
    }
}

fn validate(files: &[PathBuf]) -> u8 {
    let mut code = exit::OK;
    for f in files {
        let Loaded { graph, diagnostics } = load_path(f);
        let report = diagnostics.render();
        if !report.is_empty() {
            let _ = std::io::stderr().write_all(report.as_bytes());
        }
        match graph {
            Some(g) => {
                let mut line = summary(&diagnostics.file, &g);
                if diagnostics.warning_count() > 0 {
                    line.push_str(&format!(", {} warning(s)", diagnostics.warning_count()));
                }
                line.push('\n');
                if output::write_stdout(line.as_bytes()).is_err() {
                    return exit::BAD_INPUT;
                }
            }
            None => code = exit::BAD_INPUT,
        }
    }
    code
}

/// `file: valid, N nodes (a human, b service…), M edges (c holds…)`.
pub fn summary(file: &str, g: &Graph) -> String {
    let nodes: Vec<String> = g
        .node_counts()
        .iter()
        .map(|(k, c)| format!("{c} {k}"))
        .collect();
    let edges: Vec<String> = g
        .edge_counts()
        .iter()
        .map(|(k, c)| format!("{c} {k}"))
        .collect();
    format!(
        "{file}: valid, {} nodes ({}), {} edges ({})",
        g.nodes.len(),
        nodes.join(", "),
        g.edges.len(),
        edges.join(", ")
    )
}
