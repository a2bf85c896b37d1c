//! The command line: parses the arguments (`args`), turns them into the library's request,
//! runs it, and writes the answer with the reporter of the chosen format. What the library
//! says besides the answer (notes, warnings) goes to standard error; the outcome becomes an
//! exit code in one place, `crate::error::exit_code`.

mod args;
mod pages;

pub use args::*;

use crate::error::{Error, ErrorKind, Result, Verdict, exit_code};
use crate::picture::PictureOptions;
use crate::progress::Progress;
use crate::render::dot::Dot;
use crate::render::graphviz::{Graphviz, Image};
use crate::render::html::Html;
use crate::render::json::Json;
use crate::render::sarif::Sarif;
use crate::render::text::Text;
use crate::render::{Document, Reporter, query};
use crate::request::analysis::Findings;
use crate::request::convert::{Imported, ValidateRequest};
use crate::request::{Answer, Limits, Notes};
use clap::Parser;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::output::exit_cleanly_on_interrupt();
    ExitCode::from(run(cli))
}

/// Runs a parsed command and returns its exit code.
pub fn run(cli: Cli) -> u8 {
    let invocation = Invocation {
        progress: Progress::new(cli.quiet),
        limits: cli.limits.limits(),
    };
    let outcome = invocation.command(&cli.command);
    if let Err(e) = &outcome {
        stderr(&e.to_stderr());
    }
    exit_code(&outcome)
}

/// Every command's `--format` as the one `Format` that chooses a reporter.
macro_rules! kinds {
    ($($from:ident: $($variant:ident)*;)*) => {
        $(impl From<$from> for Format {
            fn from(f: $from) -> Format {
                match f {
                    $($from::$variant => Format::$variant,)*
                }
            }
        })*
    };
}

kinds! {
    DiffFormat: Text Json Sarif Dot Html;
    QueryFormat: Text Json Dot;
    PictureFormat: Dot Svg Png;
}

/// The format asked for, else text for a person at a terminal and JSON for a program.
fn chosen<F: Into<Format>>(format: Option<F>, output: Option<&Path>) -> Format {
    format.map_or_else(
        || {
            if output.is_none() && std::io::stdout().is_terminal() {
                Format::Text
            } else {
                Format::Json
            }
        },
        Into::into,
    )
}

/// The reporter of `kind`; pictures are narrowed by `picture`.
fn reporter(
    kind: Format,
    output: Option<&Path>,
    picture: PictureOptions,
) -> Result<Box<dyn Reporter>> {
    let to_terminal = output.is_none() && std::io::stdout().is_terminal();
    let dot = Dot { options: picture };
    Ok(match kind {
        // Colour only for a terminal, and never when NO_COLOR is set to anything non-empty.
        Format::Text => Box::new(Text {
            color: to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }),
        Format::Json => Box::new(Json),
        Format::Sarif => Box::new(Sarif),
        Format::Html => Box::new(Html),
        Format::Dot => Box::new(dot),
        Format::Svg => Box::new(Graphviz {
            dot,
            image: Image::Svg,
        }),
        Format::Png if to_terminal => {
            return Err(Error::new(
                ErrorKind::Usage,
                "PNG is binary and standard output is a terminal: write it with -o FILE.png",
            ));
        }
        Format::Png => Box::new(Graphviz {
            dot,
            image: Image::Png,
        }),
    })
}

/// Writes to standard error; a closed one is no reason to fail (the exit code still says
/// how the command went), so nothing here can panic.
fn stderr(text: &str) {
    let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), text.as_bytes());
}

/// Notes and warnings for standard error.
fn say(notes: &Notes) {
    for n in notes {
        stderr(&format!("{n}\n"));
    }
}

/// Writes `bytes` to `path` (atomically) or to standard output.
fn write(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    written(
        path,
        crate::output::emit_with(path, &mut |w| w.write_all(bytes)),
    )
}

/// An I/O failure of writing `path`, with the target named.
fn written(path: Option<&Path>, result: std::io::Result<()>) -> Result<()> {
    result.map_err(|e| {
        let target = path.map_or("standard output".into(), |p| p.display().to_string());
        Error::new(ErrorKind::Io, format!("cannot write {target}: {e}"))
    })
}

/// What every command of one run shares.
struct Invocation {
    progress: Progress,
    limits: Limits,
}

impl Invocation {
    fn command(&self, command: &Command) -> Result<Verdict> {
        let (l, p) = (self.limits, &self.progress);
        match command {
            Command::Validate { files, strict } => self.validate(files, *strict),
            Command::Analyze(a) => self.analyze(a),
            Command::Report(a) => {
                let doc = a.request(l).run(p)?;
                say(&doc.notes());
                let _p = p.phase("writing the report");
                self.emit(a.output.as_deref(), &doc, &Html)?;
                Ok(Verdict::Pass)
            }
            Command::Dot(a) => {
                let picture = a.focus.picture(None);
                let reporter = reporter(a.format.into(), a.output.as_deref(), picture)?;
                self.finish(a.output.as_deref(), &a.request(l).run(p)?, &*reporter)
            }
            Command::Diff(a) => {
                let out = a.output.as_deref();
                let reporter = reporter(chosen(a.format, out), out, PictureOptions::default())?;
                self.finish(out, &a.request(l).run(p)?, &*reporter)
            }
            Command::BlastRadius(a) => self.answer(&a.query, &a.request(l).run(p)?),
            Command::WhoCan(a) => self.answer(&a.query, &a.request(l).run(p)?),
            Command::Path(a) => self.answer(&a.query, &a.request(l).run(p)?),
            Command::Cut(a) => self.answer(&a.query, &a.request(l).run(p)?),
            Command::Import(ImportCommand::K8s(a)) => {
                self.imported(a.output.as_deref(), a.request().run(p)?)
            }
            Command::Import(ImportCommand::AwsIam(a)) => {
                self.imported(a.output.as_deref(), a.request().run(p)?)
            }
            Command::Import(ImportCommand::Entra(a)) => {
                self.imported(a.output.as_deref(), a.request().run(p)?)
            }
            Command::Import(ImportCommand::Estate(a)) => {
                self.imported(a.output.as_deref(), a.request().run(p)?)
            }
            Command::Import(ImportCommand::Opengraph(a)) => {
                let imported = a.request().run(p)?;
                if let (Some(path), Some(list)) = (&a.skipped, &imported.skipped) {
                    crate::output::write_atomic(path, list.as_bytes()).map_err(|e| {
                        Error::new(
                            ErrorKind::Io,
                            format!("cannot write {}: {e}", path.display()),
                        )
                    })?;
                }
                self.imported(a.output.as_deref(), imported)
            }
            Command::Export(ExportCommand::Opengraph(a)) => {
                let input = a.common.request(l).run(p)?;
                say(&input.notes);
                let (doc, notes) = input.opengraph(p);
                say(&notes);
                if let Some(ext) = &a.extension {
                    let bytes = crate::export::opengraph::extension();
                    crate::output::write_atomic(ext, bytes.as_bytes()).map_err(|e| {
                        let message = format!("cannot write {}: {e}", ext.display());
                        Error::new(ErrorKind::Io, message)
                    })?;
                }
                write(a.output.as_deref(), doc.as_bytes())?;
                Ok(Verdict::Pass)
            }
            Command::Export(ExportCommand::Cypher(a)) => {
                let input = a.common.request(l).run(p)?;
                say(&input.notes);
                let notes = input.cypher(&a.output, p)?;
                self.summary(&notes);
                Ok(Verdict::Pass)
            }
            Command::Explain { code } => {
                write(None, crate::manual::explain_text(code)?.as_bytes())?;
                Ok(Verdict::Pass)
            }
            Command::Completions { shell } => {
                write(None, &pages::completions(*shell))?;
                Ok(Verdict::Pass)
            }
            Command::Man { output } => man(output.as_deref()),
            Command::Schema {
                findings,
                policy,
                estate,
                query,
                output,
            } => {
                let text = match (query, findings, policy) {
                    _ if *estate => crate::schema::estate_schema_json(),
                    (Some(q), _, _) => query::query_schema(q).unwrap_or_default(),
                    (None, true, _) => crate::render::json::findings_schema_json(),
                    (None, false, true) => crate::schema::policy_schema_json(),
                    (None, false, false) => crate::schema::graph_schema_json(),
                };
                write(output.as_deref(), text.as_bytes())?;
                Ok(Verdict::Pass)
            }
        }
    }

    /// `analyze`: the findings in any format; without a cap, JSON is streamed in bounded
    /// memory. `--write-baseline` saves every finding before `--baseline` takes some out.
    fn analyze(&self, a: &AnalyzeArgs) -> Result<Verdict> {
        let out = a.output.as_deref();
        let kind = chosen(a.format, out);
        let reporter = reporter(kind, out, a.picture())?;
        let request = a.request(self.limits);
        let save = |doc: &Findings| match &a.write_baseline {
            Some(path) => self.emit(Some(path), doc, &Json),
            None => Ok(()),
        };
        let doc = if request.settings.max_findings == 0 && kind == Format::Json {
            // Streamed: the baseline was taken out as the findings were written.
            let doc = request.run_streamed(&self.progress, crate::render::json::finding_lines)?;
            save(&doc)?;
            doc
        } else {
            request.run_saving(&self.progress, save)?
        };
        self.finish(out, &doc, &*reporter)
    }

    /// An incident-response answer in its chosen format.
    fn answer(&self, q: &QueryArgs, doc: &dyn Document) -> Result<Verdict> {
        let out = q.output.as_deref();
        let reporter = reporter(chosen(q.format, out), out, q.picture())?;
        self.finish(out, doc, &*reporter)
    }

    /// The document's notes, the document, then its verdict.
    fn finish(&self, out: Option<&Path>, doc: &dyn Document, r: &dyn Reporter) -> Result<Verdict> {
        say(&doc.notes());
        self.emit(out, doc, r)?;
        doc.verdict()
    }

    /// Writes `doc` with `reporter` to `path` (atomically) or to standard output; nothing is
    /// written when the reporter refuses it.
    fn emit(&self, path: Option<&Path>, doc: &dyn Document, reporter: &dyn Reporter) -> Result<()> {
        let mut notes = Vec::new();
        let mut refused = None;
        let result = crate::output::emit_with(path, &mut |w| match doc.write(reporter, w) {
            Ok(n) => {
                notes = n;
                Ok(())
            }
            // An I/O error keeps its kind, so that a closed pipe stays no error.
            Err(e) => Err(match e.io_kind() {
                Some(kind) => std::io::Error::new(kind, e.to_string()),
                None => std::io::Error::other(refused.insert(e).to_string()),
            }),
        });
        say(&notes);
        match refused {
            Some(e) => Err(e),
            None => written(path, result),
        }
    }

    /// An importer's graph file, its warnings and (unless quiet) what it read.
    fn imported(&self, out: Option<&Path>, imported: Imported) -> Result<Verdict> {
        say(&imported.problems);
        write(out, imported.graph.as_bytes())?;
        self.summary(&imported.summary);
        Ok(Verdict::Pass)
    }

    /// Lines saying what a command did, silenced by `--quiet`.
    fn summary(&self, notes: &Notes) {
        if !self.progress.is_quiet() {
            say(notes);
        }
    }

    /// `validate`: each file's summary or every problem, all files checked.
    fn validate(&self, files: &[PathBuf], strict: bool) -> Result<Verdict> {
        let mut failed = None;
        for (i, file) in files.iter().enumerate() {
            let request = ValidateRequest {
                file: file.clone(),
                strict,
                limits: self.limits,
            };
            match request.run(&self.progress) {
                Ok(v) => {
                    say(&v.warnings);
                    write(None, format!("{}\n", v.summary).as_bytes())?;
                    if i + 1 == files.len() {
                        // Freeing millions of small allocations one by one takes a noticeable
                        // share of a large file's run; the process is about to exit.
                        std::mem::forget(v.graph);
                    }
                }
                Err(e) => {
                    stderr(&e.to_stderr());
                    failed = Some(e.kind());
                }
            }
        }
        match failed {
            // Every problem was said file by file above.
            Some(kind) => Err(Error::already_said(kind)),
            None => Ok(Verdict::Pass),
        }
    }
}

/// `man`: the main page to standard output, or every page into a directory.
fn man(dir: Option<&Path>) -> Result<Verdict> {
    match dir {
        None => write(None, &pages::man_pages()[0].1)?,
        Some(dir) => {
            let paths = pages::write_man_pages(dir).map_err(|e| {
                let message = format!("cannot write man pages into {}: {e}", dir.display());
                Error::new(ErrorKind::Io, message)
            })?;
            say(&vec![format!(
                "authpath: wrote {} man pages into {}",
                paths.len(),
                dir.display()
            )]);
        }
    }
    Ok(Verdict::Pass)
}
