//! `--format json`: the findings document of RULES.md.

use super::Renderer;
use crate::analyze::{AsOfSource, Report};
use crate::findings::{Finding, Rule, Severity, Summary};
use crate::model::{EdgeKind, Level};
use schemars::{JsonSchema, Schema};
use serde::Serialize;

/// The findings document.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "authpath findings document", deny_unknown_fields)]
pub struct FindingsDocument<'a> {
    /// Always 1.
    #[schemars(extend("const" = 1))]
    pub schema_version: u32,
    pub tool: Tool,
    /// The instant of judgement, UTC.
    #[schemars(extend("pattern" = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?Z$"))]
    pub as_of: String,
    pub as_of_source: AsOfSource,
    pub graph: GraphCounts,
    pub summary: Summary,
    pub findings: Vec<FindingOut<'a>>,
    /// With a policy whose waivers accept findings: those findings, reported but not
    /// counted in `summary` or towards `--fail-on`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<Vec<FindingOut<'a>>>,
    /// With `--baseline`: how many findings the baseline removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baselined: Option<usize>,
}

/// The waiver that names a finding.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct WaiverOut<'a> {
    pub reason: &'a str,
    pub owner: &'a str,
    pub expires: String,
    /// An expired waiver no longer waives: the finding counts again.
    pub expired: bool,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Tool {
    #[schemars(extend("const" = "authpath"))]
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct GraphCounts {
    pub nodes: usize,
    pub edges: usize,
}

/// One finding. Every key is always present.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FindingOut<'a> {
    /// `ap-` and 16 lowercase hex digits; stable across runs and graph changes.
    #[schemars(extend("pattern" = "^ap-[0-9a-f]{16}$"))]
    pub id: &'a str,
    #[schemars(transform = rule_names)]
    pub rule: &'static str,
    pub severity: Severity,
    pub subject: &'a str,
    pub target: Option<&'a str>,
    pub level: Option<Level>,
    pub reasons: &'a [String],
    pub nodes: &'a [String],
    pub path: &'a [String],
    pub path_edges: &'a [EdgeKind],
    pub message: &'a str,
    /// Present only when a policy waiver names the finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverOut<'a>>,
}

fn rule_names(schema: &mut Schema) {
    let names: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
    schema.insert("enum".into(), serde_json::json!(names));
}

impl<'a> FindingOut<'a> {
    pub fn of(f: &'a Finding) -> FindingOut<'a> {
        FindingOut {
            id: &f.id,
            rule: f.rule.name(),
            severity: f.severity,
            subject: &f.subject,
            target: f.target.as_deref(),
            level: f.level,
            reasons: &f.reasons,
            nodes: &f.nodes,
            path: &f.path,
            path_edges: &f.path_edges,
            message: &f.message,
            waiver: f.waiver.as_ref().map(|w| WaiverOut {
                reason: &w.reason,
                owner: &w.owner,
                expires: w.expires.to_string(),
                expired: w.expired,
            }),
        }
    }
}

pub fn document(report: &Report) -> FindingsDocument<'_> {
    FindingsDocument {
        schema_version: 1,
        tool: Tool {
            name: "authpath",
            version: env!("CARGO_PKG_VERSION"),
        },
        as_of: report.as_of.to_string(),
        as_of_source: report.as_of_source,
        graph: GraphCounts {
            nodes: report.nodes,
            edges: report.edges,
        },
        summary: report.summary(),
        findings: report.findings.iter().map(FindingOut::of).collect(),
        waived: (!report.waived.is_empty())
            .then(|| report.waived.iter().map(FindingOut::of).collect()),
        baselined: report.baselined,
    }
}

pub struct Json;

impl Renderer for Json {
    fn render(&self, report: &Report) -> String {
        let mut text = serde_json::to_string_pretty(&document(report)).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// The JSON Schema of the findings document (`authpath schema --findings`).
pub fn findings_schema_json() -> String {
    let schema = schemars::schema_for!(FindingsDocument<'static>);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
