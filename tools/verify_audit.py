"""Verify an exported audit log offline: needs nothing of ours but this file (standard library only).

    python tools/verify_audit.py export.json [more.json ...]

Each file is a ``GET /api/admin/audit`` response (or a JSON list of its ``entries``); pages of one day
are concatenated in order. Each entry's hash is SHA-256 over ``<prev_hash>|<canonical JSON of its
fields>`` (keys sorted, no spaces, UTF-8), and each entry's ``prev_hash`` is the hash of the entry before
it (64 zeros for the first of the day). Exit 0 when every chain is intact, 1 with the problems otherwise.
An export holds chained entries only: an entry recorded but not chained yet (the audit outbox) is counted
in the response's ``chain.pending`` and appears, chained, in a later export.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = ("partition", "seq", "at", "actor", "action", "target", "before", "after", "request_id")


def digest(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}|{canonical}".encode()).hexdigest()


def problems_in(entries: list[dict[str, Any]]) -> list[str]:
    problems = []
    by_partition: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in entries:
        by_partition[entry["partition"]].append(entry)
    for partition, chain in sorted(by_partition.items()):
        prev_hash, expected = GENESIS, 1
        for entry in sorted(chain, key=lambda e: int(e["seq"])):
            seq = int(entry["seq"])
            if seq != expected:
                problems.append(f"{partition} seq {expected}: missing (next is {seq})")
            if entry["prev_hash"] != prev_hash:
                problems.append(f"{partition} seq {seq}: prev_hash does not match the previous entry")
            if digest(entry["prev_hash"], {k: entry[k] for k in HASHED_FIELDS}) != entry["hash"]:
                problems.append(f"{partition} seq {seq}: content does not match its hash")
            prev_hash, expected = entry["hash"], seq + 1
    return problems


def main(paths: list[str]) -> int:
    entries: list[dict[str, Any]] = []
    for path in paths:
        with open(path, encoding="utf-8") as file:
            document = json.load(file)
        entries += document["entries"] if isinstance(document, dict) else document
    problems = problems_in(entries)
    for problem in problems:
        print(problem)
    print(f"{len(entries)} entries: {'INTACT' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
