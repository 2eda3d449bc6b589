#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
The network from the host, with real clients: the default boot with a
virtio-net on QEMU's user network and host port forwards
(./qemu-run.sh --net HOSTPORT:GUESTPORT,...), typed at its busybox shell:

  the network server's DHCP lease (10.0.2.15) and /etc/resolv.conf;
  ping of the user network's gateway (busybox ping, a raw ICMP socket);
  10,000 connections in a row from the host to netxfer serve on Cairn
  (the image needs /usr/bin/netxfer: --add), the network server's memory
  the same after them as after a warm-up (net_load.py, --load N);
  busybox httpd on Cairn serving a 10 MiB file that the host's curl
  fetches through a port forward: the same SHA-256 on both sides;
  busybox wget on Cairn fetching a 1 MiB file from an HTTP server this
  test runs on the host (through the gateway address 10.0.2.2);
  busybox nc both ways: Cairn to a host listener, the host to nc -l on Cairn;
  busybox telnetd on Cairn (port 23, forwarded): a small telnet client
  here (telnetlib is gone from Python) logs in, refusing every option,
  runs commands in the shell on the pty, interrupts a sleep with ^C,
  exits and sees the connection closed, then does it once more;
  the interfaces as Linux shows them: ifconfig (lo 127.0.0.1, eth0
  10.0.2.15 with its 52:54:00 MAC, packet counters that grow with
  traffic: /proc/net/dev, SIOCGIFCONF), ip addr (inet 10.0.2.15/24 and
  inet6 fe80::, netlink), ip route (default via 10.0.2.2);
  a name resolved through a DNS responder this test runs on the host
  (127.0.0.1:53, which Cairn reaches as 10.0.2.2:53): busybox wget of
  http://cairn-test.example:PORT/ resolves it with musl's resolver
  (getaddrinfo, /etc/resolv.conf), and busybox nslookup (its own DNS
  client over UDP) resolves it too;
  udhcpc's refusal (no raw IP or AF_PACKET sockets), addresses changed
  by hand (ip addr add, ifconfig eth0 ADDR);
  and the end: poweroff, QEMU's status 0.

    net_test.py --name riscv64-net -- --arch riscv64

Each step is one ok/not ok line (cairn_harness.Results).
"""
import argparse
import hashlib
import http.server
import os
import random
import re
import socket
import subprocess
import tempfile
import threading
import time

from cairn_harness import Guest, Results, qemu_args
from net_load import load

PROMPT = b"/ # "


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


DNS_NAME = b"cairn-test.example"


def dns_responder(sock, answered, stop):
    """Answers A queries for DNS_NAME with 10.0.2.2 (the host, as the guest
    sees it); other names NXDOMAIN, other types no answer (NOERROR). Ends,
    closing sock, once stop is set."""
    sock.settimeout(0.5)
    while not stop.is_set():
        try:
            q, peer = sock.recvfrom(512)
        except socket.timeout:
            continue
        except OSError:
            break
        if len(q) < 12:
            continue
        i, labels = 12, []
        while i < len(q) and q[i]:
            labels.append(q[i + 1:i + 1 + q[i]])
            i += 1 + q[i]
        qend = i + 5
        if qend > len(q):
            continue
        qtype = int.from_bytes(q[i + 1:i + 3], "big")
        name = b".".join(labels).lower()
        flags = 0x8180 if name == DNS_NAME else 0x8183
        an = b""
        if name == DNS_NAME and qtype == 1:
            an = b"\xc0\x0c" + (1).to_bytes(2, "big") + (1).to_bytes(2, "big") + (60).to_bytes(4, "big") + \
                (4).to_bytes(2, "big") + bytes([10, 0, 2, 2])
            answered.append(name)
        hdr = q[:2] + flags.to_bytes(2, "big") + (1).to_bytes(2, "big") + \
            (1 if an else 0).to_bytes(2, "big") + b"\0\0\0\0"
        sock.sendto(hdr + q[12:qend] + an, peer)
    sock.close()


def dns_start(wait):
    """A DNS responder on 127.0.0.1:53 for the name steps: (its stop Event,
    the names answered, True or the bind's error). The other arch's lane
    of make test holds the port during its own name steps (a minute at
    most): the bind is tried again until wait seconds have passed."""
    end = time.monotonic() + wait
    answered, stop = [], threading.Event()
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", 53))
        except OSError as e:
            s.close()
            if time.monotonic() > end:
                return stop, answered, e
            time.sleep(1)
            continue
        threading.Thread(target=dns_responder, args=(s, answered, stop), daemon=True).start()
        return stop, answered, True


IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240


class Telnet:
    """A minimal telnet client: every option the server asks for or offers
    is refused (DO x -> WONT x, WILL x -> DONT x), subnegotiations are
    skipped, IAC IAC is a 255 byte; the rest is the session's text."""

    def __init__(self, port, timeout):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.text = b""
        self.state = 0          # 0 data, 1 after IAC, 2 after IAC DO/DONT/WILL/WONT, 3 in SB, 4 IAC in SB
        self.verb = 0
        self.closed = False

    def _feed(self, data):
        for c in data:
            if self.state == 0:
                if c == IAC:
                    self.state = 1
                else:
                    self.text += bytes([c])
            elif self.state == 1:
                if c in (DO, DONT, WILL, WONT):
                    self.verb, self.state = c, 2
                elif c == SB:
                    self.state = 3
                else:
                    if c == IAC:
                        self.text += b"\xff"
                    self.state = 0
            elif self.state == 2:
                if self.verb == DO:
                    self.s.sendall(bytes([IAC, WONT, c]))
                elif self.verb == WILL:
                    self.s.sendall(bytes([IAC, DONT, c]))
                self.state = 0
            elif self.state == 3:
                self.state = 4 if c == IAC else 3
            else:
                self.state = 0 if c == SE else 3

    def read_until(self, want, timeout):
        """Reads until want (bytes or a compiled regex) is in the text, the
        connection closes or timeout passes: the match (or None)."""
        end = time.monotonic() + timeout
        while True:
            m = want.search(self.text) if hasattr(want, "search") else (want in self.text)
            if m:
                return m
            left = end - time.monotonic()
            if left <= 0 or self.closed:
                return None
            self.s.settimeout(left)
            try:
                data = self.s.recv(4096)
            except socket.timeout:
                return None
            except OSError:
                data = b""
            if not data:
                self.closed = True
            self._feed(data)

    def line(self, text):
        self.text = b""
        self.s.sendall(text + b"\r\n")

    def wait_closed(self, timeout):
        end = time.monotonic() + timeout
        while not self.closed and time.monotonic() < end:
            self.read_until(b"\0never\0", end - time.monotonic())
        return self.closed


def telnet_session(emit, port, t, first):
    """One login to telnetd through the forward: commands, ^C, exit."""
    tag = "" if first else " (a second session)"
    try:
        c = Telnet(port, t)
    except OSError as e:
        emit(False, "the host connects to telnetd on Cairn" + tag, str(e))
        return
    # the shell's prompt on the pty (the server's option requests refused on the way)
    emit(c.read_until(re.compile(rb"[#$] $"), t), "telnetd starts a shell on a pty" + tag,
         "came %r" % c.text[-300:])

    def run(what, line, want, timeout=t):
        c.line(line)
        emit(c.read_until(want, timeout), what + tag, "came %r" % c.text[-300:])

    run("the shell computes: echo tel$((6*7))net", b"echo tel$((6*7))net", b"\r\ntel42net\r\n")
    if not first:
        c.line(b"exit")
        emit(c.wait_closed(t), "the connection closes after exit" + tag, "came %r" % c.text[-300:])
        return
    run("ls /bin | head lists the applets", b"ls /bin | head -n 3; echo n=$(ls /bin | wc -l)",
        re.compile(rb"\r\n(\S+\r\n){3}n=\s*[1-9]\d*\r\n"))
    run("cat /etc/resolv.conf", b"cat /etc/resolv.conf", re.compile(rb"\r\nnameserver 10\.0\.2\.\d+\r\n"))
    run("stty size: the pty's window (80x24)", b"stty size", b"\r\n24 80\r\n")
    run("the shell's standard input is a terminal (test -t 0)",
        b"test -t 0 && echo is-a-tty", b"\r\nis-a-tty\r\n")
    c.line(b"sleep 30; echo slept")
    time.sleep(2)
    start = time.monotonic()
    c.s.sendall(b"\x03")
    c.line(b"echo after$((2+3))")
    got = c.read_until(b"\r\nafter5\r\n", t)
    emit(got and b"\r\nslept\r\n" not in c.text and time.monotonic() - start < 25,
         "^C through the pty ends a sleep (SIGINT to the foreground group)", "came %r" % c.text[-300:])
    c.line(b"exit")
    emit(c.wait_closed(t), "exit closes the connection", "came %r" % c.text[-300:])


def telnet_checks(emit, cmd, port, t):
    """busybox telnetd on Cairn, reached from the host through the forward."""
    cmd("busybox telnetd -l /bin/sh starts (port 23)", b"telnetd -l /bin/sh; echo telnetd=$?",
        b"\r\ntelnetd=0\r\n")
    cmd("netstat -tln lists telnetd's listener (/proc/net/tcp, tcp6)", b"netstat -tln; echo netstat=$?",
        b":23 ", b"LISTEN", b"\r\nnetstat=0\r\n")
    time.sleep(1)
    telnet_session(emit, port, t, True)
    telnet_session(emit, port, t, False)


def typed(g, results, what, line, end, timeout):
    """Types line and an echo of end after it: (ok, the output between)."""
    start = g.pos
    ok = g.step(results, what, PROMPT, line + b"; echo " + end + b"\r", [b"\r\n" + end + b"\r\n"], timeout)
    return ok, g.out[start:g.pos]


NO_ERROR = rb"\A(?![\s\S]*(?:ifconfig|ip|udhcpc|nslookup): (?!socket: Protocol))"   # no applet's message


def emit_all(results, what, out, *patterns):
    """One result: every one of patterns (bytes regexes) is in out."""
    missing = [p for p in patterns if not re.search(p, out)]
    return results.emit(not missing, what, "no %r in %r" % (missing[:1], out[-1500:]))


def ifconfig_counts(out, name):
    """The RX and TX packet counts of interface name in ifconfig's output."""
    m = re.search(rb"(?m)^" + name + rb" .*?RX packets:(\d+) .*?TX packets:(\d+) ", out, re.S)
    return (int(m.group(1)), int(m.group(2))) if m else None


def check_ifconfig(g, results, timeout):
    """ifconfig without arguments lists lo and eth0 as Linux does (its list
    from /proc/net/dev and SIOCGIFCONF, the rest through SIOCGIF*): the
    eth0 packet counts it shows, for check_counters_grew."""
    emit = results.emit
    ok, out = typed(g, results, "ifconfig runs, without warnings", b"ifconfig 2>&1", b"ifconfig-end", timeout)
    emit_all(results, "ifconfig lists lo with 127.0.0.1/255.0.0.0, UP LOOPBACK RUNNING, MTU 65536", out,
             rb"(?m)^lo +Link encap:Local Loopback", rb"inet addr:127\.0\.0\.1 +Mask:255\.0\.0\.0",
             rb"UP LOOPBACK RUNNING +MTU:65536")
    emit_all(results, "ifconfig lists eth0: its 52:54:00 MAC, 10.0.2.15, its fe80:: address, UP RUNNING, MTU 1500",
             out, rb"(?m)^eth0 +Link encap:Ethernet +HWaddr 52:54:00(:[0-9A-F]{2}){3}",
             rb"inet addr:10\.0\.2\.15 +Bcast:10\.0\.2\.255 +Mask:255\.255\.255\.0",
             rb"inet6 addr: fe80::[0-9a-f:]+/64 Scope:Link", rb"UP BROADCAST RUNNING MULTICAST +MTU:1500")
    counts = ifconfig_counts(out, b"eth0")
    emit(counts and counts[0] > 0 and counts[1] > 0 and ifconfig_counts(out, b"lo") is not None and
         re.search(NO_ERROR, out),
         "ifconfig shows eth0's RX and TX packets (%s), and no warning" % (counts,), "came %r" % out[-1500:])
    return counts


def check_counters_grew(g, results, before, timeout):
    """After traffic: eth0's counters (ifconfig eth0, /proc/net/dev) grew."""
    ok, out = typed(g, results, "ifconfig eth0 after the transfers", b"ifconfig eth0; cat /proc/net/dev",
                    b"counts-end", timeout)
    now = ifconfig_counts(out, b"eth0")
    dev = re.search(rb"(?m)^ *eth0: *(\d+) +(\d+) +\d+ +\d+ +\d+ +\d+ +\d+ +\d+ +(\d+) +(\d+) ", out)
    emit = results.emit
    emit(before and now and now[0] > before[0] + 500 and now[1] > before[1] + 100,
         "eth0's RX and TX packet counts grew with the traffic (%s, then %s)" % (before, now),
         "came %r" % out[-1500:])
    emit(dev and now and int(dev.group(2)) >= now[0] and int(dev.group(1)) > (1 << 20),
         "/proc/net/dev counts eth0's bytes in Linux's format (more than the 1 MiB received)",
         "came %r" % out[-800:])


def check_ip(g, results, timeout):
    """busybox ip over netlink (AF_NETLINK, NETLINK_ROUTE dumps)."""
    ok, out = typed(g, results, "ip addr", b"ip addr 2>&1", b"ip-addr-end", timeout)
    emit_all(results, "ip addr: lo first, 127.0.0.1/8 and ::1/128", out,
             rb"^[\s\S]*?ip-addr-end\r\n1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536",
             rb"inet 127\.0\.0\.1/8 scope host lo", rb"inet6 ::1/128 scope host \r")
    emit_all(results, "ip addr: eth0 with its MAC, inet 10.0.2.15/24 and inet6 fe80::, no error", out,
             rb"2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500",
             rb"link/ether 52:54:00(:[0-9a-f]{2}){3} brd ff:ff:ff:ff:ff:ff",
             rb"inet 10\.0\.2\.15/24 brd 10\.0\.2\.255 scope global dynamic eth0",
             rb"inet6 fe80::[0-9a-f:]+/64 scope link", NO_ERROR)
    ok, out = typed(g, results, "ip route", b"ip route 2>&1; ip link 2>&1", b"ip-route-end", timeout)
    emit_all(results, "ip route: default via 10.0.2.2 dev eth0 and 10.0.2.0/24; ip link lists eth0", out,
             rb"default via 10\.0\.2\.2 dev eth0", rb"10\.0\.2\.0/24 dev eth0 +scope link +src 10\.0\.2\.15",
             rb"2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP>", NO_ERROR)


def check_nslookup(g, results, timeout):
    """busybox nslookup: its own DNS client over UDP, to the name server
    /etc/resolv.conf names (the host's responder, 10.0.2.2)."""
    ok, out = typed(g, results, "nslookup", b"nslookup cairn-test.example 2>&1", b"nslookup-end", timeout)
    emit_all(results, "nslookup cairn-test.example: 10.0.2.2, from the host's responder", out,
             rb"Server:\s+10\.0\.2\.2", rb"Name:\s+cairn-test\.example\r\nAddress:\s+10\.0\.2\.2")


def check_changes(g, results, timeout):
    """udhcpc's refusal (no raw sockets: the server's DHCP holds the
    lease), then addresses changed by hand: ip addr add (netlink
    RTM_NEWADDR, IPv4 and IPv6), ip link set mtu (SIOCSIFMTU), ifconfig
    eth0 ADDR (SIOCSIFADDR), and the gateway still answers."""
    ok, out = typed(g, results, "udhcpc", b"udhcpc -n -q -i eth0 2>&1; ip -4 addr show dev eth0",
                    b"udhcpc-end", timeout)
    emit_all(results, "udhcpc says its raw socket is not supported; eth0 keeps the server's lease", out,
             rb"udhcpc: socket: Protocol not supported",
             rb"inet 10\.0\.2\.15/24 brd 10\.0\.2\.255 scope global dynamic eth0")
    ok, out = typed(g, results, "ip addr add",
                    b"ip addr add 10.0.2.16/24 dev eth0 && ip -4 addr show dev eth0 && "
                    b"ip -6 addr add fd00::16/64 dev eth0 && ip -6 addr show dev eth0", b"add-end", timeout)
    emit_all(results, "ip addr add 10.0.2.16/24 and fd00::16/64: set", out,
             rb"inet 10\.0\.2\.16/24 brd 10\.0\.2\.255 scope global eth0", rb"inet6 fd00::16/64 scope global",
             NO_ERROR)
    ok, out = typed(g, results, "ip link set mtu, ifconfig eth0 ADDR",
                    b"ip link set dev eth0 mtu 1400 && ip link show dev eth0 && "
                    b"ifconfig eth0 10.0.2.15 netmask 255.255.255.0 mtu 1500 && ifconfig eth0 && ip route && "
                    b"ping -c 1 10.0.2.2 2>&1", b"changes-end", timeout)
    emit_all(results, "ip link set mtu 1400, then ifconfig eth0 10.0.2.15 mtu 1500: set; the default route "
             "stays, the gateway answers", out, rb"eth0: <[A-Z_,]+> mtu 1400 ",
             rb"inet addr:10\.0\.2\.15 +Bcast:10\.0\.2\.255", rb"MULTICAST +MTU:1500 ",
             rb"default via 10\.0\.2\.2 dev eth0", rb"1 packets transmitted, 1 packets received", NO_ERROR)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--timeout", type=int, default=60, help="seconds for each step")
    ap.add_argument("--big", type=int, default=10, help="MiB curl fetches from httpd")
    ap.add_argument("--load", type=int, default=10000, help="connections of the load step (net_load.py; 0: none)")
    ap.add_argument("qemu_args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    results = Results(a.name)
    emit = results.emit
    t = a.timeout

    # the host's side: an HTTP server with a file, a TCP listener
    tmp = tempfile.mkdtemp(prefix="cairn-net-")
    blob = random.Random(20261206).randbytes(1 << 20)
    with open(os.path.join(tmp, "blob"), "wb") as f:
        f.write(blob)
    blob_sum = hashlib.sha256(blob).hexdigest()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kw):
            super().__init__(*args, directory=tmp, **kw)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    http_port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    nc_port = lsock.getsockname()[1]
    got_from_cairn = []

    def take_one():
        lsock.settimeout(t * 3)
        try:
            c, _ = lsock.accept()
            c.settimeout(t)
            data = b""
            while True:
                b = c.recv(65536)
                if not b:
                    break
                data += b
            c.close()
            got_from_cairn.append(data)
        except OSError as e:
            got_from_cairn.append(("error", str(e)))

    threading.Thread(target=take_one, daemon=True).start()

    www_port, nc_in_port, telnet_port = free_port(), free_port(), free_port()
    fwd = "%d:80,%d:7777,%d:23" % (www_port, nc_in_port, telnet_port)
    g = Guest(["--net", fwd] + qemu_args(a.qemu_args))

    def expect(what, timeout=t):
        return g.expect(what, timeout)

    def after(n=300):
        return g.out[g.pos:g.pos + n]

    def cmd(what, line, *want, timeout=t):
        return g.step(results, what, PROMPT, line + b"\r", list(want), timeout)

    started = expect(b"Welcome to Cairn", 300) and expect(PROMPT, 60)
    emit(bool(started), "the default boot reaches the shell with a network device",
         "came %r" % g.out[-400:])
    if not started:
        g.end(results, a.name, 5, "QEMU ends with status 0, no panic")
        return
    emit(re.search(rb"net: eth0: 10\.0\.2\.15 netmask 255\.255\.255\.0 gateway 10\.0\.2\.2 \(DHCP\)", g.out)
         or g.wait_for(lambda o: re.search(rb"net: eth0: 10\.0\.2\.15 .*\(DHCP\)", o), 20),
         "the network server took 10.0.2.15 from the user network's DHCP",
         "came %r" % g.out[-600:])
    g.pos -= len(PROMPT)
    cmd("/etc/resolv.conf names the user network's DNS (from DHCP)", b"cat /etc/resolv.conf",
        b"nameserver 10.0.2.3\r\n")
    cmd("ping of the gateway (3 answers)", b"ping -c 3 10.0.2.2",
        re.compile(rb"3 packets transmitted, 3 packets received, 0% packet loss"))
    counts = check_ifconfig(g, results, t)
    check_ip(g, results, t)

    # load: --load connections in a row to netxfer serve on port 7777, the
    # network server's memory the same after them (tests/harness/net_load.py);
    # first, while no TCP connection has been in TIME_WAIT (that ends by
    # itself 2 minutes later, and would change the numbers)
    if a.load:
        load(g, results, cmd, nc_in_port, 7777, n=a.load)

    # host -> Cairn: curl fetches a file from busybox httpd
    cmd("a %d MiB file and its SHA-256 on Cairn" % a.big,
        b"mkdir -p /www && dd if=/dev/urandom of=/www/big bs=1M count=%d 2>/dev/null && "
        b"sha256sum /www/big" % a.big, re.compile(rb"\r\n([0-9a-f]{64})  /www/big\r\n"), timeout=120)
    m = re.search(rb"([0-9a-f]{64})  /www/big\r\n", g.out)
    cairn_sum = m.group(1).decode() if m else None
    cmd("busybox httpd serves /www on port 80", b"httpd -h /www -p 80; echo httpd=$?", b"\r\nhttpd=0\r\n")
    time.sleep(1)
    try:
        body = subprocess.run(["curl", "-sS", "--max-time", str(t * 4), "-o", "-",
                               "http://127.0.0.1:%d/big" % www_port],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=t * 5)
        host_sum = hashlib.sha256(body.stdout).hexdigest()
        why = "curl status %d, %d bytes, %s" % (body.returncode, len(body.stdout), body.stderr[-200:])
    except subprocess.TimeoutExpired:
        host_sum, why = None, "curl timed out"
    emit(cairn_sum and host_sum == cairn_sum,
         "the host's curl fetches it through a port forward: the same SHA-256", why)

    # Cairn -> host: busybox wget from the host's HTTP server
    cmd("busybox wget of a 1 MiB file from the host (10.0.2.2)",
        b"wget -q -O /tmp/blob http://10.0.2.2:%d/blob && sha256sum /tmp/blob" % http_port,
        b"%s  /tmp/blob\r\n" % blob_sum.encode(), timeout=120)
    check_counters_grew(g, results, counts, t)

    # nc: Cairn -> host, then host -> Cairn
    cmd("nc from Cairn to a host listener",
        b"echo from-cairn-$((6*7)) | nc 10.0.2.2 %d; echo nc=$?" % nc_port, b"\r\nnc=0\r\n")
    deadline = time.monotonic() + t
    while not got_from_cairn and time.monotonic() < deadline:
        time.sleep(0.2)
    emit(got_from_cairn and got_from_cairn[0] == b"from-cairn-42\n",
         "the host listener received the line", "got %r" % got_from_cairn)
    # stdin from /dev/null: a background job reading the terminal would be stopped
    cmd("nc -l on Cairn, in the background", b"nc -l -p 7777 < /dev/null > /tmp/in &", b"\r\n")
    time.sleep(2)
    sent = b"from-the-host-%d\n" % os.getpid()
    try:
        c = socket.create_connection(("127.0.0.1", nc_in_port), timeout=t)
        c.sendall(sent)
        c.close()
        ok_conn = True
    except OSError as e:
        ok_conn = e
    time.sleep(2)
    cmd("the host's connection to nc -l arrived (%s)" % ("connected" if ok_conn is True else ok_conn),
        b"sleep 1; cat /tmp/in; jobs", b"\r\n" + sent.replace(b"\n", b"\r\n"))

    telnet_checks(emit, cmd, telnet_port, t)

    # a name through musl's resolver: the host's DNS responder at 10.0.2.2
    dns_stop, dns_answered, dns_ok = dns_start(240)
    if dns_ok is not True:
        emit(False, "a DNS responder on the host's 127.0.0.1:53", "cannot bind it: %s" % dns_ok)
    cmd("wget by name: cairn-test.example resolved by the host's DNS responder",
        b"echo nameserver 10.0.2.2 > /etc/resolv.conf; "
        b"wget -q -O /tmp/byname http://cairn-test.example:%d/blob && sha256sum /tmp/byname" % http_port,
        b"%s  /tmp/byname\r\n" % blob_sum.encode(), timeout=120)
    emit(DNS_NAME in dns_answered, "the query reached the host's responder", "answered %r" % dns_answered)
    check_nslookup(g, results, t)
    dns_stop.set()                    # the port for the other lane's name steps
    check_changes(g, results, t)

    cmd("poweroff", b"poweroff", b"The system is going down NOW!")
    g.end(results, a.name, 60, "QEMU ends with status 0, no panic")
    httpd.shutdown()


if __name__ == "__main__":
    main()
