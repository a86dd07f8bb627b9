#!/usr/bin/env python3
"""Load generator for benches/listen.sh (standard library only).

listen_load.py SANDBOX_URL LISTEN_URL ACKED_FILE [CLIENTS] [DUPLICATES]

Reads the calls the sandbox accepted (GET /_sandbox/calls), writes one Call Summary per
call as VoiceShot posts it, adds DUPLICATES of them a second time (the same bytes: a
redelivery), shuffles, and POSTs them to LISTEN_URL/voiceshot/summary/$OUTDIAL_LISTEN_TOKEN from CLIENTS threads
over keep-alive connections. LISTEN_URL may name several listeners, comma-separated
(replicas behind one store): client i starts on listener i, and a post that fails goes to the
next one, as a load balancer retries. A post that fails (connection refused or reset, a 5xx:
the listener was killed) is retried until it gets a 2xx, as a provider redelivers. Every call
id acknowledged with a 2xx is appended to ACKED_FILE as soon as the reply is read.

Prints posts/second, p50/p99 latency of acknowledged posts, and the statuses seen.
"""
import http.client
import json
import os
import queue
import random
import sys
import threading
import time
import urllib.parse
import urllib.request
from xml.sax.saxutils import quoteattr

sandbox, listen, acked_path = sys.argv[1], sys.argv[2], sys.argv[3]
# listen requires authentication: the token route, with the token from the environment.
route = "/voiceshot/summary/" + os.environ["OUTDIAL_LISTEN_TOKEN"]
clients = int(sys.argv[4]) if len(sys.argv) > 4 else 16
duplicates = int(sys.argv[5]) if len(sys.argv) > 5 else 1000

calls_url = sandbox.replace("/ivrapi.asp", "/_sandbox/calls")
calls = json.load(urllib.request.urlopen(calls_url, timeout=60))
rng = random.Random(13)


def summary(call):
    reached = rng.random() < 0.8
    status, comment = ("Successful", "Human Answer") if reached else ("Unsuccessful", "No Answer")
    attrs = {
        "menuid": call["menuid"],
        "duration": str(rng.randint(10, 90) if reached else 0),
        "phonenumber": call["number"],
        "status": status,
        "comment": comment,
        "callid": call["callid"],
        "dateandtime": "12/1/2026 1:02:03 AM",
    }
    head = " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items())
    key = rng.choice(["1", "2", "#", ""])
    return (
        f'<?xml version="1.0"?><campaign {head}><prompts>'
        f'<prompt promptid="1" keypress="{key}"/></prompts></campaign>'
    ).encode()


posts = [(c["callid"], summary(c)) for c in calls]
posts += rng.sample(posts, duplicates)
rng.shuffle(posts)
work = queue.Queue()
for p in posts:
    work.put(p)

targets = [urllib.parse.urlsplit(u) for u in listen.split(",")]
latencies = []
statuses = {}
lock = threading.Lock()
acked = open(acked_path, "a", buffering=1)


def client(i):
    conn = None
    turn = i
    while True:
        try:
            callid, body = work.get_nowait()
        except queue.Empty:
            return
        while True:
            try:
                if conn is None:
                    target = targets[turn % len(targets)]
                    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                start = time.perf_counter()
                conn.request(
                    "POST", route, body=body, headers={"Content-Type": "text/xml"}
                )
                reply = conn.getresponse()
                reply.read()
                took = time.perf_counter() - start
                with lock:
                    statuses[str(reply.status)] = statuses.get(str(reply.status), 0) + 1
                if 200 <= reply.status < 300:
                    with lock:
                        latencies.append(took)
                        acked.write(callid + "\n")
                    break
                if reply.status < 500:
                    print(f"refused {reply.status} for {callid}", file=sys.stderr)
                    break
                conn.close()
                conn = None
                turn += 1
            except (OSError, http.client.HTTPException):
                with lock:
                    statuses["connection error"] = statuses.get("connection error", 0) + 1
                if conn is not None:
                    conn.close()
                conn = None
                turn += 1
                time.sleep(0.05)


start = time.perf_counter()
threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.perf_counter() - start
latencies.sort()


def pct(p):
    return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000


print(f"posts: {len(posts)} ({len(calls)} calls, {duplicates} posted twice) by {clients} clients")
print(f"wall: {elapsed:.2f} s  posts/s: {len(posts) / elapsed:.0f}")
print(f"latency of acknowledged posts: p50 {pct(0.50):.1f} ms  p99 {pct(0.99):.1f} ms")
print(f"statuses: {json.dumps(statuses, sort_keys=True)}")
