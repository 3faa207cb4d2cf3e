//! MQTT topics of `mqtt://` bridge links: a topic, or a template with
//! `{group}` and `{port}` levels that names the multicast flow, so that one
//! broker topic tree carries many groups. Pure: no I/O.
//!
//! ```text
//! TOPIC  = LEVEL *( "/" LEVEL )
//! LEVEL  = TEXT | "{group}" | "{port}" | "+" | "#"    ("#" only last)
//! ```
//!
//! As an output, `mcast/{group}/{port}` publishes a datagram of
//! 239.2.3.1:6969 to `mcast/239.2.3.1/6969`. As an input, the same
//! template subscribes to `mcast/+/+` and reads each message's group and
//! port back from its topic; so does a filter ending in `#` whose message
//! topics end in `GROUP/PORT` (`mcast/#` receives `mcast/239.2.3.1/6969`).
//! Wildcards (`+`, `#`) are for subscribing only: MQTT forbids them in
//! the topic of a publication (MQTT 3.1.1 §4.7.1, MQTT 5 §4.7.1).

use std::fmt;
use std::fmt::Write as _;
use std::net::IpAddr;
use std::str::FromStr;

/// Longest topic MQTT can carry: its length is a 16-bit field.
const MAX_TOPIC: usize = 65_535;

/// One level of a topic template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Level {
    Text(String),
    Group,
    Port,
    /// `+`: any one level.
    One,
    /// `#`: this and every level below.
    Rest,
}

/// A parsed topic or topic template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Topic {
    levels: Vec<Level>,
}

/// The multicast flow a message belongs to, as far as its topic says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flow {
    /// The group, when the topic names one.
    pub group: Option<IpAddr>,
    /// The port, when the topic names one.
    pub port: Option<u16>,
}

impl Flow {
    /// True when the topic named neither group nor port.
    pub fn is_empty(&self) -> bool {
        self.group.is_none() && self.port.is_none()
    }

    /// True when a datagram of this flow belongs to `group:port`: every
    /// part the topic named matches.
    pub fn matches(&self, group: IpAddr, port: u16) -> bool {
        self.group.is_none_or(|g| g == group) && self.port.is_none_or(|p| p == port)
    }
}

impl Topic {
    /// True when the topic has `+` or `#` (subscribing only).
    pub fn has_wildcard(&self) -> bool {
        self.levels
            .iter()
            .any(|l| matches!(l, Level::One | Level::Rest))
    }

    /// True when the topic has `{group}` or `{port}`.
    pub fn is_template(&self) -> bool {
        self.levels
            .iter()
            .any(|l| matches!(l, Level::Group | Level::Port))
    }

    /// Writes the topic a datagram of `group:port` is published to into
    /// `out` (cleared first). Only for topics without wildcards.
    pub fn render(&self, group: IpAddr, port: u16, out: &mut String) {
        out.clear();
        for (i, l) in self.levels.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            match l {
                Level::Text(t) => out.push_str(t),
                Level::Group => {
                    let _ = write!(out, "{group}");
                }
                Level::Port => {
                    let _ = write!(out, "{port}");
                }
                // Refused for outputs when the link is checked.
                Level::One => out.push('+'),
                Level::Rest => out.push('#'),
            }
        }
    }

    /// The subscription filter: `{group}` and `{port}` become `+`.
    pub fn filter(&self) -> String {
        let mut s = String::new();
        for (i, l) in self.levels.iter().enumerate() {
            if i > 0 {
                s.push('/');
            }
            match l {
                Level::Text(t) => s.push_str(t),
                Level::Group | Level::Port | Level::One => s.push('+'),
                Level::Rest => s.push('#'),
            }
        }
        s
    }

    /// Matches a received message's topic against the filter and reads
    /// its flow: `None` when the topic does not match the subscription at
    /// all (a broker's mistake, or an overlapping subscription), an empty
    /// flow when it matches but names no flow. A `{group}` or `{port}`
    /// level that does not parse makes the topic not match: it cannot be
    /// routed to any group.
    pub fn flow_of(&self, topic: &str) -> Option<Flow> {
        let mut flow = Flow::default();
        let mut parts = topic.split('/');
        for (i, l) in self.levels.iter().enumerate() {
            match l {
                Level::Rest => {
                    // `a/#` also matches `a` itself (MQTT §4.7.1.2).
                    let rest: Vec<&str> = parts.collect();
                    if i == 0 && topic.starts_with('$') {
                        return None;
                    }
                    if let [.., g, p] = rest[..] {
                        if let (Ok(g), Ok(p)) = (g.parse::<IpAddr>(), p.parse::<u16>()) {
                            if g.is_multicast() {
                                flow.group.get_or_insert(g);
                                flow.port.get_or_insert(p);
                            }
                        }
                    }
                    return Some(flow);
                }
                _ => {
                    let part = parts.next()?;
                    // Wildcards at the first level do not match topics
                    // beginning with `$` (MQTT §4.7.2).
                    if i == 0 && part.starts_with('$') && !matches!(l, Level::Text(_)) {
                        return None;
                    }
                    match l {
                        Level::Text(t) if t == part => {}
                        Level::Text(_) => return None,
                        Level::One => {}
                        Level::Group => {
                            let g = part.parse::<IpAddr>().ok().filter(|g| g.is_multicast())?;
                            flow.group = Some(g);
                        }
                        Level::Port => flow.port = Some(part.parse().ok()?),
                        Level::Rest => unreachable!("handled above"),
                    }
                }
            }
        }
        parts.next().is_none().then_some(flow)
    }
}

impl FromStr for Topic {
    type Err = String;

    fn from_str(s: &str) -> Result<Topic, String> {
        let expected = "expected a topic such as tak/sa or mcast/{group}/{port}";
        if s.is_empty() {
            return Err(format!("empty topic; {expected}"));
        }
        if s.len() > MAX_TOPIC {
            return Err(format!("topic longer than {MAX_TOPIC} bytes"));
        }
        if s.contains('\0') {
            return Err("a topic must not contain NUL characters".into());
        }
        let count = s.split('/').count();
        let mut levels = Vec::with_capacity(count);
        for (i, part) in s.split('/').enumerate() {
            let level = match part {
                "{group}" => Level::Group,
                "{port}" => Level::Port,
                "+" => Level::One,
                "#" if i + 1 == count => Level::Rest,
                "#" => {
                    return Err(format!(
                        "topic {:?}: '#' must be the last level (e.g. mcast/#)",
                        s.escape_debug().to_string()
                    ))
                }
                p if p.contains(['+', '#']) => {
                    return Err(format!(
                        "topic {:?}: '+' and '#' must stand alone as a level (e.g. mcast/+/6969)",
                        s.escape_debug().to_string()
                    ))
                }
                p if p.contains(['{', '}']) => {
                    return Err(format!(
                        "topic {:?}: {:?} is not a placeholder; the placeholders are {{group}} and {{port}}, each a whole level",
                        s.escape_debug().to_string(),
                        p.escape_debug().to_string()
                    ))
                }
                p => Level::Text(p.to_string()),
            };
            if levels.contains(&level) && matches!(level, Level::Group | Level::Port) {
                return Err(format!(
                    "topic {:?} names the same placeholder twice",
                    s.escape_debug().to_string()
                ));
            }
            levels.push(level);
        }
        Ok(Topic { levels })
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, l) in self.levels.iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            match l {
                Level::Text(t) => f.write_str(t)?,
                Level::Group => f.write_str("{group}")?,
                Level::Port => f.write_str("{port}")?,
                Level::One => f.write_str("+")?,
                Level::Rest => f.write_str("#")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Topic {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn render_and_filter() {
        let mut out = String::new();
        t("mcast/{group}/{port}").render(ip("239.2.3.1"), 6969, &mut out);
        assert_eq!(out, "mcast/239.2.3.1/6969");
        t("mcast/{group}/{port}").render(ip("ff15::1"), 6969, &mut out);
        assert_eq!(out, "mcast/ff15::1/6969");
        t("tak/sa").render(ip("239.2.3.1"), 6969, &mut out);
        assert_eq!(out, "tak/sa");
        assert_eq!(t("mcast/{group}/{port}").filter(), "mcast/+/+");
        assert_eq!(t("mcast/#").filter(), "mcast/#");
        assert_eq!(t("a/{port}").to_string(), "a/{port}");
        assert!(t("mcast/#").has_wildcard() && !t("mcast/#").is_template());
        assert!(t("x/{group}").is_template() && !t("x/{group}").has_wildcard());
        // Empty levels are legal MQTT (`/a`, `a//b`).
        assert_eq!(t("/a//b").to_string(), "/a//b");
    }

    #[test]
    fn flows_read_back() {
        let tpl = t("mcast/{group}/{port}");
        let f = tpl.flow_of("mcast/239.2.3.1/6969").unwrap();
        assert_eq!(f.group, Some(ip("239.2.3.1")));
        assert_eq!(f.port, Some(6969));
        assert!(f.matches(ip("239.2.3.1"), 6969) && !f.matches(ip("239.2.3.1"), 17012));
        assert_eq!(
            tpl.flow_of("mcast/ff15::1/6969").unwrap().group,
            Some(ip("ff15::1"))
        );
        // Not a group, not a port, too short, too long, wrong prefix.
        for bad in [
            "mcast/10.0.0.1/6969",
            "mcast/239.2.3.1/x",
            "mcast/239.2.3.1/70000",
            "mcast/239.2.3.1",
            "mcast/239.2.3.1/6969/x",
            "other/239.2.3.1/6969",
        ] {
            assert_eq!(tpl.flow_of(bad), None, "{bad}");
        }
        let rest = t("mcast/#");
        let f = rest.flow_of("mcast/239.2.3.1/6969").unwrap();
        assert_eq!((f.group, f.port), (Some(ip("239.2.3.1")), Some(6969)));
        assert!(rest.flow_of("mcast/site-a/239.2.3.1/6969").unwrap().port == Some(6969));
        assert!(rest.flow_of("mcast/other").unwrap().is_empty());
        assert!(rest.flow_of("mcast").unwrap().is_empty());
        assert_eq!(rest.flow_of("other/x"), None);
        assert!(t("tak/sa").flow_of("tak/sa").unwrap().is_empty());
        assert_eq!(t("tak/sa").flow_of("tak/sb"), None);
        assert_eq!(t("#").flow_of("$SYS/broker"), None);
        assert_eq!(t("+/x").flow_of("$SYS/x"), None);
        let g = t("g/{group}/+").flow_of("g/224.10.10.1/anything").unwrap();
        assert_eq!((g.group, g.port), (Some(ip("224.10.10.1")), None));
        assert!(g.matches(ip("224.10.10.1"), 17012));
    }

    #[test]
    fn bad_topics_say_why() {
        for (bad, says) in [
            ("", "empty topic"),
            ("a/#/b", "last level"),
            ("a/b#", "stand alone"),
            ("a+/b", "stand alone"),
            ("a/{grp}", "placeholders are {group} and {port}"),
            ("a/{group}x", "not a placeholder"),
            ("{group}/{group}", "twice"),
            ("a\0b", "NUL"),
        ] {
            let e = bad.parse::<Topic>().unwrap_err();
            assert!(e.contains(says), "{bad:?}: {e}");
        }
    }

    proptest::proptest! {
        #[test]
        fn parsing_and_matching_never_panic(s in "[a-z0-9{}+#/$.:]{0,40}", m in "[a-z0-9+#/$.:]{0,40}") {
            if let Ok(tp) = s.parse::<Topic>() {
                let back = tp.to_string().parse::<Topic>();
                proptest::prop_assert_eq!(back.as_ref(), Ok(&tp));
                let _ = tp.flow_of(&m);
                let mut out = String::new();
                tp.render(IpAddr::from([239, 1, 2, 3]), 5000, &mut out);
            }
        }
    }
}
