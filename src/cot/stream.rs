//! Splitting a TCP byte stream of back-to-back CoT XML events into frames,
//! as TAK servers send them on their plain streaming port (no length
//! prefix, no delimiter: just `<event ...>...</event>` after another).
//!
//! [`XmlEventSplitter`] is incremental: it accepts whatever the socket gave
//! and returns each complete `<event>` element exactly once, as the raw
//! bytes (for forwarding unchanged or for [`parse_xml`](super::parse_xml)).
//!
//! What it understands, and why that is enough:
//!
//! - Between events it skips anything that does not start an `<event`
//!   element: whitespace, `<?xml ...?>` declarations, byte-order marks,
//!   keep-alives and garbage. A `<event` split across reads is kept.
//! - Inside an event it follows markup, not text: a `'<'` can only start
//!   markup in well-formed XML (it is escaped as `&lt;` in text and is not
//!   allowed in attribute values), so it skips CDATA sections, comments,
//!   processing instructions and declarations whole, reads tags up to
//!   their `'>'` outside quotes (a `'>'` or `"/>"` inside an attribute value
//!   is fine), and counts nested `<event>` elements. `</event>` inside
//!   CDATA or a comment therefore does not end the frame, and `</event >`
//!   (whitespace before `'>'`) does.
//! - It does not check well-formedness; the XML reader does that.
//!
//! A frame longer than 64 KiB ([`MAX_FRAME`]) is refused with
//! [`CotError::FrameTooLarge`] and discarded: if its end was already
//! received the splitter continues after it, otherwise it resynchronises on
//! the next `<event` (which, in the rest of the discarded frame, could in
//! theory be a nested event or one quoted in CDATA). So the buffer holds at
//! most one frame plus one read.
//!
//! Cost: each call scans only bytes it has not scanned before, except that
//! a construct (tag, CDATA, comment) that is still incomplete is rescanned
//! from its start on the next call, which is bounded by the frame limit.

use super::error::CotError;
use super::writer::MAX_FRAME;

/// The start of every frame; a name character must not follow it
/// (`<eventx>` is another element).
const OPEN: &[u8] = b"<event";
const NAME: &[u8] = b"event";
const CDATA: &[u8] = b"<![CDATA[";
const COMMENT: &[u8] = b"<!--";

/// Incremental splitter of a stream of CoT XML events.
///
/// Feed received bytes with [`push`](Self::push), then call
/// [`next_event`](Self::next_event) until it returns `Ok(None)`. Unlike
/// [`StreamDeframer`](super::StreamDeframer), an error does not desync the
/// stream: it reports one discarded (over-long) frame, and the next call
/// carries on.
#[derive(Debug, Default)]
pub struct XmlEventSplitter {
    buf: Vec<u8>,
    /// First byte not yet returned or discarded; while `frame` is set, the
    /// `<` of the frame being assembled.
    start: usize,
    /// Progress through the frame that begins at `start`, if one has begun.
    frame: Option<Progress>,
}

/// Where scanning of an unfinished frame resumes.
#[derive(Debug, Clone, Copy)]
struct Progress {
    /// Absolute index of the next byte to scan (the `<` of an incomplete
    /// construct, or the end of the buffer).
    resume: usize,
    /// `<event>` elements open at `resume`.
    depth: u32,
}

impl XmlEventSplitter {
    /// An empty splitter.
    pub fn new() -> Self {
        XmlEventSplitter::default()
    }

    /// Appends received bytes.
    pub fn push(&mut self, data: &[u8]) {
        // Drop what was returned or skipped before growing, so the buffer
        // stays at most one frame plus one read in size.
        if self.start > 0 {
            let n = self.start.min(self.buf.len());
            self.buf.drain(..n);
            if let Some(p) = &mut self.frame {
                p.resume = p.resume.saturating_sub(n);
            }
            self.start = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// Takes the bytes not yet returned as an event, emptying the splitter
    /// (when a stream switches to another framing mid-way).
    pub fn take_rest(&mut self) -> Vec<u8> {
        let rest = self.buf.get(self.start..).unwrap_or_default().to_vec();
        self.clear();
        rest
    }

    /// Bytes buffered and not yet returned.
    pub fn pending(&self) -> usize {
        self.buf.len().saturating_sub(self.start)
    }

    /// Forgets everything buffered (e.g. after a reconnect), keeping the
    /// allocation.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.start = 0;
        self.frame = None;
    }

    /// Returns the next complete event (`<event ...>...</event>` or
    /// `<event .../>`, from its `<` to its final `>`), or `Ok(None)` when
    /// more bytes are needed. The only error is
    /// [`CotError::FrameTooLarge`], after which the frame is dropped and
    /// the next call continues with what follows.
    pub fn next_event(&mut self) -> Result<Option<&[u8]>, CotError> {
        let progress = match self.frame {
            Some(p) => p,
            None => {
                let avail = self.buf.get(self.start..).unwrap_or_default();
                match find_open(avail) {
                    Open::Found(at) => {
                        self.start += at;
                        Progress {
                            resume: self.start,
                            depth: 0,
                        }
                    }
                    Open::Partial(at) => {
                        // Keep a possible "<eve" for the next read.
                        self.start += at;
                        return Ok(None);
                    }
                    Open::Absent => {
                        self.start = self.buf.len();
                        return Ok(None);
                    }
                }
            }
        };
        match scan(&self.buf, progress) {
            Scan::Complete(end) => {
                let from = self.start;
                self.frame = None;
                self.start = end;
                let len = end.saturating_sub(from);
                if len > MAX_FRAME {
                    return Err(CotError::FrameTooLarge { len });
                }
                Ok(self.buf.get(from..end))
            }
            Scan::Incomplete(p) => {
                let len = self.pending();
                if len > MAX_FRAME {
                    // Its end is not in sight: drop the frame's '<' so the
                    // next call resynchronises on the following `<event`.
                    self.frame = None;
                    self.start += 1;
                    return Err(CotError::FrameTooLarge { len });
                }
                self.frame = Some(p);
                Ok(None)
            }
        }
    }
}

/// Splits a complete byte string into its events (a convenience for tests
/// and files); bytes after the last complete event are ignored. Stops at
/// the first over-long frame.
pub fn split_xml_events(data: &[u8]) -> Result<Vec<Vec<u8>>, CotError> {
    let mut s = XmlEventSplitter::new();
    s.push(data);
    let mut out = Vec::new();
    while let Some(ev) = s.next_event()? {
        out.push(ev.to_vec());
    }
    Ok(out)
}

enum Open {
    /// A frame starts at this offset.
    Found(usize),
    /// The input ends with what may become `<event` + delimiter here.
    Partial(usize),
    /// No frame starts here, and no partial start at the end.
    Absent,
}

/// Finds the first `<event` followed by whitespace, `>` or `/`.
fn find_open(avail: &[u8]) -> Open {
    let mut i = 0;
    while let Some(off) = avail
        .get(i..)
        .and_then(|r| r.iter().position(|&b| b == b'<'))
    {
        let at = i + off;
        let tail = avail.get(at..).unwrap_or_default();
        match tail.get(OPEN.len()) {
            Some(&next) if tail.starts_with(OPEN) && ends_name(next) => return Open::Found(at),
            Some(_) => {}
            None if OPEN.starts_with(tail) => return Open::Partial(at),
            None => {}
        }
        i = at + 1;
    }
    Open::Absent
}

/// True for the bytes that may follow an element name in a tag.
fn ends_name(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/')
}

enum Scan {
    /// The frame ends just before this absolute index.
    Complete(usize),
    /// More bytes are needed; resume here.
    Incomplete(Progress),
}

/// What one piece of markup is, and how long (from its `<` to after its
/// `>`).
enum Markup {
    /// Too few bytes to tell where it ends.
    More,
    /// Anything that is neither the start nor the end of an event element.
    Other(usize),
    /// `<event ...>`.
    OpenEvent(usize),
    /// `<event .../>`.
    EmptyEvent(usize),
    /// `</event>`, `</event >`.
    CloseEvent(usize),
}

/// Scans markup from `p.resume`, counting `<event>` depth, until the
/// element that began the frame is closed.
fn scan(buf: &[u8], p: Progress) -> Scan {
    let Progress {
        mut resume,
        mut depth,
    } = p;
    loop {
        let Some(off) = buf
            .get(resume..)
            .and_then(|r| r.iter().position(|&b| b == b'<'))
        else {
            return Scan::Incomplete(Progress {
                resume: buf.len(),
                depth,
            });
        };
        let lt = resume + off;
        let tail = buf.get(lt..).unwrap_or_default();
        resume = match markup(tail) {
            Markup::More => {
                return Scan::Incomplete(Progress { resume: lt, depth });
            }
            Markup::Other(n) => lt + n,
            Markup::OpenEvent(n) => {
                depth = depth.saturating_add(1);
                lt + n
            }
            Markup::EmptyEvent(n) => {
                if depth == 0 {
                    return Scan::Complete(lt + n);
                }
                lt + n
            }
            Markup::CloseEvent(n) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Scan::Complete(lt + n);
                }
                lt + n
            }
        };
    }
}

/// Classifies the markup at the start of `tail` (which begins with `<`).
fn markup(tail: &[u8]) -> Markup {
    // Constructs whose content may hold anything, `<` and `>` included,
    // end at a fixed terminator.
    let terminated: [(&[u8], &[u8]); 3] = [(CDATA, b"]]>"), (COMMENT, b"-->"), (b"<?", b"?>")];
    for (opener, closer) in terminated {
        if tail.starts_with(opener) {
            return match find(tail, opener.len(), closer) {
                Some(at) => Markup::Other(at + closer.len()),
                None => Markup::More,
            };
        }
        if opener.starts_with(tail) {
            // "<", "<!", "<![CD": cannot tell yet.
            return Markup::More;
        }
    }
    if tail.starts_with(b"<!") {
        // A declaration such as <!DOCTYPE ...> (without an internal subset;
        // the reader refuses DOCTYPEs anyway).
        return match find(tail, 2, b">") {
            Some(at) => Markup::Other(at + 1),
            None => Markup::More,
        };
    }
    if tail.starts_with(b"</") {
        let Some(gt) = find(tail, 2, b">") else {
            return Markup::More;
        };
        let name = tail.get(2..gt).unwrap_or_default().trim_ascii_end();
        return if name == NAME {
            Markup::CloseEvent(gt + 1)
        } else {
            Markup::Other(gt + 1)
        };
    }
    // A start tag: up to the first '>' outside quotes.
    let Some(gt) = tag_end(tail) else {
        return Markup::More;
    };
    let name_len = tail
        .get(1..gt)
        .unwrap_or_default()
        .iter()
        .position(|&b| ends_name(b))
        .unwrap_or(gt.saturating_sub(1));
    let is_event = tail.get(1..1 + name_len) == Some(NAME);
    let empty = gt > 0 && tail.get(gt - 1) == Some(&b'/');
    match (is_event, empty) {
        (true, true) => Markup::EmptyEvent(gt + 1),
        (true, false) => Markup::OpenEvent(gt + 1),
        (false, _) => Markup::Other(gt + 1),
    }
}

/// The index of the `>` that ends the tag at the start of `tail`, skipping
/// quoted attribute values.
fn tag_end(tail: &[u8]) -> Option<usize> {
    let mut quote = None;
    for (i, &b) in tail.iter().enumerate().skip(1) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// The index of the first `needle` in `hay` at or after `from`.
fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|at| from + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = r#"<event version="2.0" uid="A" type="a-f-G" how="m-g" time="2024-01-01T00:00:00Z" start="2024-01-01T00:00:00Z" stale="2024-01-01T00:01:00Z"><point lat="1" lon="2" hae="3" ce="4" le="5"/><detail><contact callsign="Alpha"/><remarks>a &lt;b&gt; c</remarks></detail></event>"#;
    const B: &str = r#"<event version="2.0" uid="B" type="a-h-G" how="h-e" time="2024-01-01T00:00:00Z" start="2024-01-01T00:00:00Z" stale="2024-01-01T00:01:00Z"><point lat="1" lon="2" hae="3" ce="4" le="5"/></event >"#;
    const C: &str = r#"<event uid="C" how="a/>b" note='x>y'/>"#;

    fn split(data: &[u8]) -> Vec<String> {
        split_xml_events(data)
            .unwrap()
            .into_iter()
            .map(|f| String::from_utf8(f).unwrap())
            .collect()
    }

    /// Feeds `chunks` in order, collecting every result.
    fn feed<'a>(
        s: &mut XmlEventSplitter,
        chunks: impl IntoIterator<Item = &'a [u8]>,
    ) -> Vec<Result<Vec<u8>, CotError>> {
        let mut out = Vec::new();
        for c in chunks {
            s.push(c);
            loop {
                match s.next_event() {
                    Ok(Some(f)) => out.push(Ok(f.to_vec())),
                    Ok(None) => break,
                    Err(e) => out.push(Err(e)),
                }
            }
        }
        out
    }

    #[test]
    fn back_to_back_events_with_declarations_and_whitespace() {
        let stream = format!(
            "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n{A}\r\n<?xml version=\"1.0\"?>{B}{C}\n\n"
        );
        assert_eq!(split(stream.as_bytes()), [A, B, C]);
        for f in split(stream.as_bytes()).iter().take(2) {
            crate::cot::parse_xml(f.as_bytes()).unwrap();
        }
    }

    #[test]
    fn frame_boundaries() {
        for (input, frames) in [
            ("<event/>", &["<event/>"][..]),
            ("<event />", &["<event />"]),
            ("<event\n/>", &["<event\n/>"]),
            ("<event></event>", &["<event></event>"]),
            ("<event>x</event\r\n\t>", &["<event>x</event\r\n\t>"]),
            ("<event\tuid='a'>x</event>", &["<event\tuid='a'>x</event>"]),
            // '>' and "/>" and "</event>" can't end anything inside quotes.
            (
                r#"<event a="x>y" b='/>' c="</event>">z</event>"#,
                &[r#"<event a="x>y" b='/>' c="</event>">z</event>"#],
            ),
            // ... nor inside CDATA, comments or processing instructions.
            (
                "<event><![CDATA[</event>]]></event>",
                &["<event><![CDATA[</event>]]></event>"],
            ),
            (
                "<event><!-- </event> --></event>",
                &["<event><!-- </event> --></event>"],
            ),
            (
                "<event><?pi </event>?></event>",
                &["<event><?pi </event>?></event>"],
            ),
            ("<event><!X></event>", &["<event><!X></event>"]),
            // Nested events are counted; look-alike names are not events.
            (
                "<event><detail><event uid='in'><x/></event><event/></detail></event>",
                &["<event><detail><event uid='in'><x/></event><event/></detail></event>"],
            ),
            (
                "<event><events></events></eventx></event>",
                &["<event><events></events></eventx></event>"],
            ),
            ("<eventx/><events>q</events><event/>", &["<event/>"]),
            ("</event><event/></event>", &["<event/>"]),
            // Garbage between events, including binary and stray markup.
            (
                "junk\x00\x7f<foo><event a='1'/>more <<<< < event <event/>x",
                &["<event a='1'/>", "<event/>"],
            ),
            ("", &[]),
            ("   \n", &[]),
            ("<event>unfinished", &[]),
            ("<event", &[]),
        ] {
            assert_eq!(split(input.as_bytes()), frames, "{input:?}");
        }
    }

    #[test]
    fn every_split_position_gives_the_same_frames() {
        let stream = format!(
            "<?xml version=\"1.0\"?>\n{A}\n{B}junk<event><![CDATA[</event>]]><!--</event>--></event >{C}"
        );
        let want = split(stream.as_bytes());
        assert_eq!(want.len(), 4);
        let bytes = stream.as_bytes();
        for k in 0..=bytes.len() {
            let mut s = XmlEventSplitter::new();
            let got = feed(&mut s, [&bytes[..k], &bytes[k..]]);
            let got: Vec<String> = got
                .into_iter()
                .map(|f| String::from_utf8(f.unwrap()).unwrap())
                .collect();
            assert_eq!(got, want, "split at {k}");
            assert_eq!(s.pending(), 0, "split at {k}");
        }
        // One byte at a time.
        let mut s = XmlEventSplitter::new();
        let got = feed(&mut s, bytes.chunks(1));
        assert_eq!(got.len(), 4);
        assert!(got
            .iter()
            .map(|f| f.as_ref().unwrap())
            .eq(want.iter().map(|w| w.as_bytes())));
    }

    #[test]
    fn partial_start_is_kept_and_garbage_is_not() {
        let mut s = XmlEventSplitter::new();
        s.push(b"garbage garbage <eve");
        assert_eq!(s.next_event(), Ok(None));
        assert_eq!(s.pending(), 4);
        s.push(b"nt");
        assert_eq!(s.next_event(), Ok(None));
        s.push(b"/>");
        assert_eq!(s.next_event(), Ok(Some(&b"<event/>"[..])));
        assert_eq!(s.next_event(), Ok(None));
        // "<eventx" is not a start: dropped.
        s.push(b"<eventx");
        assert_eq!(s.next_event(), Ok(None));
        assert_eq!(s.pending(), 0);
        // A megabyte of garbage never accumulates.
        for _ in 0..1024 {
            s.push(&[b'<'; 1024]);
            assert_eq!(s.next_event(), Ok(None));
            assert!(s.pending() <= 1);
        }
        s.clear();
        assert_eq!(s.pending(), 0);
    }

    fn padded_event(total: usize) -> Vec<u8> {
        let head = b"<event><detail><remarks>";
        let tail = b"</remarks></detail></event>";
        let mut v = head.to_vec();
        v.resize(total - tail.len(), b'x');
        v.extend_from_slice(tail);
        assert_eq!(v.len(), total);
        v
    }

    #[test]
    fn frame_of_exactly_64_kib_passes() {
        let ev = padded_event(MAX_FRAME);
        let got = split_xml_events(&ev).unwrap();
        assert_eq!(got, [ev]);
    }

    #[test]
    fn over_long_complete_frame_is_skipped() {
        let mut stream = padded_event(MAX_FRAME + 1);
        stream.extend_from_slice(b"<event uid='next'/>");
        let mut s = XmlEventSplitter::new();
        let got = feed(&mut s, [&stream[..]]);
        assert_eq!(
            got,
            [
                Err(CotError::FrameTooLarge { len: MAX_FRAME + 1 }),
                Ok(b"<event uid='next'/>".to_vec())
            ]
        );
        assert_eq!(
            split_xml_events(&stream),
            Err(CotError::FrameTooLarge { len: MAX_FRAME + 1 })
        );
    }

    #[test]
    fn over_long_unfinished_frame_is_dropped_and_the_stream_recovers() {
        let big = padded_event(200_000);
        let mut s = XmlEventSplitter::new();
        let mut errors = 0;
        let mut frames = Vec::new();
        // Arrives in 1 KiB reads; the error comes once the frame passes
        // 64 KiB, and the buffer never holds much more than that.
        let mut stream = big.clone();
        stream.extend_from_slice(A.as_bytes());
        for chunk in stream.chunks(1024) {
            s.push(chunk);
            loop {
                match s.next_event() {
                    Ok(Some(f)) => frames.push(f.to_vec()),
                    Ok(None) => break,
                    Err(CotError::FrameTooLarge { len }) => {
                        assert!(len > MAX_FRAME && len <= MAX_FRAME + 1024, "{len}");
                        errors += 1;
                    }
                    Err(e) => panic!("{e}"),
                }
            }
            assert!(s.pending() <= MAX_FRAME + 1024);
        }
        assert_eq!(errors, 1);
        assert_eq!(frames, [A.as_bytes().to_vec()]);
    }

    #[test]
    fn unterminated_constructs_wait_for_more() {
        for input in [
            "<event><![CDATA[ </event> ",
            "<event><!-- </event> -",
            "<event a='</event>",
            "<event><?pi ?",
            "<event></event",
            "<event><!",
            "<event><",
        ] {
            let mut s = XmlEventSplitter::new();
            s.push(input.as_bytes());
            assert_eq!(s.next_event(), Ok(None), "{input:?}");
            assert_eq!(s.pending(), input.len(), "{input:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn chunking_never_changes_the_frames(cuts in proptest::collection::vec(0usize..600, 0..8)) {
            let stream = format!("{A} \n{B}<x/>{C}<event><![CDATA[</event>]]></event>");
            let bytes = stream.as_bytes();
            let want = split_xml_events(bytes).unwrap();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut prev = 0;
            for c in cuts.into_iter().chain([bytes.len()]) {
                chunks.push(&bytes[prev..c]);
                prev = c;
            }
            let mut s = XmlEventSplitter::new();
            let got: Vec<Vec<u8>> = feed(&mut s, chunks).into_iter().map(Result::unwrap).collect();
            proptest::prop_assert_eq!(got, want);
        }

        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400), step in 1usize..50) {
            let mut s = XmlEventSplitter::new();
            for f in feed(&mut s, data.chunks(step)).into_iter().flatten() {
                proptest::prop_assert!(f.starts_with(b"<event"));
                proptest::prop_assert!(f.ends_with(b">"));
            }
        }

        #[test]
        fn markup_soup_never_panics(parts in proptest::collection::vec(proptest::sample::select(vec![
            "<event", "<event>", "</event>", "</event >", "<event/>", "<![CDATA[", "]]>", "<!--", "-->",
            "<?", "?>", "'", "\"", ">", "<", "/>", "x", " ", "<!", "</", "<events>",
        ]), 0..40), step in 1usize..20) {
            let data = parts.concat();
            let mut s = XmlEventSplitter::new();
            let _ = feed(&mut s, data.as_bytes().chunks(step));
        }
    }
}
