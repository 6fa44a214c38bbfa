#!/usr/bin/env python3
"""A deliberately buggy select.poll HTTP/1.1 keep-alive server that stops watching its listener.

Usage: poll-stop.py [--port N] [--after K]
One thread waiting in poll(); it accepts and serves correctly until K connections have been
accepted (default 5), then removes the listener from its poll set (poller.unregister) and keeps
serving the accepted connections: new connections queue in the listener's accept queue. It has no
epoll instance at all.
Prints the bound port on stdout, then runs until SIGTERM or SIGINT (exit 0).
"""
import select

from keepalive_http import Conn, listen, parse_args, print_port

args = parse_args("poll() server that stops watching its listener after K connections")
listener = listen(args.port)
poller = select.poll()
poller.register(listener.fileno(), select.POLLIN)
conns = {}
accepted = 0
print_port(listener)

while True:
    for fd, events in poller.poll():
        if fd == listener.fileno():
            while accepted < args.after:
                try:
                    sock, _ = listener.accept()
                except BlockingIOError:
                    break
                accepted += 1
                conn = Conn(sock)
                conns[sock.fileno()] = conn
                poller.register(sock.fileno(), select.POLLIN)
            if accepted >= args.after:
                poller.unregister(listener.fileno())  # THE BUG: the listener is no longer polled
            continue
        conn = conns.get(fd)
        if conn is None:
            continue
        if events & select.POLLOUT:
            alive = conn.on_writable()
        else:
            alive = conn.on_readable()
        if not alive:
            del conns[fd]
            poller.unregister(fd)
        else:
            poller.modify(fd, select.POLLOUT if conn.out else select.POLLIN)
