#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
Two Cairn machines on one lossy link (tests/harness/relay.py between
their QEMUs' -netdev dgram, ./qemu-run.sh --net dgram:LPORT:RPORT), each
with a static address (--net-addr: no DHCP on that link):

  A, 10.0.5.1: netxfer recv 5000 2   (user/tests/posix/netxfer.c)
  B, 10.0.5.2: netxfer send 10.0.5.1 5000 BYTES,64K

The relay drops 5% of the frames each way and reorders 2% (seeded), and
sends malformed frames toward both machines all along (--garbage; relay.py
lists the kinds). Checked:

  the transfer of BYTES arrived whole and right (the receiver checked every
  byte of the seeded pattern; the sender got back its count and checksum);
  then a fresh connection (64 KiB) did too: the servers kept serving;
  both network servers answered for their numbers at the end (alive), and
  their counters show the malformed frames were met and refused
  (checksum and length errors), with no pcb or socket left over;
  neither console shows a network server's death, an lwIP assertion, or
  a line of the network server's other than its start-up ones;
  both machines ended with status 0.

    relay_test.py --name riscv64-relay --arch riscv64 [--bytes 5M] [--seed N]

The time of the transfer is in the receiver's line (ms, KiB/s).
"""
import argparse
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cairn_harness import Guest, Results, log_path  # noqa: E402
from relay import Relay  # noqa: E402

IP_A, IP_B, PORT = "10.0.5.1", "10.0.5.2", 5000
NET_OK = re.compile(rb"^net: (eth0: MAC |eth0: 10\.0\.5\.\d netmask 255\.255\.255\.0 gateway 0\.0\.0\.0 \(static\)$|serving$)")
# a death or restart of the network's servers before the end (at the end
# init kills the servers: "was killed"), lwIP's assertions, the kernel's panic
ALARM = re.compile(rb"init: service (?:net|virtio_net|devmgr) (?:crashed|exited|ended)|init: restarting (?:net|virtio_net|devmgr)|"
                   rb"devmgr: net0: (?!up)|lwIP assertion|KERNEL PANIC|FATAL: unexpected trap")


def udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def stats_of(out):
    """The last `netxfer: stats k=v ...` line as a dict."""
    m = list(re.finditer(rb"^netxfer: stats (\S+=\d+(?: \S+=\d+)*)\r?$", out, re.M))
    if not m:
        return None
    return {k.decode(): int(v) for k, v in (w.split(b"=") for w in m[-1].group(1).split())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--arch", required=True)
    ap.add_argument("--bytes", default="5M", help="the big transfer (K, M suffixes)")
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--loss", type=float, default=0.05)
    ap.add_argument("--reorder", type=float, default=0.02)
    ap.add_argument("--garbage", type=int, default=8, help="one malformed frame a machine per N passed (0: none)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds for the whole transfer")
    a = ap.parse_args()
    results = Results(a.name)
    emit = results.emit
    prog = "build/%s/tests/posix/netxfer" % a.arch
    if not os.path.exists(prog):
        emit(False, "netxfer built", "no %s (make ARCH=%s posix-tests)" % (prog, a.arch))
        results.finish()

    la, ra, lb, rb = (udp_port() for _ in range(4))
    relay = Relay((la, ra), (lb, rb), seed=a.seed, loss=a.loss, reorder=a.reorder, garbage=a.garbage,
                  ips=(IP_A, IP_B), ports=(PORT,))

    def machine(inst, lp, rp, mac, ip, args):
        # the instance named after the test: two tests of one arch at once
        # (make test and make stress) do not wait for each other's lock
        inst = re.sub(r"[^A-Za-z0-9_-]", "_", a.name)[:30] + inst[-2:]
        return Guest(["--arch", a.arch, "--instance", inst, "--net", "dgram:%d:%d" % (lp, rp),
                      "--net-mac", mac, "--net-addr", ip + "/24", "--exec", prog] + args, session=True)

    t0 = time.monotonic()
    ga = machine("relay-a", la, ra, "52:54:00:00:05:01", IP_A, ["recv", str(PORT), "2"])
    gb = None
    if ga.expect(b"netxfer: listening on %d" % PORT, 300):
        # B only now: its qemu-run.sh's builds find A's done
        gb = machine("relay-b", lb, rb, "52:54:00:00:05:02", IP_B, ["send", IP_A, str(PORT), a.bytes + ",64K"])
        boot_b = time.monotonic()
        rc_b = gb.wait(a.timeout)
    else:
        rc_b = None
    rc_a = ga.wait(60 if gb else 1)
    took = time.monotonic() - t0
    relay.stop()
    outs = {}
    for g, n in ((ga, "a"), (gb, "b")):
        if not g:
            continue
        if g.p.poll() is None:
            g.kill_group()
        outs[n] = g.out
        with open(log_path("%s-%s" % (a.name, n)), "wb") as f:
            f.write(g.out)
    out_a, out_b = outs.get("a", b""), outs.get("b", b"")

    if not emit(gb is not None, "A (%s) listening" % IP_A, "A never listened; its console: %r" % out_a[-600:]):
        results.finish(log_path(a.name + "-a"))

    recv = re.findall(rb"^netxfer: recv (\d+) bytes fnv ([0-9a-f]+) in (\d+) ms \((\d+) KiB/s\): (.*?)\r?$",
                      out_a, re.M)
    sent = re.findall(rb"^netxfer: send (\d+) bytes fnv ([0-9a-f]+) in (\d+) ms \((\d+) KiB/s\): (.*?)\r?$",
                      out_b, re.M)
    big = recv[0] if recv else None
    emit(big is not None and big[4] == b"ok" and sent and sent[0][4] == b"ok" and
         sent[0][:2] == big[:2],
         "%s over TCP through the relay, every byte checked%s" %
         (a.bytes, " (%s ms, %s KiB/s)" % (big[2].decode(), big[3].decode()) if big else ""),
         "receiver: %r sender: %r" % (recv[:1], sent[:1]))
    emit(len(recv) == 2 and recv[1][4] == b"ok" and len(sent) == 2 and sent[1][4] == b"ok" and
         sent[1][:2] == recv[1][:2], "then a fresh connection (64 KiB) whole",
         "receiver: %r sender: %r" % (recv[1:], sent[1:]))

    c = relay.counts
    emit(c["dropped"] > 0 and c["reordered"] > 0 and c["garbage"] > 0,
         "the relay dropped %d, reordered %d of %d frames and sent %d malformed ones"
         % (c["dropped"], c["reordered"], c["passed"] + c["dropped"] + c["reordered"], c["garbage"]),
         "counts %r" % c)
    print("# %s: garbage by kind: %s" % (a.name, " ".join("%s=%d" % (k[8:], v) for k, v in sorted(c.items())
                                                         if k.startswith("garbage."))))

    for n, out in (("A", out_a), ("B", out_b)):
        alarm = ALARM.findall(out)
        odd = [ln for ln in out.splitlines() if ln.startswith(b"net: ") and not NET_OK.match(ln.rstrip(b"\r"))]
        emit(not alarm and not odd, "%s's console: nothing alarming from the network server" % n,
             "%r %r" % (alarm[:3], odd[:5]))
        st = stats_of(out)
        if not emit(st is not None, "%s's network server alive at the end (answered for its numbers)" % n,
                    "no stats line; the end of the console: %r" % out[-400:]):
            continue
        print("# %s: %s's network server: %s" % (a.name, n, " ".join(
            "%s=%d" % (k, v) for k, v in st.items() if v and (not "." in k or not k.endswith(".recv")))))
        refused = st.get("ip.chkerr", 0) + st.get("tcp.chkerr", 0) + st.get("ip.lenerr", 0) + st.get("tcp.lenerr", 0)
        emit(refused > 0 if a.garbage else True,
             "%s's lwIP refused malformed frames (IP, TCP checksum and length errors: %d)" % (n, refused),
             "counters %r" % st)
        # the one socket open: the one the numbers were asked on (A: its
        # listener, B: a datagram socket)
        emit(st["sockets"] == 1, "%s: no socket left over (%d open)" % (n, st["sockets"]), "counters %r" % st)
    emit(rc_a == 0 and rc_b == 0, "both machines ended with status 0 (%.0f s in all)" % took,
         "A: %s, B: %s" % (rc_a, rc_b))
    results.finish(log_path(a.name + "-a"))


if __name__ == "__main__":
    main()
