//! Rendering DOT to SVG or PNG through the system's Graphviz `dot`.

use super::Reporter;
use crate::error::{Error, ErrorKind};
use crate::request::Notes;
use crate::request::analysis::Findings;
use crate::request::query::Overview;
use std::io::Write;
use std::process::{Command, Stdio};

/// Why Graphviz could not render.
#[derive(Debug)]
pub enum GraphvizError {
    /// No `dot` on the PATH.
    NotInstalled,
    /// `dot` ran and failed (its own message).
    Failed(String),
    Io(std::io::Error),
}

impl std::fmt::Display for GraphvizError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GraphvizError::NotInstalled => f.write_str(
                "Graphviz `dot` is not installed, so SVG and PNG cannot be rendered: install it (Debian/Ubuntu: apt-get install graphviz; Fedora: dnf install graphviz; macOS: brew install graphviz), or use --format dot and render elsewhere",
            ),
            GraphvizError::Failed(msg) => write!(f, "Graphviz `dot` failed: {msg}"),
            GraphvizError::Io(e) => write!(f, "cannot run Graphviz `dot`: {e}"),
        }
    }
}

/// Renders `dot_text` to `format` (`svg` or `png`). Warnings `dot` prints are returned with
/// the output so the caller can pass them on.
pub fn render(dot_text: &str, format: &str) -> Result<(Vec<u8>, String), GraphvizError> {
    let mut child = match Command::new("dot")
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(GraphvizError::NotInstalled);
        }
        Err(e) => return Err(GraphvizError::Io(e)),
    };
    // Feed stdin from another thread: a large picture would otherwise fill both pipes.
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| GraphvizError::Io(std::io::Error::other("no stdin for dot")))?;
    let input = dot_text.as_bytes().to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().map_err(GraphvizError::Io)?;
    let fed = feeder.join();
    let warnings = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        return Err(GraphvizError::Failed(warnings.trim().to_owned()));
    }
    if let Ok(Err(e)) = fed {
        return Err(GraphvizError::Io(e));
    }
    Ok((out.stdout, warnings))
}

/// An image format Graphviz renders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Image {
    Svg,
    Png,
}

/// SVG or PNG: every picture the DOT reporter draws, rendered by the system's `dot`.
pub struct Graphviz {
    pub dot: super::dot::Dot,
    pub image: Image,
}

impl Graphviz {
    /// Renders the DOT that `draw` writes; the notes are the picture's and Graphviz's
    /// warnings.
    fn render_with(
        &self,
        out: &mut dyn Write,
        draw: impl FnOnce(&mut dyn Write) -> crate::error::Result<Notes>,
    ) -> crate::error::Result<Notes> {
        let mut dot = Vec::new();
        let mut notes = draw(&mut dot)?;
        let kind = match self.image {
            Image::Svg => "svg",
            Image::Png => "png",
        };
        let text = String::from_utf8_lossy(&dot);
        // The picture's own notes still go out when Graphviz fails.
        let (bytes, warnings) = render(&text, kind)
            .map_err(|e| Error::new(ErrorKind::Tool, e.to_string()).after(&notes))?;
        if !warnings.trim().is_empty() {
            notes.push(warnings.trim_end_matches('\n').to_owned());
        }
        out.write_all(&bytes)?;
        Ok(notes)
    }
}

impl Reporter for Graphviz {
    fn name(&self) -> &'static str {
        match self.image {
            Image::Svg => "svg",
            Image::Png => "png",
        }
    }

    fn findings(&self, doc: &Findings, out: &mut dyn Write) -> crate::error::Result<Notes> {
        self.render_with(out, |w| self.dot.findings(doc, w))
    }

    fn overview(&self, doc: &Overview, out: &mut dyn Write) -> crate::error::Result<Notes> {
        self.render_with(out, |w| self.dot.overview(doc, w))
    }
}
