#!/usr/bin/env python3
"""Regenerates data/nanp-zones.tsv: NANP area code -> IANA time zones.

Source: libphonenumber's time-zone metadata (resources/timezones/map_data.txt), as shipped
by the `phonenumbers` package on PyPI (`pip install phonenumbers`). The metadata maps
prefixes of +1 numbers to zones; an area code's zones are those of its own prefix ("1NPA")
together with those of every longer prefix under it (some area codes are split by
exchange). Area codes the metadata does not know are left out (outdial then reads the
window in the campaign's zone for them). Prefix "1" alone (every NANP zone) is ignored.

    python3 scripts/nanp-zones.py > data/nanp-zones.tsv
"""
import datetime
import sys

import phonenumbers
from phonenumbers.tzdata import TIMEZONE_DATA

zones = {}
for prefix, names in TIMEZONE_DATA.items():
    if not prefix.startswith("1") or len(prefix) < 4:
        continue
    npa = prefix[1:4]
    if not npa.isdigit() or npa[0] in "01":
        continue
    zones.setdefault(npa, set()).update(n for n in names if n != "Etc/Unknown")

out = sys.stdout
out.write("# NANP area code -> IANA time zones (comma-separated; several = the area code spans them)\n")
out.write(f"# source: libphonenumber time-zone metadata via the phonenumbers package {phonenumbers.__version__} (PyPI)\n")
out.write(f"# generated: {datetime.date.today().isoformat()} by scripts/nanp-zones.py\n")
for npa in sorted(zones):
    if zones[npa]:
        out.write(f"{npa}\t{','.join(sorted(zones[npa]))}\n")
