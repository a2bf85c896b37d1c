//! The documentation the binary carries: `explain` (a rule's or reason code's section of
//! docs/rules.md, or a diagnostic code's row of docs/diagnostics.md, compiled in, so they
//! cannot drift). Completions and man pages are generated from the command line's
//! definition (`cli::pages`).

/// docs/rules.md, as built into the binary.
pub(crate) const RULES_MD: &str = include_str!("../docs/rules.md");

/// A section of docs/rules.md: its heading's code and its text (heading included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub code: String,
    /// For a reason code, the rule whose section holds it.
    pub rule: Option<String>,
    pub text: String,
}

/// A heading's level, and its code when it is exactly a backticked code.
fn heading(line: &str) -> Option<(usize, Option<&str>)> {
    let level = line.bytes().take_while(|b| *b == b'#').count();
    let rest = line[level..].strip_prefix(' ')?;
    let code = rest
        .trim()
        .strip_prefix('`')
        .and_then(|r| r.strip_suffix('`'));
    (level > 0).then_some((level, code))
}

/// Every rule section (a level-3 heading that is a code) and reason section (level 4) of
/// docs/rules.md, in order. A section runs to the next heading of its level or above, so a
/// rule's section holds its reasons'.
pub fn sections() -> Vec<Section> {
    let lines: Vec<&str> = RULES_MD.lines().collect();
    let heads: Vec<(usize, usize, Option<&str>)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| heading(l).map(|(level, code)| (i, level, code)))
        .collect();
    let mut out = Vec::new();
    let mut rule: Option<&str> = None;
    for (k, &(start, level, code)) in heads.iter().enumerate() {
        if level <= 3 {
            rule = if level == 3 { code } else { None };
        }
        let Some(code) = code.filter(|_| matches!(level, 3 | 4)) else {
            continue;
        };
        let end = heads[k + 1..]
            .iter()
            .find(|h| h.1 <= level)
            .map_or(lines.len(), |h| h.0);
        let mut text = lines[start..end].join("\n");
        text.push('\n');
        out.push(Section {
            code: code.to_owned(),
            rule: (level == 4).then(|| rule.unwrap_or_default().to_owned()),
            text,
        });
    }
    out
}

/// The sections `explain CODE` prints: a rule's section (its reasons included), or every
/// section of a reason code (a code two rules share gives both). `unused:SCOPE` and
/// `assert:NAME` find their families' sections.
pub fn explain(code: &str) -> Vec<String> {
    let family = match code.split_once(':') {
        Some(("unused", _)) => "unused:<scope>",
        Some(("assert", _)) => "assert:<name>",
        _ => code,
    };
    sections()
        .into_iter()
        .filter(|s| s.code == family)
        .map(|s| match &s.rule {
            Some(r) => format!("(a reason code of `{r}`)\n\n{}", s.text),
            None => s.text,
        })
        .collect()
}

const DIAGNOSTICS_MD: &str = include_str!("../docs/diagnostics.md");

/// A diagnostic code's row of docs/diagnostics.md, in words: severity, meaning, fix.
fn explain_diagnostic(code: &str) -> Option<String> {
    let known = crate::diagnostics::codes::ALL
        .iter()
        .find(|c| c.name() == code)?;
    let row = format!("| `{code}` |");
    let cells: Vec<&str> = DIAGNOSTICS_MD
        .lines()
        .find(|l| l.starts_with(&row))?
        .trim_matches('|')
        .split(" | ")
        .map(str::trim)
        .collect();
    let [_, _, meaning, fix] = cells[..] else {
        return Some(format!(
            "{code} ({:?})\n\n{}\n",
            known.severity(),
            known.meaning()
        ));
    };
    let severity = match known.severity() {
        crate::diagnostics::Severity::Error => "error: the command stops (exit 2)",
        crate::diagnostics::Severity::Warning => "warning: the command goes on",
    };
    Some(format!(
        "### `{code}` (a diagnostic code; {severity})\n\n{meaning}\n\nFix: {fix}\n"
    ))
}

/// `explain CODE`: a rule's or reason code's sections, or a diagnostic code's meaning and
/// fix; a usage error naming the nearest code otherwise.
pub fn explain_text(code: &str) -> crate::error::Result<String> {
    let sections = explain(code);
    if !sections.is_empty() {
        return Ok(sections.join("\n"));
    }
    if let Some(text) = explain_diagnostic(code) {
        return Ok(text);
    }
    let codes = codes();
    let diagnostics = crate::diagnostics::codes::ALL.iter().map(|c| c.name());
    let hint =
        crate::diagnostics::did_you_mean(code, codes.iter().map(String::as_str).chain(diagnostics))
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
    Err(crate::error::Error::new(
        crate::error::ErrorKind::Usage,
        format!(
            "`{code}` is no rule, reason or diagnostic code{hint}\n  help: the rule and reason codes are: {}; a diagnostic code is the `[code]` that ends a problem's first line",
            codes.join(", ")
        ),
    ))
}

/// Every code `explain` knows, rules first, in the document's order.
pub fn codes() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in sections() {
        if !out.contains(&s.code) {
            out.push(s.code);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_diagnostic_code_is_explained_with_its_fix() {
        for code in crate::diagnostics::codes::ALL {
            let text = super::explain_text(code.name()).unwrap();
            assert!(text.contains("a diagnostic code"), "{text}");
            assert!(text.contains("Fix: "), "{}: {text}", code.name());
            assert!(
                !text.contains(" | "),
                "{}: a cell was not split: {text}",
                code.name()
            );
        }
        let json = super::explain_text("json-syntax").unwrap();
        assert!(
            json.contains("not valid JSON") && json.contains("exit 2"),
            "{json}"
        );
        let near = super::explain_text("json-syntx").unwrap_err().to_string();
        assert!(near.contains("did you mean `json-syntax`"), "{near}");
    }
}
