//! The single error type of the CoT module.
//!
//! Every decoder, writer and validator returns [`CotError`]; none of them
//! panics on input. The CLI maps [`CotError::Invalid`] (bad options) to exit
//! code 2 and prints the `Display` text of every other variant as a reason
//! why a datagram was not understood.

use std::fmt;

/// Why a CoT frame could not be decoded, written or generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CotError {
    /// The frame (or a stream frame's declared length) exceeds 64 KiB.
    FrameTooLarge {
        /// Size in bytes that was seen or declared.
        len: usize,
    },
    /// The datagram is neither CoT XML nor TAK Protocol v1 (maybe encrypted).
    UnknownEncoding,
    /// The XML is not well-formed; the text comes from the XML tokenizer.
    Xml(String),
    /// A `<!DOCTYPE>` was found; refused because DTDs enable entity attacks.
    Doctype,
    /// An entity reference other than the five predefined ones.
    UnknownEntity(String),
    /// A character that XML 1.0 does not allow at all (e.g. U+0000–U+0008).
    InvalidChar {
        /// The offending code point.
        codepoint: u32,
    },
    /// An element or attribute name that is not a valid XML name.
    InvalidName(String),
    /// Elements nested deeper than the reader accepts.
    TooDeep {
        /// The depth limit that was exceeded.
        limit: usize,
    },
    /// An element carries more attributes than the reader accepts.
    TooManyAttributes {
        /// Name of the element.
        element: String,
    },
    /// An attribute value is longer than the reader accepts.
    AttributeTooLong {
        /// Name of the attribute.
        name: String,
        /// Raw length of the value in bytes.
        len: usize,
    },
    /// A text node is longer than the reader accepts.
    TextTooLong {
        /// Length seen when the limit was crossed.
        len: usize,
    },
    /// The root element is not `<event>`.
    NotAnEvent(String),
    /// A required attribute or element is missing.
    Missing(&'static str),
    /// An element that may appear only once appeared twice.
    Duplicate(&'static str),
    /// A timestamp could not be parsed.
    BadTime {
        /// Which attribute (`time`, `start`, `stale`, ...).
        field: &'static str,
        /// The offending text, truncated for display.
        value: String,
    },
    /// A timestamp lies outside years 0000–9999 (or before 1970 for TAK v1).
    TimeOutOfRange {
        /// Which timestamp.
        field: &'static str,
    },
    /// The input ended in the middle of an element or frame.
    Truncated,
    /// A TAK Protocol header was expected (`BF 01 BF` or `BF <varint>`).
    BadMagic,
    /// A stream frame length varint is longer than 10 bytes.
    VarintTooLong,
    /// The protobuf payload could not be decoded.
    Protobuf(String),
    /// A TAK message without a `cotEvent`.
    NoCotEvent,
    /// A valid TAK message that carries only `takControl` (the protocol
    /// version announcement): not an event, and not malformed.
    Control {
        /// Lowest protocol version offered (0 on the wire means 1).
        min: u32,
        /// Highest protocol version offered.
        max: u32,
        /// The sender's contact uid (may be empty).
        contact_uid: String,
    },
    /// A number that must be finite is NaN or infinite.
    NonFinite(&'static str),
    /// An option or event value was refused by validation (CLI exit code 2).
    Invalid(String),
}

impl fmt::Display for CotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CotError::FrameTooLarge { len } => {
                write!(f, "frame of {len} bytes exceeds the 64 KiB limit")
            }
            CotError::UnknownEncoding => {
                f.write_str("not CoT: neither XML nor TAK Protocol v1 (encrypted?)")
            }
            CotError::Xml(m) => write!(f, "malformed XML: {m}"),
            CotError::Doctype => f.write_str("DOCTYPE declarations are refused"),
            CotError::UnknownEntity(e) => write!(f, "unknown entity reference &{e};"),
            CotError::InvalidChar { codepoint } => {
                write!(f, "character U+{codepoint:04X} is not allowed in XML 1.0")
            }
            CotError::InvalidName(n) => write!(f, "invalid XML name {n:?}"),
            CotError::TooDeep { limit } => write!(f, "elements nested deeper than {limit}"),
            CotError::TooManyAttributes { element } => {
                write!(f, "too many attributes on <{element}>")
            }
            CotError::AttributeTooLong { name, len } => {
                write!(f, "attribute {name} is {len} bytes long (limit 8 KiB)")
            }
            CotError::TextTooLong { len } => write!(f, "text node of {len}+ bytes is too long"),
            CotError::NotAnEvent(n) => write!(f, "root element is <{n}>, not <event>"),
            CotError::Missing(what) => write!(f, "missing {what}"),
            CotError::Duplicate(what) => write!(f, "more than one <{what}> element"),
            CotError::BadTime { field, value } => write!(f, "bad {field} timestamp {value:?}"),
            CotError::TimeOutOfRange { field } => write!(f, "{field} timestamp out of range"),
            CotError::Truncated => f.write_str("input is truncated"),
            CotError::BadMagic => f.write_str("missing TAK protocol magic byte 0xBF"),
            CotError::VarintTooLong => f.write_str("length varint longer than 10 bytes"),
            CotError::Protobuf(m) => write!(f, "bad TAK protobuf: {m}"),
            CotError::NoCotEvent => f.write_str("TAK message carries no cotEvent"),
            CotError::Control {
                min,
                max,
                contact_uid,
            } => {
                write!(f, "TAK control: protocol versions {min}..{max}")?;
                if !contact_uid.is_empty() {
                    write!(f, " from {contact_uid:?}")?;
                }
                Ok(())
            }
            CotError::NonFinite(what) => write!(f, "{what} is NaN or infinite"),
            CotError::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CotError {}
