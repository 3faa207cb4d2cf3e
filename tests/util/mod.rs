//! Integration-test harness: private network-namespace labs.
//!
//! Every packet a test sends must stay inside namespaces the test created, so
//! nothing here runs a program in the host namespace except `ip` itself. A
//! [`Lab`] owns its namespaces and processes and removes them when dropped,
//! also when the test panics (drop runs on unwind).
//!
//! ```ignore
//! let lab = lab!(); // returns early (SKIPPED) if not root
//! lab.pair(); // h1 --a0--a0-- h2: 10.77.0.1/2, fd77::1/2
//! let rx = lab.spawn("h2", "socat", &["-u", "UDP4-RECV:5000,ip-add-membership=239.1.1.1:a0", "-"]);
//! ```
#![allow(dead_code)] // each test file uses a different part of the harness

use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Once};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// [`Lab::run`] kills a program still running after this long, so a hung
/// test fails instead of hanging CI.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(20);
/// Namespaces are `mct<pid>-<n>-<name>`: the pid tells a crashed run's
/// leftovers (pid gone) from a run in progress; `n` separates parallel tests.
const PREFIX: &str = "mct";
const NO_RP_FILTER: &str = "net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0";
const NO_DAD: &str = "net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0";
/// IGMP/MLD timers for [`Lab::set_snooping`], in centiseconds as iproute2 and
/// sysfs take them (100 = 1 s). The kernel raises query and startup query
/// intervals below 1 s to 1 s. Leaves take 2 x 0.1 s; a silent member expires
/// after 2.6 s. v3/v2 so hosts keep sending source-aware reports.
const SNOOPING_TIMERS: &str = "mcast_igmp_version 3 mcast_mld_version 2 \
     mcast_query_interval 100 mcast_query_response_interval 50 \
     mcast_startup_query_interval 100 mcast_startup_query_count 2 \
     mcast_last_member_interval 10 mcast_last_member_count 2 mcast_membership_interval 260";

/// `let lab = lab!();` makes a [`Lab`] named after the calling test, or
/// returns from the test when it cannot run (not root and `CI` unset).
macro_rules! lab {
    () => {{
        fn f() {}
        let name = std::any::type_name_of_val(&f).trim_end_matches("::f");
        match $crate::util::Lab::new(name.rsplit("::").next().unwrap_or(name)) {
            Some(lab) => lab,
            None => return,
        }
    }};
}
pub(crate) use lab;

/// `let lab = pair!();`: a [`lab!`] with the two hosts of [`Lab::pair`].
macro_rules! pair {
    () => {{
        let lab = $crate::util::lab!();
        lab.pair();
        lab
    }};
}
pub(crate) use pair;

/// Namespaces (hosts, switches, routers) and the processes run in them. Its
/// methods take short names (`"h1"`); [`Lab::ns`] gives the real one.
/// Dropping it stops its processes, then deletes its namespaces.
pub struct Lab {
    test: String,
    prefix: String,
    made: Mutex<Vec<String>>,
    ports: AtomicUsize,
    procs: Mutex<Vec<Arc<Mutex<Inner>>>>,
}

impl Lab {
    /// A new, empty lab for `test`. `None`, after a loud `SKIPPED` line, when
    /// not root; with `CI` set it panics instead, so CI never skips silently.
    pub fn new(test: &str) -> Option<Lab> {
        if !nix::unistd::geteuid().is_root() {
            if std::env::var_os("CI").is_some() {
                panic!("{test}: network-namespace tests need root (CI is set: not skipping)");
            }
            // Straight to fd 2: the test harness captures eprintln! output.
            let msg = format!("\n*** SKIPPED: needs root: {test} (try: sudo -E cargo test) ***\n");
            let _ = std::io::stderr().write_all(msg.as_bytes());
            return None;
        }
        static CLEAN: Once = Once::new();
        CLEAN.call_once(remove_stale);
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        Some(Lab {
            test: test.to_string(),
            prefix: format!("{PREFIX}{}-{n}-", std::process::id()),
            made: Mutex::default(),
            ports: AtomicUsize::new(0),
            procs: Mutex::default(),
        })
    }

    /// The real namespace name of `name`.
    pub fn ns(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// Every namespace this lab has made.
    pub fn namespaces(&self) -> Vec<String> {
        lock(&self.made).clone()
    }

    /// Runs `ip -n <ns> <args>` (split on whitespace); panics if it fails.
    pub fn ip(&self, name: &str, args: &str) {
        check(&format!("ip -n {} {args}", self.ns(name)));
    }

    /// A namespace with `lo` up and `sysctls` (`sysctl -w` arguments) set.
    fn netns(&self, name: &str, sysctls: &str) {
        let ns = self.ns(name);
        check(&format!("ip netns add {ns}"));
        lock(&self.made).push(ns.clone());
        self.ip(name, "link set lo up");
        check(&format!("ip netns exec {ns} sysctl -qw {sysctls}"));
    }

    /// A host: no reverse-path filter (multicast sources are often off-link),
    /// no duplicate-address detection (IPv6 addresses usable at once).
    pub fn host(&self, name: &str) {
        // "default" is what interfaces made later start with.
        self.netns(name, &format!("{NO_RP_FILTER} {NO_DAD}"));
    }

    /// A host that forwards IPv4 and IPv6 unicast between its interfaces.
    pub fn router(&self, name: &str) {
        let forward = "net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1";
        self.netns(name, &format!("{NO_RP_FILTER} {NO_DAD} {forward}"));
    }

    /// A switch: namespace `name` with bridge `br0`, snooping off so it floods
    /// multicast like a dumb switch (the kernel's default is snooping on).
    pub fn lan(&self, name: &str) {
        // No DAD: the bridge's link-local address is the MLD querier's source.
        self.netns(name, NO_DAD);
        self.ip(name, "link add br0 type bridge mcast_snooping 0");
        self.ip(name, "link set br0 up");
    }

    /// A switch with IGMP/MLD snooping and a fast querier ([`Lab::set_snooping`]).
    pub fn lan_with_snooping(&self, name: &str) {
        self.lan(name);
        self.set_snooping(name, true);
    }

    /// Turns snooping and the bridge's own querier on or off. When on, it
    /// returns once the bridge filters: unjoined groups reach no host port.
    pub fn set_snooping(&self, lan: &str, on: bool) {
        if !on {
            return self.ip(
                lan,
                "link set br0 type bridge mcast_querier 0 mcast_snooping 0",
            );
        }
        // Timers first, in a request of their own: turning the querier on
        // floods on for one query response interval (default 10 s), the one
        // in force then, and in one request the kernel applies it first.
        self.ip(
            lan,
            &format!("link set br0 type bridge mcast_snooping 1 {SNOOPING_TIMERS}"),
        );
        self.ip(lan, "link set br0 type bridge mcast_querier 1");
        thread::sleep(Duration::from_millis(600)); // that 0.5 s, and margin
    }

    /// Plugs `host` into `lan` with a veth: `ifname` in the host, up, with the
    /// addresses ("" for none); the other end a port of `br0`.
    pub fn attach(&self, host: &str, lan: &str, ifname: &str, v4: &str, v6: &str) {
        let mut port = format!("{host}-{ifname}");
        if port.len() > 15 {
            // Interface names are at most 15 bytes.
            port = format!("p{}", self.ports.fetch_add(1, Ordering::Relaxed));
        }
        let peer = format!("type veth peer name {port} netns {}", self.ns(lan));
        self.ip(host, &format!("link add {ifname} {peer}"));
        self.ip(lan, &format!("link set {port} master br0 up"));
        self.configure(host, ifname, v4, v6);
    }

    /// Cheap topology, no bridge: a veth between existing hosts, each end
    /// given as `(host, ifname, v4, v6)`.
    pub fn link(&self, a: (&str, &str, &str, &str), b: (&str, &str, &str, &str)) {
        let peer = format!("type veth peer name {} netns {}", b.1, self.ns(b.0));
        self.ip(a.0, &format!("link add {} {peer}", a.1));
        self.configure(a.0, a.1, a.2, a.3);
        self.configure(b.0, b.1, b.2, b.3);
    }

    /// The simplest lab: hosts h1 and h2 on one veth (`a0` at both ends),
    /// 10.77.0.1/24 fd77::1/64 and 10.77.0.2/24 fd77::2/64, multicast routes set.
    pub fn pair(&self) {
        self.host("h1");
        self.host("h2");
        let h1 = ("h1", "a0", "10.77.0.1/24", "fd77::1/64");
        self.link(h1, ("h2", "a0", "10.77.0.2/24", "fd77::2/64"));
        self.mcast_route("h1", "a0");
        self.mcast_route("h2", "a0");
    }

    fn configure(&self, host: &str, ifname: &str, v4: &str, v6: &str) {
        if !v4.is_empty() {
            self.ip(host, &format!("addr add {v4} dev {ifname}"));
        }
        if !v6.is_empty() {
            self.ip(host, &format!("-6 addr add {v6} dev {ifname} nodad"));
        }
        self.ip(host, &format!("link set {ifname} up"));
    }

    /// Makes `ifname` the host's multicast interface when a program names
    /// none. IPv4 needs it: with no route to 224.0.0.0/4 (nor a default
    /// route) sending to a group fails with ENETUNREACH, and joining on
    /// INADDR_ANY with ENODEV. IPv6 has `ff00::/8` on every interface in table
    /// local, but takes the first interface's: the metric-1 copy wins.
    pub fn mcast_route(&self, host: &str, ifname: &str) {
        self.ip(host, &format!("route add 224.0.0.0/4 dev {ifname}"));
        let v6 = format!("-6 route add multicast ff00::/8 dev {ifname} table local metric 1");
        self.ip(host, &v6);
    }

    /// `ip netns exec <ns> program args...`, to adjust and run yourself.
    pub fn cmd(&self, host: &str, program: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.ns(host), program]);
        cmd.args(args);
        cmd
    }

    /// Runs a program in `host` to the end; panics if it runs past [`RUN_TIMEOUT`].
    pub fn run(&self, host: &str, program: &str, args: &[&str]) -> Output {
        self.run_input(host, program, args, b"")
    }

    /// [`Lab::run`] with `input` on standard input.
    pub fn run_input(&self, host: &str, program: &str, args: &[&str], input: &[u8]) -> Output {
        let mut p = self.spawn_cmd(self.cmd(host, program, args), Some(input));
        match p.wait_timeout(RUN_TIMEOUT) {
            Some(out) => out,
            None => {
                let (out, args) = (p.stop(), args.join(" "));
                let test = &self.test;
                panic!(
                    "{test}: `{program} {args}` in {host} ran past {RUN_TIMEOUT:?}\n{}",
                    show(&out)
                );
            }
        }
    }

    /// Starts a program in `host`, stdin closed, stdout and stderr collected.
    pub fn spawn(&self, host: &str, program: &str, args: &[&str]) -> Proc {
        self.spawn_cmd(self.cmd(host, program, args), None)
    }

    /// Starts `cmd` (from [`Lab::cmd`]) with `input` on stdin, or none.
    pub fn spawn_cmd(&self, mut cmd: Command, input: Option<&[u8]>) -> Proc {
        // Its own process group: stopping it also ends what it forked.
        cmd.process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.stdin(input.map_or(Stdio::null(), |_| Stdio::piped()));
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
        // Pipes are read on threads so that a chatty program never blocks.
        let (out, err) = (Arc::default(), Arc::default());
        let mut threads = vec![
            drain(child.stdout.take(), &out),
            drain(child.stderr.take(), &err),
        ];
        if let (Some(mut stdin), Some(input)) = (child.stdin.take(), input) {
            let input = input.to_vec();
            threads.push(thread::spawn(move || drop(stdin.write_all(&input))));
        }
        let inner = Arc::new(Mutex::new(Inner {
            child,
            status: None,
            out,
            err,
            threads,
        }));
        lock(&self.procs).push(inner.clone());
        Proc(inner)
    }

    /// Waits until something in `host` has bound UDP port `port` (per `ss`).
    pub fn wait_udp_bound(&self, host: &str, port: u16) {
        self.wait_socket(host, "-Huln", port, "bound UDP");
    }

    /// Waits until something in `host` listens on TCP port `port` (per `ss`).
    pub fn wait_tcp_listening(&self, host: &str, port: u16) {
        self.wait_socket(host, "-Htln", port, "listened on TCP");
    }

    fn wait_socket(&self, host: &str, flags: &str, port: u16, what: &str) {
        let line = format!("ip netns exec {} ss {flags}", self.ns(host));
        let port = format!(":{port}");
        // Local address is the 4th column: 0.0.0.0:5000, [::]:5000, *%a0:5000...
        let bound = || {
            stdout_of(&line).lines().any(|l| {
                l.split_whitespace()
                    .nth(3)
                    .is_some_and(|a| a.ends_with(&port))
            })
        };
        if !wait_until(Duration::from_secs(10), bound) {
            panic!("{}: nothing {what} {port} in {host} within 10 s", self.test);
        }
    }

    /// Waits until `ifname` in `host` is a member of `group` (per `ip maddr`):
    /// a receiver gets traffic from then on, which a bound port does not tell.
    pub fn wait_joined(&self, host: &str, ifname: &str, group: &str) {
        let line = format!("ip -n {} maddr show dev {ifname}", self.ns(host));
        let joined = || stdout_of(&line).split_whitespace().any(|w| w == group);
        if !wait_until(Duration::from_secs(10), joined) {
            panic!(
                "{}: {host} {ifname} did not join {group} within 10 s",
                self.test
            );
        }
    }
}

impl Drop for Lab {
    /// Stops what still runs, then deletes the namespaces (their veths and
    /// bridges go with them). Never panics: it may run during unwinding.
    fn drop(&mut self) {
        // First: a namespace with a process inside lives on, without a name.
        for p in lock(&self.procs).drain(..) {
            lock(&p).stop();
        }
        let made = std::mem::take(&mut *lock(&self.made));
        if let Err(e) = del_netns(&made) {
            eprintln!("{}: deleting namespaces {made:?}: {e}", self.test);
        }
    }
}

/// A process in a lab namespace. Dropping it stops it (SIGTERM to its
/// process group, SIGKILL after 0.5 s) and reaps it.
pub struct Proc(Arc<Mutex<Inner>>);

struct Inner {
    child: Child,
    status: Option<ExitStatus>,
    out: Arc<Mutex<Vec<u8>>>,
    err: Arc<Mutex<Vec<u8>>>,
    threads: Vec<JoinHandle<()>>,
}

impl Proc {
    /// The program's pid (`ip netns exec` execs it, no fork).
    pub fn pid(&self) -> u32 {
        lock(&self.0).child.id()
    }

    /// Sends `sig` (e.g. `libc::SIGINT`) to the program, unless it has exited.
    /// Right after spawning, that pid may still be `ip` about to exec it: wait
    /// for a sign of life (a bound port, some output) first.
    pub fn signal(&self, sig: i32) {
        let mut inner = lock(&self.0);
        if !inner.exited() {
            send_signal(inner.child.id() as i32, sig);
        }
    }

    /// Whether it is still running.
    pub fn running(&self) -> bool {
        !lock(&self.0).exited()
    }

    /// Its standard output so far.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&lock(&lock(&self.0).out)).into_owned()
    }

    /// Its standard error so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&lock(&lock(&self.0).err)).into_owned()
    }

    /// Waits up to `d` for it to exit on its own, then gives its status and
    /// output; `None` if it is still running (drop stops it).
    pub fn wait_timeout(&mut self, d: Duration) -> Option<Output> {
        wait_until(d, || lock(&self.0).exited()).then(|| lock(&self.0).output())
    }

    /// Stops it now, as drop does, and gives its status and output.
    pub fn stop(&mut self) -> Output {
        lock(&self.0).stop()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        lock(&self.0).stop();
    }
}

impl Inner {
    /// Reaps the child if it has exited. Signals are sent only while this is
    /// false: until it is reaped, its pid (and group id) cannot be reused.
    fn exited(&mut self) -> bool {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status.is_some()
    }

    fn stop(&mut self) -> Output {
        let group = -(self.child.id() as i32);
        if !self.exited() {
            send_signal(group, libc::SIGTERM);
            wait_until(Duration::from_millis(500), || self.exited());
        }
        if !self.exited() {
            send_signal(group, libc::SIGKILL);
            // wait() cannot fail for a child of ours; 9 is "killed by SIGKILL".
            self.status = Some(self.child.wait().unwrap_or(ExitStatus::from_raw(9)));
        }
        self.output()
    }

    fn output(&mut self) -> Output {
        // The readers end at EOF, but a grandchild could hold the pipes open:
        // give them a moment, then take what came.
        wait_until(Duration::from_secs(2), || {
            self.threads.iter().all(|t| t.is_finished())
        });
        Output {
            status: self.status.expect("reaped"),
            stdout: lock(&self.out).clone(),
            stderr: lock(&self.err).clone(),
        }
    }
}

/// Polls `cond` every 10 ms until it holds (true) or `timeout` passes (false).
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if cond() {
            return true;
        }
        if start.elapsed() >= timeout {
            return false;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Deletes the namespaces a crashed earlier run left: only names of our
/// pattern whose pid is gone, after killing what still runs inside them.
pub fn remove_stale() {
    let names = std::fs::read_dir("/run/netns")
        .into_iter()
        .flatten()
        .flatten();
    let names = names.filter_map(|e| e.file_name().into_string().ok());
    let dead = |pid| !std::path::Path::new(&format!("/proc/{pid}")).exists();
    let stale: Vec<String> = names.filter(|n| owner_pid(n).is_some_and(dead)).collect();
    for ns in &stale {
        let pids = stdout_of(&format!("ip netns pids {ns}"));
        for pid in pids.split_whitespace().filter_map(|p| p.parse().ok()) {
            send_signal(pid, libc::SIGKILL);
        }
    }
    if !stale.is_empty() {
        eprintln!("deleting namespaces left by a crashed run: {stale:?}");
        let _ = del_netns(&stale);
    }
}

/// The pid in a namespace name of ours, `mct<pid>-<n>-<name>`.
fn owner_pid(ns: &str) -> Option<u32> {
    let mut parts = ns.strip_prefix(PREFIX)?.splitn(3, '-');
    let pid = parts.next()?.parse().ok()?;
    parts.next()?.parse::<u32>().ok()?;
    parts.next().map(|_| pid)
}

/// Deletes namespaces with one `ip -force -batch` (it goes on past errors).
fn del_netns(names: &[String]) -> std::io::Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let mut ip = Command::new("ip")
        .args(["-force", "-batch", "-"])
        .stdin(Stdio::piped())
        .spawn()?;
    let script: String = names.iter().map(|n| format!("netns del {n}\n")).collect();
    ip.stdin.take().unwrap().write_all(script.as_bytes())?;
    match ip.wait()? {
        s if s.success() => Ok(()),
        s => Err(std::io::Error::other(format!("ip -batch: {s}"))),
    }
}

/// Runs a command line (split on whitespace) to the end.
fn sh(line: &str) -> std::io::Result<Output> {
    let mut words = line.split_whitespace();
    Command::new(words.next().unwrap_or_default())
        .args(words)
        .output()
}

/// Runs a setup command line; panics if it fails.
fn check(line: &str) {
    match sh(line) {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!("`{line}` failed: {}", show(&out)),
        Err(e) => panic!("`{line}`: {e}"),
    }
}

/// A command line's standard output; empty if it could not run.
fn stdout_of(line: &str) -> String {
    sh(line)
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

/// A lock that shrugs off poisoning: a panicking test must still clean up.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn drain(pipe: Option<impl Read + Send + 'static>, buf: &Arc<Mutex<Vec<u8>>>) -> JoinHandle<()> {
    let buf = buf.clone();
    thread::spawn(move || {
        let Some(mut pipe) = pipe else { return };
        let mut chunk = [0u8; 4096];
        while let Ok(n @ 1..) = pipe.read(&mut chunk) {
            lock(&buf).extend_from_slice(&chunk[..n]);
        }
    })
}

/// An `Output`, for failure messages.
pub fn show(out: &Output) -> String {
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    format!("status: {}\nstdout: {o}\nstderr: {e}", out.status)
}

/// Sends `sig` to a pid (negative: a process group) of ours; a process that
/// already exited is not an error here.
fn send_signal(pid: i32, sig: i32) {
    if let Ok(sig) = nix::sys::signal::Signal::try_from(sig) {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), sig);
    }
}
