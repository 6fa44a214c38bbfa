#!/usr/bin/env python3
"""A deliberately buggy select.epoll HTTP/1.1 keep-alive server whose acceptor blocks.

Usage: blocking-acceptor.py [--port N] [--after K]
One thread, level-triggered epoll, accepts in a loop until EAGAIN and serves its connections,
until K connections have been accepted (default 5). The next time the listener is readable the
loop calls time.sleep(3600): the only thread sleeps (clock_nanosleep) instead of waiting in
epoll_wait, and new connections queue in the listener's accept queue.
Prints the bound port on stdout, then runs until SIGTERM or SIGINT (exit 0).
"""
import select
import time

from keepalive_http import Conn, listen, parse_args, print_port

args = parse_args("epoll server whose acceptor sleeps after K connections")
listener = listen(args.port)
ep = select.epoll()
ep.register(listener.fileno(), select.EPOLLIN)
conns = {}
accepted = 0
print_port(listener)

while True:
    for fd, events in ep.poll():
        if fd == listener.fileno():
            if accepted >= args.after:
                time.sleep(3600)  # THE BUG: the acceptor blocks while connections queue
            while accepted < args.after:
                try:
                    sock, _ = listener.accept()
                except BlockingIOError:
                    break
                accepted += 1
                conn = Conn(sock)
                conns[sock.fileno()] = conn
                ep.register(sock.fileno(), select.EPOLLIN)
            continue
        conn = conns.get(fd)
        if conn is None:
            continue
        if events & select.EPOLLOUT:
            alive = conn.on_writable()
        else:
            alive = conn.on_readable()
        if not alive:
            del conns[fd]  # closing the socket also left the interest list
        elif conn.out:
            ep.modify(fd, select.EPOLLOUT)
        else:
            ep.modify(fd, select.EPOLLIN)
