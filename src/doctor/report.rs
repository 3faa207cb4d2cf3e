//! What `mcast doctor` found: one [`Check`] per step of the receive path,
//! and their rendering as text lines or JSON Lines (pure).

use std::fmt::Write as _;

use serde::Serialize;

/// The tail of the "nothing arrived" summary while no cause explains it.
pub const NO_CAUSE: &str = "; no cause found on this host";

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// This step of the path works.
    Ok,
    /// This step is (or likely is) why multicast does not arrive.
    Problem,
    /// Worth knowing, not a cause on its own.
    Note,
    /// Could not be checked here (no privilege, no evidence, too short).
    Unknown,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Problem => "PROBLEM",
            Status::Note => "note",
            Status::Unknown => "cannot tell",
        }
    }
}

/// How strong the evidence for a check's result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    /// Seen directly: the kernel's own answer, an error number, a packet.
    Direct,
    /// Inferred: host-wide counters, the absence of something, a heuristic.
    Indirect,
}

/// One step of the receive path, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Which step (`interface`, `route`, `reverse-path`...).
    pub id: &'static str,
    /// The outcome.
    pub status: Status,
    /// For a problem: its cause, a stable name (`rp-filter`, `firewall`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<&'static str>,
    /// One line for people.
    pub summary: String,
    /// The command (or change) that fixes a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Direct or indirect.
    pub evidence: Evidence,
    /// True when the check could not run because it needs root
    /// (`CAP_NET_RAW` or `CAP_NET_ADMIN`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub needs_root: bool,
    /// Measured values for scripts (JSON only): hop counts, round trips.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

impl Check {
    /// A check that passed.
    pub fn ok(id: &'static str, summary: impl Into<String>) -> Check {
        Check {
            id,
            status: Status::Ok,
            cause: None,
            summary: summary.into(),
            fix: None,
            evidence: Evidence::Direct,
            needs_root: false,
            data: None,
        }
    }

    /// A problem with its cause and fix.
    pub fn problem(
        id: &'static str,
        cause: &'static str,
        summary: impl Into<String>,
        fix: impl Into<String>,
        evidence: Evidence,
    ) -> Check {
        Check {
            id,
            status: Status::Problem,
            cause: Some(cause),
            summary: summary.into(),
            fix: Some(fix.into()),
            evidence,
            needs_root: false,
            data: None,
        }
    }

    /// A note (not a cause), with an optional fix.
    pub fn note(id: &'static str, summary: impl Into<String>, fix: Option<String>) -> Check {
        Check {
            id,
            status: Status::Note,
            cause: None,
            summary: summary.into(),
            fix,
            evidence: Evidence::Direct,
            needs_root: false,
            data: None,
        }
    }

    /// A check that could not be made, and why.
    pub fn unknown(id: &'static str, why: impl Into<String>) -> Check {
        Check {
            id,
            status: Status::Unknown,
            cause: None,
            summary: why.into(),
            fix: None,
            evidence: Evidence::Indirect,
            needs_root: false,
            data: None,
        }
    }

    /// Marks an unknown check as one that root could make.
    pub fn root_only(mut self) -> Check {
        self.needs_root = true;
        self
    }

    /// Marks the evidence indirect.
    pub fn indirect(mut self) -> Check {
        self.evidence = Evidence::Indirect;
        self
    }
}

/// Everything `doctor` found, in the order of the receive path.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// What was examined: `239.2.3.1:6969 on eth0 (index 3)`.
    pub subject: String,
    /// How long the doctor listened, in seconds.
    pub window_s: f64,
    /// The checks, in path order.
    pub checks: Vec<Check>,
}

impl Report {
    /// "Nothing arrived" is no cause when another problem explains it, and
    /// neither is a TTL inferred from an off-link source when a problem
    /// with direct evidence was found.
    pub fn demote_explained(&mut self) {
        let real = |c: &Check| c.status == Status::Problem && c.cause != Some("nothing-arrived");
        let any_other = self.checks.iter().any(real);
        let direct = self
            .checks
            .iter()
            .any(|c| real(c) && c.evidence == Evidence::Direct);
        for c in self
            .checks
            .iter_mut()
            .filter(|c| c.status == Status::Problem)
        {
            let demote = match c.cause {
                Some("nothing-arrived") => any_other,
                Some("ttl") => direct && c.evidence == Evidence::Indirect,
                _ => false,
            };
            if demote {
                c.status = Status::Note;
                c.cause = None;
                c.fix = None;
                c.summary = c.summary.replace(NO_CAUSE, "");
                c.summary.push_str(" (explained by the problem found)");
            }
        }
    }

    /// The cause to report: the first problem with direct evidence, else the
    /// first problem at all (checks are in path order, so this is the first
    /// step the packets did not pass).
    pub fn verdict(&self) -> Option<&Check> {
        let problems = || self.checks.iter().filter(|c| c.status == Status::Problem);
        problems()
            .find(|c| c.evidence == Evidence::Direct)
            .or_else(|| problems().next())
    }

    /// Every cause found (the verdict's first).
    pub fn causes(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        if let Some(c) = self.verdict().and_then(|v| v.cause) {
            out.push(c);
        }
        for c in self.checks.iter().filter_map(|c| c.cause) {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// The checks root could have made.
    pub fn needed_root(&self) -> Vec<&'static str> {
        self.checks
            .iter()
            .filter(|c| c.needs_root)
            .map(|c| c.id)
            .collect()
    }

    /// The report as text: a header, one line per check, the verdict.
    pub fn to_text(&self, color: bool) -> String {
        let (bold, red, green, dim, reset) = if color {
            ("\x1b[1m", "\x1b[31;1m", "\x1b[32m", "\x1b[2m", "\x1b[0m")
        } else {
            ("", "", "", "", "")
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{bold}mcast doctor: {}{reset}, listened {:.1} s",
            crate::term::sanitize(&self.subject),
            self.window_s
        );
        for c in &self.checks {
            let colour = match c.status {
                Status::Ok => green,
                Status::Problem => red,
                Status::Note | Status::Unknown => dim,
            };
            let evidence = if c.status == Status::Problem && c.evidence == Evidence::Indirect {
                " (indirect evidence)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {colour}{:<11}{reset}  {:<14} {}{evidence}",
                c.status.label(),
                c.id,
                crate::term::sanitize(&c.summary)
            );
            if c.status != Status::Problem {
                if let Some(f) = &c.fix {
                    let _ = writeln!(
                        out,
                        "  {:<11}  {:<14} try: {}",
                        "",
                        "",
                        crate::term::sanitize(f)
                    );
                }
            }
        }
        match self.verdict() {
            Some(v) => {
                let _ = writeln!(
                    out,
                    "{red}verdict:{reset} {}",
                    crate::term::sanitize(&v.summary)
                );
                if let Some(f) = &v.fix {
                    let _ = writeln!(out, "{bold}fix:{reset}     {}", crate::term::sanitize(f));
                }
                for other in self
                    .checks
                    .iter()
                    .filter(|c| c.status == Status::Problem && !std::ptr::eq(*c, v))
                {
                    let _ = writeln!(
                        out,
                        "also:    {} (fix: {})",
                        crate::term::sanitize(&other.summary),
                        crate::term::sanitize(other.fix.as_deref().unwrap_or("-"))
                    );
                }
            }
            None => {
                let _ = writeln!(out, "{green}verdict:{reset} healthy: no cause found");
            }
        }
        let root = self.needed_root();
        if !root.is_empty() {
            let _ = writeln!(
                out,
                "{dim}not checked without root: {} (rerun with sudo for packet-level checks){reset}",
                root.join(", ")
            );
        }
        out
    }

    /// The report as JSON Lines: one `{"type":"check",...}` per check, then
    /// one `{"type":"verdict",...}`.
    pub fn to_json_lines(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Line<'a> {
            r#type: &'static str,
            #[serde(flatten)]
            check: &'a Check,
        }
        #[derive(Serialize)]
        struct Verdict<'a> {
            r#type: &'static str,
            subject: &'a str,
            window_s: f64,
            healthy: bool,
            #[serde(skip_serializing_if = "Option::is_none")]
            cause: Option<&'static str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            summary: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            fix: Option<&'a str>,
            causes: Vec<&'static str>,
            not_checked_without_root: Vec<&'static str>,
        }
        let mut out = Vec::new();
        for c in &self.checks {
            crate::output::write_json_value(
                &mut out,
                &Line {
                    r#type: "check",
                    check: c,
                },
            );
            out.push(b'\n');
        }
        let v = self.verdict();
        let verdict = Verdict {
            r#type: "verdict",
            subject: &self.subject,
            window_s: (self.window_s * 1000.0).round() / 1000.0,
            healthy: v.is_none(),
            cause: v.and_then(|v| v.cause),
            summary: v.map(|v| v.summary.as_str()),
            fix: v.and_then(|v| v.fix.as_deref()),
            causes: self.causes(),
            not_checked_without_root: self.needed_root(),
        };
        crate::output::write_json_value(&mut out, &verdict);
        out.push(b'\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(checks: Vec<Check>) -> Report {
        Report {
            subject: "239.1.2.3:5000 on a0 (index 2)".into(),
            window_s: 2.0,
            checks,
        }
    }

    #[test]
    fn direct_evidence_wins_over_an_earlier_indirect_problem() {
        let r = report(vec![
            Check::ok("interface", "a0 is UP"),
            Check::problem("ttl", "ttl", "maybe TTL", "--ttl 8", Evidence::Indirect),
            Check::problem(
                "reverse-path",
                "rp-filter",
                "rp",
                "sysctl",
                Evidence::Direct,
            ),
        ]);
        assert_eq!(r.verdict().unwrap().cause, Some("rp-filter"));
        assert_eq!(r.causes(), vec!["rp-filter", "ttl"]);
        let text = r.to_text(false);
        assert!(
            text.contains("verdict: rp\nfix:     sysctl\nalso:    maybe TTL (fix: --ttl 8)"),
            "{text}"
        );
    }

    #[test]
    fn healthy_report_and_json_lines() {
        let r = report(vec![
            Check::ok("interface", "a0 is UP"),
            Check::unknown("querier", "needs a raw socket").root_only(),
        ]);
        assert!(r.verdict().is_none());
        let text = r.to_text(false);
        assert!(text.contains("verdict: healthy"), "{text}");
        assert!(text.contains("not checked without root: querier"), "{text}");
        let json = String::from_utf8(r.to_json_lines()).unwrap();
        let lines: Vec<serde_json::Value> = json
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["type"], "check");
        assert_eq!(lines[1]["status"], "unknown");
        assert_eq!(lines[1]["needs_root"], true);
        assert_eq!(lines[2]["type"], "verdict");
        assert_eq!(lines[2]["healthy"], true);
        assert_eq!(lines[2]["not_checked_without_root"][0], "querier");
    }

    #[test]
    fn untrusted_text_is_escaped() {
        let r = report(vec![Check::note("socket", "owner \x1b[2Jevil", None)]);
        assert!(!r.to_text(false).contains('\x1b'));
        assert!(!String::from_utf8(r.to_json_lines())
            .unwrap()
            .contains('\x1b'));
    }
}
