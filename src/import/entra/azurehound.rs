//! AzureHound's JSON envelope, read as a stream: `{"meta": {"type": "azure", "version": N,
//! "count": M}, "data": [{"kind": K, "data": {…}}, …]}`. Each record is handed over as it is
//! read and then dropped, so a dump of any size is read in the memory of its largest
//! record: the importer keeps only what it models.

use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::model::Span;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;
use std::io::Read;

/// The envelope's `meta`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    pub kind: Option<String>,
    pub version: Option<u64>,
    pub count: Option<u64>,
}

/// One record: its position in `data` (from 1) and its kind and payload.
#[derive(Debug)]
pub struct Record {
    pub index: usize,
    pub kind: String,
    pub data: Value,
}

struct Envelope<'a, F> {
    each: &'a mut F,
    meta: Option<Meta>,
    records: usize,
    /// Records that are not `{"kind": …, "data": {…}}`, by position.
    malformed: Vec<(usize, String)>,
    saw_data: bool,
}

impl<'de, F: FnMut(Record)> DeserializeSeed<'de> for &mut Envelope<'_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(Record)> Visitor<'de> for &mut Envelope<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an AzureHound file: an object with `meta` and `data`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "meta" => {
                    let v: Value = map.next_value()?;
                    self.meta = Some(Meta {
                        kind: v.get("type").and_then(Value::as_str).map(str::to_string),
                        version: v.get("version").and_then(Value::as_u64),
                        count: v.get("count").and_then(Value::as_u64),
                    });
                }
                "data" => {
                    self.saw_data = true;
                    map.next_value_seed(Records(&mut *self))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct Records<'b, 'a, F>(&'b mut Envelope<'a, F>);

impl<'de, F: FnMut(Record)> DeserializeSeed<'de> for Records<'_, '_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Record)> Visitor<'de> for Records<'_, '_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let env = self.0;
        while let Some(v) = seq.next_element::<Value>()? {
            env.records += 1;
            let index = env.records;
            let Value::Object(mut o) = v else {
                env.malformed.push((index, "not an object".into()));
                continue;
            };
            let kind = match o.remove("kind") {
                Some(Value::String(k)) => k,
                _ => {
                    env.malformed.push((index, "no `kind` string".into()));
                    continue;
                }
            };
            let data = o.remove("data").unwrap_or(Value::Null);
            if !data.is_object() {
                env.malformed
                    .push((index, format!("{kind} without a `data` object")));
                continue;
            }
            (env.each)(Record { index, kind, data });
        }
        Ok(())
    }
}

/// What reading one file found besides its records.
#[derive(Debug, Default)]
pub struct Summary {
    pub meta: Option<Meta>,
    pub records: usize,
}

/// Reads an AzureHound file from `input`, calling `each` on every well-formed record;
/// problems go to `d` (a broken file is an error at its line and column, a malformed record
/// a warning naming its position).
pub fn read(input: impl Read, d: &mut Diagnostics, mut each: impl FnMut(Record)) -> Summary {
    let mut env = Envelope {
        each: &mut each,
        meta: None,
        records: 0,
        malformed: Vec::new(),
        saw_data: false,
    };
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(input));
    let result = (&mut env).deserialize(&mut de).and_then(|()| de.end());
    if let Err(e) = result {
        let span = (e.line() > 0).then(|| Span {
            line: e.line() as u32,
            column: e.column() as u32,
        });
        d.push(
            Diagnostic::error(
                codes::JSON_SYNTAX,
                span,
                format!(
                    "not an AzureHound file: {}",
                    crate::source::strip_position(&e)
                ),
            )
            .help("give the JSON files AzureHound wrote (`azurehound list … -o FILE`), whole"),
        );
    } else if !env.saw_data {
        d.push(
            Diagnostic::error(
                codes::ENTRA_FILE,
                Some(Span { line: 1, column: 1 }),
                "no `data` array: not an AzureHound file".to_string(),
            )
            .help("give the JSON files AzureHound wrote (`azurehound list … -o FILE`)"),
        );
    }
    if let Some(t) = env.meta.as_ref().and_then(|m| m.kind.as_deref())
        && t != "azure"
    {
        d.push(
            Diagnostic::warning(
                codes::ENTRA_RECORD,
                None,
                format!(
                    "`meta.type` is {}, not \"azure\": read as AzureHound's all the same",
                    crate::diagnostics::quote(t)
                ),
            )
            .help("check that the file is AzureHound's Azure output"),
        );
    }
    for (index, why) in &env.malformed {
        d.push(
            Diagnostic::warning(
                codes::ENTRA_RECORD,
                None,
                format!("record {index} of `data`: {why}: skipped"),
            )
            .help("give the records as AzureHound wrote them"),
        );
    }
    Summary {
        meta: env.meta,
        records: env.records,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> (Vec<String>, Diagnostics) {
        let mut d = Diagnostics::new("t.json");
        let mut out = Vec::new();
        read(text.as_bytes(), &mut d, |r| {
            out.push(format!("{}#{}", r.kind, r.index))
        });
        (out, d)
    }

    #[test]
    fn records_stream_in_order_whatever_the_key_order() {
        let (k, d) = kinds(
            r#"{"data": [{"data": {"id": "1"}, "kind": "AZUser"}, {"kind": "AZGroup", "data": {}}], "meta": {"type": "azure", "version": 5, "count": 2}}"#,
        );
        assert_eq!(k, ["AZUser#1", "AZGroup#2"]);
        assert_eq!(d.error_count() + d.warning_count(), 0, "{}", d.render());
    }

    #[test]
    fn hostile_files_are_problems() {
        let (k, d) = kinds(
            r#"{"meta": {"type": "aws"}, "data": [1, {"kind": 2}, {"kind": "AZUser", "data": []}, {"kind": "AZUser", "data": {}}]}"#,
        );
        assert_eq!(k, ["AZUser#4"]);
        assert_eq!(d.warning_count(), 4, "{}", d.render());
        let (_, d) = kinds("{\"data\": [\n{\"kind\": \"AZUser\", \"data\": {}},\n");
        assert!(d.has_errors());
        assert!(d.render().contains(":3:"), "{}", d.render());
        let (_, d) = kinds("[]");
        assert!(d.has_errors());
        let (_, d) = kinds(r#"{"meta": {}}"#);
        assert!(d.render().contains("no `data` array"), "{}", d.render());
    }
}
