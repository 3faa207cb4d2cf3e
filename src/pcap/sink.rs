//! The capture file `listen --pcap` writes: pcapng with one interface
//! block per arrival interface (or classic pcap with Linux cooked v2
//! headers, which keep the interface index), rotated by size or time, and
//! ended cleanly: whole blocks only, interface statistics last.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::pcap::ng::{self, Packet};
use crate::pcap::synth::{self, Datagram};

/// The file layouts `--pcap-format` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// pcapng, Ethernet frames, one interface block per interface: read by
    /// Wireshark/tshark, tcpdump (libpcap) and tcpreplay.
    Pcapng,
    /// Classic pcap (nanosecond), LINUX_SLL2: the one classic form that
    /// keeps the arrival interface (as an index); tcpreplay cannot read it.
    PcapSll2,
}

/// When to start a new file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotate {
    /// After this many bytes (decimal units, like tcpdump -C).
    Size(u64),
    /// After this long.
    Every(Duration),
}

impl FromStr for Rotate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let expected = "expected a size (100MB, 1GB, 500kB) or a duration (30s, 10m, 1h)";
        let size = [
            ("GB", 1e9),
            ("MB", 1e6),
            ("kB", 1e3),
            ("KB", 1e3),
            ("B", 1.0),
        ]
        .iter()
        .find_map(|(unit, mult)| t.strip_suffix(unit).map(|n| (n, *mult)));
        if let Some((n, mult)) = size {
            return match n.trim().parse::<f64>() {
                Ok(v) if v * mult >= 1000.0 && v * mult <= 1e15 => {
                    Ok(Rotate::Size((v * mult) as u64))
                }
                Ok(_) => Err(format!("rotation size {s:?} must be between 1kB and 1PB")),
                Err(_) => Err(format!("{s:?} is not a size; {expected}")),
            };
        }
        if t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(format!("{s:?} needs a unit; {expected}"));
        }
        t.parse::<crate::units::DurationArg>()
            .map(|d| Rotate::Every(d.0))
            .map_err(|_| format!("{s:?} is not a size or a duration; {expected}"))
    }
}

/// Where and how to capture.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file (`-`: standard output, never rotated).
    pub path: PathBuf,
    /// The layout.
    pub layout: Layout,
    /// Rotation.
    pub rotate: Option<Rotate>,
    /// With rotation: how many files to keep (the oldest are deleted).
    pub keep: Option<usize>,
}

impl Config {
    fn to_stdout(&self) -> bool {
        self.path.as_os_str() == "-"
    }

    /// The name of rotated file number `n`: `cap.pcapng` → `cap-0001.pcapng`.
    pub fn numbered(&self, n: u32) -> PathBuf {
        let stem = self
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = match self.path.extension() {
            Some(e) => format!("{stem}-{n:04}.{}", e.to_string_lossy()),
            None => format!("{stem}-{n:04}"),
        };
        self.path.with_file_name(name)
    }
}

/// An interface of the capture: its index and name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Iface {
    index: u32,
    name: String,
    received: u64,
    dropped: u64,
}

/// The open capture.
pub struct Sink {
    cfg: Config,
    out: BufWriter<Box<dyn Write>>,
    /// The file being written (None: stdout).
    current: Option<PathBuf>,
    files: VecDeque<PathBuf>,
    number: u32,
    ifaces: Vec<Iface>,
    /// Interfaces already described in the current file.
    described: usize,
    buf: Vec<u8>,
    frame: Vec<u8>,
    bytes: u64,
    opened: Instant,
    start_ns: u64,
    last_ns: u64,
}

const APPLICATION: &str = concat!("mcast ", env!("CARGO_PKG_VERSION"));
const COMMENT: &str = "Captured by mcast listen from UDP sockets: the Ethernet/IP/UDP headers are rebuilt from what the socket reports (addresses, ports, TTL, TOS); the source MAC is made up, the IPv4 id, flags and options are not the original ones";

fn open(path: &Path) -> Result<Box<dyn Write>> {
    let f =
        File::create(path).with_context(|| format!("create capture file {}", path.display()))?;
    Ok(Box::new(f))
}

impl Sink {
    /// Creates the capture (the first file of a rotation).
    pub fn create(cfg: Config) -> Result<Sink> {
        let (w, current): (Box<dyn Write>, Option<PathBuf>) = if cfg.to_stdout() {
            (Box::new(io::stdout()), None)
        } else {
            let p = if cfg.rotate.is_some() {
                cfg.numbered(1)
            } else {
                cfg.path.clone()
            };
            (open(&p)?, Some(p))
        };
        let mut s = Sink {
            out: BufWriter::with_capacity(1 << 20, w),
            files: current.iter().cloned().collect(),
            current,
            number: 1,
            ifaces: Vec::new(),
            described: 0,
            buf: Vec::with_capacity(1 << 17),
            frame: Vec::with_capacity(1 << 17),
            bytes: 0,
            opened: Instant::now(),
            start_ns: crate::pace::now_ns(),
            last_ns: 0,
            cfg,
        };
        s.header();
        Ok(s)
    }

    fn header(&mut self) {
        match self.cfg.layout {
            Layout::Pcapng => ng::section_header(&mut self.buf, APPLICATION, COMMENT),
            Layout::PcapSll2 => ng::pcap_header(&mut self.buf, ng::LINKTYPE_LINUX_SLL2),
        }
        self.described = 0;
    }

    /// The pcapng interface id of `index`, describing it first if this file
    /// has not yet.
    fn iface_id(&mut self, index: u32, name: &str) -> u32 {
        let pos = match self.ifaces.iter().position(|i| i.index == index) {
            Some(p) => p,
            None => {
                self.ifaces.push(Iface {
                    index,
                    name: name.to_string(),
                    received: 0,
                    dropped: 0,
                });
                self.ifaces.len() - 1
            }
        };
        if self.cfg.layout == Layout::Pcapng {
            while self.described <= pos {
                let i = &self.ifaces[self.described];
                let desc = format!("ifindex {}", i.index);
                let name = if i.name.is_empty() {
                    format!("if{}", i.index)
                } else {
                    i.name.clone()
                };
                ng::interface(&mut self.buf, ng::LINKTYPE_ETHERNET, &name, &desc);
                self.described += 1;
            }
        }
        pos as u32
    }

    /// Adds one datagram. `drops`: datagrams the kernel dropped on its
    /// socket since the previous one.
    pub fn write(
        &mut self,
        d: &Datagram,
        time_ns: u64,
        ifindex: u32,
        ifname: &str,
        payload: &[u8],
        drops: u64,
    ) -> Result<()> {
        self.maybe_rotate(time_ns)?;
        let id = self.iface_id(ifindex, ifname);
        let i = &mut self.ifaces[id as usize];
        i.received += 1;
        i.dropped += drops;
        self.frame.clear();
        let multicast = d.dst.is_multicast();
        match self.cfg.layout {
            Layout::Pcapng => {
                synth::write_ethernet(&mut self.frame, d, payload);
                let orig = synth::ETH_LEN + ip_len(&d.dst) + 8 + payload.len();
                ng::packet(
                    &mut self.buf,
                    &Packet {
                        iface: id,
                        time_ns,
                        data: &self.frame,
                        orig_len: orig,
                        flags: ng::epb_flags(multicast),
                        drops,
                        comment: "",
                    },
                );
            }
            Layout::PcapSll2 => {
                ng::sll2_header(
                    &mut self.frame,
                    d.dst.is_ipv4(),
                    ifindex,
                    multicast,
                    synth::SRC_MAC,
                );
                synth::write_ip_udp(&mut self.frame, d, payload);
                let orig = 20 + ip_len(&d.dst) + 8 + payload.len();
                ng::pcap_record(&mut self.buf, time_ns, self.frame.len(), orig);
                self.buf.extend_from_slice(&self.frame);
            }
        }
        self.last_ns = time_ns;
        Ok(())
    }

    /// Writes what is buffered (once per received batch: a live reader
    /// such as `wireshark -k -i -` sees each batch at once).
    pub fn flush(&mut self) -> Result<()> {
        if !self.buf.is_empty() {
            self.bytes += self.buf.len() as u64;
            let r = self.out.write_all(&self.buf).and_then(|_| self.out.flush());
            self.buf.clear();
            r.with_context(|| format!("write capture {}", self.name()))?;
        }
        Ok(())
    }

    fn name(&self) -> String {
        self.current.as_ref().map_or_else(
            || "to standard output".to_string(),
            |p| p.display().to_string(),
        )
    }

    fn maybe_rotate(&mut self, time_ns: u64) -> Result<()> {
        let due = match self.cfg.rotate {
            None => false,
            Some(Rotate::Size(n)) => self.bytes + self.buf.len() as u64 >= n,
            Some(Rotate::Every(d)) => self.opened.elapsed() >= d,
        };
        if !due || self.current.is_none() {
            return Ok(());
        }
        self.end_file(time_ns)?;
        self.number += 1;
        let p = self.cfg.numbered(self.number);
        self.out = BufWriter::with_capacity(1 << 20, open(&p)?);
        self.files.push_back(p.clone());
        self.current = Some(p);
        if let Some(keep) = self.cfg.keep {
            while self.files.len() > keep.max(1) {
                if let Some(old) = self.files.pop_front() {
                    std::fs::remove_file(&old)
                        .with_context(|| format!("remove old capture {}", old.display()))?;
                }
            }
        }
        self.bytes = 0;
        self.opened = Instant::now();
        self.start_ns = time_ns;
        for i in &mut self.ifaces {
            i.received = 0;
            i.dropped = 0;
        }
        self.header();
        Ok(())
    }

    /// Interface statistics, then everything flushed.
    fn end_file(&mut self, end_ns: u64) -> Result<()> {
        if self.cfg.layout == Layout::Pcapng {
            for (id, i) in self.ifaces.iter().enumerate().take(self.described) {
                ng::statistics(
                    &mut self.buf,
                    id as u32,
                    self.start_ns,
                    end_ns.max(self.start_ns),
                    i.received,
                    i.dropped,
                );
            }
        }
        self.flush()
    }

    /// Ends the capture cleanly (on any exit: count, deadline, Ctrl-C,
    /// SIGTERM). Returns the files written.
    pub fn finish(mut self) -> Result<Vec<PathBuf>> {
        let end = crate::pace::now_ns().max(self.last_ns);
        self.end_file(end)?;
        Ok(self.files.into_iter().collect())
    }
}

fn ip_len(dst: &IpAddr) -> usize {
    if dst.is_ipv4() {
        20
    } else {
        40
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_arguments() {
        assert_eq!("100MB".parse::<Rotate>(), Ok(Rotate::Size(100_000_000)));
        assert_eq!("1.5GB".parse::<Rotate>(), Ok(Rotate::Size(1_500_000_000)));
        assert_eq!(
            "10m".parse::<Rotate>(),
            Ok(Rotate::Every(Duration::from_secs(600)))
        );
        assert_eq!(
            "30s".parse::<Rotate>(),
            Ok(Rotate::Every(Duration::from_secs(30)))
        );
        assert!("100"
            .parse::<Rotate>()
            .unwrap_err()
            .contains("needs a unit"));
        assert!("1B".parse::<Rotate>().unwrap_err().contains("between"));
        assert!("soon".parse::<Rotate>().is_err());
    }

    #[test]
    fn numbered_names_keep_the_extension() {
        let c = Config {
            path: "/tmp/x/cap.pcapng".into(),
            layout: Layout::Pcapng,
            rotate: None,
            keep: None,
        };
        assert_eq!(c.numbered(3), PathBuf::from("/tmp/x/cap-0003.pcapng"));
        let c = Config {
            path: "cap".into(),
            ..c
        };
        assert_eq!(c.numbered(12), PathBuf::from("cap-0012"));
    }
}
