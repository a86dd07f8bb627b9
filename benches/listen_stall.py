#!/usr/bin/env python3
"""Stall generator for benches/listen-stall.sh (standard library only).

listen_stall.py LISTEN_HOST_PORT SUMMARIES_FILE [IDLE] [SLOW] [ROUNDS]

Opens IDLE connections that send nothing and SLOW connections that trickle a request:
half send a request head one byte a second, half send a whole head announcing a 10,000-byte
body and then one body byte a second (slow-loris heads and bodies). Slow peers that are cut
connect again, so the pressure holds. Meanwhile, once a second for ROUNDS rounds, one real
Call Summary from SUMMARIES_FILE (one per line) is posted on a fresh connection to the token
route ($OUTDIAL_LISTEN_TOKEN) and timed from connect to reply.

Prints, for the real posts: how many got 200, and min/median/p99/max seconds.
"""
import os
import socket
import statistics
import sys
import threading
import time

host, port = sys.argv[1].rsplit(":", 1)
port = int(port)
summaries = [line.strip() for line in open(sys.argv[2]) if line.strip()]
idle_n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
slow_n = int(sys.argv[4]) if len(sys.argv) > 4 else 500
rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 20
token = os.environ["OUTDIAL_LISTEN_TOKEN"]
stop = threading.Event()
cut = [0]


def connect():
    s = socket.create_connection((host, port), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def idle_holder(n, held):
    for _ in range(n):
        try:
            held.append(connect())
        except OSError:
            time.sleep(0.01)


def slow_peer(body):
    head = (
        f"POST /voiceshot/summary/{token} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
        "Content-Length: 10000\r\n\r\n"
    ).encode()
    while not stop.is_set():
        try:
            s = connect()
            if body:
                s.sendall(head)
                trickle = b"<" * 10000
            else:
                trickle = head
            for b in trickle:
                if stop.is_set():
                    break
                s.sendall(bytes([b]))
                time.sleep(1)
        except OSError:
            cut[0] += 1
            time.sleep(0.2)


def real_post(body):
    request = (
        f"POST /voiceshot/summary/{token} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body.encode()
    started = time.monotonic()
    s = connect()
    s.sendall(request)
    reply = b""
    while b"\r\n" not in reply:
        chunk = s.recv(4096)
        if not chunk:
            break
        reply += chunk
    took = time.monotonic() - started
    s.close()
    return reply.split(b" ", 2)[1].decode() if reply else "none", took


held = []
holders = [threading.Thread(target=idle_holder, args=(idle_n // 10, held)) for _ in range(10)]
for t in holders:
    t.start()
for t in holders:
    t.join()
slow = [threading.Thread(target=slow_peer, args=(i % 2 == 1,), daemon=True) for i in range(slow_n)]
for t in slow:
    t.start()
time.sleep(3)
print(f"holding {len(held)} idle connections and {slow_n} slow peers")
times, ok = [], 0
for i in range(rounds):
    status, took = real_post(summaries[i % len(summaries)])
    ok += status == "200"
    times.append(took)
    time.sleep(1)
stop.set()
times.sort()
p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
print(
    f"real posts: {ok}/{rounds} answered 200; seconds min {times[0]:.3f} "
    f"median {statistics.median(times):.3f} p99 {p99:.3f} max {times[-1]:.3f}"
)
print(f"slow peers cut and reconnected: {cut[0]}")
for s in held:
    s.close()
