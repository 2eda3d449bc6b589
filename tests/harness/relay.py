#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
A lossy Ethernet link between two QEMUs, on the host: each QEMU's
virtio-net sends its frames as UDP datagrams to one of the relay's two
ports (./qemu-run.sh --net dgram:LPORT:RPORT, QEMU's -netdev dgram), and
the relay passes them to the other QEMU, dropping some and reordering
some, and adds malformed frames of its own toward both.

  Relay(a=(LPORT_A, RPORT_A), b=(LPORT_B, RPORT_B), seed=N, loss=0.05,
        reorder=0.02, garbage=8, ips=("10.0.5.1", "10.0.5.2"),
        ports=(5000,))

  loss     the chance that a frame is dropped (each direction its own
           random stream, from seed: the same frames meet the same fate)
  reorder  the chance that a frame is held back until the next one of its
           direction has gone (or 20 ms passed): the two arrive swapped
  garbage  about one malformed frame toward each machine per `garbage`
           frames passed on (0: none), and one every 40 ms anyway:
           truncated Ethernet, IPv4, TCP, UDP, ICMP headers; bad IPv4,
           TCP, UDP and ICMP checksums; bad lengths (IPv4 total length and
           header length, TCP data offset, UDP length); bad IPv4 options
           and TCP options (a SYN to the listening port: its options are
           parsed); IPv4 fragments that overlap and never complete; random
           bytes, random EtherTypes, oversized frames; IPv6 garbage (bad
           payload lengths, extension header chains, neighbour discovery
           with bad options, valid ICMPv6 checksums so the options are
           read); ARP with bad sizes and opcodes. Never a well-formed
           frame that could change the link's real state (no ARP for the
           machines' addresses, no TCP segment with a good checksum in a
           live connection).

The counts are in relay.counts (passed, dropped, reordered, garbage and
garbage.KIND). Run as a program it relays until killed:

    relay.py --a LPORT_A:RPORT_A --b LPORT_B:RPORT_B [--seed N] [--loss P] ...
"""
import argparse
import random
import select
import socket
import struct
import threading
import time

HOLD_S = 0.020
GARBAGE_EVERY_S = 0.040


def csum(b):
    if len(b) & 1:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ip4_hdr(src, dst, proto, plen, rng, ihl=5, tot=None, frag=0, opts=b"", good=True, ver=4):
    tot = 4 * ihl + plen if tot is None else tot
    h = struct.pack("!BBHHHBBH4s4s", (ver << 4) | (ihl & 15), 0, tot & 0xffff, rng.getrandbits(16),
                    frag, 64, proto, 0, src, dst) + opts
    c = csum(h)
    if not good:
        c ^= 1 + rng.getrandbits(15)
    return h[:10] + struct.pack("!H", c) + h[12:]


def l4_sum(src, dst, proto, seg):
    return csum(src + dst + struct.pack("!BBH", 0, proto, len(seg)) + seg)


def l4_sum6(src, dst, nh, seg):
    return csum(src + dst + struct.pack("!I3xB", len(seg), nh) + seg)


class Garbage:
    """Malformed frames toward one machine (dst) from the other (src)."""

    def __init__(self, rng, ports):
        self.rng = rng
        self.ports = ports

    def make(self, dmac, smac, dip, sip):
        r = self.rng
        kinds = [k for k in dir(self) if k.startswith("k_")]
        k = r.choice(kinds)
        return k[2:], getattr(self, k)(dmac, smac, dip, sip)

    def eth(self, dmac, smac, typ, payload):
        return dmac + smac + struct.pack("!H", typ) + payload

    def rb(self, n):
        return self.rng.randbytes(n)

    def port(self):
        r = self.rng
        return r.choice(self.ports) if r.random() < 0.5 else r.randrange(1, 65536)

    def tcp(self, sip, dip, sport, dport, flags, payload=b"", doff=5, opts=b"", good=True):
        r = self.rng
        h = struct.pack("!HHIIBBHHH", sport, dport, r.getrandbits(32), r.getrandbits(32),
                        (doff & 15) << 4, flags, r.getrandbits(16), 0, 0) + opts
        seg = h + payload
        c = l4_sum(sip, dip, 6, seg)
        if not good:
            c ^= 1 + r.getrandbits(15)
        return seg[:16] + struct.pack("!H", c) + seg[18:]

    def ip(self, dmac, smac, dip, sip, proto, seg, **kw):
        return self.eth(dmac, smac, 0x0800, ip4_hdr(sip, dip, proto, len(seg), self.rng, **kw) + seg)

    # ---- the kinds ----
    def k_eth_trunc(self, dmac, smac, dip, sip):
        return (dmac + smac + struct.pack("!H", 0x0800))[:self.rng.randrange(1, 14)]

    def k_random(self, dmac, smac, dip, sip):
        return self.rb(self.rng.randrange(14, 1515))

    def k_random_type(self, dmac, smac, dip, sip):
        return self.eth(dmac, smac, self.rng.getrandbits(16), self.rb(self.rng.randrange(0, 1501)))

    def k_oversized(self, dmac, smac, dip, sip):
        seg = self.tcp(sip, dip, self.port(), self.port(), 0x10, self.rb(self.rng.randrange(1500, 8000)))
        return self.ip(dmac, smac, dip, sip, 6, seg)

    def k_ip_trunc(self, dmac, smac, dip, sip):
        full = ip4_hdr(sip, dip, 6, 0, self.rng)
        return self.eth(dmac, smac, 0x0800, full[:self.rng.randrange(0, 20)])

    def k_ip_badsum(self, dmac, smac, dip, sip):
        seg = self.tcp(sip, dip, self.port(), self.port(), self.rng.getrandbits(8), self.rb(40))
        return self.ip(dmac, smac, dip, sip, 6, seg, good=False)

    def k_ip_badlen(self, dmac, smac, dip, sip):
        r = self.rng
        seg = self.tcp(sip, dip, self.port(), self.port(), 0x10, self.rb(r.randrange(0, 100)))
        how = r.randrange(4)
        if how == 0:
            kw = dict(tot=20 + len(seg) + r.randrange(1, 3000))     # longer than the frame
        elif how == 1:
            kw = dict(tot=r.randrange(0, 20))                       # shorter than the header
        elif how == 2:
            kw = dict(ihl=r.randrange(0, 5))                        # a header under 20 bytes
        else:
            kw = dict(ihl=15, tot=20 + len(seg))                    # header past the total
        return self.ip(dmac, smac, dip, sip, 6, seg, **kw)

    def k_ip_badver(self, dmac, smac, dip, sip):
        seg = self.rb(40)
        return self.ip(dmac, smac, dip, sip, 17, seg, ver=self.rng.choice([0, 5, 6, 15]))

    def k_ip_opts(self, dmac, smac, dip, sip):
        r = self.rng
        n = r.randrange(1, 11)
        opts = bytes(r.choice([0, 1, 7, 68, 130, 131, 137, r.getrandbits(8)]) if i % 2 == 0
                     else r.choice([0, 1, 2, 255, r.getrandbits(8)]) for i in range(4 * n))
        seg = self.tcp(sip, dip, self.port(), self.port(), 0x10)
        return self.ip(dmac, smac, dip, sip, 6, seg, ihl=5 + n, opts=opts)

    def k_ip_frag(self, dmac, smac, dip, sip):
        r = self.rng
        payload = self.rb(r.randrange(8, 600) & ~7)
        off = r.randrange(0, 8192)
        frag = (0x2000 if r.random() < 0.8 else 0) | (off & 0x1fff)
        return self.ip(dmac, smac, dip, sip, r.choice([1, 6, 17]), payload, frag=frag)

    def k_tcp_trunc(self, dmac, smac, dip, sip):
        seg = self.tcp(sip, dip, self.port(), self.port(), 0x10)
        return self.ip(dmac, smac, dip, sip, 6, seg[:self.rng.randrange(0, 20)])

    def k_tcp_badsum(self, dmac, smac, dip, sip):
        r = self.rng
        seg = self.tcp(sip, dip, self.port(), self.port(), r.getrandbits(8), self.rb(r.randrange(0, 200)),
                       good=False)
        return self.ip(dmac, smac, dip, sip, 6, seg)

    def k_tcp_baddoff(self, dmac, smac, dip, sip):
        r = self.rng
        payload = self.rb(r.randrange(0, 30))
        doff = r.choice([0, 1, 4]) if r.random() < 0.5 else (5 + len(payload) // 4 + r.randrange(1, 11)) & 15
        if doff * 4 <= 20 + len(payload) and doff >= 5:
            doff = 0
        seg = self.tcp(sip, dip, self.port(), self.port(), 0x10, payload, doff=doff)
        return self.ip(dmac, smac, dip, sip, 6, seg)

    def k_tcp_badopts(self, dmac, smac, dip, sip):
        r = self.rng
        n = r.randrange(1, 11)
        opts = bytearray(self.rb(4 * n))
        for i in range(0, len(opts), 4):
            opts[i] = r.choice([2, 3, 4, 5, 8, 254, r.getrandbits(8)])   # MSS, WS, SACK-perm, SACK, TS
            opts[i + 1] = r.choice([0, 1, 2, 40, 255, r.getrandbits(8)])
        # a SYN from a port nobody uses, to the listening port: the options are
        # parsed; the SYN-ACK goes to the other machine, which resets it
        seg = self.tcp(sip, dip, r.randrange(40000, 65536), self.ports[0], 0x02, doff=5 + n, opts=bytes(opts))
        return self.ip(dmac, smac, dip, sip, 6, seg)

    def k_udp(self, dmac, smac, dip, sip):
        r = self.rng
        payload = self.rb(r.randrange(0, 200))
        how = r.randrange(3)
        ulen = 8 + len(payload)
        if how == 0:
            ulen = r.choice([0, 1, 7, ulen + r.randrange(1, 2000)])
        h = struct.pack("!HHHH", self.port(), self.port(), ulen & 0xffff, 0)
        seg = h + payload
        c = l4_sum(sip, dip, 17, seg)
        if how == 1:
            c ^= 1 + r.getrandbits(15)
        seg = seg[:6] + struct.pack("!H", c or 0xffff) + seg[8:]
        if how == 2:
            seg = seg[:r.randrange(0, 8)]
        return self.ip(dmac, smac, dip, sip, 17, seg)

    def k_icmp(self, dmac, smac, dip, sip):
        r = self.rng
        body = struct.pack("!BBHI", r.choice([0, 3, 5, 8, 11, 13, r.getrandbits(8)]), r.getrandbits(8), 0,
                           r.getrandbits(32)) + self.rb(r.randrange(0, 100))
        if r.random() < 0.5:
            body = body[:r.randrange(0, 8)]                                  # truncated
        else:
            c = csum(body) ^ (1 + r.getrandbits(15))                        # bad checksum
            body = body[:2] + struct.pack("!H", c) + body[4:]
        return self.ip(dmac, smac, dip, sip, 1, body)

    def k_ip6(self, dmac, smac, dip, sip):
        r = self.rng
        src = bytes([0xfe, 0x80] + [0] * 6) + self.rb(8)
        dst = bytes([0xff, 0x02] + [0] * 13 + [1]) if r.random() < 0.5 else \
            bytes([0xfe, 0x80] + [0] * 6) + self.rb(8)
        how = r.randrange(5)
        if how == 0:                                     # a truncated header
            return self.eth(dmac, smac, 0x86dd, self.rb(r.randrange(0, 40)))
        if how == 1:                                     # an extension header chain of garbage
            nh = r.choice([0, 43, 44, 60, 59, 135, 139])
            payload = self.rb(r.randrange(0, 300))
            plen = len(payload) if r.random() < 0.5 else r.getrandbits(16)
            return self.eth(dmac, smac, 0x86dd, struct.pack("!IHBB", 0x60000000, plen, nh, 255) + src + dst + payload)
        if how == 2:                                     # a fragment header that lies
            payload = struct.pack("!BBHI", 58, 0, r.getrandbits(16), r.getrandbits(32)) + self.rb(r.randrange(0, 200))
            return self.eth(dmac, smac, 0x86dd, struct.pack("!IHBB", 0x60000000, len(payload), 44, 64) + src + dst + payload)
        # neighbour discovery (133 RS .. 137 redirect) with options of bad lengths
        # (0, past the end): a valid ICMPv6 checksum, hop limit 255, so the
        # options are read
        typ = r.choice([133, 134, 135, 136, 137])
        fixed = {133: 4, 134: 12, 135: 20, 136: 20, 137: 36}[typ]
        body = self.rb(fixed)
        opts = bytearray()
        for _ in range(r.randrange(1, 5)):
            ot = r.choice([1, 2, 3, 4, 5, 25, 31, r.getrandbits(8)])
            ol = r.choice([0, 1, 2, 4, 255])
            opts += bytes([ot, ol]) + self.rb(r.choice([0, 6, 14, 30]))
        if how == 4:
            opts = opts[:r.randrange(0, len(opts) + 1)]
        msg = bytearray(struct.pack("!BBH", typ, 0, 0) + body + bytes(opts))
        c = l4_sum6(src, dst, 58, bytes(msg))
        msg[2:4] = struct.pack("!H", c)
        return self.eth(dmac, smac, 0x86dd, struct.pack("!IHBB", 0x60000000, len(msg), 58, 255) + src + dst + bytes(msg))

    def k_arp(self, dmac, smac, dip, sip):
        r = self.rng
        bogus_ip = bytes([192, 0, 2, r.randrange(1, 255)])      # TEST-NET: nobody's
        hw, pr, hl, pl, op = 1, 0x0800, 6, 4, r.choice([1, 2])
        how = r.randrange(4)
        if how == 0:
            hw = r.getrandbits(16) | 2
        elif how == 1:
            hl, pl = r.choice([(0, 4), (6, 16), (255, 255), (6, 0)])
        elif how == 2:
            op = r.choice([0, 3, 8, 0xffff])
        a = struct.pack("!HHBBH", hw, pr, hl, pl, op) + self.rb(6) + bogus_ip + b"\0" * 6 + bogus_ip
        if how == 3:
            a = a[:r.randrange(0, 28)]                          # truncated
        return self.eth(b"\xff" * 6 if r.random() < 0.5 else dmac, smac, 0x0806, a)


class Relay:
    def __init__(self, a, b, seed=1, loss=0.05, reorder=0.02, garbage=8, ips=("10.0.5.1", "10.0.5.2"),
                 ports=(5000,)):
        self.peer = [("127.0.0.1", a[0]), ("127.0.0.1", b[0])]
        self.sock = []
        for lp in (a[1], b[1]):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            s.bind(("127.0.0.1", lp))
            self.sock.append(s)
        self.loss, self.reorder, self.garbage = loss, reorder, garbage
        # one random stream a direction for the frames' fates, one for garbage
        self.fate = [random.Random(seed * 4 + 1), random.Random(seed * 4 + 2)]
        self.grng = random.Random(seed * 4 + 3)
        self.gen = Garbage(self.grng, list(ports))
        self.ips = [socket.inet_aton(i) for i in ips]
        self.mac = [None, None]
        self.held = [None, None]          # (frame, deadline) a direction
        self.counts = {"passed": 0, "dropped": 0, "reordered": 0, "garbage": 0}
        self.garbage_on = garbage > 0
        self.stop_ev = threading.Event()
        self.th = threading.Thread(target=self.run, daemon=True)
        self.th.start()

    def count(self, k, n=1):
        self.counts[k] = self.counts.get(k, 0) + n

    def send(self, to, frame):
        try:
            self.sock[to].sendto(frame, self.peer[to])
        except OSError:
            pass

    def inject(self, to):
        """A malformed frame toward machine `to` (0 or 1), from the other's addresses."""
        if self.mac[to] is None or self.mac[1 - to] is None:
            return
        kind, frame = self.gen.make(self.mac[to], self.mac[1 - to], self.ips[to], self.ips[1 - to])
        self.send(to, frame)
        self.count("garbage")
        self.count("garbage." + kind)

    def run(self):
        next_g = time.monotonic() + GARBAGE_EVERY_S
        while not self.stop_ev.is_set():
            now = time.monotonic()
            wait = 0.05
            for d in (0, 1):
                if self.held[d]:
                    wait = min(wait, max(0, self.held[d][1] - now))
            if self.garbage_on:
                wait = min(wait, max(0, next_g - now))
            ready, _, _ = select.select(self.sock, [], [], wait)
            now = time.monotonic()
            for s in ready:
                src = self.sock.index(s)
                try:
                    frame, _ = s.recvfrom(65536)
                except OSError:
                    continue
                if len(frame) >= 12 and self.mac[src] is None and not frame[6] & 1:
                    self.mac[src] = frame[6:12]
                self.relay(1 - src, frame, now)
            for d in (0, 1):
                if self.held[d] and self.held[d][1] <= now:
                    self.send(d, self.held[d][0])
                    self.held[d] = None
            if self.garbage_on and now >= next_g:
                next_g = now + GARBAGE_EVERY_S
                self.inject(0)
                self.inject(1)

    def relay(self, to, frame, now):
        """A frame toward machine `to`: dropped, held back, or passed on."""
        r = self.fate[to]
        x = r.random()
        if x < self.loss:
            self.count("dropped")
            return
        if x < self.loss + self.reorder and not self.held[to]:
            self.held[to] = (frame, now + HOLD_S)
            self.count("reordered")
            return
        self.send(to, frame)
        self.count("passed")
        if self.held[to]:                 # the held one after this one: swapped
            self.send(to, self.held[to][0])
            self.held[to] = None
        if self.garbage_on and self.grng.randrange(self.garbage) == 0:
            self.inject(to)

    def stop(self):
        self.stop_ev.set()
        self.th.join(2)
        for s in self.sock:
            s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", required=True, help="LPORT:RPORT of machine A (its QEMU's, the relay's)")
    ap.add_argument("--b", required=True, help="LPORT:RPORT of machine B")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--loss", type=float, default=0.05)
    ap.add_argument("--reorder", type=float, default=0.02)
    ap.add_argument("--garbage", type=int, default=0)
    ap.add_argument("--ips", default="10.0.5.1,10.0.5.2")
    ap.add_argument("--ports", default="5000")
    a = ap.parse_args()
    pa = tuple(int(x) for x in a.a.split(":"))
    pb = tuple(int(x) for x in a.b.split(":"))
    r = Relay(pa, pb, a.seed, a.loss, a.reorder, a.garbage, tuple(a.ips.split(",")),
              tuple(int(p) for p in a.ports.split(",")))
    try:
        while True:
            time.sleep(5)
            print("relay:", " ".join("%s=%d" % kv for kv in sorted(r.counts.items())), flush=True)
    except KeyboardInterrupt:
        r.stop()


if __name__ == "__main__":
    main()
