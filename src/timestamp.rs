//! RFC 3339 instants, parsed strictly as docs/format.md demands and printed in one canonical form.

use std::fmt;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcDateTime};

/// An instant on the UTC timeline. The offset a file wrote is not kept: every rule compares
/// instants, and every output prints UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(UtcDateTime);

/// Why a string is not an RFC 3339 date-time, in words a user can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampError(pub &'static str);

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Timestamp {
    /// Parses an RFC 3339 `date-time`: date, `T` (or `t`), time and offset all required,
    /// fractional seconds allowed, leap seconds rejected.
    pub fn parse(s: &str) -> Result<Timestamp, TimestampError> {
        let b = s.as_bytes();
        // The `time` crate accepts any separator and maps second 60 onto 59.999999999; the
        // format is stricter on both, so the shape is checked here first.
        if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
            return Err(TimestampError(
                "a date alone is not a date-time: add a time and offset, e.g. 2026-11-01T00:00:00Z",
            ));
        }
        if b.len() < 20 {
            return Err(TimestampError(
                "not an RFC 3339 date-time: expected YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)",
            ));
        }
        if b[10] != b'T' && b[10] != b't' {
            return Err(TimestampError(
                "the date and time must be separated by `T`, e.g. 2026-11-01T00:00:00Z",
            ));
        }
        if &b[17..19] == b"60" {
            return Err(TimestampError(
                "leap seconds (second 60) are not accepted: use :59",
            ));
        }
        match OffsetDateTime::parse(s, &Rfc3339) {
            Ok(t) => Ok(Timestamp(t.to_utc())),
            Err(_) => Err(TimestampError(
                "not a valid RFC 3339 date-time: expected YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM) with a real calendar date",
            )),
        }
    }

    /// The instant `secs` seconds after 1970-01-01T00:00:00Z (clamped to years 0000–9999).
    #[cfg(feature = "generators")]
    pub fn from_unix(secs: i64) -> Timestamp {
        let secs = secs.clamp(-62_167_219_200, 253_402_300_799);
        Timestamp(UtcDateTime::from_unix_timestamp(secs).unwrap_or(UtcDateTime::UNIX_EPOCH))
    }

    /// Whole seconds since 1970-01-01T00:00:00Z (a fraction is dropped).
    pub fn unix_seconds(self) -> i64 {
        self.0.unix_timestamp()
    }

    /// The instant `secs` seconds after 1970-01-01T00:00:00Z; `None` outside years
    /// 0000–9999.
    pub fn from_unix_seconds(secs: i64) -> Option<Timestamp> {
        if !(-62_167_219_200..=253_402_300_799).contains(&secs) {
            return None;
        }
        UtcDateTime::from_unix_timestamp(secs).ok().map(Timestamp)
    }

    /// The current wall-clock time.
    pub fn now() -> Timestamp {
        Timestamp(UtcDateTime::now())
    }

    /// Elapsed time from `earlier` to `self` (negative when `earlier` is later).
    pub fn since(self, earlier: Timestamp) -> Duration {
        self.0 - earlier.0
    }

    /// Whether more than `days` × 24 h elapsed from `t` to `self` (docs/format.md's "more than N days before").
    pub fn more_than_days_after(self, t: Timestamp, days: u32) -> bool {
        self.since(t) > Duration::days(i64::from(days))
    }
}

impl fmt::Display for Timestamp {
    /// `YYYY-MM-DDTHH:MM:SS[.f]Z`, the fraction without trailing zeros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )?;
        let nanos = t.nanosecond();
        if nanos != 0 {
            let frac = format!("{nanos:09}");
            write!(f, ".{}", frac.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_offsets_fractions_and_lowercase() {
        let a = Timestamp::parse("2026-11-01T02:00:00+02:00").unwrap();
        let b = Timestamp::parse("2026-11-01t00:00:00z").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "2026-11-01T00:00:00Z");
        let c = Timestamp::parse("2026-11-01T00:00:00.120000Z").unwrap();
        assert_eq!(c.to_string(), "2026-11-01T00:00:00.12Z");
        let d = Timestamp::parse("2026-11-01T00:00:00.1234567891Z").unwrap();
        assert_eq!(d.to_string(), "2026-11-01T00:00:00.123456789Z");
    }

    #[test]
    fn rejects_what_the_format_rejects() {
        for bad in [
            "2026-11-01",
            "2026-11-01 00:00:00Z",
            "2026-11-01T00:00:00",
            "2016-12-31T23:59:60Z",
            "2026-02-30T00:00:00Z",
            "2026-11-01T25:00:00Z",
            "yesterday",
            "",
            "2026-11-01T00:00:00Zjunk",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn more_than_days_is_strict() {
        let now = Timestamp::parse("2026-11-01T00:00:00Z").unwrap();
        let exactly = Timestamp::parse("2026-08-03T00:00:00Z").unwrap();
        assert!(!now.more_than_days_after(exactly, 90));
        let just_over = Timestamp::parse("2026-08-02T23:59:59.999Z").unwrap();
        assert!(now.more_than_days_after(just_over, 90));
    }
}
