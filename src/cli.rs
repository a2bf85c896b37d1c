//! The command line: clap types, and the dispatch from a parsed command to the library.

use crate::analyze::{AsOfSource, Options, analyze};
use crate::findings::Severity;
use crate::load::{Loaded, load_path_with};
use crate::model::Graph;
use crate::output;
use crate::render::Renderer;
use crate::rules::Subjects;
use crate::timestamp::Timestamp;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit codes of every command (docs/rules.md).
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
    /// No progress on stderr (it only ever appears on a terminal, for phases over a second).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Bounds on what one run loads and writes, so that no input exhausts memory
/// (docs/format.md, "Size limits").
#[derive(Clone, Copy, Debug, clap::Args)]
#[command(next_help_heading = "Limits")]
pub struct LimitArgs {
    /// Refuse a graph with more nodes than this (exit 2, before building anything)
    #[arg(long, global = true, value_name = "N", default_value_t = crate::load::DEFAULT_MAX_NODES)]
    pub max_graph_nodes: usize,
    /// Refuse a graph with more edges than this (exit 2, before building anything)
    #[arg(long, global = true, value_name = "N", default_value_t = crate::load::DEFAULT_MAX_EDGES)]
    pub max_graph_edges: usize,
    /// The paths written hold at most this many node ids in all: analyze shows the findings
    /// that fit (all are counted, the verdict unchanged); blast-radius and who-can refuse an
    /// answer that needs more (exit 2)
    #[arg(long, global = true, value_name = "N", default_value_t = crate::rules::DEFAULT_MAX_PATH_NODES)]
    pub max_path_nodes: usize,
}

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
static LIMITS: std::sync::OnceLock<LimitArgs> = std::sync::OnceLock::new();

/// The limits of this run (the defaults when `run` was not given any).
fn limits() -> LimitArgs {
    LIMITS.get().copied().unwrap_or(LimitArgs {
        max_graph_nodes: crate::load::DEFAULT_MAX_NODES,
        max_graph_edges: crate::load::DEFAULT_MAX_EDGES,
        max_path_nodes: crate::rules::DEFAULT_MAX_PATH_NODES,
    })
}

fn load_limits() -> crate::load::Limits {
    let l = limits();
    crate::load::Limits {
        nodes: l.max_graph_nodes,
        edges: l.max_graph_edges,
    }
}

fn phase(message: &str) -> crate::progress::Phase {
    crate::progress::Phase::start(message, QUIET.load(std::sync::atomic::Ordering::Relaxed))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check graph files against the format; print a one-line summary per valid file, or
    /// every problem found (exit 2).
    #[command(
        after_help = "Examples:\n  authpath validate graphs/msp-delegated-admin.json\n  authpath validate --strict graph.json   # warnings (a near-miss key) fail too"
    )]
    Validate {
        /// Graph files to check; `-` reads standard input.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Treat warnings as errors (exit 2): a near-miss key such as `expires` for
        /// `expires_at`, an owner naming no node, a missing `as_of`.
        #[arg(long)]
        strict: bool,
    },
    /// Run every rule over a graph and report the findings (exit 1 when any is at or above
    /// --fail-on).
    #[command(
        after_help = "Examples:\n  authpath analyze graph.json --format sarif -o authpath.sarif\n  authpath analyze graph.json --fail-on critical --strict --policy authpath.toml"
    )]
    Analyze(AnalyzeArgs),
    /// Write one self-contained HTML file to explore the findings in a browser: the
    /// headline, a filterable findings table, each finding's path and neighbourhood, and
    /// nodes' fields, blast radius and who-can (viewing it needs no network).
    #[command(
        after_help = "Examples:\n  authpath report graph.json -o report.html\n  authpath report graph.json --policy authpath.toml --now 2026-11-01T00:00:00Z -o report.html"
    )]
    Report(ReportArgs),
    /// Compare two versions of a graph: new and resolved findings, access to critical nodes
    /// that appeared, rose, fell or vanished, and what changed (exit 1 on a new finding at or
    /// above --fail-on, or when an external subject gains access to a critical node).
    #[command(
        after_help = "Examples:\n  authpath diff main.json branch.json --format text\n  authpath diff main.json branch.json --format sarif -o diff.sarif"
    )]
    Diff(DiffArgs),
    /// Everything one or more compromised nodes reach, at what level, and how.
    #[command(
        after_help = "Examples:\n  authpath blast-radius graph.json --from key:ak-1 --format text\n  authpath blast-radius graph.json --from key:ak-1,svc:sync --min-level admin --kind resource"
    )]
    BlastRadius(BlastArgs),
    /// Every subject that reaches a node at least at a level, with its path.
    #[command(
        after_help = "Examples:\n  authpath who-can graph.json --reach db:prod --format text\n  authpath who-can graph.json --reach db:prod --level admin --subjects all   # people too"
    )]
    WhoCan(WhoCanArgs),
    /// The effective level from one node to another and the simple paths between them.
    #[command(
        after_help = "Examples:\n  authpath path graph.json --from partner:acme --to db:prod\n  authpath path graph.json --from partner:acme --to db:prod --max 10 --format json"
    )]
    Path(PathArgs),
    /// The cheapest set of edges to revoke so that no source reaches any target (a minimum
    /// cut), verified by re-running reachability.
    #[command(
        after_help = "Examples:\n  authpath cut graph.json --from partner:acme --to db:prod\n  authpath cut graph.json --from partner:acme --cost member_of=1,grants=5 --format json"
    )]
    Cut(CutArgs),
    /// Draw the graph as Graphviz DOT (or SVG/PNG through Graphviz): one cluster per
    /// organisation, shapes by kind, critical and inactive nodes marked.
    #[command(
        after_help = "Examples:\n  authpath dot graph.json -o graph.dot\n  authpath dot graph.json --format svg --focus db:prod --depth 2 -o prod.svg"
    )]
    Dot(DotArgs),
    /// Turn another system's description of access into a graph file (see docs/k8s-import.md,
    /// docs/aws-import.md, docs/interop.md).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write a graph (and its findings) for other tools: BloodHound's OpenGraph, or the
    /// bulk-load CSV files of Neo4j and Amazon Neptune with openCypher queries (see
    /// docs/interop.md).
    #[command(subcommand)]
    Export(ExportCommand),
    /// Print what a rule or reason code means, when it fires and how to fix it (the section
    /// of docs/rules.md, built in).
    #[command(
        after_help = "Examples:\n  authpath explain transitive-privilege\n  authpath explain outlives-contract"
    )]
    Explain {
        /// A rule (`transitive-privilege`) or reason code (`no-owner`, `unused:SCOPE`,
        /// `assert:NAME`).
        #[arg(value_name = "RULE|REASON")]
        code: String,
    },
    /// Print a shell completion script (for example: `authpath completions bash >
    /// /etc/bash_completion.d/authpath`).
    #[command(
        after_help = "Examples:\n  authpath completions bash > /etc/bash_completion.d/authpath\n  authpath completions zsh > ~/.zfunc/_authpath"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, or with `-o DIR` write one page per command into DIR.
    #[command(
        after_help = "Examples:\n  authpath man | man -l -\n  authpath man -o /usr/local/share/man/man1"
    )]
    Man {
        /// Write `authpath.1` and a page per command (`authpath-analyze.1`, …) into this
        /// directory.
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: Option<PathBuf>,
    },
    /// Print a JSON Schema: of the graph format (default, for editors) or of the findings
    /// document.
    #[command(
        after_help = "Examples:\n  authpath schema -o authpath-graph.schema.json\n  authpath schema --findings\n  authpath schema --query who-can"
    )]
    Schema {
        /// The schema of `analyze --format json` instead of the graph format.
        #[arg(long, conflicts_with = "policy")]
        findings: bool,
        /// The schema of the policy file `authpath.toml`.
        #[arg(long, conflicts_with = "query")]
        policy: bool,
        /// The schema of an incident-response command's JSON output.
        #[arg(long, value_name = "COMMAND", value_parser = ["blast-radius", "who-can", "path", "cut"], conflicts_with = "findings")]
        query: Option<String>,
        /// Write to this file (atomically) instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Kubernetes RBAC manifests (YAML or JSON files, directories, multi-document YAML, List
    /// objects, `kubectl get -o yaml|json` output): service accounts, users, groups, roles,
    /// bindings, token Secrets and workloads, with the known privilege-escalation paths.
    #[command(
        after_help = "Examples:\n  authpath import k8s manifests/ --as-of 2026-11-01T00:00:00Z -o cluster.json\n  kubectl get roles,rolebindings,clusterroles,clusterrolebindings,serviceaccounts -A -o yaml | authpath import k8s - -o cluster.json"
    )]
    K8s(K8sArgs),
    /// An AWS account's IAM: the output of `aws iam get-account-authorization-details` (users,
    /// groups, roles, managed policies, trust policies, permissions boundaries) and optionally
    /// the IAM credential report (access keys with their rotation and last use), with the
    /// catalogued privilege-escalation methods. See docs/aws-import.md.
    #[command(
        name = "aws-iam",
        after_help = "Examples:\n  aws iam get-account-authorization-details > authz.json\n  aws iam get-credential-report --query Content --output text | base64 -d > report.csv\n  authpath import aws-iam authz.json --credential-report report.csv --as-of 2026-11-01T00:00:00Z -o account.json"
    )]
    #[command(
        after_help = "Examples:\n  aws iam get-account-authorization-details > details.json\n  authpath import aws-iam details.json --credential-report report.csv -o account.json"
    )]
    AwsIam(AwsIamArgs),
    /// BloodHound OpenGraph JSON: what `export opengraph` wrote comes back whole; a
    /// collector's kinds (GitHound's `GH_*`…) go through a mapping file (TOML) to authpath's;
    /// unmapped kinds are counted and skipped. See docs/interop.md.
    #[command(
        after_help = "Examples:\n  authpath import opengraph graph.opengraph.json -o graph.json\n  authpath import opengraph githound.json --mapping graphs/opengraph/githound-mapping.toml -o github.json"
    )]
    #[command(
        after_help = "Examples:\n  authpath import opengraph exported.json -o graph.json\n  authpath import opengraph githound.json --mapping githound-mapping.toml -o github.json"
    )]
    Opengraph(OpengraphImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct OpengraphImportArgs {
    /// The OpenGraph document; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The mapping of foreign node and edge kinds to authpath's (TOML).
    #[arg(long, value_name = "TOML")]
    pub mapping: Option<PathBuf>,
    /// Write the graph to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write this instant as the graph's `as_of` (RFC 3339) [default: the one an authpath
    /// export recorded].
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub as_of: Option<Timestamp>,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// BloodHound Community Edition's OpenGraph JSON: nodes with `AP_` kinds, edges matched by
    /// id, properties flattened to what OpenGraph accepts, annotations (usable, critical,
    /// subject, external, passes) and, with --findings, the findings each node and edge is
    /// in.
    #[command(
        after_help = "Examples:\n  authpath export opengraph graph.json -o graph.opengraph.json --extension authpath-extension.json\n  authpath export opengraph graph.json --findings -o with-findings.json"
    )]
    #[command(
        after_help = "Examples:\n  authpath export opengraph graph.json --findings -o bloodhound.json\n  authpath export opengraph graph.json --extension ext.json -o bloodhound.json"
    )]
    Opengraph(OpengraphExportArgs),
    /// Node and relationship CSV files in the bulk-load layouts of Neo4j
    /// (`neo4j-admin database import`) and Amazon Neptune (openCypher), plus queries.cypher.
    #[command(
        after_help = "Examples:\n  authpath export cypher graph.json -o export/ --findings\n  neo4j-admin database import full --nodes=export/neo4j/nodes.csv --relationships=export/neo4j/edges.csv --relationships=export/neo4j/passes.csv --relationships=export/neo4j/delegates.csv neo4j"
    )]
    #[command(
        after_help = "Examples:\n  authpath export cypher graph.json -o out/\n  authpath export cypher graph.json --findings -o out/"
    )]
    Cypher(CypherExportArgs),
}

/// What both exports share.
#[derive(Debug, clap::Args)]
pub struct ExportCommon {
    /// The graph file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Run the analysis and include the findings (shown ones: see --max-findings).
    #[arg(long)]
    pub findings: bool,
    /// The instant of judgement (RFC 3339) instead of the graph's `as_of`.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub now: Option<Timestamp>,
    /// The policy file for --findings [default: ./authpath.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// With --findings: at most this many, the first in the contract's order (0: no cap).
    #[arg(long, value_name = "N", default_value_t = crate::analyze::DEFAULT_MAX_FINDINGS)]
    pub max_findings: usize,
}

#[derive(Debug, clap::Args)]
pub struct OpengraphExportArgs {
    #[command(flatten)]
    pub common: ExportCommon,
    /// Write the OpenGraph document here (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write BloodHound's extension definition (authpath's node and edge kinds, which
    /// are traversable, icons and colours) to this file.
    #[arg(long, value_name = "FILE")]
    pub extension: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CypherExportArgs {
    #[command(flatten)]
    pub common: ExportCommon,
    /// The directory to write (created when missing): neo4j/, neptune/, queries.cypher.
    #[arg(short = 'o', long = "output", value_name = "DIR", required = true)]
    pub output: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct AwsIamArgs {
    /// The authorization details (JSON); `-` reads standard input.
    #[arg(value_name = "AUTH_DETAILS")]
    pub details: PathBuf,
    /// The IAM credential report (CSV, as `get-credential-report` returns it base64-decoded):
    /// adds access keys and signing certificates, the root user, and tells people from
    /// machine users.
    #[arg(long, value_name = "REPORT")]
    pub credential_report: Option<PathBuf>,
    /// Write the graph to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write this instant as the graph's `as_of` (RFC 3339): when the files were exported.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub as_of: Option<Timestamp>,
}

#[derive(Debug, clap::Args)]
pub struct K8sArgs {
    /// Manifest files or directories (walked for .yaml, .yml and .json); `-` reads standard
    /// input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write the graph to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The namespace of namespaced objects that name none, as `kubectl apply -n` would.
    #[arg(long, short = 'n', value_name = "NS", default_value = "default")]
    pub namespace: String,
    /// The cluster is older than 1.24 and stores every service account's token in a Secret
    /// (so reading Secrets in a namespace reveals every account's token there).
    #[arg(long)]
    pub legacy_sa_tokens: bool,
    /// Write this instant as the graph's `as_of` (RFC 3339).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub as_of: Option<Timestamp>,
    /// A JSON or YAML file without Kubernetes objects found in a directory is an error
    /// (by default it is skipped with a warning).
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// The graph file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output format; `text` on a terminal, `json` otherwise.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
    /// Report only findings whose ids are not in this earlier findings document.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Also write every current finding (before --baseline) as a baseline file.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    #[command(flatten)]
    pub focus: FocusArgs,
    #[command(flatten)]
    pub filter: FindingFilterArgs,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The graph before the change.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The graph after the change.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Output format; `text` on a terminal, `json` otherwise.
    #[arg(long, value_enum)]
    pub format: Option<DiffFormat>,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// How `analyze` and `diff` run the rules (each also settable in the policy file).
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Judge time-based rules at this RFC 3339 instant instead of the graph's `as_of`.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub now: Option<Timestamp>,
    /// Which principals start the reachability rules [default: the policy's, else default].
    #[arg(long, value_enum)]
    pub subjects: Option<SubjectsArg>,
    /// Exit 1 when a (new) finding is at or above this severity [default: the policy's,
    /// else high].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// The policy file [default: ./authpath.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Show at most this many findings (per graph): the first in the report's order — most
    /// severe first, then by rule name, subject id and target id. The rest are still counted
    /// in the summary and the exit code, and the output says how many were left out per
    /// rule. 0: no cap (JSON is then streamed, in bounded memory).
    #[arg(long, value_name = "N", default_value_t = crate::analyze::DEFAULT_MAX_FINDINGS)]
    pub max_findings: usize,
    /// Report this many choke points of each kind: the nodes and the edges through which
    /// the most (subject, critical node) pairs pass (0: none).
    #[arg(long, value_name = "K", default_value_t = crate::analyze::DEFAULT_CHOKE_POINTS)]
    pub choke_points: usize,
    /// An `[[assert]]` whose `from` or `to` selects no node is an error (exit 2) instead of a
    /// warning (as `strict = true` in the policy).
    #[arg(long)]
    pub strict: bool,
    /// Rate the findings of built-in platform identities (nodes tagged `builtin`, such as
    /// the Kubernetes controllers `import k8s` marks) like any other; by default they are
    /// rated info, so a stock cluster does not fail the gate.
    #[arg(long)]
    pub include_builtin: bool,
}

impl RunArgs {
    /// The analysis options and the `--fail-on` threshold: the command line first, then the
    /// policy, then the built-in defaults. `Err` (exit code) after printing policy problems.
    fn options(&self) -> Result<(Options, Option<Severity>), u8> {
        let mut policy = load_policy(self.policy.as_deref())?;
        policy.strict |= self.strict;
        let (subjects, threshold) = effective_settings(self.subjects, self.fail_on, &policy);
        let opts = Options {
            now: self.now,
            subjects,
            policy,
            // 0: no cap.
            max_findings: (self.max_findings != 0).then_some(self.max_findings),
            choke_points: Some(self.choke_points),
            max_path_nodes: Some(limits().max_path_nodes),
            include_builtin: self.include_builtin,
        };
        Ok((opts, threshold))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Sarif,
    /// New paths in one colour, removed paths in another.
    Dot,
    /// One self-contained HTML page: new and resolved findings, access changes, the new
    /// paths in red.
    Html,
}

/// What every incident-response command shares.
#[derive(Debug, Clone, clap::Args)]
pub struct QueryArgs {
    /// The graph file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output format; `text` on a terminal, `json` otherwise.
    #[arg(long, value_enum)]
    pub format: Option<QueryFormat>,
    /// Judge expiry and inactivity at this RFC 3339 instant instead of the graph's `as_of`.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub now: Option<Timestamp>,
    /// Treat disabled nodes and expired edges as re-enabled, marking every path that needs
    /// one as latent (a disabled account can be switched back on).
    #[arg(long)]
    pub include_inactive: bool,
    /// With --format dot: draw at most this many nodes.
    #[arg(long, value_name = "N", default_value_t = crate::picture::DEFAULT_MAX_NODES)]
    pub max_nodes: usize,
    /// Write the answer to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    Text,
    Json,
    Dot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    Read,
    Write,
    Admin,
}

impl LevelArg {
    fn level(self) -> crate::model::Level {
        match self {
            LevelArg::Read => crate::model::Level::Read,
            LevelArg::Write => crate::model::Level::Write,
            LevelArg::Admin => crate::model::Level::Admin,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct BlastArgs {
    #[command(flatten)]
    pub query: QueryArgs,
    /// The compromised nodes (repeat, or separate ids with commas).
    #[arg(long, value_name = "ID", value_delimiter = ',', required = true)]
    pub from: Vec<String>,
    /// List only nodes reached at this level or more.
    #[arg(long, value_enum, default_value = "read")]
    pub min_level: LevelArg,
    /// List only nodes of these kinds (repeat, or separate with commas).
    #[arg(long, value_name = "KIND", value_delimiter = ',', value_parser = parse_kind)]
    pub kind: Vec<crate::model::NodeKind>,
}

#[derive(Debug, clap::Args)]
pub struct WhoCanArgs {
    #[command(flatten)]
    pub query: QueryArgs,
    /// The node to reach.
    #[arg(long, value_name = "ID")]
    pub reach: String,
    /// The least level that counts.
    #[arg(long, value_enum, default_value = "read")]
    pub level: LevelArg,
    /// Which principals count as subjects: `default` leaves people (human and tenant
    /// nodes) out and says how many reach the node; `all` lists them too.
    #[arg(long, value_enum, default_value = "default")]
    pub subjects: SubjectsArg,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The graph file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Judge time-based rules at this RFC 3339 instant instead of the graph's `as_of`.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub now: Option<Timestamp>,
    /// Which principals start the reachability rules [default: the policy's, else default].
    #[arg(long, value_enum)]
    pub subjects: Option<SubjectsArg>,
    /// The policy file [default: ./authpath.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// List at most this many findings in the table (the most severe first); the totals
    /// count them all.
    #[arg(long, value_name = "N", default_value_t = 5_000)]
    pub max_findings: usize,
    /// Rate the findings of built-in platform identities like any other.
    #[arg(long)]
    pub include_builtin: bool,
}

#[derive(Debug, clap::Args)]
pub struct PathArgs {
    #[command(flatten)]
    pub query: QueryArgs,
    /// The node the paths start from (its id), e.g. a partner or a leaked credential.
    #[arg(long, value_name = "ID")]
    pub from: String,
    /// The node the paths end at (its id), e.g. a critical resource.
    #[arg(long, value_name = "ID")]
    pub to: String,
    /// How many simple paths to list, shortest first.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max: usize,
}

#[derive(Debug, clap::Args)]
pub struct CutArgs {
    #[command(flatten)]
    pub query: QueryArgs,
    /// The compromised nodes (repeat, or separate ids with commas).
    #[arg(long, value_name = "ID", value_delimiter = ',', required = true)]
    pub from: Vec<String>,
    /// The nodes to protect [default: every critical node].
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub to: Vec<String>,
    /// Revocation cost of an edge kind, e.g. `--cost member_of=10,holds=1`.
    #[arg(long, value_name = "KIND=N", value_delimiter = ',', value_parser = parse_cost)]
    pub cost: Vec<(crate::model::EdgeKind, u64)>,
}

fn parse_kind(s: &str) -> Result<crate::model::NodeKind, String> {
    crate::model::NodeKind::parse(s).ok_or_else(|| {
        format!(
            "unknown kind; use one of: {}",
            crate::model::NodeKind::NAMES.join(", ")
        )
    })
}

fn parse_cost(s: &str) -> Result<(crate::model::EdgeKind, u64), String> {
    let (kind, n) = s
        .split_once('=')
        .ok_or_else(|| "write KIND=N, e.g. member_of=10".to_owned())?;
    let kind = crate::model::EdgeKind::parse(kind).ok_or_else(|| {
        format!(
            "unknown edge kind {kind:?}; use one of: {}",
            crate::model::EdgeKind::NAMES.join(", ")
        )
    })?;
    let n: u64 = n
        .parse()
        .ok()
        .filter(|n| *n >= 1 && *n <= 1_000_000)
        .ok_or_else(|| format!("the cost of {kind} must be a whole number from 1 to 1000000"))?;
    Ok((kind, n))
}

#[derive(Debug, clap::Args)]
pub struct DotArgs {
    /// The graph file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// `dot` (Graphviz source), or `svg` / `png` rendered by Graphviz.
    #[arg(long, value_enum, default_value = "dot")]
    pub format: PictureFormat,
    /// Judge expiry and inactivity at this RFC 3339 instant instead of the graph's `as_of`.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub now: Option<Timestamp>,
    /// Write the picture to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub focus: FocusArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// Graphviz DOT of the graph with every finding's path highlighted.
    Dot,
    /// The DOT picture rendered by Graphviz (must be installed).
    Svg,
    /// The DOT picture rendered by Graphviz (must be installed).
    Png,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PictureFormat {
    Dot,
    Svg,
    Png,
}

/// Narrowing a picture to what a reader can take in.
#[derive(Debug, Clone, clap::Args)]
pub struct FocusArgs {
    /// Pictures only (dot, svg, png): draw only the neighbourhood of this node (repeat, or
    /// separate ids with commas). It changes no finding and no count.
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub focus: Vec<String>,
    /// Pictures only: hops around --focus, in both directions.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub depth: usize,
    /// Pictures only: draw at most this many nodes; the rest are counted and named in a
    /// note. Not a limit on the graph read (that is --max-graph-nodes).
    #[arg(long, value_name = "N", default_value_t = crate::picture::DEFAULT_MAX_NODES)]
    pub max_nodes: usize,
}

/// Choosing which findings a picture draws.
#[derive(Debug, Clone, clap::Args)]
pub struct FindingFilterArgs {
    /// Only the nodes and edges on finding paths (for --format dot, svg, png).
    #[arg(long)]
    pub paths_only: bool,
    /// Draw only findings of this rule (repeatable; for --format dot, svg, png).
    #[arg(long = "rule", value_name = "NAME", value_parser = parse_rule)]
    pub rules: Vec<crate::findings::Rule>,
    /// Draw only findings at or above this severity (for --format dot, svg, png).
    #[arg(long, value_enum, value_name = "S")]
    pub min_severity: Option<MinSeverity>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MinSeverity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl MinSeverity {
    fn severity(self) -> Severity {
        match self {
            MinSeverity::Critical => Severity::Critical,
            MinSeverity::High => Severity::High,
            MinSeverity::Medium => Severity::Medium,
            MinSeverity::Low => Severity::Low,
            MinSeverity::Info => Severity::Info,
        }
    }
}

fn parse_rule(s: &str) -> Result<crate::findings::Rule, String> {
    crate::findings::Rule::parse(s).ok_or_else(|| {
        let names: Vec<&str> = crate::findings::Rule::ALL
            .iter()
            .map(|r| r.name())
            .collect();
        format!("unknown rule; use one of: {}", names.join(", "))
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SubjectsArg {
    Default,
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Never => None,
        }
    }
}

fn parse_time(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse(s).map_err(|e| e.to_string())
}

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::output::exit_cleanly_on_interrupt();
    ExitCode::from(run(cli))
}

/// Runs a parsed command and returns its exit code.
pub fn run(cli: Cli) -> u8 {
    QUIET.store(cli.quiet, std::sync::atomic::Ordering::Relaxed);
    let _ = LIMITS.set(cli.limits);
    match cli.command {
        Command::Validate { files, strict } => validate(&files, strict),
        Command::Analyze(args) => run_analyze(&args),
        Command::Report(args) => run_report(&args),
        Command::Dot(args) => run_dot(&args),
        Command::Diff(args) => run_diff(&args),
        Command::BlastRadius(args) => run_blast(&args),
        Command::WhoCan(args) => run_whocan(&args),
        Command::Path(args) => run_path(&args),
        Command::Cut(args) => run_cut(&args),
        Command::Import(ImportCommand::K8s(args)) => run_import_k8s(&args),
        Command::Import(ImportCommand::AwsIam(args)) => run_import_aws(&args),
        Command::Import(ImportCommand::Opengraph(args)) => run_import_opengraph(&args),
        Command::Export(ExportCommand::Opengraph(args)) => run_export_opengraph(&args),
        Command::Export(ExportCommand::Cypher(args)) => run_export_cypher(&args),
        Command::Explain { code } => run_explain(&code),
        Command::Completions { shell } => write_output(None, &crate::manual::completions(shell)),
        Command::Man { output } => match output {
            None => {
                let pages = crate::manual::man_pages();
                write_output(None, &pages[0].1)
            }
            Some(dir) => match crate::manual::write_man_pages(&dir) {
                Ok(paths) => {
                    eprintln!(
                        "authpath: wrote {} man pages into {}",
                        paths.len(),
                        dir.display()
                    );
                    exit::OK
                }
                Err(e) => {
                    eprintln!(
                        "authpath: error: cannot write man pages into {}: {e}",
                        dir.display()
                    );
                    exit::BAD_INPUT
                }
            },
        },
        Command::Schema {
            findings,
            policy,
            query,
            output,
        } => {
            let text = if let Some(q) = query {
                crate::render::query::query_schema(&q).unwrap_or_default()
            } else if findings {
                crate::render::json::findings_schema_json()
            } else if policy {
                crate::schema::policy_schema_json()
            } else {
                crate::schema::graph_schema_json()
            };
            write_output(output.as_deref(), text.as_bytes())
        }
    }
}

/// `explain CODE`: its sections, or exit 2 naming the nearest code.
fn run_explain(code: &str) -> u8 {
    let sections = crate::manual::explain(code);
    if sections.is_empty() {
        let codes = crate::manual::codes();
        let hint = crate::diagnostics::did_you_mean(code, codes.iter().map(String::as_str))
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        eprintln!(
            "authpath: error: `{code}` is no rule or reason code{hint}\n  help: the codes are: {}",
            codes.join(", ")
        );
        return exit::BAD_INPUT;
    }
    write_output(None, sections.join("\n").as_bytes())
}

/// Writes a command's output; an I/O error is exit 2 with the target named.
fn write_output(path: Option<&Path>, bytes: &[u8]) -> u8 {
    write_output_with(path, &mut |w| w.write_all(bytes))
}

/// `write_output` for output produced piece by piece, never held whole in memory.
fn write_output_with(
    path: Option<&Path>,
    write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> u8 {
    match output::emit_with(path, write) {
        Ok(()) => exit::OK,
        Err(e) => {
            let target = path.map_or("standard output".into(), |p| p.display().to_string());
            eprintln!("authpath: error: cannot write {target}: {e}");
            exit::BAD_INPUT
        }
    }
}

/// Loads a graph for a command that needs a valid one: problems go to stderr, `None` means
/// exit 2. Warnings are `validate`'s business and are not repeated here.
fn load_valid(path: &Path) -> Option<Graph> {
    let Loaded { graph, diagnostics } = {
        let _p = phase(&format!("loading {}", path.display()));
        load_path_with(path, load_limits())
    };
    if diagnostics.has_errors() {
        let _ = std::io::stderr().write_all(diagnostics.render().as_bytes());
    }
    graph
}

/// Says so when an instant of judgement came from the wall clock.
fn warn_wall_clock(source: &str, as_of: Timestamp, from: AsOfSource) {
    if from == AsOfSource::WallClock {
        eprintln!(
            "authpath: warning: {source} has no as_of and no --now was given: judging at the wall clock ({as_of})"
        );
    }
}

/// Text on a terminal, JSON into a pipe or a file.
fn for_a_person(output: &Option<PathBuf>) -> bool {
    output.is_none() && std::io::stdout().is_terminal()
}

/// Colour only for a terminal, and never when NO_COLOR is set to anything non-empty.
fn use_color(to_file: bool) -> bool {
    !to_file
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The policy given with --policy, or ./authpath.toml; `Err` after printing its problems.
fn load_policy(path: Option<&Path>) -> Result<crate::policy::Policy, u8> {
    match crate::policy::find_and_load(path) {
        Ok(p) => Ok(p.unwrap_or_default()),
        Err(d) => {
            let _ = std::io::stderr().write_all(d.render().as_bytes());
            Err(exit::BAD_INPUT)
        }
    }
}

/// Command line first, then the policy, then the built-in default.
fn effective_settings(
    subjects: Option<SubjectsArg>,
    fail_on: Option<FailOn>,
    policy: &crate::policy::Policy,
) -> (Subjects, Option<Severity>) {
    let subjects = match subjects {
        Some(SubjectsArg::Default) => Subjects::Default,
        Some(SubjectsArg::All) => Subjects::All,
        None => policy.subjects.unwrap_or_default(),
    };
    let fail_on = match fail_on {
        Some(f) => f.threshold(),
        None => policy.fail_on.unwrap_or(Some(Severity::High)),
    };
    (subjects, fail_on)
}

fn run_analyze(args: &AnalyzeArgs) -> u8 {
    let (opts, threshold) = match args.run.options() {
        Ok(x) => x,
        Err(code) => return code,
    };
    let baseline = match &args.baseline {
        Some(path) => match crate::baseline::read_ids(path) {
            Ok(ids) => Some(ids),
            Err(d) => {
                let _ = std::io::stderr().write_all(d.render().as_bytes());
                return exit::BAD_INPUT;
            }
        },
        None => None,
    };
    let Some(model) = load_valid(&args.file) else {
        return exit::BAD_INPUT;
    };
    let format = args.format.unwrap_or(if for_a_person(&args.output) {
        Format::Text
    } else {
        Format::Json
    });
    if opts.max_findings.is_none() && format == Format::Json {
        return analyze_streamed(args, &model, &opts, baseline.as_ref(), threshold);
    }
    let mut report = {
        let _p = phase("analysing");
        analyze(&model, &opts)
    };
    if let Some(path) = &args.write_baseline {
        let code = write_output(
            Some(path),
            crate::render::json::Json.render(&report).as_bytes(),
        );
        if code != exit::OK {
            return code;
        }
    }
    if let Some(ids) = &baseline {
        crate::analyze::apply_baseline(&mut report, ids);
    }
    warn_wall_clock(&report.source, report.as_of, report.as_of_source);
    let to_file = args.output.is_some();
    let code = match format {
        Format::Json => write_output_with(args.output.as_deref(), &mut |w| {
            crate::render::json::write_document(&report, w)
        }),
        Format::Sarif => write_output(
            args.output.as_deref(),
            crate::render::sarif::Sarif {
                strict: opts.policy.strict,
            }
            .render(&report)
            .as_bytes(),
        ),
        Format::Text => write_output(
            args.output.as_deref(),
            crate::render::text::Text {
                color: use_color(to_file),
                fail_on: threshold,
            }
            .render(&report)
            .as_bytes(),
        ),
        Format::Dot | Format::Svg | Format::Png => {
            let picture_format = match format {
                Format::Svg => PictureFormat::Svg,
                Format::Png => PictureFormat::Png,
                _ => PictureFormat::Dot,
            };
            let options = picture_options(&args.focus, Some(&args.filter));
            let title = format!(
                "authpath analyze {}: judged at {}",
                report.source, report.as_of
            );
            draw(
                &model,
                report.as_of,
                &report.findings,
                &options,
                &title,
                picture_format,
                args.output.as_deref(),
            )
        }
    };
    if code != exit::OK {
        return code;
    }
    gate(&report, threshold, opts.policy.strict)
}

/// `report`: the analysis as one self-contained HTML page. Exit 0 once written, whatever
/// it found (the gate is `analyze`'s).
fn run_report(args: &ReportArgs) -> u8 {
    let policy = match load_policy(args.policy.as_deref()) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let (subjects, _) = effective_settings(args.subjects, None, &policy);
    let opts = Options {
        now: args.now,
        subjects,
        policy,
        max_findings: (args.max_findings != 0).then_some(args.max_findings),
        choke_points: Some(10),
        max_path_nodes: Some(limits().max_path_nodes),
        include_builtin: args.include_builtin,
    };
    let Some(model) = load_valid(&args.file) else {
        return exit::BAD_INPUT;
    };
    let report = {
        let _p = phase("analysing");
        analyze(&model, &opts)
    };
    warn_wall_clock(&report.source, report.as_of, report.as_of_source);
    let doc = {
        let _p = phase("writing the report");
        crate::report::of_analysis(&model, &report, subjects)
    };
    write_output(
        args.output.as_deref(),
        crate::render::html::to_html(&doc).as_bytes(),
    )
}

/// Exit 1 when any finding that counts — shown or not — is at or above the threshold; exit 2
/// under a strict policy when an assertion selects nothing (a warning otherwise).
fn gate(report: &crate::analyze::Report, threshold: Option<Severity>, strict: bool) -> u8 {
    if !assertions_select(&report.totals.assertions, strict) {
        return exit::BAD_INPUT;
    }
    let summary = report.summary();
    let failing = threshold.is_some_and(|t| {
        Severity::ALL
            .iter()
            .any(|s| s.at_least(t) && summary.count(*s) > 0)
    });
    if failing { exit::FINDINGS } else { exit::OK }
}

/// Says which assertions select no node — a guard that checks nothing — as warnings, or as
/// errors when `strict`; `false` when that fails the run.
fn assertions_select(checked: &[crate::rules::assertions::Checked], strict: bool) -> bool {
    let empty: Vec<_> = checked.iter().filter(|a| a.selects_nothing()).collect();
    for a in &empty {
        eprintln!(
            "authpath: {}: assertion {}: {}, so it checks nothing\n  help: compare its selectors with the graph (ids, kinds, orgs, tags, sensitivities: a graph may mark critical nodes by `sensitivity = \"critical\"` rather than a `tier0` tag){}",
            if strict { "error" } else { "warning" },
            crate::diagnostics::quote(&a.name),
            a.empty_sides(),
            if strict {
                ""
            } else {
                "; `strict = true` in the policy or --strict makes this an error"
            }
        );
    }
    !strict || empty.is_empty()
}

/// `analyze --max-findings 0 --format json`: every finding, written as it is found to a
/// spill file outside memory, then the document assembled around it (atomically to `-o`).
fn analyze_streamed(
    args: &AnalyzeArgs,
    model: &Graph,
    opts: &Options,
    baseline: Option<&std::collections::HashSet<String>>,
    threshold: Option<Severity>,
) -> u8 {
    use std::io::{Seek, Write as _};
    let fail = |what: &str, e: std::io::Error| -> u8 {
        eprintln!("authpath: error: cannot {what}: {e}");
        exit::BAD_INPUT
    };
    let spill = match tempfile::tempfile() {
        Ok(f) => f,
        Err(e) => return fail("create a temporary file for the findings", e),
    };
    let mut writer = std::io::BufWriter::new(spill);
    let mut count = 0u64;
    let mut error: Option<std::io::Error> = None;
    let skip = |f: &crate::findings::Finding| baseline.is_some_and(|b| b.contains(&f.id));
    let report = {
        let _p = phase("analysing");
        crate::analyze::analyze_each(
            model,
            opts,
            baseline.map(|_| &skip as &dyn Fn(&crate::findings::Finding) -> bool),
            &mut |f| {
                if error.is_none() {
                    match crate::render::json::finding_lines(&f, count == 0, &mut writer) {
                        Ok(()) => count += 1,
                        Err(e) => error = Some(e),
                    }
                }
            },
        )
    };
    if let Some(e) = error {
        return fail("write the findings to a temporary file", e);
    }
    let mut spill = match writer.into_inner() {
        Ok(f) => f,
        Err(e) => return fail("write the findings to a temporary file", e.into_error()),
    };
    warn_wall_clock(&report.source, report.as_of, report.as_of_source);
    let mut write_to = |path: Option<&Path>| -> u8 {
        if let Err(e) = spill.rewind() {
            return fail("read the temporary findings file", e);
        }
        let result = output::emit_with(path, &mut |w| {
            crate::render::json::write_streamed(&report, &mut spill, count, w)
        });
        match result {
            Ok(()) => exit::OK,
            Err(e) => {
                let target = path.map_or("standard output".into(), |p| p.display().to_string());
                fail(&format!("write {target}"), e)
            }
        }
    };
    if let Some(path) = &args.write_baseline {
        let code = write_to(Some(path));
        if code != exit::OK {
            return code;
        }
    }
    let code = write_to(args.output.as_deref());
    if code != exit::OK {
        return code;
    }
    let _ = std::io::stdout().flush();
    gate(&report, threshold, opts.policy.strict)
}

fn picture_options(
    focus: &FocusArgs,
    filter: Option<&FindingFilterArgs>,
) -> crate::picture::PictureOptions {
    crate::picture::PictureOptions {
        focus: focus.focus.clone(),
        depth: focus.depth,
        paths_only: filter.is_some_and(|f| f.paths_only),
        rules: filter.map(|f| f.rules.clone()).unwrap_or_default(),
        min_severity: filter.and_then(|f| f.min_severity.map(MinSeverity::severity)),
        max_nodes: focus.max_nodes,
    }
}

/// Draws a picture and writes it as DOT, or as SVG/PNG through Graphviz.
fn draw(
    model: &Graph,
    as_of: Timestamp,
    findings: &[crate::findings::Finding],
    options: &crate::picture::PictureOptions,
    title: &str,
    format: PictureFormat,
    output: Option<&Path>,
) -> u8 {
    if format == PictureFormat::Png && output.is_none() && std::io::stdout().is_terminal() {
        eprintln!(
            "authpath: error: PNG is binary and standard output is a terminal: write it with -o FILE.png"
        );
        return exit::BAD_INPUT;
    }
    let g = crate::graph::AuthGraph::build(model);
    let (dot, note) = match crate::render::dot::draw(&g, as_of, findings, options, title) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("authpath: error: {}", e.0);
            return exit::BAD_INPUT;
        }
    };
    if let Some(note) = note {
        eprintln!("authpath: note: {note}");
    }
    let bytes = match format {
        PictureFormat::Dot => dot.into_bytes(),
        PictureFormat::Svg | PictureFormat::Png => {
            let kind = if format == PictureFormat::Svg {
                "svg"
            } else {
                "png"
            };
            match crate::render::graphviz::render(&dot, kind) {
                Ok((bytes, warnings)) => {
                    if !warnings.trim().is_empty() {
                        eprint!("{warnings}");
                    }
                    bytes
                }
                Err(e) => {
                    eprintln!("authpath: error: {e}");
                    return exit::BAD_INPUT;
                }
            }
        }
    };
    write_output(output, &bytes)
}

fn run_diff(args: &DiffArgs) -> u8 {
    let (opts, threshold) = match args.run.options() {
        Ok(x) => x,
        Err(code) => return code,
    };
    // Both files are checked before either is analysed, so one run shows all problems.
    let old = load_valid(&args.old);
    let new = load_valid(&args.new);
    let (Some(old), Some(new)) = (old, new) else {
        return exit::BAD_INPUT;
    };
    let d = {
        let _p = phase("analysing both graphs");
        crate::diff::diff(&old, &new, &opts, threshold)
    };
    for r in [&d.old, &d.new] {
        warn_wall_clock(&r.source, r.as_of, r.as_of_source);
    }
    let to_file = args.output.is_some();
    let format = args.format.unwrap_or(if for_a_person(&args.output) {
        DiffFormat::Text
    } else {
        DiffFormat::Json
    });
    let text = match format {
        DiffFormat::Text => crate::render::text::diff_text(&d, use_color(to_file)),
        DiffFormat::Json => crate::render::json::diff_document(&d),
        DiffFormat::Sarif => crate::render::sarif::diff_log(&d),
        DiffFormat::Dot => crate::render::dot::diff_dot(&old, &new, &d),
        DiffFormat::Html => crate::render::html::to_html(&crate::report::of_diff(&old, &new, &d)),
    };
    let code = write_output(args.output.as_deref(), text.as_bytes());
    if code != exit::OK {
        return code;
    }
    // The gate is the new graph's: its assertions must select something.
    if !assertions_select(&d.new.totals.assertions, opts.policy.strict) {
        return exit::BAD_INPUT;
    }
    if d.fails() { exit::FINDINGS } else { exit::OK }
}

/// The graph, its instant and the chosen format for an incident-response command.
struct Query {
    model: Graph,
    as_of: Timestamp,
    format: QueryFormat,
    latent: bool,
}

impl Query {
    fn engine<'g>(&self, g: &'g crate::graph::AuthGraph<'g>) -> crate::reach::Engine<'g> {
        crate::reach::Engine::new(
            g,
            self.as_of,
            crate::reach::ReachOptions {
                include_inactive: self.latent,
            },
        )
    }
}

fn open_query(q: &QueryArgs) -> Result<Query, u8> {
    let model = load_valid(&q.file).ok_or(exit::BAD_INPUT)?;
    let (as_of, source) = crate::analyze::judgement_time(&model, q.now);
    warn_wall_clock(&model.source, as_of, source);
    let format = q.format.unwrap_or(if for_a_person(&q.output) {
        QueryFormat::Text
    } else {
        QueryFormat::Json
    });
    Ok(Query {
        model,
        as_of,
        format,
        latent: q.include_inactive,
    })
}

/// Ids from the command line, or exit 2 naming every unknown one.
fn resolve_ids(
    g: &crate::graph::AuthGraph<'_>,
    ids: &[String],
    flag: &str,
) -> Result<Vec<crate::model::NodeIx>, u8> {
    crate::incident::resolve(g, ids, flag).map_err(|errors| {
        for e in errors {
            eprintln!("authpath: error: {e}");
        }
        exit::BAD_INPUT
    })
}

fn emit_picture(picture: &crate::picture::Picture<'_>, title: &str, output: Option<&Path>) -> u8 {
    if let Some(note) = picture.left_out_message() {
        eprintln!("authpath: note: {note}");
    }
    write_output(
        output,
        crate::render::dot::to_dot(picture, title).as_bytes(),
    )
}

/// An answer whose witnesses would hold more node ids than `--max-path-nodes` allows: exit
/// 2, saying how to get one.
fn paths_too_long(needed: usize, max: usize, narrow: &str) -> u8 {
    eprintln!(
        "authpath: error: the answer's paths would hold {needed} or more node ids, more than --max-path-nodes {max} (a path can be as long as the graph)\n  help: {narrow}, or raise --max-path-nodes if the machine has the memory (about 250 bytes per node id)"
    );
    exit::BAD_INPUT
}

fn run_blast(args: &BlastArgs) -> u8 {
    let q = match open_query(&args.query) {
        Ok(q) => q,
        Err(code) => return code,
    };
    let g = crate::graph::AuthGraph::build(&q.model);
    let sources = match resolve_ids(&g, &args.from, "--from") {
        Ok(s) => s,
        Err(code) => return code,
    };
    let engine = q.engine(&g);
    let max = limits().max_path_nodes;
    let b = match crate::incident::blast::blast_radius(
        &engine,
        &sources,
        args.min_level.level(),
        &args.kind,
        max,
    ) {
        Ok(b) => b,
        Err(needed) => return paths_too_long(needed, max, "narrow it with --min-level or --kind"),
    };
    let out = args.query.output.as_deref();
    match q.format {
        QueryFormat::Json => write_output(
            out,
            crate::render::query::blast_json(&q.model, q.as_of, &b).as_bytes(),
        ),
        QueryFormat::Text => write_output(
            out,
            crate::render::query::blast_text(&q.model, q.as_of, &b).as_bytes(),
        ),
        QueryFormat::Dot => {
            let walks: Vec<(&crate::reach::Walk, Severity)> = b
                .reached
                .iter()
                .map(|r| {
                    let sev = if q.model.node(r.node).is_critical() {
                        Severity::Critical
                    } else {
                        Severity::Medium
                    };
                    (&r.walk, sev)
                })
                .collect();
            let mut p =
                crate::picture::of_walks(&g, q.as_of, &walks, &sources, args.query.max_nodes);
            p.compromised = sources.iter().copied().collect();
            let ids: Vec<&str> = sources
                .iter()
                .map(|s| q.model.node(*s).id.as_str())
                .collect();
            emit_picture(
                &p,
                &format!(
                    "authpath blast-radius from {}: {} node(s) reached",
                    ids.join(", "),
                    b.reached.len()
                ),
                out,
            )
        }
    }
}

fn run_whocan(args: &WhoCanArgs) -> u8 {
    let q = match open_query(&args.query) {
        Ok(q) => q,
        Err(code) => return code,
    };
    let g = crate::graph::AuthGraph::build(&q.model);
    let target = match resolve_ids(&g, std::slice::from_ref(&args.reach), "--reach") {
        Ok(t) => t[0],
        Err(code) => return code,
    };
    let engine = q.engine(&g);
    let subjects = match args.subjects {
        SubjectsArg::Default => Subjects::Default,
        SubjectsArg::All => Subjects::All,
    };
    let max = limits().max_path_nodes;
    let w = match crate::incident::whocan::who_can(
        &engine,
        target,
        args.level.level(),
        subjects,
        max,
    ) {
        Ok(w) => w,
        Err(needed) => return paths_too_long(needed, max, "narrow it with --level"),
    };
    let out = args.query.output.as_deref();
    match q.format {
        QueryFormat::Json => write_output(
            out,
            crate::render::query::whocan_json(&q.model, q.as_of, &w).as_bytes(),
        ),
        QueryFormat::Text => write_output(
            out,
            crate::render::query::whocan_text(&q.model, q.as_of, &w).as_bytes(),
        ),
        QueryFormat::Dot => {
            let walks: Vec<(&crate::reach::Walk, Severity)> = w
                .subjects
                .iter()
                .map(|(_, walk, _)| (walk, Severity::High))
                .collect();
            let p = crate::picture::of_walks(&g, q.as_of, &walks, &[target], args.query.max_nodes);
            emit_picture(
                &p,
                &format!(
                    "authpath who-can reach {}: {} subject(s)",
                    args.reach,
                    w.subjects.len()
                ),
                out,
            )
        }
    }
}

fn run_path(args: &PathArgs) -> u8 {
    let q = match open_query(&args.query) {
        Ok(q) => q,
        Err(code) => return code,
    };
    let g = crate::graph::AuthGraph::build(&q.model);
    let ends = match resolve_ids(&g, &[args.from.clone(), args.to.clone()], "--from/--to") {
        Ok(_) => (g.node_ix(&args.from), g.node_ix(&args.to)),
        Err(code) => return code,
    };
    let (Some(from), Some(to)) = ends else {
        return exit::BAD_INPUT;
    };
    let engine = q.engine(&g);
    let latent = (!args.query.include_inactive).then(|| {
        crate::reach::Engine::new(
            &g,
            q.as_of,
            crate::reach::ReachOptions {
                include_inactive: true,
            },
        )
    });
    let p = crate::incident::paths::paths(&engine, latent.as_ref(), from, to, args.max);
    let out = args.query.output.as_deref();
    match q.format {
        QueryFormat::Json => write_output(
            out,
            crate::render::query::path_json(&q.model, q.as_of, &p).as_bytes(),
        ),
        QueryFormat::Text => write_output(
            out,
            crate::render::query::path_text(&q.model, q.as_of, &p).as_bytes(),
        ),
        QueryFormat::Dot => {
            let walks: Vec<(&crate::reach::Walk, Severity)> = p
                .paths
                .iter()
                .enumerate()
                .map(|(i, (w, _))| {
                    (
                        w,
                        if i == 0 {
                            Severity::Critical
                        } else {
                            Severity::High
                        },
                    )
                })
                .chain(p.nearest_blocked.iter().map(|(w, _)| (w, Severity::Low)))
                .collect();
            let pic =
                crate::picture::of_walks(&g, q.as_of, &walks, &[from, to], args.query.max_nodes);
            emit_picture(
                &pic,
                &format!("authpath path {} → {}", args.from, args.to),
                out,
            )
        }
    }
}

fn run_cut(args: &CutArgs) -> u8 {
    let q = match open_query(&args.query) {
        Ok(q) => q,
        Err(code) => return code,
    };
    let g = crate::graph::AuthGraph::build(&q.model);
    let sources = match resolve_ids(&g, &args.from, "--from") {
        Ok(s) => s,
        Err(code) => return code,
    };
    let targets = if args.to.is_empty() {
        let mut t: Vec<crate::model::NodeIx> = (0..q.model.nodes.len() as u32)
            .map(crate::model::NodeIx)
            .filter(|n| q.model.node(*n).is_critical() && !sources.contains(n))
            .collect();
        t.sort_unstable_by_key(|n| q.model.node(*n).id.clone());
        t
    } else {
        match resolve_ids(&g, &args.to, "--to") {
            Ok(t) => t,
            Err(code) => return code,
        }
    };
    let mut costs = crate::incident::cut::Costs::default();
    for (k, n) in &args.cost {
        costs.0.insert(*k, *n);
    }
    let engine = q.engine(&g);
    let cut = match crate::incident::cut::min_cut(&engine, &sources, &targets, &costs) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("authpath: error: {}", e.0);
            return exit::BAD_INPUT;
        }
    };
    let out = args.query.output.as_deref();
    match q.format {
        QueryFormat::Json => write_output(
            out,
            crate::render::query::cut_json(&q.model, &cut, &costs).as_bytes(),
        ),
        QueryFormat::Text => write_output(
            out,
            crate::render::query::cut_text(&q.model, &cut, &costs).as_bytes(),
        ),
        QueryFormat::Dot => {
            let walks: Vec<crate::reach::Walk> = crate::reach::with_scratch(|scratch| {
                let s = engine.search(&sources, crate::model::Level::Admin, None, None, scratch);
                cut.exposed_before
                    .iter()
                    .filter_map(|t| s.witness(*t, false))
                    .collect()
            });
            let marked: Vec<(&crate::reach::Walk, Severity)> =
                walks.iter().map(|w| (w, Severity::High)).collect();
            let mut extra = sources.clone();
            for e in &cut.edges {
                let edge = &q.model.edges[*e as usize];
                extra.push(edge.from);
                extra.push(edge.to);
            }
            let mut p =
                crate::picture::of_walks(&g, q.as_of, &marked, &extra, args.query.max_nodes);
            p.compromised = sources.iter().copied().collect();
            p.cut = cut.edges.iter().copied().collect();
            emit_picture(
                &p,
                &format!(
                    "authpath cut: revoke {} edge(s), cost {}",
                    cut.edges.len(),
                    cut.cost
                ),
                out,
            )
        }
    }
}

fn run_dot(args: &DotArgs) -> u8 {
    let Some(model) = load_valid(&args.file) else {
        return exit::BAD_INPUT;
    };
    let (as_of, _) = crate::analyze::judgement_time(&model, args.now);
    let title = format!("authpath: {}", model.source);
    draw(
        &model,
        as_of,
        &[],
        &picture_options(&args.focus, None),
        &title,
        args.format,
        args.output.as_deref(),
    )
}

fn run_import_k8s(args: &K8sArgs) -> u8 {
    use crate::import::k8s;
    let opts = k8s::Options {
        namespace: args.namespace.clone(),
        legacy_sa_tokens: args.legacy_sa_tokens,
        as_of: args.as_of,
        strict: args.strict,
    };
    let import = {
        let _p = phase("reading manifests");
        k8s::import(&args.paths, &opts)
    };
    for d in &import.problems {
        let _ = std::io::stderr().write_all(d.render().as_bytes());
    }
    let Some(graph) = &import.graph else {
        let errors: usize = import.problems.iter().map(|d| d.error_count()).sum();
        eprintln!("authpath: import failed: {errors} error(s); no graph written");
        return exit::BAD_INPUT;
    };
    let code = write_output(args.output.as_deref(), graph.to_json(opts.as_of).as_bytes());
    if code == exit::OK {
        let skipped: Vec<String> = import
            .skipped
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        let mut line = format!(
            "authpath: imported {} object(s) from {} file(s) ({} document(s)): {} nodes, {} edges",
            import.objects,
            import.files,
            import.documents,
            graph.node_count(),
            graph.edge_count()
        );
        if !skipped.is_empty() {
            line.push_str(&format!(
                "; skipped {} object(s) of kinds not modelled ({})",
                import.skipped.values().sum::<usize>(),
                skipped.join(", ")
            ));
        }
        if !QUIET.load(std::sync::atomic::Ordering::Relaxed) {
            eprintln!("{line}");
        }
    }
    code
}

fn run_import_aws(args: &AwsIamArgs) -> u8 {
    use crate::import::aws;
    let import = {
        let _p = phase("reading the authorization details");
        aws::import(&args.details, args.credential_report.as_deref())
    };
    for d in &import.problems {
        let _ = std::io::stderr().write_all(d.render().as_bytes());
    }
    let Some(graph) = &import.graph else {
        let errors: usize = import.problems.iter().map(|d| d.error_count()).sum();
        eprintln!("authpath: import failed: {errors} error(s); no graph written");
        return exit::BAD_INPUT;
    };
    let code = write_output(args.output.as_deref(), graph.to_json(args.as_of).as_bytes());
    if code == exit::OK && !QUIET.load(std::sync::atomic::Ordering::Relaxed) {
        let mut line = format!(
            "authpath: imported {} user(s), {} group(s), {} role(s), {} managed policies",
            import.users, import.groups, import.roles, import.policies
        );
        if args.credential_report.is_some() {
            line.push_str(&format!(
                ", {} credential report row(s)",
                import.report_rows
            ));
        }
        line.push_str(&format!(
            ": {} nodes, {} edges",
            graph.node_count(),
            graph.edge_count()
        ));
        eprintln!("{line}");
    }
    code
}

fn read_input(path: &Path) -> Result<String, u8> {
    crate::source::read_text(path).map_err(|d| {
        let _ = std::io::stderr().write_all(d.render().as_bytes());
        exit::BAD_INPUT
    })
}

fn run_import_opengraph(args: &OpengraphImportArgs) -> u8 {
    use crate::import::opengraph;
    let mapping = match &args.mapping {
        Some(p) => {
            let text = match read_input(p) {
                Ok(t) => t,
                Err(code) => return code,
            };
            let mut d = crate::diagnostics::Diagnostics::new(p.display().to_string());
            match opengraph::read_mapping(&text, &mut d) {
                Some(m) => m,
                None => {
                    let _ = std::io::stderr().write_all(d.render().as_bytes());
                    return exit::BAD_INPUT;
                }
            }
        }
        None => opengraph::Mapping {
            name_property: "name".into(),
            ..opengraph::Mapping::default()
        },
    };
    let text = match read_input(&args.file) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let import = {
        let _p = phase("reading OpenGraph");
        opengraph::import_text(
            &args.file.display().to_string(),
            &text,
            &mapping,
            args.as_of,
        )
    };
    for d in &import.problems {
        let _ = std::io::stderr().write_all(d.render().as_bytes());
    }
    let Some(graph) = &import.graph else {
        let errors: usize = import.problems.iter().map(|d| d.error_count()).sum();
        eprintln!("authpath: import failed: {errors} error(s); no graph written");
        return exit::BAD_INPUT;
    };
    let code = write_output(args.output.as_deref(), graph.as_bytes());
    if code == exit::OK && !QUIET.load(std::sync::atomic::Ordering::Relaxed) {
        let s = &import.summary;
        let list = |m: &std::collections::BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, n)| format!("{k} ({n})"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        eprintln!("authpath: imported {} nodes, {} edges", s.nodes, s.edges);
        if !s.unmapped_nodes.is_empty() {
            eprintln!(
                "authpath: warning: skipped {} node(s) whose kinds the mapping does not name: {}",
                s.unmapped_nodes.values().sum::<usize>(),
                list(&s.unmapped_nodes)
            );
        }
        if !s.unmapped_edges.is_empty() {
            eprintln!(
                "authpath: warning: skipped {} edge(s) whose kind the mapping does not name: {}",
                s.unmapped_edges.values().sum::<usize>(),
                list(&s.unmapped_edges)
            );
        }
        if !s.unfit_edges.is_empty() {
            eprintln!(
                "authpath: warning: skipped {} edge(s) whose ends do not fit the mapped kind: {}",
                s.unfit_edges.values().sum::<usize>(),
                list(&s.unfit_edges)
            );
        }
        if s.unresolved_edges > 0 {
            eprintln!(
                "authpath: warning: skipped {} edge(s) with an end that names no imported node (a node skipped above, or not in the file)",
                s.unresolved_edges
            );
        }
        if s.repeated_nodes > 0 {
            eprintln!(
                "authpath: warning: {} node(s) repeat an earlier id: the first of each is kept",
                s.repeated_nodes
            );
        }
        if s.renamed > 0 {
            eprintln!(
                "authpath: note: {} foreign propert(ies) named like a field of the format kept as og_NAME",
                s.renamed
            );
        }
    }
    code
}

/// The graph, its facts and (with --findings) its findings, for an export.
fn export_inputs(
    c: &ExportCommon,
) -> Result<
    (
        Graph,
        crate::export::Facts,
        Option<Vec<crate::findings::Finding>>,
    ),
    u8,
> {
    let Some(model) = load_valid(&c.file) else {
        return Err(exit::BAD_INPUT);
    };
    let (as_of, from) = crate::analyze::judgement_time(&model, c.now);
    warn_wall_clock(&model.source, as_of, from);
    let facts = {
        let _p = phase("computing what passes authority");
        crate::export::Facts::of(&model, as_of)
    };
    let findings = if c.findings {
        let policy = load_policy(c.policy.as_deref())?;
        let (subjects, _) = effective_settings(None, None, &policy);
        let opts = Options {
            now: c.now,
            subjects,
            policy,
            max_findings: (c.max_findings != 0).then_some(c.max_findings),
            choke_points: Some(0),
            max_path_nodes: Some(limits().max_path_nodes),
            include_builtin: false,
        };
        let _p = phase("analysing");
        Some(crate::analyze::analyze(&model, &opts).findings)
    } else {
        None
    };
    Ok((model, facts, findings))
}

fn run_export_opengraph(args: &OpengraphExportArgs) -> u8 {
    let (model, facts, findings) = match export_inputs(&args.common) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let members = findings.as_deref().map(crate::export::Membership::of);
    let (doc, adjusted) = {
        let _p = phase("writing OpenGraph");
        crate::export::opengraph::document(&model, &facts, members.as_ref())
    };
    if !adjusted.is_empty() {
        eprintln!("authpath: opengraph: {}", adjusted.describe());
    }
    if let Some(ext) = &args.extension
        && let Err(e) =
            crate::output::write_atomic(ext, crate::export::opengraph::extension().as_bytes())
    {
        eprintln!("authpath: cannot write {}: {e}", ext.display());
        return exit::BAD_INPUT;
    }
    write_output(args.output.as_deref(), doc.as_bytes())
}

fn run_export_cypher(args: &CypherExportArgs) -> u8 {
    let (model, facts, findings) = match export_inputs(&args.common) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let written = {
        let _p = phase("writing CSV");
        crate::export::cypher::write(&model, &facts, findings.as_deref(), &args.output)
    };
    match written {
        Ok(w) => {
            if !QUIET.load(std::sync::atomic::Ordering::Relaxed) {
                eprintln!(
                    "authpath: wrote {} files under {}: {} nodes, {} edges ({} passing authority), {} findings",
                    w.files.len(),
                    args.output.display(),
                    w.nodes,
                    w.edges,
                    w.passing,
                    w.findings
                );
            }
            exit::OK
        }
        Err(e) => {
            eprintln!(
                "authpath: cannot write under {}: {e}",
                args.output.display()
            );
            exit::BAD_INPUT
        }
    }
}

fn validate(files: &[PathBuf], strict: bool) -> u8 {
    let mut code = exit::OK;
    for (i, f) in files.iter().enumerate() {
        let Loaded { graph, diagnostics } = {
            let _p = phase(&format!("loading {}", f.display()));
            load_path_with(f, load_limits())
        };
        let report = diagnostics.render();
        if !report.is_empty() {
            let _ = std::io::stderr().write_all(report.as_bytes());
        }
        match graph {
            Some(g) if strict && diagnostics.warning_count() > 0 => {
                eprintln!(
                    "authpath: error: {}: {} warning(s), which --strict makes errors",
                    diagnostics.file,
                    diagnostics.warning_count()
                );
                std::mem::forget(g);
                code = exit::BAD_INPUT;
            }
            Some(g) => {
                let mut line = summary(&diagnostics.file, &g);
                if diagnostics.warning_count() > 0 {
                    line.push_str(&format!(", {} warning(s)", diagnostics.warning_count()));
                }
                line.push('\n');
                if output::write_stdout(line.as_bytes()).is_err() {
                    return exit::BAD_INPUT;
                }
                if i + 1 == files.len() {
                    // Freeing millions of small allocations one by one takes a noticeable
                    // share of a large file's run; the process is about to exit.
                    std::mem::forget(g);
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
