#!/usr/bin/env python3
"""Deterministic benchmark data for benches/recipients.sh.

gen.py ROWS DIR writes DIR/contacts.csv (ROWS rows: a number in one of six shapes, three
text columns), DIR/dnc.txt (10,000 numbers, half of them in the CSV) and DIR/campaign.toml.
1% of rows have an invalid number, 1% repeat an earlier number in another shape.
"""
import os
import random
import sys

rows = int(sys.argv[1])
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
rng = random.Random(4)

# Area codes and exchanges: 2-9 first digit, not N11.
codes = [c for c in range(200, 1000) if c % 100 != 11]
# Exchanges 950 and 976 reach no person (carrier access, pay-per-call): numbers with them are
# invalid, and a do-not-call list holding one is refused. Left out of the exchanges; the
# first 7.4M numbers, which never reached them, are unchanged.
exchanges = [c for c in codes if c not in (950, 976)]


def number(i):
    line = i % 10000
    rest = i // 10000
    exchange = exchanges[rest % len(exchanges)]
    area = codes[(rest // len(codes) + 37) % len(codes)]
    return area, exchange, line


def shape(n, k):
    a, e, l = n
    return [
        f"{a}{e}{l:04}",
        f"({a}) {e}-{l:04}",
        f"{a}.{e}.{l:04}",
        f"+1 {a} {e} {l:04}",
        f"1-{a}-{e}-{l:04}",
        f"{a}-{e}-{l:04}",
    ][k % 6]


first = ["Ann", "Bob", "Cara", "Dan", "Eve", "Finn", "José", "Zoë", "O'Brien", "Lee, Ann"]
cities = ["Springfield", "Chicago", "Austin", "Fresno", "Quebec \"City\"", "Tulsa"]
days = ["Monday, December 1 at 9:15 AM", "Tuesday, December 2 at 2:00 PM", "Friday at 10:40 AM"]

with open(os.path.join(out, "contacts.csv"), "w", newline="", encoding="utf-8") as f:
    f.write("number,first_name,city,appointment\n")
    seen = []
    for i in range(rows):
        r = rng.random()
        if r < 0.01:
            text = f"{rng.randrange(10**8, 10**9)}"  # 9 digits: invalid
        elif r < 0.02 and seen:
            text = shape(seen[rng.randrange(len(seen))], i + 1)  # duplicate, other shape
        else:
            n = number(i)
            if len(seen) < 100000:
                seen.append(n)
            text = shape(n, i)
        name = first[i % len(first)]
        city = cities[(i * 7) % len(cities)]
        day = days[(i * 13) % len(days)]

        def q(s):
            return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s

        f.write(f"{q(text)},{q(name)},{q(city)},{q(day)}\n")

with open(os.path.join(out, "dnc.txt"), "w") as f:
    f.write("# do-not-call list: 10,000 numbers\n")
    for k in range(10000):
        if k % 2 == 0:
            a, e, l = number(rng.randrange(rows))
        else:
            a, e, l = number(10**9 + k)
        f.write(f"{a}{e}{l:04}\n")

with open(os.path.join(out, "campaign.toml"), "w") as f:
    f.write(
        """[campaign]
name = "bench"

[voiceshot]
menuid = "1-1234"
batch_size = 5000

[vars]
clinic = "Maple Street Clinic"

[[prompt]]
id = 1
tts = "Hello {first_name} from {city}, this is {clinic} about your appointment on {appointment}. Press 1 to confirm."

[recipients]
csv = "contacts.csv"
suppress = ["dnc.txt"]
on_invalid = "skip"
"""
    )
