#!/usr/bin/env python3
"""Regenerates data/zones.tsv: telephone number prefix -> IANA time zones, for every country.

Source: libphonenumber's time-zone metadata (resources/timezones/map_data.txt), as shipped
by the `phonenumbers` package on PyPI (`pip install phonenumbers`). The metadata maps
prefixes of E.164 numbers (country code first) to zones.

- North America (+1): an area code's zones are those of its own prefix ("1NPA") together
  with those of every longer prefix under it (some area codes are split by exchange), so a
  row is "1NPA". Prefix "1" alone (every NANP zone, Guam to Newfoundland) is left out: it
  places no number.
- Everywhere else the prefixes are kept as they are; outdial takes the longest that starts
  the number (a country's own code when nothing longer matches).

Zones named "Etc/Unknown" are dropped, and a prefix left with none is left out: outdial then
reads the number's hours in the recipient's `timezone`, else the campaign's.

    python3 scripts/zones.py > data/zones.tsv
"""
import datetime
import sys

import phonenumbers
from phonenumbers.tzdata import TIMEZONE_DATA

zones = {}
for prefix, names in TIMEZONE_DATA.items():
    if not prefix.isdigit():
        continue
    if prefix.startswith("1"):
        if len(prefix) < 4:
            continue
        npa = prefix[1:4]
        if npa[0] in "01":
            continue
        key = "1" + npa
    else:
        key = prefix
    zones.setdefault(key, set()).update(n for n in names if n != "Etc/Unknown")

out = sys.stdout
out.write("# E.164 prefix (country code first; 1NPA for a North American area code) -> IANA time zones\n")
out.write("# (comma-separated; several = numbers under the prefix ring in any of them; the longest prefix wins)\n")
out.write(f"# source: libphonenumber time-zone metadata via the phonenumbers package {phonenumbers.__version__} (PyPI)\n")
out.write(f"# generated: {datetime.date.today().isoformat()} by scripts/zones.py\n")
for key in sorted(zones):
    if zones[key]:
        out.write(f"{key}\t{','.join(sorted(zones[key]))}\n")
