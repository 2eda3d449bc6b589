#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
The host's side of posixbench's network figures (tests/bench.sh, "net"):
on 127.0.0.1 (which QEMU's user network shows the guest as 10.0.2.2),
  PORT      a TCP source: each connection gets 4 MiB, then the end
  PORT + 1  a TCP sink: reads to the end, then answers one byte
  PORT + 2  a UDP echo
  PORT + 3  takes connections and closes them
Runs until killed; prints PORT when listening.

    netpeer.py [PORT]     (0 or none: a free base port)
"""
import socket
import sys
import threading

NET_BYTES = 4 << 20


def serve_tcp(sock, fn):
    while True:
        c, _ = sock.accept()
        threading.Thread(target=fn, args=(c,), daemon=True).start()


def source(c):
    chunk = b"s" * 65536
    try:
        for _ in range(NET_BYTES // len(chunk)):
            c.sendall(chunk)
    finally:
        c.close()


def sink(c):
    try:
        while c.recv(1 << 20):
            pass
        c.sendall(b"k")
    finally:
        c.close()


def main():
    base = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    while True:
        try:
            tcp = []
            for i in (0, 1, 3):
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if base == 0 and i == 0:
                    s.bind(("127.0.0.1", 0))
                    base = s.getsockname()[1]
                else:
                    s.bind(("127.0.0.1", base + i))
                s.listen(64)
                tcp.append(s)
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind(("127.0.0.1", base + 2))
            break
        except OSError:
            base = 0
    for s, fn in zip(tcp, (source, sink, lambda c: c.close())):
        threading.Thread(target=serve_tcp, args=(s, fn), daemon=True).start()
    print(base, flush=True)
    while True:
        d, a = u.recvfrom(65536)
        u.sendto(d, a)


if __name__ == "__main__":
    main()
