#!/usr/bin/env python3
"""fed_stall.py - a partner node that never answers (test_fed_slow.sh).

    fed_stall.py MODE PORTFILE LOGFILE

Listens on 127.0.0.1 (a free port, written to PORTFILE once listening),
accepts every connection and then stalls:
  silent   reads the request and never sends a byte (a server that hangs
           after accept: the whole client timeout)
  dribble  reads the request and sends an endless HTTP status line one
           byte a second (a dead-slow link; it never completes)
Each connection's opening and closing (by the client) goes to LOGFILE, one
line each, "open N" / "closed N" with the time (seconds since the epoch),
so the test sees when a worker gives up, is stopped, or reconnects.
Stops on SIGTERM.
"""
import os
import selectors
import signal
import socket
import sys
import time


def main():
    mode, portfile, logfile = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode not in ("silent", "dribble"):
        sys.exit("mode: silent or dribble")
    log = open(logfile, "a", buffering=1)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    srv.setblocking(False)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(tmp, portfile)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ)
    conns = {}          # socket -> (number, bytes of the status line sent)
    line = b"HTTP/1.1 200 OK" + b"x" * 1000000
    n = 0
    next_tick = time.time() + 1
    while True:
        for key, _ in sel.select(timeout=max(0.0, next_tick - time.time())):
            s = key.fileobj
            if s is srv:
                try:
                    c, _ = srv.accept()
                except BlockingIOError:
                    continue
                c.setblocking(False)
                n += 1
                conns[c] = [n, 0]
                sel.register(c, selectors.EVENT_READ)
                log.write("open %d %.3f\n" % (n, time.time()))
                continue
            try:
                data = s.recv(65536)
            except (ConnectionResetError, BlockingIOError):
                data = b""
            if not data:
                log.write("closed %d %.3f\n" % (conns[s][0], time.time()))
                sel.unregister(s)
                s.close()
                del conns[s]
        if time.time() >= next_tick:
            next_tick += 1
            if mode == "dribble":
                for c, st in list(conns.items()):
                    try:
                        c.send(line[st[1]:st[1] + 1])
                        st[1] += 1
                    except (BlockingIOError, OSError):
                        pass


if __name__ == "__main__":
    main()
