//! `send` with the payload from standard input: `--split line` (default),
//! `nul` and `none`.

use crate::util::pair;
use crate::{assert_code, finish, json, listen, payload, MCAST};

/// (group, send options, stdin, datagrams expected)
type Case<'a> = (&'a str, &'a [&'a str], &'a [u8], &'a [&'a [u8]]);

#[test]
fn stdin_is_split_into_datagrams() {
    let lab = pair!();
    let cases: [Case; 4] = [
        (
            "239.1.6.1",
            &[],
            b"one\ntwo words\nthree",
            &[b"one", b"two words", b"three"],
        ),
        (
            "239.1.6.2",
            &["--split", "line"],
            b"\x1bbin\xff\n\tx\n",
            &[b"\x1bbin\xff", b"\tx"],
        ),
        (
            "239.1.6.3",
            &["--split", "nul"],
            b"a b\nc\0second\0",
            &[b"a b\nc", b"second"],
        ),
        (
            "239.1.6.4",
            &["--split", "none"],
            b"line 1\nline 2\n\0end\n",
            &[b"line 1\nline 2\n\0end\n"],
        ),
    ];
    let mut procs = Vec::new();
    for (group, _, _, want) in &cases {
        let (e, n) = (format!("{group}:5000"), want.len().to_string());
        let args = [e.as_str(), "-c", &n, "-t", "5s", "-f", "json"];
        procs.push(listen(&lab, "h2", "a0", group, &args));
    }
    for (group, opts, input, _) in &cases {
        let e = format!("{group}:5000");
        let args = [&["send", e.as_str()][..], opts].concat();
        let o = lab.run_input("h1", MCAST, &args, input);
        assert_code(&o, 0);
    }
    for ((group, opts, _, want), mut p) in cases.iter().zip(procs) {
        let o = finish(&mut p);
        assert_code(&o, 0);
        let got: Vec<Vec<u8>> = json(&o).datagrams.iter().map(payload).collect();
        assert_eq!(got, *want, "{group} {opts:?}");
    }
}
