#!/usr/bin/env python3
"""The Python equivalent of `outdial compile -o DIR` for the benchmark campaign.

recipients.py DIR OUT: reads DIR/contacts.csv and DIR/dnc.txt with `csv`, normalises numbers
with `phonenumbers` (parse in region US, must be a valid +1 number), dedupes, suppresses,
fills the TTS template, and writes batches of 5000 as VoiceShot <campaign> XML with
`xml.etree.ElementTree`, one file per post. Prints the counts to stderr, to compare with
`outdial plan`.
"""
import csv
import os
import sys
import xml.etree.ElementTree as ET

import phonenumbers

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
TEMPLATE = ("Hello {first_name} from {city}, this is {clinic} about your appointment on "
            "{appointment}. Press 1 to confirm.")
CLINIC = "Maple Street Clinic"


def normalise(text):
    """The 10 national digits of a NANP number, by outdial's rules: parsed by phonenumbers in
    region US, country code 1, a possible number, area code and exchange 2-9 and not N11.
    (is_valid_number would also demand an assigned area code, which outdial does not check.)"""
    try:
        n = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None
    if n.country_code != 1 or not phonenumbers.is_possible_number(n):
        return None
    digits = str(n.national_number)
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        return None
    if digits[1:3] == "11" or digits[4:6] == "11":
        return None
    return digits


suppress = set()
with open(os.path.join(src, "dnc.txt"), encoding="utf-8") as f:
    for line in f:
        line = line.split("#", 1)[0].strip()
        if line:
            n = normalise(line)
            if n:
                suppress.add(n)

seen = set()
batch = []
seq = 0
stats = dict(rows=0, invalid=0, duplicates=0, suppressed=0, recipients=0)


def flush():
    global seq, batch
    if not batch:
        return
    seq += 1
    root = ET.Element("campaign", menuid="1-1234", action="0")
    numbers = ET.SubElement(root, "phonenumbers")
    for number, callid, text in batch:
        p = ET.SubElement(numbers, "phonenumber", number=number, callid=callid)
        prompts = ET.SubElement(p, "prompts")
        ET.SubElement(prompts, "prompt", promptid="1", tts=text)
    with open(os.path.join(out, f"{seq:04}-send.xml"), "wb") as f:
        f.write(ET.tostring(root))
    batch = []


with open(os.path.join(src, "contacts.csv"), newline="", encoding="utf-8-sig") as f:
    for row in csv.DictReader(f):
        stats["rows"] += 1
        n = normalise(row["number"])
        if n is None:
            stats["invalid"] += 1
            continue
        if n in suppress:
            stats["suppressed"] += 1
            continue
        if n in seen:
            stats["duplicates"] += 1
            continue
        seen.add(n)
        stats["recipients"] += 1
        text = TEMPLATE.format(clinic=CLINIC, **row)
        batch.append((n, "bench" + n, text))
        if len(batch) == 5000:
            flush()
flush()
stats["posts"] = seq
print(stats, file=sys.stderr)
