//! `tls:` links to a TAK-style TLS server that requires a client
//! certificate: Python's ssl module is the server (tests/peers), openssl
//! makes the CA and certificates at test time (no key is ever committed).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::util::{pair, wait_until, Lab, Proc};
use crate::{assert_code, stderr, MCAST};

/// A CA, a server certificate for 10.77.0.2, 10.77.9.100 (the MQTT
/// tests' broker) and takserver, a client
/// certificate (PEM and PKCS#12, modern and legacy encryption) and a CA
/// the server does not use.
pub(super) struct Pki {
    dir: PathBuf,
}

impl Pki {
    pub(super) fn new(test: &str) -> Pki {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("pki-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("server.ext"),
            "subjectAltName=IP:10.77.0.2,IP:10.77.9.100,DNS:takserver\n",
        )
        .unwrap();
        std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
        let steps: &[&str] = &[
            "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=TestTakCA",
            "req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other-ca.pem -days 2 -subj /CN=OtherCA",
            "req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=takserver",
            "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext",
            "req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=bridge-user",
            "x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 -extfile client.ext",
            "pkcs12 -export -in client.pem -inkey client.key -certfile ca.pem -out client.p12 -passout pass:atakatak",
            "pkcs12 -export -legacy -in client.pem -inkey client.key -certfile ca.pem -out legacy.p12 -passout pass:atakatak",
        ];
        for s in steps {
            let o = Command::new("openssl")
                .args(s.split(' '))
                .current_dir(&dir)
                .output()
                .expect("run openssl (apt-get install openssl)");
            assert!(
                o.status.success(),
                "openssl {s}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        Pki { dir }
    }

    pub(super) fn path(&self, f: &str) -> String {
        self.dir.join(f).to_string_lossy().into_owned()
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn server(lab: &Lab, pki: &Pki, port: u16, tls: bool) -> Proc {
    let peer = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/tak_tls_server.py");
    let port_s = port.to_string();
    let mut args = vec![peer.to_string(), "10.77.0.2".into(), port_s];
    if tls {
        args.extend(
            [
                "--tls",
                &pki.path("server.pem"),
                &pki.path("server.key"),
                &pki.path("ca.pem"),
            ]
            .map(String::from),
        );
        args.push("--require-cert".into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let p = lab.spawn("h2", "python3", &args);
    assert!(
        wait_until(crate::END_WITHIN, || p.stdout().contains("listening")),
        "{}",
        p.stderr()
    );
    p
}

/// Starts a bridge from the SA group on h1 to `link` with `extra` options.
/// A plain-TCP TAK-style server on h2 (10.77.0.2:8087) that echoes every
/// event back and sends `stored` to each client on connect, as TAK Server
/// replays stored events. Returns the server and the folder holding the
/// stored events, for the test to remove.
fn echoing_server(lab: &Lab, tag: &str, stored: &str) -> (Proc, PathBuf) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("stored.xml");
    std::fs::write(&file, stored).unwrap();
    let peer = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/tak_tls_server.py");
    let file = file.to_str().unwrap();
    let srv = lab.spawn(
        "h2",
        "python3",
        &[peer, "10.77.0.2", "8087", "--echo", "--send", file],
    );
    assert!(wait_until(crate::END_WITHIN, || srv
        .stdout()
        .contains("listening")));
    (srv, dir)
}

fn bridge(lab: &Lab, link: &str, extra: &[&str]) -> Proc {
    let mut args = vec!["bridge", "239.2.3.1:6969@a0", link];
    args.extend_from_slice(extra);
    let p = lab.spawn("h1", MCAST, &args);
    lab.wait_joined("h1", "a0", "239.2.3.1");
    p
}

/// Sends SA events from h2 until the server printed one with `callsign`.
fn delivered(lab: &Lab, srv: &Proc, callsign: &str) -> bool {
    wait_until(Duration::from_secs(8), || {
        let _ = lab.run(
            "h2",
            MCAST,
            &[
                "cot-gen",
                "--send",
                "239.2.3.1:6969@a0",
                "--callsign",
                callsign,
            ],
        );
        srv.stdout().contains(&format!("callsign=\"{callsign}\""))
    })
}

#[test]
fn tls_with_pem_and_pkcs12_client_certificates() {
    let lab = pair!();
    let pki = Pki::new("ok");
    let mut srv = server(&lab, &pki, 8089, true);
    let cases: [(&str, Vec<String>); 3] = [
        (
            "PEM",
            vec![
                "--cert".into(),
                pki.path("client.pem"),
                "--key".into(),
                pki.path("client.key"),
                "--ca".into(),
                pki.path("ca.pem"),
            ],
        ),
        (
            "P12",
            vec![
                "--p12".into(),
                pki.path("client.p12"),
                "--p12-password".into(),
                "atakatak".into(),
            ],
        ),
        (
            "LEGACY",
            vec![
                "--p12".into(),
                pki.path("legacy.p12"),
                "--p12-password".into(),
                "atakatak".into(),
            ],
        ),
    ];
    for (name, opts) in &cases {
        let opts: Vec<&str> = opts.iter().map(String::as_str).collect();
        let mut b = bridge(&lab, "tls:10.77.0.2:8089", &opts);
        assert!(
            delivered(&lab, &srv, &format!("VIA-{name}")),
            "{name}: server got nothing\nbridge: {}\nserver: {}",
            b.stderr(),
            srv.stdout()
        );
        b.stop();
    }
    assert!(
        srv.stdout().contains("client-cert bridge-user"),
        "{}",
        srv.stdout()
    );
    // The name in the certificate must match; --tls-server-name picks it.
    let p12 = [
        "--p12",
        &pki.path("client.p12"),
        "--p12-password",
        "atakatak",
    ];
    let b = bridge(
        &lab,
        "tls:10.77.0.2:8089",
        &[&p12[..], &["--tls-server-name", "wrongname"]].concat(),
    );
    assert!(
        wait_until(Duration::from_secs(8), || b
            .stderr()
            .contains("does not carry this host name")),
        "{}",
        b.stderr()
    );
    drop(b);
    let mut b = bridge(
        &lab,
        "tls:10.77.0.2:8089",
        &[&p12[..], &["--tls-server-name", "takserver"]].concat(),
    );
    assert!(delivered(&lab, &srv, "BY-NAME"), "{}", b.stderr());
    b.stop();
    srv.stop();
}

#[test]
fn tls_failures_say_what_failed() {
    let lab = pair!();
    let pki = Pki::new("fail");
    let _tls = server(&lab, &pki, 8089, true);
    let _plain = server(&lab, &pki, 8087, false);
    let p12 = [
        "--p12",
        &pki.path("client.p12"),
        "--p12-password",
        "atakatak",
    ];
    // Wrong password: refused at start.
    let o = lab.run(
        "h1",
        MCAST,
        &[
            "bridge",
            "239.2.3.1:6969@a0",
            "tls:10.77.0.2:8089",
            "--p12",
            &pki.path("client.p12"),
            "--p12-password",
            "nope",
        ],
    );
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("wrong PKCS#12 password"),
        "{}",
        stderr(&o)
    );
    let (ca, other) = (pki.path("ca.pem"), pki.path("other-ca.pem"));
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "tls:10.77.0.2:8089",
            vec!["--ca", &ca],
            "requires a client certificate",
        ),
        (
            "tls:10.77.0.2:8089",
            [&p12[..], &["--ca", &other]].concat(),
            "not signed by the CA given",
        ),
        ("tcp:10.77.0.2:8089", vec![], "a TLS port? use tls:"),
        ("tls:10.77.0.2:8087", p12.to_vec(), "plain TCP port"),
    ];
    for (link, opts, want) in cases {
        let b = bridge(&lab, link, &opts);
        // Plain XML only goes out when there is an event to send.
        let seen = wait_until(Duration::from_secs(14), || {
            let _ = lab.run("h2", MCAST, &["cot-gen", "--send", "239.2.3.1:6969@a0"]);
            b.stderr().contains(want)
        });
        assert!(seen, "{link} {opts:?}: no {want:?} in:\n{}", b.stderr());
    }
}

/// A server that replays stored events on connect and echoes everything
/// back (as TAK servers do to other clients): the LAN sees each event
/// exactly once, the server's ping reply never, and `out` is what the
/// server received.
#[test]
fn tak_server_echo_and_replay_never_reach_the_lan_twice() {
    let lab = crate::util::lab!();
    crate::three_on_a_lan(&lab, false);
    let stored = concat!(
        r#"<event version="2.0" uid="SRV-1" type="a-f-G-U-C" how="m-g" time="2026-01-01T00:00:00.000Z" start="2026-01-01T00:00:00.000Z" stale="2099-01-01T00:00:00.000Z"><point lat="1.0" lon="2.0" hae="0.0" ce="9.0" le="9.0"/><detail><contact callsign="FROM-SERVER"/></detail></event>"#,
        r#"<event version="2.0" uid="takPong" type="t-x-c-t-r" how="h-g-i-g-o" time="2026-01-01T00:00:00.000Z" start="2026-01-01T00:00:00.000Z" stale="2099-01-01T00:00:00.000Z"><point lat="0.0" lon="0.0" hae="0.0" ce="9999999.0" le="9999999.0"/><detail/></event>"#
    );
    let (srv, dir) = echoing_server(&lab, "replay", stored);
    let mut rx = lab.spawn(
        "h3",
        MCAST,
        &[
            "listen",
            "239.2.3.1:6969@a0",
            "--format",
            "cot",
            "--timeout",
            "4s",
        ],
    );
    lab.wait_joined("h3", "a0", "239.2.3.1");
    let mut b = lab.spawn(
        "h1",
        MCAST,
        &[
            "bridge",
            "239.2.3.1:6969@a0",
            "tcp:10.77.0.2:8087",
            "--both-ways",
        ],
    );
    lab.wait_joined("h1", "a0", "239.2.3.1");
    assert!(
        wait_until(crate::END_WITHIN, || b.stderr().contains("connected")),
        "{}",
        b.stderr()
    );
    std::thread::sleep(Duration::from_millis(300));
    let o = lab.run(
        "h3",
        MCAST,
        &[
            "cot-gen",
            "--send",
            "239.2.3.1:6969@a0",
            "--uid",
            "LAN-1",
            "--callsign",
            "FROM-LAN",
        ],
    );
    assert_code(&o, 0);
    assert!(wait_until(Duration::from_secs(3), || srv
        .stdout()
        .contains("LAN-1")));
    let out = crate::stdout(&crate::finish(&mut rx));
    assert_eq!(
        out.matches("uid=SRV-1").count(),
        1,
        "server event once:\n{out}"
    );
    assert_eq!(
        out.matches("uid=LAN-1").count(),
        1,
        "LAN event once (no echo):\n{out}"
    );
    assert!(!out.contains("t-x-c-t-r"), "ping reply leaked:\n{out}");
    b.signal(libc::SIGTERM);
    let end = b.stop();
    let err = stderr(&end);
    assert!(
        err.contains("tcp:10.77.0.2:8087: connected, 1 connection, sent=1"),
        "{err}"
    );
    assert!(err.contains("loop=1") && err.contains("control=1"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--tak IFACE`: SA and GeoChat in one bridge, both ways, exactly once:
/// from the server chat goes to the chat group and SA to the SA group.
#[test]
fn tak_preset_bridges_sa_and_chat_exactly_once() {
    let lab = crate::util::lab!();
    crate::three_on_a_lan(&lab, false);
    let stored = concat!(
        r#"<event version="2.0" uid="SRV-SA" type="a-f-G-U-C" how="m-g" time="2026-01-01T00:00:00.000Z" start="2026-01-01T00:00:00.000Z" stale="2099-01-01T00:00:00.000Z"><point lat="1.0" lon="2.0" hae="0.0" ce="9.0" le="9.0"/><detail><contact callsign="SRV"/></detail></event>"#,
        r#"<event version="2.0" uid="GeoChat.SRV.All Chat Rooms.1" type="b-t-f" how="h-g-i-g-o" time="2026-01-01T00:00:00.000Z" start="2026-01-01T00:00:00.000Z" stale="2099-01-01T00:00:00.000Z"><point lat="1.0" lon="2.0" hae="0.0" ce="9.0" le="9.0"/><detail><__chat chatroom="All Chat Rooms" id="All Chat Rooms" senderCallsign="SRV"/><remarks>from the server</remarks></detail></event>"#
    );
    let (srv, dir) = echoing_server(&lab, "takpreset", stored);
    let mut sa = lab.spawn(
        "h3",
        MCAST,
        &[
            "listen",
            "239.2.3.1:6969@a0",
            "--format",
            "cot",
            "--timeout",
            "4s",
        ],
    );
    let mut chat = lab.spawn(
        "h3",
        MCAST,
        &[
            "listen",
            "224.10.10.1:17012@a0",
            "--format",
            "cot",
            "--timeout",
            "4s",
        ],
    );
    lab.wait_joined("h3", "a0", "239.2.3.1");
    lab.wait_joined("h3", "a0", "224.10.10.1");
    let b = lab.spawn(
        "h1",
        MCAST,
        &["bridge", "--tak", "a0", "tcp:10.77.0.2:8087", "--both-ways"],
    );
    lab.wait_joined("h1", "a0", "224.10.10.1");
    assert!(
        wait_until(crate::END_WITHIN, || b.stderr().contains("connected")),
        "{}",
        b.stderr()
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_code(
        &lab.run(
            "h3",
            MCAST,
            &["cot-gen", "--send", "239.2.3.1:6969@a0", "--uid", "LAN-SA"],
        ),
        0,
    );
    assert_code(
        &lab.run(
            "h3",
            MCAST,
            &[
                "cot-gen",
                "--kind",
                "chat",
                "--send",
                "224.10.10.1:17012@a0",
                "--message",
                "from the lan",
            ],
        ),
        0,
    );
    assert!(
        wait_until(Duration::from_secs(3), || srv
            .stdout()
            .contains("from the lan")
            && srv.stdout().contains("LAN-SA")),
        "{}",
        srv.stdout()
    );
    let sa_out = crate::stdout(&crate::finish(&mut sa));
    let chat_out = crate::stdout(&crate::finish(&mut chat));
    assert_eq!(sa_out.matches("uid=SRV-SA").count(), 1, "{sa_out}");
    assert_eq!(sa_out.matches("uid=LAN-SA").count(), 1, "{sa_out}");
    assert!(
        !sa_out.contains("from the server"),
        "chat on the SA group:\n{sa_out}"
    );
    assert_eq!(chat_out.matches("from the server").count(), 1, "{chat_out}");
    assert_eq!(chat_out.matches("from the lan").count(), 1, "{chat_out}");
    assert!(
        !chat_out.contains("SRV-SA"),
        "SA on the chat group:\n{chat_out}"
    );
    // The server got each LAN event once.
    assert_eq!(
        srv.stdout().matches("LAN-SA").count(),
        1,
        "{}",
        srv.stdout()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The Python with takproto that CI installs (`MCAST_TEST_PYTHON`).
fn takproto_python() -> Option<String> {
    match std::env::var("MCAST_TEST_PYTHON") {
        Ok(p) => Some(p),
        Err(_) if std::env::var_os("CI").is_some() => panic!("MCAST_TEST_PYTHON is not set (CI)"),
        Err(_) => {
            eprintln!("\n*** SKIPPED: MCAST_TEST_PYTHON (a python with takproto) is not set ***\n");
            None
        }
    }
}

/// `--tak-proto auto`: XML until the server offers v1, then the request,
/// the answer, and v1 both ways; the negotiation never reaches the LAN.
#[test]
fn tak_protocol_negotiation_upgrades_to_v1() {
    let Some(py) = takproto_python() else { return };
    let lab = pair!();
    let peer = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/tak_v1_server.py");
    let srv = lab.spawn("h2", &py, &[peer, "10.77.0.2", "8087"]);
    assert!(
        wait_until(crate::END_WITHIN, || srv.stdout().contains("listening")),
        "{}",
        srv.stderr()
    );
    let mut rx = lab.spawn(
        "h2",
        MCAST,
        &[
            "listen",
            "239.2.3.1:6969@a0",
            "--format",
            "cot",
            "--timeout",
            "4s",
        ],
    );
    lab.wait_joined("h2", "a0", "239.2.3.1");
    let b = lab.spawn(
        "h1",
        MCAST,
        &[
            "bridge",
            "239.2.3.1:6969@a0",
            "tcp:10.77.0.2:8087",
            "--both-ways",
        ],
    );
    lab.wait_joined("h1", "a0", "239.2.3.1");
    assert!(
        wait_until(crate::END_WITHIN, || b
            .stderr()
            .contains("switched to TAK Protocol v1")),
        "{}\n{}",
        b.stderr(),
        srv.stdout()
    );
    let ok = wait_until(Duration::from_secs(4), || {
        let _ = lab.run(
            "h2",
            MCAST,
            &["cot-gen", "--send", "239.2.3.1:6969@a0", "--uid", "LAN-V1"],
        );
        srv.stdout().contains("v1 LAN-V1 a-f-G-U-C")
    });
    assert!(
        ok,
        "no v1 event at the server:\n{}\n{}",
        srv.stdout(),
        b.stderr()
    );
    let out = crate::stdout(&crate::finish(&mut rx));
    assert!(
        out.contains("uid=SRV-V1"),
        "server's v1 event not on the LAN:\n{out}"
    );
    assert!(
        !out.contains("t-x-takp"),
        "negotiation leaked onto the LAN:\n{out}"
    );
}

/// A server that stops answering without closing (its link goes down, so
/// its packets are dropped): the bridge notices within --liveness, not at
/// some later write.
#[test]
fn dead_server_is_noticed_within_the_liveness_deadline() {
    let lab = pair!();
    let pki = Pki::new("live");
    let srv = server(&lab, &pki, 8087, false);
    let b = bridge(&lab, "tcp:10.77.0.2:8087", &["--liveness", "2s"]);
    assert!(
        wait_until(crate::END_WITHIN, || b.stderr().contains("connected")),
        "{}",
        b.stderr()
    );
    std::thread::sleep(Duration::from_millis(500));
    let t = std::time::Instant::now();
    lab.ip("h2", "link set a0 down");
    let noticed = wait_until(Duration::from_secs(8), || {
        b.stderr().contains("reconnecting")
    });
    assert!(noticed, "a dead server went unnoticed:\n{}", b.stderr());
    // A ping after half the deadline of silence, then the deadline.
    assert!(t.elapsed() < Duration::from_secs(7), "{:?}", t.elapsed());
    drop(srv);
}

/// `out` is what the server got, not what was queued: the server goes away
/// mid-stream, and the events after it are reported as never delivered.
#[test]
fn stats_count_what_the_server_received() {
    let lab = pair!();
    let pki = Pki::new("stats");
    let mut srv = server(&lab, &pki, 8087, false);
    let mut b = bridge(&lab, "tcp:10.77.0.2:8087", &[]);
    assert!(
        wait_until(crate::END_WITHIN, || b.stderr().contains("connected")),
        "{}",
        b.stderr()
    );
    for i in 0..3 {
        let uid = format!("EV-{i}");
        assert_code(
            &lab.run(
                "h2",
                MCAST,
                &["cot-gen", "--send", "239.2.3.1:6969@a0", "--uid", &uid],
            ),
            0,
        );
    }
    let events = |out: &str| out.lines().filter(|l| l.starts_with("event ")).count();
    assert!(
        wait_until(Duration::from_secs(5), || events(&srv.stdout()) == 3),
        "{}",
        srv.stdout()
    );
    let got = srv.stop();
    assert_eq!(events(&crate::stdout(&got)), 3);
    // The server is gone: these two wait in the queue.
    std::thread::sleep(Duration::from_millis(300));
    for i in 3..5 {
        let uid = format!("EV-{i}");
        assert_code(
            &lab.run(
                "h2",
                MCAST,
                &["cot-gen", "--send", "239.2.3.1:6969@a0", "--uid", &uid],
            ),
            0,
        );
    }
    std::thread::sleep(Duration::from_millis(300));
    b.signal(libc::SIGTERM);
    let err = stderr(&b.stop());
    assert!(err.contains("in=5 out=3"), "{err}");
    assert!(err.contains("sent=3"), "{err}");
    assert!(
        err.contains("2 queued events were never delivered"),
        "{err}"
    );
}
