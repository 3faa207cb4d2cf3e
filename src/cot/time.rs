//! CoT timestamps.
//!
//! Times are kept as milliseconds since the Unix epoch (`i64`), which is also
//! what TAK Protocol v1 carries. Strict receivers (ATAK's `CoordinatedTime`)
//! expect exactly `YYYY-MM-DDTHH:MM:SS.sssZ`, so that is the only form written.
//! Parsing is tolerant: 0–9 fraction digits, `Z` or a numeric offset.
//! The civil-date arithmetic is Howard Hinnant's `days_from_civil` algorithm,
//! done by hand because this runs once per timestamp in the hot path.

use super::error::CotError;

const MS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12; // March-based month, so leap day is last
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`]: (year, month, day). The crate's one
/// calendar: CoT timestamps and the receive times of every output format.
pub const fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Earliest representable time: 0000-01-01T00:00:00.000Z (4-digit years only).
pub const MIN_TIME_MS: i64 = days_from_civil(0, 1, 1) * MS_PER_DAY;
/// Latest representable time: 9999-12-31T23:59:59.999Z.
pub const MAX_TIME_MS: i64 = days_from_civil(10_000, 1, 1) * MS_PER_DAY - 1;

/// Formats `ms` as the 24 bytes `YYYY-MM-DDTHH:MM:SS.sssZ`, or `None` when
/// the year does not fit in four digits.
pub fn time_bytes(ms: i64) -> Option<[u8; 24]> {
    if !(MIN_TIME_MS..=MAX_TIME_MS).contains(&ms) {
        return None;
    }
    let days = ms.div_euclid(MS_PER_DAY);
    let rem = ms.rem_euclid(MS_PER_DAY);
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    // Every value is in range here, so `as u8` digit arithmetic cannot wrap.
    let dig = |v: i64, div: i64| b'0' + (v / div % 10) as u8;
    Some([
        dig(y, 1000),
        dig(y, 100),
        dig(y, 10),
        dig(y, 1),
        b'-',
        dig(mo, 10),
        dig(mo, 1),
        b'-',
        dig(d, 10),
        dig(d, 1),
        b'T',
        dig(h, 10),
        dig(h, 1),
        b':',
        dig(mi, 10),
        dig(mi, 1),
        b':',
        dig(s, 10),
        dig(s, 1),
        b'.',
        dig(milli, 100),
        dig(milli, 10),
        dig(milli, 1),
        b'Z',
    ])
}

/// Appends `ms` in the strict CoT form to `out`.
pub fn write_time(ms: i64, field: &'static str, out: &mut Vec<u8>) -> Result<(), CotError> {
    let b = time_bytes(ms).ok_or(CotError::TimeOutOfRange { field })?;
    out.extend_from_slice(&b);
    Ok(())
}

/// Appends `ms` in the strict CoT form to a `String` (also valid RFC 3339).
pub fn push_time(ms: i64, out: &mut String) -> Result<(), CotError> {
    let b = time_bytes(ms).ok_or(CotError::TimeOutOfRange { field: "time" })?;
    // The bytes are ASCII digits and punctuation only.
    b.iter().for_each(|&c| out.push(char::from(c)));
    Ok(())
}

/// Returns `ms` in the strict CoT form as a new `String`.
pub fn format_time(ms: i64) -> Result<String, CotError> {
    let mut s = String::with_capacity(24);
    push_time(ms, &mut s)?;
    Ok(s)
}

/// True when `s` is a time ATAK's network library reads: the fixed
/// positions of `YYYY-MM-DDTHH:MM:SS`, then optionally `.` and any number of
/// fraction digits (past three they are truncated), then `Z`: UTC only, no
/// offsets (commoncommo's `getTimeFromString`). pytak's six-digit fractions
/// pass; `+00:00` does not.
pub fn is_strict_time(s: &str) -> bool {
    has_strict_time_shape(s) && parse_time(s).is_some()
}

/// The shape half of [`is_strict_time`], for callers that have already
/// parsed `s` with [`parse_time`] (the reader, which would otherwise parse
/// every timestamp twice).
pub(crate) fn has_strict_time_shape(s: &str) -> bool {
    let b = s.as_bytes();
    let Some((&b'Z', body)) = b.split_last() else {
        return false;
    };
    let (fixed, frac) = body.split_at(body.len().min(19));
    fixed.len() == 19
        && fixed.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            _ => c.is_ascii_digit(),
        })
        && match frac.split_first() {
            None => true,
            Some((&b'.', digits)) => !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
            Some(_) => false,
        }
}

/// A byte cursor that never indexes out of bounds.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }
    /// Reads exactly `n` decimal digits.
    fn digits(&mut self, n: usize) -> Option<i64> {
        let mut v = 0i64;
        for _ in 0..n {
            let c = self.peek().filter(u8::is_ascii_digit)?;
            v = v * 10 + i64::from(c - b'0');
            self.i += 1;
        }
        Some(v)
    }
}

/// Parses a CoT/ISO 8601 timestamp tolerantly; `None` if it is not one.
///
/// Accepts `T`/`t`/space as separator, 0–9 fraction digits after `.` or `,`
/// (truncated to milliseconds), and `Z`/`z`, `±HH:MM`, `±HHMM` or `±HH`.
/// A leap second (`:60`) is folded into the next second.
pub fn parse_time(s: &str) -> Option<i64> {
    let mut c = Cursor {
        b: s.trim().as_bytes(),
        i: 0,
    };
    let y = c.digits(4)?;
    c.eat(b'-').then_some(())?;
    let mo = c.digits(2)?;
    c.eat(b'-').then_some(())?;
    let d = c.digits(2)?;
    (c.eat(b'T') || c.eat(b't') || c.eat(b' ')).then_some(())?;
    let h = c.digits(2)?;
    c.eat(b':').then_some(())?;
    let mi = c.digits(2)?;
    c.eat(b':').then_some(())?;
    let sec = c.digits(2)?;
    let mut milli = 0i64;
    if c.eat(b'.') || c.eat(b',') {
        let mut n = 0;
        while let Some(ch) = c.peek().filter(u8::is_ascii_digit) {
            // Only the first three digits matter; the rest is truncated.
            if n < 3 {
                milli = milli * 10 + i64::from(ch - b'0');
            }
            n += 1;
            c.i += 1;
        }
        if !(1..=9).contains(&n) {
            return None;
        }
        for _ in n..3 {
            milli *= 10;
        }
    }
    let offset_min = match c.peek()? {
        b'Z' | b'z' => {
            c.i += 1;
            0
        }
        sign @ (b'+' | b'-') => {
            c.i += 1;
            let oh = c.digits(2)?;
            let om = if c.eat(b':') {
                c.digits(2)?
            } else {
                c.digits(2).unwrap_or(0)
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let off = oh * 60 + om;
            if sign == b'-' {
                -off
            } else {
                off
            }
        }
        _ => return None,
    };
    if c.i != c.b.len() {
        return None;
    }
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let mdays = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d < 1 || d > mdays || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let ms = days_from_civil(y, mo, d) * MS_PER_DAY
        + ((h * 60 + mi - offset_min) * 60 + sec) * 1000
        + milli;
    (MIN_TIME_MS..=MAX_TIME_MS).contains(&ms).then_some(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T2026: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    #[test]
    fn formats_exact_form() {
        assert_eq!(format_time(T2026).unwrap(), "2026-01-01T00:00:00.000Z");
        assert_eq!(format_time(0).unwrap(), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_time(-1).unwrap(), "1969-12-31T23:59:59.999Z");
        assert_eq!(
            format_time(951_782_400_123).unwrap(),
            "2000-02-29T00:00:00.123Z"
        );
        assert_eq!(
            format_time(MAX_TIME_MS).unwrap(),
            "9999-12-31T23:59:59.999Z"
        );
        assert_eq!(
            format_time(MIN_TIME_MS).unwrap(),
            "0000-01-01T00:00:00.000Z"
        );
        assert!(format_time(MAX_TIME_MS + 1).is_err());
        assert!(format_time(MIN_TIME_MS - 1).is_err());
    }

    #[test]
    fn parses_tolerantly() {
        let p = |s| parse_time(s);
        assert_eq!(p("2026-01-01T00:00:00.000Z"), Some(T2026));
        assert_eq!(p("2026-01-01T00:00:00Z"), Some(T2026));
        assert_eq!(p("2026-01-01T00:00:00.5Z"), Some(T2026 + 500));
        assert_eq!(p("2026-01-01T00:00:00.12Z"), Some(T2026 + 120));
        assert_eq!(p("2026-01-01T00:00:00.123456789Z"), Some(T2026 + 123));
        assert_eq!(p("2026-01-01T01:00:00.000+01:00"), Some(T2026));
        assert_eq!(p("2025-12-31T23:30:00-0030"), Some(T2026));
        assert_eq!(p("2026-01-01 00:00:00z"), Some(T2026));
        assert_eq!(p(" 2026-01-01T00:00:00Z "), Some(T2026));
        assert_eq!(p("2016-12-31T23:59:60Z"), Some(1_483_228_800_000));
        for bad in [
            "",
            "2026-01-01",
            "2026-01-01T00:00:00",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00.1234567890Z",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00Zjunk",
            "26-01-01T00:00:00Z",
            "2026-01-01T00:00:00+25:00",
            "0000-01-01T00:00:00+01:00",
        ] {
            assert_eq!(p(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn strict_form_detection() {
        // What commoncommo reads: fixed positions, any fraction, Z.
        for ok in [
            "2026-01-01T00:00:00.000Z",
            "2026-01-01T00:00:00.00Z",
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00.123456Z",
        ] {
            assert!(is_strict_time(ok), "{ok}");
        }
        for bad in [
            "2026-01-01T00:00:00.000+00:00",
            "2026-02-30T00:00:00.000Z",
            "2026-01-01t00:00:00.000Z",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00.000z",
            "2026-01-01 00:00:00.000Z",
        ] {
            assert!(!is_strict_time(bad), "{bad}");
        }
    }

    #[test]
    fn roundtrip_many() {
        let mut x = 0x1234_5678_9abc_def0u64;
        for _ in 0..10_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let span = (MAX_TIME_MS - MIN_TIME_MS) as u64;
            let ms = MIN_TIME_MS + (x % span) as i64;
            let s = format_time(ms).unwrap();
            assert!(is_strict_time(&s), "{s}");
            assert_eq!(parse_time(&s), Some(ms), "{s}");
        }
    }
}
