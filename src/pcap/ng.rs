//! pcapng blocks (draft-ietf-opsawg-pcapng) and classic pcap records, as
//! bytes appended to a buffer (pure). Written in the host's byte order,
//! which the byte-order magic announces; readers swap as needed.

/// LINKTYPE_ETHERNET.
pub const LINKTYPE_ETHERNET: u16 = 1;
/// LINKTYPE_LINUX_SLL2.
pub const LINKTYPE_LINUX_SLL2: u16 = 276;
/// Snap length announced: the largest datagram plus headers.
pub const SNAPLEN: u32 = 262_144;

/// `epb_flags`: inbound (bits 0-1 = 1), reception type multicast (bits
/// 2-4 = 2) or unicast (1).
pub fn epb_flags(multicast: bool) -> u32 {
    1 | if multicast { 2 << 2 } else { 1 << 2 }
}

fn opt(out: &mut Vec<u8>, code: u16, value: &[u8]) {
    out.extend_from_slice(&code.to_ne_bytes());
    out.extend_from_slice(&(value.len() as u16).to_ne_bytes());
    out.extend_from_slice(value);
    pad(out);
}

fn pad(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

/// Starts a block; returns where it began (for [`end_block`]).
fn begin_block(out: &mut Vec<u8>, kind: u32) -> usize {
    let start = out.len();
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    start
}

/// Ends the options (if any were written) and the block: both length
/// fields.
fn end_block(out: &mut Vec<u8>, start: usize, options: bool) {
    if options {
        opt(out, 0, &[]);
    }
    let len = (out.len() - start + 4) as u32;
    out[start + 4..start + 8].copy_from_slice(&len.to_ne_bytes());
    out.extend_from_slice(&len.to_ne_bytes());
}

/// The section header: the writing application and a comment saying what
/// the headers are.
pub fn section_header(out: &mut Vec<u8>, application: &str, comment: &str) {
    let s = begin_block(out, 0x0A0D_0D0A);
    out.extend_from_slice(&0x1A2B_3C4Du32.to_ne_bytes());
    out.extend_from_slice(&1u16.to_ne_bytes());
    out.extend_from_slice(&0u16.to_ne_bytes());
    // Section length unknown (-1): the file is written as it goes.
    out.extend_from_slice(&(-1i64).to_ne_bytes());
    opt(out, 1, comment.as_bytes());
    opt(out, 4, application.as_bytes());
    end_block(out, s, true);
}

/// An interface description: link type, name, nanosecond timestamps.
pub fn interface(out: &mut Vec<u8>, linktype: u16, name: &str, description: &str) {
    let s = begin_block(out, 1);
    out.extend_from_slice(&linktype.to_ne_bytes());
    out.extend_from_slice(&0u16.to_ne_bytes());
    out.extend_from_slice(&SNAPLEN.to_ne_bytes());
    opt(out, 2, name.as_bytes());
    if !description.is_empty() {
        opt(out, 3, description.as_bytes());
    }
    // if_tsresol = 10^-9.
    opt(out, 9, &[9]);
    end_block(out, s, true);
}

/// One packet.
pub struct Packet<'a> {
    /// Interface id (the order of its interface block in the section).
    pub iface: u32,
    /// Nanoseconds since the Unix epoch.
    pub time_ns: u64,
    /// The frame as stored.
    pub data: &'a [u8],
    /// Its length on the wire, when more than stored.
    pub orig_len: usize,
    /// `epb_flags`.
    pub flags: u32,
    /// Datagrams the kernel dropped since the previous packet.
    pub drops: u64,
    /// A comment ("" for none).
    pub comment: &'a str,
}

/// An enhanced packet block.
pub fn packet(out: &mut Vec<u8>, p: &Packet<'_>) {
    let s = begin_block(out, 6);
    out.extend_from_slice(&p.iface.to_ne_bytes());
    out.extend_from_slice(&((p.time_ns >> 32) as u32).to_ne_bytes());
    out.extend_from_slice(&(p.time_ns as u32).to_ne_bytes());
    out.extend_from_slice(&(p.data.len() as u32).to_ne_bytes());
    out.extend_from_slice(&(p.orig_len.max(p.data.len()) as u32).to_ne_bytes());
    out.extend_from_slice(p.data);
    pad(out);
    opt(out, 2, &p.flags.to_ne_bytes());
    if p.drops > 0 {
        opt(out, 4, &p.drops.to_ne_bytes());
    }
    if !p.comment.is_empty() {
        opt(out, 1, p.comment.as_bytes());
    }
    end_block(out, s, true);
}

/// Interface statistics at the end of a file: capture start and end,
/// packets received and dropped by the kernel.
pub fn statistics(
    out: &mut Vec<u8>,
    iface: u32,
    start_ns: u64,
    end_ns: u64,
    received: u64,
    dropped: u64,
) {
    let s = begin_block(out, 5);
    out.extend_from_slice(&iface.to_ne_bytes());
    out.extend_from_slice(&((end_ns >> 32) as u32).to_ne_bytes());
    out.extend_from_slice(&(end_ns as u32).to_ne_bytes());
    let ts = |t: u64| {
        let mut b = [0u8; 8];
        b[..4].copy_from_slice(&((t >> 32) as u32).to_ne_bytes());
        b[4..].copy_from_slice(&(t as u32).to_ne_bytes());
        b
    };
    opt(out, 2, &ts(start_ns));
    opt(out, 3, &ts(end_ns));
    opt(out, 4, &received.to_ne_bytes());
    opt(out, 5, &dropped.to_ne_bytes());
    end_block(out, s, true);
}

/// The classic pcap file header, nanosecond variant (magic 0xa1b23c4d).
pub fn pcap_header(out: &mut Vec<u8>, linktype: u16) {
    out.extend_from_slice(&0xa1b2_3c4du32.to_ne_bytes());
    out.extend_from_slice(&2u16.to_ne_bytes());
    out.extend_from_slice(&4u16.to_ne_bytes());
    out.extend_from_slice(&0i32.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    out.extend_from_slice(&SNAPLEN.to_ne_bytes());
    out.extend_from_slice(&u32::from(linktype).to_ne_bytes());
}

/// A classic pcap record header; the frame follows.
pub fn pcap_record(out: &mut Vec<u8>, time_ns: u64, stored: usize, orig: usize) {
    out.extend_from_slice(&((time_ns / 1_000_000_000) as u32).to_ne_bytes());
    out.extend_from_slice(&((time_ns % 1_000_000_000) as u32).to_ne_bytes());
    out.extend_from_slice(&(stored as u32).to_ne_bytes());
    out.extend_from_slice(&(orig.max(stored) as u32).to_ne_bytes());
}

/// The 20-byte LINUX_SLL2 header: protocol, interface index, ARPHRD
/// Ethernet, packet type (multicast 2, host 0), the sender's link address.
pub fn sll2_header(out: &mut Vec<u8>, ipv4: bool, ifindex: u32, multicast: bool, src_mac: [u8; 6]) {
    let proto: u16 = if ipv4 { 0x0800 } else { 0x86dd };
    out.extend_from_slice(&proto.to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes());
    out.extend_from_slice(&ifindex.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    out.push(if multicast { 2 } else { 0 });
    out.push(6);
    out.extend_from_slice(&src_mac);
    out.extend_from_slice(&[0, 0]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_padded_and_carry_their_length_twice() {
        let mut out = Vec::new();
        section_header(&mut out, "mcast", "a comment");
        interface(&mut out, LINKTYPE_ETHERNET, "a0", "");
        let p = Packet {
            iface: 0,
            time_ns: 1_700_000_000_123_456_789,
            data: b"abcde",
            orig_len: 5,
            flags: epb_flags(true),
            drops: 2,
            comment: "",
        };
        packet(&mut out, &p);
        statistics(&mut out, 0, 1, 2, 3, 4);
        let mut at = 0;
        let mut kinds = Vec::new();
        while at < out.len() {
            let kind = u32::from_ne_bytes(out[at..at + 4].try_into().unwrap());
            let len = u32::from_ne_bytes(out[at + 4..at + 8].try_into().unwrap()) as usize;
            assert_eq!(len % 4, 0);
            let tail = u32::from_ne_bytes(out[at + len - 4..at + len].try_into().unwrap()) as usize;
            assert_eq!(len, tail);
            kinds.push(kind);
            at += len;
        }
        assert_eq!(at, out.len());
        assert_eq!(kinds, [0x0A0D_0D0A, 1, 6, 5]);
        assert_eq!(epb_flags(true), 0x9);
    }
}
