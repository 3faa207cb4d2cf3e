//! Durations, rates, counts, TTLs and payload values as `FromStr` types,
//! used directly as clap fields. Pure: no I/O.

use std::fmt;
use std::num::NonZeroU64;
use std::str::FromStr;
use std::time::Duration;

/// The longest duration accepted anywhere (one year): anything longer is a
/// typo, not a plan.
const MAX_DURATION: Duration = Duration::from_secs(366 * 24 * 3600);

/// A positive duration: `250ms`, `1.5s`, `2m`, `1h`, `100us`; a bare number
/// is seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DurationArg(pub Duration);

impl FromStr for DurationArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let expected = "expected a positive duration such as 500ms, 1.5s, 2m or 1h";
        if t.starts_with('-') {
            return Err(format!("duration {s:?} is negative; {expected}"));
        }
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        if num.is_empty() {
            return Err(format!("{s:?} is not a duration; {expected}"));
        }
        let scale = match unit.trim() {
            "" | "s" | "sec" | "secs" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            "m" | "min" | "mins" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            other => return Err(format!("unknown unit {other:?} in {s:?}; {expected}")),
        };
        let n: f64 = num
            .parse()
            .map_err(|_| format!("{s:?} is not a duration; {expected}"))?;
        let secs = n * scale;
        if !secs.is_finite() || secs <= 0.0 {
            return Err(format!(
                "duration {s:?} must be greater than zero; {expected}"
            ));
        }
        if secs > MAX_DURATION.as_secs_f64() {
            return Err(format!("duration {s:?} is longer than a year; {expected}"));
        }
        let d = Duration::from_secs_f64(secs);
        if d.is_zero() {
            return Err(format!("duration {s:?} is shorter than a nanosecond"));
        }
        Ok(DurationArg(d))
    }
}

impl fmt::Display for DurationArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// A speed factor for `replay --speed`: `1` (as captured), `10`, `0.5`,
/// `2x`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Speed(pub f64);

impl FromStr for Speed {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let n = t.strip_suffix(['x', 'X']).unwrap_or(t);
        match n.parse::<f64>() {
            Ok(v) if (1e-3..=1e6).contains(&v) => Ok(Speed(v)),
            _ => Err(format!(
                "speed {s:?}: expected a factor between 0.001 and 1000000, e.g. 1, 10 or 0.5"
            )),
        }
    }
}

/// A datagram rate in packets per second: `1000`, `10k`, `1.5M`, `200/s`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Rate(pub f64);

impl Rate {
    /// The interval between two datagrams at this rate.
    pub fn interval(self) -> Duration {
        Duration::from_secs_f64(1.0 / self.0)
    }
}

impl FromStr for Rate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let expected = "expected datagrams per second such as 100, 10k or 1.5M";
        let t = s.trim().trim_end_matches("/s").trim_end_matches("pps");
        let (num, mult) = split_suffix(t);
        let n: f64 = num
            .parse()
            .map_err(|_| format!("{s:?} is not a rate; {expected}"))?;
        let r = n * mult;
        if !r.is_finite() || r <= 0.0 {
            return Err(format!("rate {s:?} must be greater than zero; {expected}"));
        }
        if r > 100e6 {
            return Err(format!("rate {s:?} is above 100M datagrams/s; {expected}"));
        }
        if r < 1e-6 {
            return Err(format!("rate {s:?} is below one datagram per 11 days"));
        }
        Ok(Rate(r))
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/s", self.0)
    }
}

fn split_suffix(t: &str) -> (&str, f64) {
    if let Some(n) = t.strip_suffix(['k', 'K']) {
        (n, 1e3)
    } else if let Some(n) = t.strip_suffix('M') {
        (n, 1e6)
    } else if let Some(n) = t.strip_suffix('G') {
        (n, 1e9)
    } else {
        (t, 1.0)
    }
}

/// A count of one or more: `1`, `100`, `10k`, `1M`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Count(pub NonZeroU64);

impl Count {
    /// The count as a plain number.
    pub fn get(self) -> u64 {
        self.0.get()
    }
}

impl FromStr for Count {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let expected = "expected a whole number of at least 1, such as 10 or 1k";
        let (num, mult) = split_suffix(s.trim());
        if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{s:?} is not a count; {expected}"));
        }
        let n: u64 = num
            .parse()
            .map_err(|_| format!("count {s:?} is too large"))?;
        let n = n
            .checked_mul(mult as u64)
            .ok_or_else(|| format!("count {s:?} is too large"))?;
        NonZeroU64::new(n)
            .map(Count)
            .ok_or_else(|| format!("count {s:?} is zero; {expected}"))
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An IPv4 TTL or IPv6 hop limit, 0-255.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ttl(pub u8);

impl FromStr for Ttl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().parse::<u64>() {
            Ok(n) if n <= 255 => Ok(Ttl(n as u8)),
            Ok(_) => Err(format!(
                "TTL {s} is out of range; expected 0-255 (1 keeps traffic on the local link)"
            )),
            Err(_) => Err(format!("TTL {s:?} is not a number; expected 0-255")),
        }
    }
}

impl fmt::Display for Ttl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An IP TOS / traffic-class byte: decimal (`184`) or hex (`0xb8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tos(pub u8);

impl FromStr for Tos {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let v = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            Some(h) => u64::from_str_radix(h, 16),
            None => t.parse::<u64>(),
        };
        match v {
            Ok(n) if n <= 255 => Ok(Tos(n as u8)),
            _ => Err(format!(
                "TOS {s:?} is not a byte; expected 0-255 or 0x00-0xff (e.g. 0xb8 for DSCP EF)"
            )),
        }
    }
}

/// A payload size in bytes, 0-65527 (the family limit is checked later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size(pub usize);

impl FromStr for Size {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (num, mult) = split_suffix(s.trim());
        let n: usize = num
            .parse()
            .map_err(|_| format!("{s:?} is not a size; expected bytes such as 64, 1200 or 8k"))?;
        let n = n.saturating_mul(mult as usize);
        if n > 65_527 {
            return Err(format!(
                "size {s} is above the largest UDP payload (65,507 B for IPv4, 65,527 B for IPv6)"
            ));
        }
        Ok(Size(n))
    }
}

/// Bytes given as hex: `48656c6c6f`, `48 65 6c`, `48:65:6c`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexBytes(pub Vec<u8>);

impl FromStr for HexBytes {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let digits: Vec<u8> = s
            .bytes()
            .filter(|b| !matches!(b, b' ' | b':' | b'\n' | b'\t' | b'-'))
            .collect();
        let digits = digits.strip_prefix(b"0x").unwrap_or(&digits);
        if !digits.len().is_multiple_of(2) {
            return Err(format!(
                "hex payload has an odd number of digits ({}); expected pairs like 48656c6c6f",
                digits.len()
            ));
        }
        let mut out = Vec::with_capacity(digits.len() / 2);
        for (i, pair) in digits.chunks(2).enumerate() {
            let hi = hex_val(pair[0]);
            let lo = hex_val(pair[1]);
            match (hi, lo) {
                (Some(h), Some(l)) => out.push(h << 4 | l),
                _ => {
                    return Err(format!(
                        "bad hex digit in pair {} ({:?}); expected 0-9 and a-f",
                        i + 1,
                        String::from_utf8_lossy(pair)
                    ))
                }
            }
        }
        Ok(HexBytes(out))
    }
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for (s, d) in [
            ("1", Duration::from_secs(1)),
            ("1.5s", Duration::from_millis(1500)),
            ("250ms", Duration::from_millis(250)),
            ("2m", Duration::from_secs(120)),
            ("1h", Duration::from_secs(3600)),
            ("100us", Duration::from_micros(100)),
        ] {
            assert_eq!(s.parse::<DurationArg>().unwrap().0, d, "{s}");
        }
        for (s, needle) in [
            ("-1s", "negative"),
            ("0", "greater than zero"),
            ("0ms", "greater than zero"),
            ("abc", "not a duration"),
            ("10 parsecs", "unknown unit"),
            ("1000000h", "longer than a year"),
            ("1e400", "unknown unit"),
            ("", "not a duration"),
        ] {
            let e = s.parse::<DurationArg>().unwrap_err();
            assert!(e.contains(needle), "{s}: {e}");
        }
    }

    #[test]
    fn rates_counts_ttls() {
        assert_eq!("10k".parse::<Rate>().unwrap().0, 10_000.0);
        assert_eq!("200/s".parse::<Rate>().unwrap().0, 200.0);
        assert!("0".parse::<Rate>().is_err());
        assert!("-5".parse::<Rate>().is_err());
        assert!("1G".parse::<Rate>().is_err());
        assert_eq!("1k".parse::<Count>().unwrap().get(), 1000);
        assert!("0".parse::<Count>().unwrap_err().contains("zero"));
        assert!("-1".parse::<Count>().is_err());
        assert!("99999999999999999999".parse::<Count>().is_err());
        assert_eq!("255".parse::<Ttl>().unwrap().0, 255);
        assert!("256".parse::<Ttl>().unwrap_err().contains("0-255"));
        assert_eq!("0xb8".parse::<Tos>().unwrap().0, 0xb8);
        assert!("300".parse::<Tos>().is_err());
        assert_eq!("8k".parse::<Size>().unwrap().0, 8000);
        assert!("70000".parse::<Size>().is_err());
    }

    #[test]
    fn hex() {
        assert_eq!("48656c6c6f".parse::<HexBytes>().unwrap().0, b"Hello");
        assert_eq!("48 65:6C".parse::<HexBytes>().unwrap().0, b"Hel");
        assert_eq!("0x4865".parse::<HexBytes>().unwrap().0, b"He");
        assert!("486".parse::<HexBytes>().unwrap_err().contains("odd"));
        assert!("zz".parse::<HexBytes>().unwrap_err().contains("bad hex"));
    }

    #[test]
    fn speeds() {
        assert_eq!("10".parse::<Speed>(), Ok(Speed(10.0)));
        assert_eq!("0.5x".parse::<Speed>(), Ok(Speed(0.5)));
        assert!("0".parse::<Speed>().is_err());
        assert!("-2".parse::<Speed>().is_err());
        assert!("inf".parse::<Speed>().is_err());
    }
}
