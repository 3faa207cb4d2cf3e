//! `mqtt://` bridge links through a real broker: Debian's mosquitto,
//! started by each test inside its lab (never in the host namespace) on the
//! lab's "WAN", with a generated configuration; mosquitto_sub and
//! mosquitto_pub as independent clients; the payloads are real TAK
//! captures (tests/fixtures/cot).
//!
//! Sites: LAN `lK` (10.77.K.0/24) holds the site's host hK (a0 .1), which
//! sends and listens, and the site's bridge bK (a0 .2), which is also on
//! the WAN `wan` (w0 10.77.9.K) where the broker host hq (10.77.9.100)
//! runs mosquitto.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use super::bridge::{bridge, final_stats, gather, seqs, wait_for};
use super::tls::Pki;
use crate::util::{lab, Lab, Proc};
use crate::{assert_code, finish, listen, mcast, send, stderr, stdout, MCAST};

const BROKER: &str = "10.77.9.100";
const SA: &str = "239.2.3.1";

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/cot/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A running mosquitto and the folder with its configuration.
struct Broker {
    proc: Option<Proc>,
    dir: PathBuf,
}

impl Broker {
    /// Starts mosquitto on hq with `extra` configuration lines (after a
    /// plain listener on 1883, anonymous access allowed unless `extra`
    /// says otherwise), and waits until it listens.
    fn start(lab: &Lab, tag: &str, extra: &str) -> Broker {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("mosquitto-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // `user root`: as root mosquitto otherwise becomes the mosquitto
        // user, which cannot read the test's key files (mode 0600).
        let conf = format!(
            "per_listener_settings true\nuser root\nlistener 1883 {BROKER}\n{}\npersistence false\nlog_dest stderr\nlog_type error\nlog_type warning\n{extra}\n",
            if extra.contains("password_file") { "" } else { "allow_anonymous true" }
        );
        std::fs::write(dir.join("mosquitto.conf"), conf).unwrap();
        let mut b = Broker { proc: None, dir };
        b.restart(lab);
        b
    }

    fn path(&self, f: &str) -> String {
        self.dir.join(f).to_string_lossy().into_owned()
    }

    fn stop(&mut self) {
        if let Some(mut p) = self.proc.take() {
            p.stop();
        }
    }

    fn restart(&mut self, lab: &Lab) {
        self.stop();
        let conf = self.path("mosquitto.conf");
        self.proc = Some(lab.spawn("hq", "mosquitto", &["-c", &conf]));
        lab.wait_tcp_listening("hq", 1883);
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `n` sites and the WAN with the broker host.
fn sites(lab: &Lab, n: u8) {
    lab.lan("wan");
    lab.host("hq");
    lab.attach("hq", "wan", "w0", &format!("{BROKER}/24"), "fd77:9::100/64");
    for k in 1..=n {
        let lan = format!("l{k}");
        let (h, b) = (format!("h{k}"), format!("b{k}"));
        lab.lan(&lan);
        lab.host(&h);
        lab.host(&b);
        lab.attach(&h, &lan, "a0", &format!("10.77.{k}.1/24"), "");
        lab.attach(&b, &lan, "a0", &format!("10.77.{k}.2/24"), "");
        lab.attach(&b, "wan", "w0", &format!("10.77.9.{k}/24"), "");
        lab.mcast_route(&h, "a0");
    }
}

/// Starts site k's bridge: the SA group on its LAN, both ways through
/// `url`, JSON statistics; returns once it is connected to the broker.
fn site_bridge(lab: &Lab, k: u8, url: &str, extra: &[&str]) -> Proc {
    let mut args = vec![
        format!("{SA}:6969@a0"),
        url.to_string(),
        "--both-ways".into(),
        "-f".into(),
        "json".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let p = bridge(lab, &format!("b{k}"), &args);
    wait_for(&p, "connected", 1);
    p
}

/// A listener for the SA group on site k's host.
fn site_listener(lab: &Lab, k: u8) -> Proc {
    listen(
        lab,
        &format!("h{k}"),
        "a0",
        SA,
        &[&format!("{SA}:6969@a0"), "-f", "json"],
    )
}

/// The broker statistics of a bridge's final record (its one server).
fn server(stats: &Value) -> &Value {
    &stats["servers"][0]
}

/// Datagrams whose text is `text` that came from `src` (an address).
fn from(j: &crate::Json, text: &str, src: &str) -> Vec<u64> {
    j.datagrams
        .iter()
        .filter(|d| d["text"] == text && d["src"].as_str().unwrap().starts_with(src))
        .map(|d| d["seq"].as_u64().unwrap())
        .collect()
}

/// `n` sites meshed through one broker, one `mcast bridge` each: every
/// site's 5 numbered datagrams reach every other site exactly once, from
/// that site's bridge, and nothing comes back to where it came from.
fn mesh(n: u8, version: &str) {
    let lab = lab!();
    sites(&lab, n);
    let _broker = Broker::start(&lab, &format!("mesh{n}-{version}"), "");
    let url = format!("mqtt://{BROKER}/mcast/{{group}}/{{port}}");
    let mut bridges: Vec<Proc> = (1..=n)
        .map(|k| site_bridge(&lab, k, &url, &["--mqtt-version", version]))
        .collect();
    // Subscriptions are made after CONNACK: give the broker a moment.
    std::thread::sleep(Duration::from_millis(300));
    let mut rx: Vec<Proc> = (1..=n).map(|k| site_listener(&lab, k)).collect();
    for k in 1..=n {
        let text = format!("from-site-{k}");
        send(
            &lab,
            &format!("h{k}"),
            &[
                &format!("{SA}:6969@a0"),
                "--seq",
                "-c",
                "5",
                "--interval",
                "20ms",
                &text,
            ],
        );
    }
    let want = 5 * (usize::from(n) - 1) + 5;
    let got: Vec<crate::Json> = rx.iter_mut().map(|r| gather(r, want)).collect();
    let stats: Vec<Value> = bridges
        .iter_mut()
        .map(|b| final_stats(b, libc::SIGTERM))
        .collect();
    for k in 1..=n {
        let j = &got[usize::from(k) - 1];
        let bridge_addr = format!("10.77.{k}.2:");
        let all = format!("site {k}: {:?}\nbridges: {stats:?}", j.datagrams);
        for other in (1..=n).filter(|&o| o != k) {
            let text = format!("from-site-{other}");
            assert_eq!(from(j, &text, &bridge_addr), [0, 1, 2, 3, 4], "{all}");
            assert_eq!(seqs(j, &text).len(), 5, "exactly once: {all}");
        }
        // Its own datagrams arrive once, from its own host, never again
        // through the bridge.
        let own = format!("from-site-{k}");
        assert_eq!(from(j, &own, &bridge_addr), [0u64; 0], "{all}");
        let s = server(&stats[usize::from(k) - 1]);
        let proto = if version == "3.1.1" {
            "mqtt 3.1.1"
        } else {
            "mqtt 5"
        };
        assert_eq!(s["protocol"], proto, "{all}");
        assert_eq!(s["sent"], 5, "{all}");
        assert_eq!(s["connects"], 1, "{all}");
        assert_eq!(s["queue_dropped"], 0, "{all}");
    }
    if version == "3.1.1" {
        // No no_local in 3.1.1: each bridge got its own 5 back and
        // recognised them.
        for s in &stats {
            let from_broker = &s["directions"][1];
            assert_eq!(from_broker["dropped"]["loop"], 5, "{s}");
        }
    }
}

#[test]
fn two_sites_through_one_broker_both_ways_exactly_once() {
    mesh(2, "auto");
}

#[test]
fn three_sites_through_one_broker_each_datagram_once_per_site() {
    mesh(3, "auto");
}

#[test]
fn three_sites_over_mqtt_3_1_1_recognise_their_own_echo() {
    mesh(3, "3.1.1");
}

/// mosquitto_sub sees each datagram's exact bytes on the flow's topic
/// (CoT XML and TAK Protocol v1 captures from real clients), and what
/// mosquitto_pub publishes on a flow's topic reaches that group on the
/// LAN, and only that group.
#[test]
fn mosquitto_clients_see_and_send_the_exact_payloads() {
    let lab = lab!();
    sites(&lab, 1);
    let _broker = Broker::start(&lab, "clients", "");
    let xml = std::fs::read(fixture("atak_pli.xml")).unwrap();
    let v1 = std::fs::read(fixture("wintak_group_chat.takv1")).unwrap();
    let sub = lab.spawn(
        "hq",
        "mosquitto_sub",
        &[
            "-h", BROKER, "-t", "mcast/#", "-C", "2", "-F", "%t %x", "-W", "15",
        ],
    );
    let url = format!("mqtt://{BROKER}/mcast/{{group}}/{{port}}");
    let mut b = bridge(
        &lab,
        "b1",
        &[
            &format!("{SA}:6969@a0"),
            "--also-from",
            "224.10.10.1:17012@a0",
            &url,
            "-f",
            "json",
        ],
    );
    wait_for(&b, "connected", 1);
    std::thread::sleep(Duration::from_millis(300));
    send(
        &lab,
        "h1",
        &[&format!("{SA}:6969@a0"), "--file", &fixture("atak_pli.xml")],
    );
    send(
        &lab,
        "h1",
        &[
            "224.10.10.1:17012@a0",
            "--file",
            &fixture("wintak_group_chat.takv1"),
        ],
    );
    let mut sub = sub;
    let o = finish(&mut sub);
    assert_code(&o, 0);
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let lines: Vec<String> = stdout(&o).lines().map(String::from).collect();
    assert!(
        lines.contains(&format!("mcast/239.2.3.1/6969 {}", hex(&xml))),
        "{lines:?}"
    );
    assert!(
        lines.contains(&format!("mcast/224.10.10.1/17012 {}", hex(&v1))),
        "{lines:?}"
    );
    final_stats(&mut b, libc::SIGTERM);

    // The other way: a subscription to the whole tree, two group outputs.
    let mut b = bridge(
        &lab,
        "b1",
        &[
            &format!("mqtt://{BROKER}/mcast/#"),
            &format!("{SA}:6969@a0"),
            "224.10.10.1:17012@a0",
            "-f",
            "json",
        ],
    );
    wait_for(&b, "connected", 1);
    std::thread::sleep(Duration::from_millis(300));
    let mut sa = site_listener(&lab, 1);
    let mut chat = listen(
        &lab,
        "h1",
        "a0",
        "224.10.10.1",
        &["224.10.10.1:17012@a0", "-f", "json"],
    );
    let publish = |topic: &str, file: &str| {
        let o = lab.run(
            "hq",
            "mosquitto_pub",
            &["-h", BROKER, "-t", topic, "-f", file],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    publish("mcast/239.2.3.1/6969", &fixture("atak_pli.xml"));
    publish("mcast/224.10.10.1/17012", &fixture("atak_group_chat.xml"));
    // A flow no output carries: counted, not sent anywhere.
    publish("mcast/239.9.9.9/5000", &fixture("itak_pli.xml"));
    let (jsa, jchat) = (gather(&mut sa, 1), gather(&mut chat, 1));
    let s = final_stats(&mut b, libc::SIGTERM);
    let chat_xml = std::fs::read(fixture("atak_group_chat.xml")).unwrap();
    let payloads = |j: &crate::Json| j.datagrams.iter().map(crate::payload).collect::<Vec<_>>();
    assert_eq!(payloads(&jsa), vec![xml.clone()], "{s}");
    assert_eq!(payloads(&jchat), vec![chat_xml], "{s}");
    assert_eq!(s["directions"][0]["dropped"]["unmapped"], 1, "{s}");
}

/// PyTAK's convention, a fixed topic carrying raw CoT bytes: a site
/// publishes to `tak/sa` and subscribes to it.
#[test]
fn a_fixed_topic_carries_raw_cot_between_sites() {
    let lab = lab!();
    sites(&lab, 2);
    let _broker = Broker::start(&lab, "fixed", "");
    let url = format!("mqtt://{BROKER}/tak/sa");
    let mut b1 = site_bridge(&lab, 1, &url, &[]);
    let mut b2 = site_bridge(&lab, 2, &url, &[]);
    std::thread::sleep(Duration::from_millis(300));
    let mut rx = site_listener(&lab, 2);
    send(
        &lab,
        "h1",
        &[&format!("{SA}:6969@a0"), "--file", &fixture("itak_pli.xml")],
    );
    let j = gather(&mut rx, 1);
    final_stats(&mut b1, libc::SIGTERM);
    final_stats(&mut b2, libc::SIGTERM);
    let want = std::fs::read(fixture("itak_pli.xml")).unwrap();
    let got: Vec<Vec<u8>> = j.datagrams.iter().map(crate::payload).collect();
    assert_eq!(got, vec![want]);
}

/// The broker stops mid-stream and comes back: both bridges reconnect,
/// traffic flows again, and what was lost shows in the listener's sequence
/// statistics and the bridges' reconnect counts.
#[test]
fn broker_restart_mid_stream_reconnects_and_counts_the_loss() {
    let lab = lab!();
    sites(&lab, 2);
    let mut broker = Broker::start(&lab, "restart", "");
    let url = format!("mqtt://{BROKER}/mcast/{{group}}/{{port}}");
    // A queue of 50 (half a second at 100/s) overflows during the outage.
    let mut b1 = site_bridge(&lab, 1, &url, &["--queue", "50"]);
    let mut b2 = site_bridge(&lab, 2, &url, &[]);
    std::thread::sleep(Duration::from_millis(300));
    let mut rx = site_listener(&lab, 2);
    let mut tx = lab.spawn(
        "h1",
        MCAST,
        &[
            "send",
            &format!("{SA}:6969@a0"),
            "--seq",
            "-c",
            "600",
            "--rate",
            "100",
            "stream",
        ],
    );
    std::thread::sleep(Duration::from_millis(1500));
    broker.stop();
    std::thread::sleep(Duration::from_millis(1000));
    broker.restart(&lab);
    wait_for(&b1, "connected", 2);
    wait_for(&b2, "connected", 2);
    let o = finish(&mut tx);
    assert_code(&o, 0);
    std::thread::sleep(Duration::from_millis(500));
    rx.signal(libc::SIGTERM);
    let o = finish(&mut rx);
    let j = crate::json(&o);
    let (s1, s2) = (
        final_stats(&mut b1, libc::SIGTERM),
        final_stats(&mut b2, libc::SIGTERM),
    );
    let all = format!("bridge 1: {s1}\nbridge 2: {s2}\nsummary: {}", j.summary);
    let got = seqs(&j, "stream");
    assert!(
        got.len() > 300 && got.len() < 600,
        "{} of 600: {all}",
        got.len()
    );
    assert!(got.contains(&0) && got.contains(&599), "{all}");
    assert!(got.windows(2).all(|w| w[0] < w[1]), "in order, once: {all}");
    assert!(server(&s1)["connects"].as_u64() >= Some(2), "{all}");
    assert!(server(&s2)["connects"].as_u64() >= Some(2), "{all}");
    // The listener's own accounting of the gap, and the bridge's: what its
    // full queue dropped, plus what was on the wire when the broker went
    // away and what the new broker got from site 1 before site 2 had
    // subscribed again (the two reconnect on their own backoff timers, up
    // to a second apart: at most about 100 datagrams at 100/s).
    let lost = j.summary["streams"][0]["seq"]["lost"].as_u64().unwrap();
    let dropped = server(&s1)["queue_dropped"].as_u64().unwrap();
    assert_eq!(lost, 600 - got.len() as u64, "{all}");
    assert!(
        dropped > 0 && lost >= dropped && lost <= dropped + 150,
        "{all}"
    );
}

/// Username and password, and TLS (a CA made by openssl at test time),
/// to a broker that requires both; a wrong password and a wrong CA are
/// logged as what they are while the bridge keeps retrying.
#[test]
fn username_password_and_tls_to_the_broker() {
    let lab = lab!();
    sites(&lab, 2);
    let pki = Pki::new("mqtt");
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("mqtt-pw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pw = dir.join("passwd");
    let o = std::process::Command::new("mosquitto_passwd")
        .args(["-b", "-c", pw.to_str().unwrap(), "site", "s3cr:t@x"])
        .output()
        .expect("mosquitto_passwd (apt-get install mosquitto)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let extra = format!(
        "allow_anonymous false\npassword_file {pw}\nlistener 8883 {BROKER}\nallow_anonymous false\npassword_file {pw}\ncafile {ca}\ncertfile {cert}\nkeyfile {key}\n",
        pw = pw.display(),
        ca = pki.path("ca.pem"),
        cert = pki.path("server.pem"),
        key = pki.path("server.key"),
    );
    let _broker = Broker::start(&lab, "auth", &extra);
    lab.wait_tcp_listening("hq", 8883);
    let ca = pki.path("ca.pem");
    // Percent-encoded ':' and '@' in the password.
    let tls_url = format!("mqtts://site:s3cr%3At%40x@{BROKER}/mcast/{{group}}/{{port}}");
    let plain_url = format!("mqtt://site:s3cr%3At%40x@{BROKER}/mcast/{{group}}/{{port}}");
    let mut b1 = site_bridge(&lab, 1, &tls_url, &["--ca", &ca]);
    let mut b2 = site_bridge(&lab, 2, &plain_url, &[]);
    std::thread::sleep(Duration::from_millis(300));
    let mut rx = site_listener(&lab, 2);
    send(
        &lab,
        "h1",
        &[&format!("{SA}:6969@a0"), "--seq", "-c", "3", "secret"],
    );
    let j = gather(&mut rx, 3);
    assert_eq!(seqs(&j, "secret"), [0, 1, 2]);
    let s1 = final_stats(&mut b1, libc::SIGTERM);
    final_stats(&mut b2, libc::SIGTERM);
    assert_eq!(server(&s1)["sent"], 3, "{s1}");
    // The password never shows.
    assert!(!s1.to_string().contains("s3cr"), "{s1}");

    let wrong_pw = format!("mqtt://site:nope@{BROKER}/t");
    let mut b = lab.spawn(
        "b1",
        MCAST,
        &["bridge", &format!("{SA}:6969@a0"), &wrong_pw],
    );
    // mosquitto says "not authorized" for a wrong password.
    wait_for(&b, "not authorized (check the user name and password", 1);
    assert!(b.running(), "keeps retrying: {}", b.stderr());
    b.stop();
    let wrong_ca = format!("mqtts://site:x@{BROKER}/t");
    let other = pki.path("other-ca.pem");
    let mut b = lab.spawn(
        "b1",
        MCAST,
        &[
            "bridge",
            &format!("{SA}:6969@a0"),
            &wrong_ca,
            "--ca",
            &other,
        ],
    );
    wait_for(&b, "TLS", 1);
    let err = b.stderr();
    assert!(err.contains("CA") || err.contains("issuer"), "{err}");
    b.stop();
    // Plain MQTT to the TLS port: the hint names mqtts://.
    let plain_to_tls = format!("mqtt://site:x@{BROKER}:8883/t");
    let mut b = lab.spawn(
        "b1",
        MCAST,
        &["bridge", &format!("{SA}:6969@a0"), &plain_to_tls],
    );
    wait_for(&b, "a TLS port needs mqtts://", 1);
    b.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Bad MQTT links are usage errors (exit 2) that say what is wrong.
#[test]
fn bad_mqtt_links_are_usage_errors() {
    let lab = lab!();
    lab.pair();
    let g = "239.2.3.1:6969@a0";
    let table: &[(&[&str], &str)] = &[
        (&["bridge", g, "mqtt://10.77.0.2"], "no topic"),
        (&["bridge", g, "mqtt://10.77.0.2/"], "empty topic"),
        (&["bridge", g, "mqtt://10.77.0.2:99999/t"], "99999"),
        (&["bridge", g, "mqtt://10.77.0.2:0/t"], "port 0"),
        (&["bridge", g, "mqtx://10.77.0.2/t"], "unknown scheme"),
        (&["bridge", g, "mqtt:10.77.0.2/t"], "mqtt://"),
        (&["bridge", g, "mqtt://10.77.0.2/a/#"], "for subscribing"),
        (&["bridge", g, "mqtt://10.77.0.2/a/#/b"], "last level"),
        (&["bridge", g, "mqtt://10.77.0.2/a/{grp}"], "placeholders"),
        (&["bridge", g, "mqtt://239.1.1.1/t"], "unicast address"),
        (&["bridge", g, "mqtt://fd77::2/t"], "brackets"),
        (
            &[
                "bridge",
                "udp-listen:5000",
                "mqtt://10.77.0.2/m/{group}/{port}",
            ],
            "has none",
        ),
        (&["bridge", g, "mqtts://10.77.0.2/t"], "--ca"),
        (&["bridge", g, "mqtt://10.77.0.2/t", "--mqtt-qos", "2"], "2"),
        (
            &["bridge", g, "mqtt://10.77.0.2/t", "--mqtt-version", "4"],
            "4",
        ),
    ];
    for (args, says) in table {
        let o = mcast(&lab, "h1", args);
        assert_code(&o, 2);
        assert!(
            stderr(&o).contains(says),
            "{args:?}: {says:?} not in {}",
            stderr(&o)
        );
    }
}
