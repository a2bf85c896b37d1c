//! Places in a text: byte offsets turned into the 1-based line and character column a
//! person's editor shows.

use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::model::Span;
use std::path::Path;

/// The bytes of an input file, or standard input for `-`; a failure is a problem naming
/// the file, with what to check.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, Diagnostics> {
    let name = path.display().to_string();
    let read = if name == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map(|_| buf)
    } else {
        std::fs::read(path)
    };
    read.map_err(|e| {
        let help = match e.kind() {
            std::io::ErrorKind::NotFound => "check the path",
            std::io::ErrorKind::PermissionDenied => "check the file's permissions",
            _ => "check that the path names a readable file",
        };
        let mut d = Diagnostics::new(name);
        d.push(
            Diagnostic::error(
                codes::READ_ERROR,
                None,
                format!("cannot read the file: {e}"),
            )
            .help(help),
        );
        d
    })
}

/// An input file's text (`-`: standard input): UTF-8, or a problem at the first byte that
/// is not.
pub(crate) fn read_text(path: &Path) -> Result<String, Diagnostics> {
    let bytes = read_bytes(path)?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let text = std::str::from_utf8(&bytes[..valid]).unwrap_or("");
        let mut d = Diagnostics::new(path.display().to_string());
        d.push(
            Diagnostic::error(
                codes::NOT_UTF8,
                Some(Locator::new(text).span(valid)),
                format!("the file is not UTF-8 (at byte offset {valid})"),
            )
            .help("save the file as UTF-8"),
        );
        d
    })
}

/// Turns byte offsets in the input into 1-based lines and character columns. Offsets are
/// asked for mostly in increasing order, so it walks forward from the last answer instead of
/// rescanning: a one-line (minified) file stays linear.
#[derive(Clone)]
pub struct Locator<'a> {
    text: &'a str,
    offset: usize,
    line: u32,
    line_start: usize,
    column: u32,
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a str) -> Locator<'a> {
        Locator {
            text,
            offset: 0,
            line: 1,
            line_start: 0,
            column: 1,
        }
    }

    /// The byte offset of `part` inside the text; `part` must be a sub-slice of it.
    pub(crate) fn offset_of(&self, part: &str) -> usize {
        (part.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize)
    }

    pub(crate) fn span_of(&mut self, part: &str) -> Span {
        let at = self.offset_of(part);
        self.span(at)
    }

    pub fn span(&mut self, offset: usize) -> Span {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            *self = Locator::new(self.text);
        }
        let bytes = &self.text.as_bytes()[self.offset..offset];
        let newlines = memchr::memchr_iter(b'\n', bytes).count();
        if newlines == 0 {
            self.column += count_chars(bytes);
        } else {
            let last = memchr::memrchr(b'\n', bytes).unwrap_or(0);
            self.line = self.line.saturating_add(newlines as u32);
            self.line_start = self.offset + last + 1;
            self.column = 1 + count_chars(&self.text.as_bytes()[self.line_start..offset]);
        }
        self.offset = offset;
        Span {
            line: self.line,
            column: self.column,
        }
    }

    /// The place a `serde_json` error names (its line, and its column in bytes) as a span.
    pub(crate) fn span_of_error(&mut self, err: &serde_json::Error) -> Span {
        let at = self.offset_of_error(err);
        self.span(at)
    }

    /// The byte offset `span_of_error` points at.
    pub(crate) fn offset_of_error(&self, err: &serde_json::Error) -> usize {
        if err.is_eof() {
            return self.text.len();
        }
        let target_line = err.line().max(1);
        let mut start = 0usize;
        for (n, pos) in memchr::memchr_iter(b'\n', self.text.as_bytes()).enumerate() {
            if n + 2 > target_line {
                break;
            }
            start = pos + 1;
        }
        // serde_json counts columns in bytes and, for most errors, 1-based at the offending
        // byte; errors raised while reading inside a string are 0-based instead.
        let column = if err.to_string().starts_with("control character") {
            err.column()
        } else {
            err.column().saturating_sub(1)
        };
        let mut at = (start + column).min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }
}

fn count_chars(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count() as u32
}

/// How a TOML value is named in messages (the policy, the estate manifest and the
/// OpenGraph mapping readers all say it the same way).
pub(crate) fn toml_type(v: &toml::de::DeValue<'_>) -> &'static str {
    match v {
        toml::de::DeValue::String(_) => "a string",
        toml::de::DeValue::Integer(_) => "an integer",
        toml::de::DeValue::Float(_) => "a float",
        toml::de::DeValue::Boolean(_) => "a boolean",
        toml::de::DeValue::Datetime(_) => "a date-time",
        toml::de::DeValue::Array(_) => "an array",
        toml::de::DeValue::Table(_) => "a table",
    }
}

/// The `.json` files of a directory in name order, or the one file `path` names: the AWS
/// CLI answers an estate source points at.
pub(crate) fn json_files(path: &Path) -> Result<Vec<std::path::PathBuf>, Diagnostics> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    match std::fs::read_dir(path) {
        Ok(entries) => {
            let mut files: Vec<std::path::PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            files.sort();
            Ok(files)
        }
        Err(e) => {
            let mut d = Diagnostics::new(path.display().to_string());
            d.push(
                Diagnostic::error(
                    codes::READ_ERROR,
                    None,
                    format!("cannot read the directory: {e}"),
                )
                .help("check the path"),
            );
            Err(d)
        }
    }
}

/// Reads every `.json` file under `path` (a file or a directory) and hands each one's name
/// and text to `read`, which returns its problems; returns how many files there were and
/// every problem worth showing.
pub(crate) fn read_json_files(
    path: &Path,
    mut read: impl FnMut(&str, &str) -> Diagnostics,
) -> (usize, Vec<Diagnostics>) {
    let mut problems = Vec::new();
    let files = json_files(path).unwrap_or_else(|d| {
        problems.push(d);
        Vec::new()
    });
    for f in &files {
        let name = f.display().to_string();
        match read_text(f) {
            Ok(text) => {
                let d = read(&name, &text);
                if d.error_count() + d.warning_count() > 0 {
                    problems.push(d);
                }
            }
            Err(e) => problems.push(e),
        }
    }
    (files.len(), problems)
}

/// A string field of a JSON answer.
pub(crate) fn str_of<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(serde_json::Value::as_str)
}

/// The JSON answers of one file: one value, an array of them, or several one after
/// another; `None` (the error at its line and column pushed to `d`) when the JSON is broken.
pub(crate) fn json_answers(text: &str, d: &mut Diagnostics) -> Option<Vec<serde_json::Value>> {
    let mut values = Vec::new();
    for v in serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>() {
        match v {
            Ok(serde_json::Value::Array(items)) => values.extend(items),
            Ok(v) => values.push(v),
            Err(e) => {
                d.push(
                    Diagnostic::error(
                        codes::JSON_SYNTAX,
                        Some(Locator::new(text).span_of_error(&e)),
                        format!("invalid JSON: {}", strip_position(&e)),
                    )
                    .help("save the AWS CLI's answer as it printed it (--output json)"),
                );
                return None;
            }
        }
    }
    Some(values)
}

/// A `serde_json` message without the " at line L column C" it appends, for when the caller
/// names the place itself.
pub(crate) fn strip_position(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locator_counts_lines_and_characters() {
        let text = "{\n  \"é\": 1,\n  \"b\": 2}";
        let mut loc = Locator::new(text);
        assert_eq!(loc.span(0), Span { line: 1, column: 1 });
        let b = text.find("\"b\"").unwrap();
        assert_eq!(loc.span(b), Span { line: 3, column: 3 });
        let e = text.find('1').unwrap();
        // Going backwards restarts the walk and still answers right; é is one column.
        assert_eq!(loc.span(e), Span { line: 2, column: 8 });
    }
}
