//! The interactive report as one self-contained HTML file: the page, its stylesheet and its
//! script are compiled into the binary (no network at view time, no third-party code), and
//! the report's data is embedded as JSON that the script reads with `JSON.parse` and writes
//! into the page through `textContent` only. Escaping: every `<`, `>`, `&` and line
//! separator in the JSON is written as a `\u` escape, so no name in a graph can close the
//! data block or open a tag; the title is HTML-escaped.

use super::Reporter;
use crate::error::Result;
use crate::report::Document;
use crate::request::Notes;
use crate::request::analysis::{Diff, Findings};

const CSS: &str = include_str!("report.css");
const JS: &str = include_str!("report.js");

/// `text` safe inside HTML text and attribute values.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// JSON safe inside a `<script>` element: no `</script>`, `<!--` or line separator can
/// appear in it.
fn script_json(doc: &Document) -> String {
    escape_script(&serde_json::to_string(doc).unwrap_or_else(|_| "{}".into()))
}

fn escape_script(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out
}

/// The page.
pub(crate) fn to_html(doc: &Document) -> String {
    let title = escape_html(&doc.title);
    let diff = doc.kind == "diff";
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1 id="title"></h1>
<div class="sub" id="asof"></div>
<div class="cards" id="cards"></div>
<div class="note" id="omitted"></div>
</header>
<main>
<section>
<h2>{findings_title}</h2>
<div class="filters">
<span id="sevs"></span>
<select id="rule" aria-label="rule"><option value="">every rule</option></select>
<select id="org" aria-label="organisation"><option value="*">every organisation</option></select>
<input type="search" id="q" placeholder="search names, ids, rules, sentences" aria-label="search">
<span class="note" id="count"></span>
</div>
<div class="tablewrap"><table><thead><tr id="head"></tr></thead><tbody id="rows"></tbody></table></div>
</section>
<section>
<h2>Path and neighbourhood</h2>
<svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="the selected finding's path"></svg>
<p class="note" id="graph-note"></p>
<div class="legend note"><span>drag to pan, wheel to zoom, click a node for its fields</span><span>thick outline: on the path</span><span>black outline: critical</span><span>faded, dashed: inactive</span>{diff_legend}</div>
<div id="details"></div>
</section>
<section>
<h2>By rule</h2><ul id="rules"></ul>
<h2>Top choke points</h2><ul id="choke"></ul>
<h2>Coverage</h2><ul id="coverage"></ul>
</section>
<section hidden>
<h2>Access changes to critical nodes</h2><ul id="access"></ul>
</section>
</main>
<script type="application/json" id="authpath-data">{data}</script>
<script>{JS}</script>
</body>
</html>
"#,
        findings_title = if diff {
            "New and resolved findings"
        } else {
            "Findings"
        },
        diff_legend = if diff {
            "<span>red: a new path</span>"
        } else {
            ""
        },
        data = script_json(doc),
    )
}

/// The interactive report: an analysis (`report`) or a diff (`diff --format html`).
pub struct Html;

impl Reporter for Html {
    fn name(&self) -> &'static str {
        "html"
    }

    fn findings(&self, doc: &Findings, out: &mut dyn std::io::Write) -> Result<Notes> {
        let page = crate::report::of_analysis(&doc.model, &doc.report, doc.subjects);
        super::put(out, &to_html(&page))
    }

    fn diff(&self, doc: &Diff, out: &mut dyn std::io::Write) -> Result<Notes> {
        let page = crate::report::of_diff(&doc.old, &doc.new, &doc.changes);
        super::put(out, &to_html(&page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_in_the_data_can_close_the_script() {
        assert_eq!(
            escape_html(r#"<b a="x">&'"#),
            "&lt;b a=&quot;x&quot;&gt;&amp;&#39;"
        );
        let json = serde_json::to_string("</script><!--\u{2028}&x").unwrap();
        let safe = escape_script(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        assert!(!safe.contains('\u{2028}'));
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "</script><!--\u{2028}&x");
    }
}
