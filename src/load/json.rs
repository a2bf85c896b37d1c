//! JSON with places: objects split into raw entries whose positions are known, so that every
//! problem can name the line and column it was written at.

pub use crate::source::Locator;
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// What a raw JSON value is, in the words a message uses.
pub(crate) fn type_name(raw: &RawValue) -> &'static str {
    match raw.get().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't') | Some(b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

pub fn is_null(raw: &RawValue) -> bool {
    raw.get() == "null"
}

/// One `"key": value` of an object, the value left unparsed.
pub struct Entry<'a> {
    pub key: Cow<'a, str>,
    /// The key as written, when it had no escapes (then its place is known exactly).
    pub key_text: Option<&'a str>,
    pub value: &'a RawValue,
}

impl<'a> Entry<'a> {
    /// The byte offset of the key's opening quote when known, else of the value.
    pub(crate) fn key_offset(&self, loc: &Locator<'_>) -> usize {
        match self.key_text {
            Some(k) => loc.offset_of(k).saturating_sub(1),
            None => loc.offset_of(self.value.get()),
        }
    }
}

/// Why a value could not be read as an object.
pub enum NotObject {
    /// It is another JSON type (named as `type_name` does).
    Type(&'static str),
    /// The JSON itself is malformed or too deep.
    Json(serde_json::Error),
}

/// The entries of the JSON object `text`, in order, duplicates kept (the caller reports them).
pub(crate) fn object_entries(text: &str) -> Result<Vec<Entry<'_>>, NotObject> {
    let mut de = serde_json::Deserializer::from_str(text);
    let entries =
        de::Deserializer::deserialize_any(&mut de, ObjectVisitor).map_err(NotObject::Json)?;
    de.end().map_err(NotObject::Json)?;
    entries.ok_or_else(|| {
        let raw: Result<&RawValue, _> = serde_json::from_str(text);
        NotObject::Type(raw.map(type_name).unwrap_or("not an object"))
    })
}

/// Yields `None` for anything but an object, so the caller can say what was found instead.
struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Option<Vec<Entry<'de>>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some((key, key_text)) = map.next_key_seed(KeySeed)? {
            let value: &'de RawValue = map.next_value()?;
            out.push(Entry {
                key,
                key_text,
                value,
            });
        }
        Ok(Some(out))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// Reads a key, borrowing it from the input when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = (Cow<'de, str>, Option<&'de str>);

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = (Cow<'de, str>, Option<&'de str>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok((Cow::Borrowed(v), Some(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok((Cow::Owned(v.to_owned()), None))
    }
}

/// The elements of the JSON array `text`, unparsed.
pub(crate) fn array_elements(text: &str) -> Result<Vec<&RawValue>, serde_json::Error> {
    serde_json::from_str(text)
}

/// A free-form value, kept as JSON; an object that repeats a key is refused, as everywhere
/// in the format.
pub(crate) fn free_value(raw: &RawValue) -> Result<serde_json::Value, String> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    de::Deserializer::deserialize_any(&mut de, StrictValue).map_err(|e| strip_position(&e))
}

pub(crate) use crate::source::strip_position;

/// A JSON value that refuses a key repeated in one object, read from any serde input (the
/// graph loader's JSON, the importers' YAML): keeping one of two values silently could hide
/// what the other said.
pub struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = serde_json::Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(StrictValue)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(StrictValue)? {
            out.push(v);
        }
        Ok(out.into())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key_seed(StrictValue)? {
            // JSON keys are strings; YAML ones may be numbers or booleans, which Kubernetes
            // (like JSON) reads as their spelling.
            let key = match key {
                serde_json::Value::String(s) => s,
                v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_)) => v.to_string(),
                _ => return Err(de::Error::custom("a key must be a string")),
            };
            let value = map.next_value_seed(StrictValue)?;
            if out.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "the key {key:?} appears twice in one object"
                )));
            }
            out.insert(key, value);
        }
        Ok(out.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_keep_duplicates_and_places() {
        let text = r#"{"a": 1, "a": [2], "\u0062": "x"}"#;
        let entries = object_entries(text).ok().unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[1].value.get(), "[2]");
        assert_eq!(entries[2].key, "b");
        assert!(entries[2].key_text.is_none());
        assert!(matches!(
            object_entries("[1]"),
            Err(NotObject::Type("an array"))
        ));
    }

    #[test]
    fn free_values_refuse_repeated_keys() {
        let raw: &RawValue = serde_json::from_str(r#"{"x": {"k": 1, "k": 2}}"#).unwrap();
        assert!(free_value(raw).unwrap_err().contains("appears twice"));
        let raw: &RawValue = serde_json::from_str(r#"[1, "a", {"k": null}]"#).unwrap();
        assert_eq!(
            free_value(raw).unwrap(),
            serde_json::json!([1, "a", {"k": null}])
        );
    }
}

/// Where a syntax error at `at` is a trailing comma: the offset of a `,` whose next
/// non-blank character closes an array or object, found just before `at`.
pub(crate) fn trailing_comma(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    // serde_json stops at the closer (`expected value`) or at the next key's quote.
    let mut end = at.min(bytes.len());
    while end < bytes.len() && bytes[end].is_ascii_whitespace() {
        end += 1;
    }
    if !matches!(bytes.get(end), Some(b']' | b'}')) {
        return None;
    }
    let before = text[..end].trim_end();
    before.ends_with(',').then(|| before.len() - 1)
}

#[cfg(test)]
mod trailing_comma_tests {
    use super::trailing_comma;

    #[test]
    fn finds_the_comma_before_a_closer() {
        let t = r#"{"a": [1, 2, ], "b": 1}"#;
        assert_eq!(trailing_comma(t, 13), Some(11));
        let t = "{\"a\": 1,\n}";
        assert_eq!(trailing_comma(t, 9), Some(7));
        assert_eq!(trailing_comma(r#"{"a": 1 }"#, 8), None);
        assert_eq!(trailing_comma(r#"[1,,2]"#, 3), None);
    }
}
