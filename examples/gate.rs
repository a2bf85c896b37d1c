//! The CI gate through the library, as the command line runs it: a request, its document
//! written by a reporter, the notes to stderr, the verdict as an exit code.
//!
//! `cargo run --example gate -- graphs/msp-delegated-admin.json`

use authpath::error::exit_code;
use authpath::progress::Progress;
use authpath::render::Document;
use authpath::render::sarif::Sarif;
use authpath::request::Answer;
use authpath::request::analysis::{AnalyzeRequest, Settings};
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(file) = std::env::args().nth(1) else {
        eprintln!("usage: gate GRAPH.json");
        return ExitCode::from(2);
    };
    let request = AnalyzeRequest {
        file: file.into(),
        settings: Settings::new(),
        baseline: None,
        limits: Default::default(),
    };
    let outcome = request.run(&Progress::quiet()).and_then(|findings| {
        for note in findings.notes() {
            eprintln!("{note}");
        }
        findings.write(&Sarif, &mut std::io::stdout().lock())?;
        findings.verdict()
    });
    if let Err(e) = &outcome {
        eprint!("{}", e.to_stderr());
    }
    ExitCode::from(exit_code(&outcome))
}
