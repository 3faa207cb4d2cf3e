//! Reading captures for replay: pcap or pcapng (pcap-parser), frames
//! sliced to UDP (etherparse), IP fragments reassembled. The link types:
//! Ethernet (with VLAN tags), raw IP (101, 228, 229), Linux cooked v1
//! (113) and v2 (276), BSD loopback (0, 108).

use std::io::{Read, Seek, SeekFrom};
use std::net::{IpAddr, SocketAddr};

use anyhow::{anyhow, Result};
use etherparse::{defrag::IpDefragPool, EtherType, NetSlice, SlicedPacket, TransportSlice};
use pcap_parser::pcapng::Block;
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{Linktype, PcapBlockOwned, PcapError};

/// Walks a pcapng file's block headers (a classic pcap file passes) and
/// refuses a block whose length is impossible: below 12 bytes (28 for a
/// section header) or not a multiple of 4. pcap-parser 0.17 subtracts
/// before it checks for some block types, so such a length must never
/// reach it. Leaves the reader where it started.
pub fn check_blocks<R: Read + Seek>(r: &mut R) -> Result<()> {
    let start = r.stream_position()?;
    let mut head = [0u8; 12];
    let mut at = start;
    let mut little = true;
    let mut first = true;
    loop {
        r.seek(SeekFrom::Start(at))?;
        let n = read_full(r, &mut head)?;
        if first && (n < 4 || head[..4] != [0x0a, 0x0d, 0x0d, 0x0a]) {
            // Not pcapng: classic pcap, or garbage the reader refuses.
            break;
        }
        first = false;
        if n == 0 {
            break;
        }
        if n < 8 {
            // A block cut short at the end: the reader stops there.
            break;
        }
        let is_shb = head[..4] == [0x0a, 0x0d, 0x0d, 0x0a];
        if is_shb && n >= 12 {
            little = head[8..12] == [0x4d, 0x3c, 0x2b, 0x1a];
        }
        let len_bytes = [head[4], head[5], head[6], head[7]];
        let len = if little {
            u32::from_le_bytes(len_bytes)
        } else {
            u32::from_be_bytes(len_bytes)
        };
        let min = if is_shb { 28 } else { 12 };
        if len < min || len % 4 != 0 {
            return Err(anyhow!(
                "corrupt capture: the block at byte {} has length {len}",
                at - start
            ));
        }
        at += u64::from(len);
    }
    r.seek(SeekFrom::Start(start))?;
    Ok(())
}

fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(n)
}

/// One UDP datagram of the capture (its payload goes to the caller's
/// buffer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Capture time, nanoseconds since the Unix epoch.
    pub time_ns: u64,
    /// The interface it was captured on, when the file says (pcapng
    /// `if_name`, or `ifindex N` from Linux cooked v2).
    pub iface: Option<String>,
    /// Sender.
    pub src: SocketAddr,
    /// Destination.
    pub dst: SocketAddr,
    /// TTL or hop limit in the capture.
    pub ttl: u8,
}

/// What was in the file besides UDP datagrams.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Frames that are not IP/UDP (ARP, TCP, IGMP...).
    pub not_udp: u64,
    /// Frames that could not be sliced, or of an unsupported link type.
    pub undecodable: u64,
    /// Fragments still waiting for the rest at the end.
    pub fragments: u64,
}

struct Iface {
    linktype: Linktype,
    name: Option<String>,
    /// Units per second of the timestamps, and their offset in seconds.
    resolution: u64,
    offset: i64,
}

/// A capture being read.
pub struct Reader {
    inner: Box<dyn PcapReaderIterator + Send>,
    ifaces: Vec<Iface>,
    legacy: Option<(Linktype, bool)>,
    defrag: IpDefragPool<(), ()>,
    /// What was skipped so far.
    pub skipped: Skipped,
}

/// A frame's link type, timestamp and interface, before slicing.
struct Frame<'a> {
    linktype: Linktype,
    time_ns: u64,
    iface: Option<String>,
    data: &'a [u8],
}

impl Reader {
    /// Opens a capture; fails when it is neither pcap nor pcapng.
    pub fn new<R: Read + Send + 'static>(r: R) -> Result<Reader> {
        let inner = pcap_parser::create_reader(1 << 20, r).map_err(|e| match e {
            PcapError::Eof => anyhow!("the file is empty"),
            PcapError::HeaderNotRecognized
            | PcapError::Incomplete(_)
            | PcapError::UnexpectedEof => {
                anyhow!("not a pcap or pcapng file")
            }
            e => anyhow!("cannot read the capture header: {e:?}"),
        })?;
        Ok(Reader {
            inner,
            ifaces: Vec::new(),
            legacy: None,
            defrag: IpDefragPool::new(),
            skipped: Skipped::default(),
        })
    }

    /// The next UDP datagram: its metadata, the payload in `payload`.
    /// `Ok(None)` at the end of the file.
    pub fn next(&mut self, payload: &mut Vec<u8>) -> Result<Option<Record>> {
        let Reader {
            inner,
            ifaces,
            legacy,
            defrag,
            skipped,
        } = self;
        loop {
            let (consumed, rec) = {
                let (n, block) = match inner.next() {
                    Ok(b) => b,
                    Err(PcapError::Eof) => {
                        return Ok(None);
                    }
                    Err(PcapError::Incomplete(_)) => {
                        inner
                            .refill()
                            .map_err(|e| anyhow!("read the capture: {e:?}"))?;
                        continue;
                    }
                    // A capture cut short (a writer killed mid-block): what
                    // came before is still good.
                    Err(PcapError::UnexpectedEof) => return Ok(None),
                    Err(e) => return Err(anyhow!("corrupt capture: {e:?}")),
                };
                let frame = match block {
                    PcapBlockOwned::LegacyHeader(h) => {
                        *legacy = Some((h.network, h.is_nanosecond_precision()));
                        None
                    }
                    PcapBlockOwned::Legacy(b) => legacy.map(|(lt, nanos)| Frame {
                        linktype: lt,
                        time_ns: u64::from(b.ts_sec) * 1_000_000_000
                            + u64::from(b.ts_usec) * if nanos { 1 } else { 1000 },
                        iface: None,
                        data: b.data,
                    }),
                    PcapBlockOwned::NG(Block::SectionHeader(_)) => {
                        // Interface ids start again in every section.
                        ifaces.clear();
                        None
                    }
                    PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                        ifaces.push(Iface {
                            linktype: idb.linktype,
                            name: idb.if_name().and_then(|r| r.ok()).map(str::to_string),
                            resolution: idb.ts_resolution().unwrap_or(1_000_000),
                            offset: idb.ts_offset(),
                        });
                        None
                    }
                    PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                        match ifaces.get(epb.if_id as usize) {
                            Some(i) => {
                                let units = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                                let ns = (u128::from(units) * 1_000_000_000
                                    / u128::from(i.resolution.max(1)))
                                    as i128
                                    + i128::from(i.offset) * 1_000_000_000;
                                let len = (epb.caplen as usize).min(epb.data.len());
                                Some(Frame {
                                    linktype: i.linktype,
                                    time_ns: u64::try_from(ns.max(0)).unwrap_or(u64::MAX),
                                    iface: i.name.clone(),
                                    data: &epb.data[..len],
                                })
                            }
                            None => {
                                skipped.undecodable += 1;
                                None
                            }
                        }
                    }
                    PcapBlockOwned::NG(Block::SimplePacket(spb)) => ifaces.first().map(|i| Frame {
                        linktype: i.linktype,
                        time_ns: 0,
                        iface: i.name.clone(),
                        data: spb.data,
                    }),
                    PcapBlockOwned::NG(_) => None,
                };
                let rec = match frame {
                    Some(f) => slice(defrag, skipped, &f, payload),
                    None => None,
                };
                (n, rec)
            };
            inner.consume(consumed);
            if let Some(r) = rec {
                return Ok(Some(r));
            }
        }
    }
}

fn slice(
    defrag: &mut IpDefragPool<(), ()>,
    skipped: &mut Skipped,
    f: &Frame<'_>,
    payload: &mut Vec<u8>,
) -> Option<Record> {
    let d = f.data;
    let mut iface = f.iface.clone();
    let sliced = match f.linktype {
        Linktype::ETHERNET => SlicedPacket::from_ethernet(d),
        Linktype::RAW | Linktype::IPV4 | Linktype::IPV6 => SlicedPacket::from_ip(d),
        Linktype::LINUX_SLL => SlicedPacket::from_linux_sll(d),
        Linktype::LINUX_SLL2 if d.len() >= 20 => {
            let proto = u16::from_be_bytes([d[0], d[1]]);
            let index = u32::from_be_bytes([d[4], d[5], d[6], d[7]]);
            iface.get_or_insert_with(|| format!("ifindex {index}"));
            SlicedPacket::from_ether_type(EtherType(proto), &d[20..])
        }
        // BSD loopback: a 4-byte address family (host order for NULL,
        // network order for LOOP); the IP header says the rest.
        Linktype::NULL | Linktype::LOOP if d.len() >= 4 => SlicedPacket::from_ip(&d[4..]),
        _ => {
            skipped.undecodable += 1;
            return None;
        }
    };
    let Ok(s) = sliced else {
        skipped.undecodable += 1;
        return None;
    };
    let (src, dst, ttl) = match &s.net {
        Some(NetSlice::Ipv4(v4)) => {
            let h = v4.header();
            (
                IpAddr::V4(h.source_addr()),
                IpAddr::V4(h.destination_addr()),
                h.ttl(),
            )
        }
        Some(NetSlice::Ipv6(v6)) => {
            let h = v6.header();
            (
                IpAddr::V6(h.source_addr()),
                IpAddr::V6(h.destination_addr()),
                h.hop_limit(),
            )
        }
        _ => {
            skipped.not_udp += 1;
            return None;
        }
    };
    let rec = |sport: u16, dport: u16| Record {
        time_ns: f.time_ns,
        iface: iface.clone(),
        src: SocketAddr::new(src, sport),
        dst: SocketAddr::new(dst, dport),
        ttl,
    };
    if let Some(TransportSlice::Udp(u)) = &s.transport {
        payload.clear();
        payload.extend_from_slice(u.payload());
        return Some(rec(u.source_port(), u.destination_port()));
    }
    // A fragment: etherparse reassembles the IP payload; UDP's header
    // is its first 8 bytes.
    match defrag.process_sliced_packet(&s, (), ()) {
        Ok(Some(whole))
            if whole.ip_number == etherparse::IpNumber::UDP && whole.payload.len() >= 8 =>
        {
            let p = &whole.payload;
            let (sport, dport) = (
                u16::from_be_bytes([p[0], p[1]]),
                u16::from_be_bytes([p[2], p[3]]),
            );
            let len = usize::from(u16::from_be_bytes([p[4], p[5]])).clamp(8, p.len());
            payload.clear();
            payload.extend_from_slice(&p[8..len]);
            defrag.return_buf(whole);
            Some(rec(sport, dport))
        }
        Ok(Some(whole)) => {
            defrag.return_buf(whole);
            skipped.not_udp += 1;
            None
        }
        Ok(None) => {
            let fragmenting = match &s.net {
                Some(NetSlice::Ipv4(v4)) => v4.header().is_fragmenting_payload(),
                _ => s.transport.is_none(),
            };
            if !fragmenting {
                skipped.not_udp += 1;
            }
            None
        }
        Err(_) => {
            skipped.undecodable += 1;
            None
        }
    }
}
