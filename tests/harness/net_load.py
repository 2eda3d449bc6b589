# SPDX-License-Identifier: MIT
"""
Load with the network server's memory checked, a step of net_test.py's
boot (the default boot, a shell, host port forwards): `netxfer serve`
(user/tests/posix/netxfer.c, added as /usr/bin/netxfer) runs on Cairn,
one process serving one connection at a time, and the host's real TCP
clients connect through a port forward, one after another:

  a warm-up of WARM connections (each: a line sent, the same line back,
  the client closes first, so the TIME_WAIT is the host's), then the
  network server's numbers (a connection that asks "stats": getsockopt
  SOL_CAIRN_NET NET_STATS, user/servers/net/stats.c), then N connections,
  then its numbers again. They must be equal: the kernel's count of the
  server's memory (kmem: PROC_QUOTA's used bytes, its pages and kernel
  objects), lwIP's bytes from malloc (lwip_mem) and pool elements
  (memp), its sockets and TCP pcbs (active, TIME_WAIT, listening).
  Equal (kmem within two pages: KMEM_SLACK), not a trend: between the two the server is in the same
  state (one connection, the one that asks, open and read), the warm-up
  made every page the server touches for one connection, and malloc gives
  back the same chunks; any one thing kept per connection would show, in
  lwip_mem at once, in kmem after at most a page's worth. (The stats
  connections between each 1,000 are part of the count.)

    load(g, results, cmd, host_port, guest_port, n=10000, warm=100)
"""
import re
import socket
import time

KEYS = ("kmem", "lwip_mem", "memp", "sockets", "tcp_active", "tcp_tw", "tcp_listen")
# kmem moves by a page and an object between two states with the same
# sockets (seen: 1,641,784 and 1,646,104 bytes, alternating over the
# 1,000s, with nothing growing), so it may differ by two pages: a leak of
# one byte a connection is 10,000 bytes, past it (lwIP's numbers stay exact)
KMEM_SLACK = 8192


def one(port, line, timeout=20):
    c = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        c.sendall(line)
        got = b""
        while not got.endswith(b"\n"):
            b = c.recv(4096)
            if not b:
                break
            got += b
        return got
    finally:
        c.close()


def stats(port, tries=20):
    """The server's numbers once the last connection has ended there: its
    closing pcb waits in LAST_ACK for the host's last ACK, which may come
    after the next connection is made (through slirp); so asked again
    (0.1 s apart, `tries` times at most) while more than one pcb, the
    asking connection's own, is active. A pcb kept for ever is still seen."""
    for _ in range(tries):
        got = one(port, b"stats\n")
        try:
            st = {k.decode(): int(v) for k, v in (w.split(b"=") for w in got.split())}
        except ValueError:
            return {"unparsed": got}
        if st.get("tcp_active") == 1:
            break
        time.sleep(0.1)
    return st


def load(g, results, cmd, host_port, guest_port, n=10000, warm=100):
    emit = results.emit
    if not cmd("netxfer serve %d on Cairn, in the background" % guest_port,
               b"netxfer serve %d < /dev/null > /tmp/serve.log 2>&1 &" % guest_port, b"\r\n"):
        return
    end = time.monotonic() + 30
    first = None
    while time.monotonic() < end:
        try:
            first = one(host_port, b"hello\n", 5)
            if first == b"hello\n":
                break
        except OSError as e:
            first = e
        time.sleep(0.5)
    if not emit(first == b"hello\n", "the host reaches it through the port forward", "got %r" % first):
        return

    def run(count, tag):
        bad = None
        for i in range(count):
            line = b"%s-%d\n" % (tag, i)
            try:
                got = one(host_port, line)
            except OSError as e:
                got = e
            if got != line:
                bad = (i, got)
                break
        return bad

    bad = run(warm, b"warm")
    before = stats(host_port)
    series = []                       # kmem after each 1,000 (the log shows a trend)
    t0, done = time.monotonic(), 0
    while bad is None and done < n:
        k = min(1000, n - done)
        bad = run(k, b"load%d" % done)
        done += k
        if done < n:
            series.append(stats(host_port).get("kmem"))
    took = time.monotonic() - t0
    after = stats(host_port)
    print("# kmem each 1,000: %s" % " ".join(str(x) for x in [before.get("kmem")] + series + [after.get("kmem")]))
    emit(bad is None, "%d connections in a row, each answered (%.1f s, %.1f ms each)"
         % (n, took, 1000 * took / max(n, 1)), "connection %r" % (bad,))
    print("# the network server after %d: %s" % (warm, " ".join("%s=%s" % (k, before.get(k)) for k in KEYS)))
    print("# the network server after %d more: %s" % (n, " ".join("%s=%s" % (k, after.get(k)) for k in KEYS)))
    diff = {k: (before.get(k), after.get(k)) for k in KEYS
            if k not in before or k not in after or
            (abs(after[k] - before[k]) > KMEM_SLACK if k == "kmem" else before[k] != after[k])}
    emit(not diff, "the network server's memory where it was after the warm-up "
         "(kernel's count, lwIP's heap and pools, sockets, pcbs)", "changed: %r" % diff)
    try:
        bye = one(host_port, b"quit\n")
    except OSError as e:
        bye = e
    cmd("the server ends when asked", b"wait; cat /tmp/serve.log",
        re.compile(rb"netxfer: served \d+ connections"))
    return bye
