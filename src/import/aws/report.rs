//! The IAM credential report (`aws iam generate-credential-report`, then
//! `get-credential-report`, base64-decoded): one CSV row per user with its password, access
//! keys and signing certificates and when each was last rotated and used.

use crate::diagnostics::{Diagnostic, Diagnostics, codes, quote};
use crate::model::Span;
use crate::timestamp::Timestamp;
use std::collections::HashMap;

/// One of a user's two access keys or signing certificates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub active: bool,
    /// When it was created or last changed (the report's `last_rotated`).
    pub rotated: Option<Timestamp>,
    pub last_used: Option<Timestamp>,
    pub last_used_region: Option<String>,
    pub last_used_service: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// `<root_account>` for the account's root user.
    pub user: String,
    pub arn: String,
    pub line: u64,
    pub created: Option<Timestamp>,
    pub password_enabled: Option<bool>,
    pub password_last_used: Option<Timestamp>,
    pub password_last_changed: Option<Timestamp>,
    pub mfa_active: Option<bool>,
    pub keys: [Option<Key>; 2],
    pub certs: [Option<Key>; 2],
}

impl Row {
    pub(crate) fn is_root(&self) -> bool {
        self.user == "<root_account>"
    }

    pub(crate) fn has_keys(&self) -> bool {
        self.keys.iter().any(Option::is_some)
    }
}

/// The columns without which a row says nothing about credentials.
const REQUIRED: &[&str] = &[
    "user",
    "arn",
    "password_enabled",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
];

/// Reads the report; problems go to `diags`, rows with errors are left out.
pub fn read(text: &str, diags: &mut Diagnostics) -> Vec<Row> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            diags.push(Diagnostic::error(
                codes::AWS_REPORT_CSV,
                Some(Span { line: 1, column: 1 }),
                format!("the header line cannot be read: {e}"),
            ));
            return Vec::new();
        }
    };
    let column: HashMap<&str, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim(), i))
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !column.contains_key(c))
        .collect();
    if !missing.is_empty() {
        diags.push(
            Diagnostic::error(codes::AWS_REPORT_COLUMNS, Some(Span { line: 1, column: 1 }), format!("the header lacks column(s) {}", missing.join(", ")))
                .help("give the credential report as AWS writes it (`aws iam get-credential-report --query Content --output text | base64 -d`)"),
        );
        return Vec::new();
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                diags.push(Diagnostic::error(
                    codes::AWS_REPORT_CSV,
                    Some(Span {
                        line: line as u32,
                        column: 1,
                    }),
                    format!("this row cannot be read: {e}"),
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let mut bad = Vec::new();
        let field = |name: &str| {
            column
                .get(name)
                .and_then(|&i| record.get(i))
                .map(str::trim)
                .unwrap_or("N/A")
        };
        let mut time = |name: &str| -> Option<Timestamp> {
            let v = field(name);
            if absent(v) {
                return None;
            }
            match Timestamp::parse(v) {
                Ok(t) => Some(t),
                Err(_) => {
                    bad.push(format!("{name}: {} is not a time", quote(v)));
                    None
                }
            }
        };
        let created = time("user_creation_time");
        let password_last_used = time("password_last_used");
        let password_last_changed = time("password_last_changed");
        let mut key_times = Vec::new();
        for n in 1..=2 {
            key_times.push((
                time(&format!("access_key_{n}_last_rotated")),
                time(&format!("access_key_{n}_last_used_date")),
                time(&format!("cert_{n}_last_rotated")),
            ));
        }
        let mut flag = |name: &str| -> Option<bool> {
            match field(name) {
                v if v.eq_ignore_ascii_case("true") => Some(true),
                v if v.eq_ignore_ascii_case("false") => Some(false),
                v if absent(v) => None,
                v => {
                    bad.push(format!("{name}: {} is neither true nor false", quote(v)));
                    None
                }
            }
        };
        let password_enabled = flag("password_enabled");
        let mfa_active = flag("mfa_active");
        let mut keys = [None, None];
        let mut certs = [None, None];
        for n in 1..=2 {
            let active = flag(&format!("access_key_{n}_active")).unwrap_or(false);
            let (rotated, last_used, cert_rotated) = key_times[n - 1];
            if active || rotated.is_some() {
                let text = |k: &str| Some(field(k)).filter(|v| !absent(v)).map(str::to_string);
                keys[n - 1] = Some(Key {
                    active,
                    rotated,
                    last_used,
                    last_used_region: text(&format!("access_key_{n}_last_used_region")),
                    last_used_service: text(&format!("access_key_{n}_last_used_service")),
                });
            }
            let cert_active = flag(&format!("cert_{n}_active")).unwrap_or(false);
            if cert_active || cert_rotated.is_some() {
                certs[n - 1] = Some(Key {
                    active: cert_active,
                    rotated: cert_rotated,
                    last_used: None,
                    last_used_region: None,
                    last_used_service: None,
                });
            }
        }
        let user = field("user").to_string();
        if user.is_empty() || user == "N/A" {
            bad.push("user: is empty".into());
        }
        let span = Some(Span {
            line: line as u32,
            column: 1,
        });
        if !bad.is_empty() {
            for b in bad {
                diags.push(
                    Diagnostic::error(codes::AWS_REPORT_VALUE, span, b)
                        .about(format!("row of user {}", quote(&user)))
                        .help("times are ISO 8601 with an offset (2024-02-01T10:15:00+00:00); absent values are N/A"),
                );
            }
            continue;
        }
        rows.push(Row {
            arn: field("arn").to_string(),
            user,
            line,
            created,
            password_enabled,
            password_last_used,
            password_last_changed,
            mfa_active,
            keys,
            certs,
        });
    }
    rows
}

/// The report's words for "no value".
fn absent(v: &str) -> bool {
    matches!(v, "" | "N/A" | "no_information" | "not_supported")
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n";

    #[test]
    fn rows_keys_and_errors() {
        let text = format!(
            "{HEADER}<root_account>,arn:aws:iam::1:root,2020-01-01T00:00:00+00:00,not_supported,2026-01-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
             sync,arn:aws:iam::1:user/sync,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2024-02-01T10:15:00+00:00,N/A,N/A,N/A,false,2023-06-01T08:31:02+00:00,2025-09-15T02:13:00+00:00,us-west-2,sts,false,N/A,false,N/A\n\
             bad,arn:aws:iam::1:user/bad,yesterday,maybe,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let mut d = Diagnostics::new("r.csv");
        let rows = read(&text, &mut d);
        assert_eq!(rows.len(), 2);
        assert!(rows[0].is_root() && !rows[0].has_keys());
        let k1 = rows[1].keys[0].as_ref().unwrap();
        assert!(k1.active && k1.last_used.is_none());
        let k2 = rows[1].keys[1].as_ref().unwrap();
        assert!(!k2.active);
        assert_eq!(k2.last_used_service.as_deref(), Some("sts"));
        let out = d.render();
        assert!(out.contains("r.csv:4:1: error: row of user \"bad\": user_creation_time: \"yesterday\" is not a time [aws-report-value]"), "{out}");
        assert!(
            out.contains("password_enabled: \"maybe\" is neither true nor false"),
            "{out}"
        );
        let mut d = Diagnostics::new("r.csv");
        assert!(read("user,arn\nx,y\n", &mut d).is_empty());
        assert!(
            d.render()
                .contains("the header lacks column(s) password_enabled, access_key_1_active")
        );
    }
}
