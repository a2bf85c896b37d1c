//! Baselines: a findings document saved earlier, whose finding ids are accepted as known.

use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::source::Locator;
use std::collections::HashSet;
use std::path::Path;

/// The finding ids of a findings document (`analyze --format json` output), or every
/// problem with its place.
pub fn read_ids(path: &Path) -> Result<HashSet<String>, Diagnostics> {
    let name = path.display().to_string();
    let mut diags = Diagnostics::new(&name);
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    codes::READ_ERROR,
                    None,
                    format!("cannot read the baseline: {e}"),
                )
                .help("write one with `authpath analyze GRAPH --write-baseline FILE`"),
            );
            return Err(diags);
        }
    };
    let doc: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            let span = Locator::new(&text).span_of_error(&e);
            diags.push(
                Diagnostic::error(
                    codes::JSON_SYNTAX,
                    Some(span),
                    format!("invalid JSON: {}", crate::load::strip_position(&e)),
                )
                .help("a baseline is the output of `analyze --format json` (or --write-baseline)"),
            );
            return Err(diags);
        }
    };
    let Some(findings) = doc.get("findings").and_then(|f| f.as_array()) else {
        diags.push(
            Diagnostic::error(
                codes::BASELINE_NO_FINDINGS,
                None,
                "the baseline has no `findings` array",
            )
            .help("a baseline is the output of `analyze --format json` (or --write-baseline)"),
        );
        return Err(diags);
    };
    let mut ids = HashSet::new();
    for (i, f) in findings.iter().enumerate() {
        match f.get("id").and_then(|id| id.as_str()) {
            Some(id) => {
                ids.insert(id.to_owned());
            }
            None => diags.push(Diagnostic::error(
                codes::BASELINE_FINDING_ID,
                None,
                format!("findings[{i}] has no string `id`"),
            )),
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(ids)
    }
}
