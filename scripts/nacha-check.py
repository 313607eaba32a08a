#!/usr/bin/env python3
"""Checks a NACHA PPD payroll file with a parser we did not write.

    nacha-check.py FILE [EXPECTED.json]

1. achkit (PyPI, pinned in scripts/nacha-venv.sh) validates the file: 94-character records,
   blocking factor 10, the ABA check digit of every routing number, the entry hash, the entry
   counts and the debit and credit totals of the batch and of the file, the block count.
2. achkit parses it, and what it read is compared with EXPECTED.json (written by the caller from
   the payments it asked for, not from the file): header fields, batch fields, every entry.
3. What achkit does not look at is checked here, from the record layout: the header's record
   size, blocking factor and format code; service class 220 and SEC code PPD; the batch control
   repeating the header's company id, ODFI and batch number; credit transaction codes (22, 32)
   only; no addenda; trace numbers of the ODFI in ascending order; only filler after the file
   control; plain ASCII and \\n line ends.

Exits 0 and prints one line when the file passes; otherwise prints every problem and exits 1.
"""
import json
import sys

import achkit


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    raw = open(sys.argv[1], "rb").read()
    problems = []

    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as e:
        print(f"nacha-check: not ASCII: {e}")
        return 1
    if "\r" in text:
        problems.append("carriage return in the file (records end with \\n)")
    if not text.endswith("\n"):
        problems.append("the last record has no line end")

    result = achkit.validate(text)
    for e in result["errors"]:
        problems.append(f"achkit {e['code']} at {e['field']}: {e['message']}")
    try:
        parsed = achkit.parse(text)
    except achkit.AchError as e:
        problems.append(f"achkit could not parse: {e.code}: {e.message}")
        parsed = None

    rows = text.split("\n")[:-1]
    problems += layout_problems(rows)

    if parsed is not None and len(sys.argv) == 3:
        expected = json.load(open(sys.argv[2]))
        problems += compare(parsed, expected)

    if problems:
        for p in problems:
            print(f"nacha-check: {p}")
        return 1
    batch = parsed["batches"][0]
    c = parsed["control"]
    print(
        f"nacha-check: ok (achkit {achkit.__version__}): {len(batch['entries'])} entries, "
        f"credits {c['total_credit']} cents, entry hash {c['entry_hash']}, "
        f"{c['block_count']} blocks"
    )
    return 0


def layout_problems(rows):
    p = []
    if not rows or not rows[0].startswith("1"):
        return ["the file does not start with a file header (1)"]
    h = rows[0]
    if h[1:3] != "01":
        p.append(f"file header priority code {h[1:3]!r}, expected '01'")
    if h[34:37] != "094":
        p.append(f"file header record size {h[34:37]!r}, expected '094'")
    if h[37:39] != "10":
        p.append(f"file header blocking factor {h[37:39]!r}, expected '10'")
    if h[39:40] != "1":
        p.append(f"file header format code {h[39:40]!r}, expected '1'")
    kinds = "".join(r[:1] for r in rows)
    end = kinds.find("9")
    if end < 0:
        return p + ["no file control (9)"]
    body = kinds[: end + 1]
    if body.count("5") != 1 or body.count("8") != 1:
        p.append(f"expected exactly one batch, record types are {body}")
        return p
    if any(r != "9" * 94 for r in rows[end + 1 :]):
        p.append("records after the file control are not all filler")
    b = rows[body.index("5")]
    bc = rows[body.index("8")]
    if b[1:4] != "220" or bc[1:4] != "220":
        p.append(f"service class {b[1:4]!r}/{bc[1:4]!r}, expected 220 (credits only)")
    if b[50:53] != "PPD":
        p.append(f"SEC code {b[50:53]!r}, expected 'PPD'")
    if b[78:79] != "1":
        p.append(f"originator status code {b[78:79]!r}, expected '1'")
    if bc[44:54] != b[40:50]:
        p.append(f"batch control company id {bc[44:54]!r} != header {b[40:50]!r}")
    if bc[79:87] != b[79:87]:
        p.append(f"batch control ODFI {bc[79:87]!r} != header {b[79:87]!r}")
    if bc[87:94] != b[87:94]:
        p.append(f"batch control number {bc[87:94]!r} != header {b[87:94]!r}")
    last = 0
    for i, kind in enumerate(body):
        if kind == "7":
            p.append(f"record {i + 1}: addenda, none expected")
        if kind != "6":
            continue
        e = rows[i]
        if e[1:3] not in ("22", "32"):
            p.append(f"record {i + 1}: transaction code {e[1:3]!r} is not a credit (22, 32)")
        if e[78:79] != "0":
            p.append(f"record {i + 1}: addenda indicator {e[78:79]!r}, expected '0'")
        if e[79:87] != b[79:87]:
            p.append(f"record {i + 1}: trace number {e[79:94]!r} is not the ODFI's")
        seq = int(e[87:94]) if e[87:94].isdigit() else -1
        if seq <= last:
            p.append(f"record {i + 1}: trace sequence {e[87:94]!r} does not ascend")
        last = seq
    return p


def compare(parsed, expected):
    p = []

    def same(what, got, want):
        if got != want:
            p.append(f"{what}: read {got!r}, expected {want!r}")

    for key in ("destination_routing", "origin_routing", "creation_date", "creation_time",
                "file_id_modifier"):
        same(key, parsed[key], expected[key])
    batch = parsed["batches"][0]
    for key in ("service_class", "company_name", "company_id", "sec", "description",
                "effective_date", "origin_dfi", "batch_number"):
        same(f"batch {key}", batch[key], expected["batch"][key])
    got, want = batch["entries"], expected["entries"]
    same("entry count", len(got), len(want))
    for i, (g, w) in enumerate(zip(got, want)):
        for key in ("txn_code", "routing", "account", "amount_cents", "id_number", "name",
                    "trace_number"):
            same(f"entry {i + 1} {key}", g[key], w[key])
    same("file credit total", parsed["control"]["total_credit"], expected["total_credit_cents"])
    same("file debit total", parsed["control"]["total_debit"], 0)
    return p


if __name__ == "__main__":
    sys.exit(main())
