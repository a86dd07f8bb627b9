#!/usr/bin/env python3
"""The disk's own speed for benches/compile.sh: only the I/O of `compile -o`.

disk_baseline.py CSV DIR FILES BYTES reads CSV whole, then writes BYTES bytes (the CSV's
bytes, repeated) into FILES files in DIR, created as `compile -o` creates them (one file per
post, written with one call each). No parsing, no rendering: what is left of compile's time
beyond this is outdial's own work.
"""
import os
import sys

csv, out, files, total = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open(csv, "rb") as f:
    data = f.read()
os.makedirs(out, exist_ok=True)
size, extra = divmod(total, files)
# One buffer as large as the largest file, sliced per file: memoryview slices copy nothing.
block = memoryview((data * (size // max(len(data), 1) + 2))[: size + 1])
for i in range(files):
    n = size + (1 if i < extra else 0)
    with open(os.path.join(out, f"{i + 1:04}-send.xml"), "wb") as f:
        f.write(block[:n])
