"""The audit log over the API, and the offline verifier on its export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support import Api, token_for
from vtuber_support import admin

from local.runner import ROOT
from oshi import audit
from oshi.identity.principal import Role
from oshi.models.audit import AuditEntry


def _verify(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "verify_audit.py"), str(path)], capture_output=True, text=True
    )


def test_export_verifies_offline_and_any_tampering_is_caught(api: Api, tmp_path: Path) -> None:
    for n in range(5):
        audit.record(
            "admin-1", "test.changed", f"thing/{n}", before={"n": n}, after={"n": n + 1, "名前": "推し"}
        )
    assert api.get("/api/admin/audit", token=token_for("fan-1", Role.FAN)).status == 403
    # Recorded, not chained yet (the audit outbox): counted as pending, never shown or exported unchained.
    before = api.get("/api/admin/audit", token=admin()).json()
    assert before["entries"] == [] and before["chain"] == {
        "entries": 0,
        "intact": True,
        "problems": [],
        "pending": 5,
    }
    assert audit.chain_pending() == 5  # the audit chainer (the outbox's stream on AWS)

    first = api.get("/api/admin/audit?limit=3", token=admin())
    assert first.status == 200, first.body
    page = first.json()
    assert page["chain"] == {"entries": 5, "intact": True, "problems": [], "pending": 0}
    rest = api.get(f"/api/admin/audit?limit=3&after_seq={page['next_after_seq']}", token=admin()).json()
    assert [e["seq"] for e in page["entries"] + rest["entries"]] == [1, 2, 3, 4, 5] and rest[
        "next_after_seq"
    ] is None

    export = tmp_path / "audit.json"
    export.write_text(json.dumps(page["entries"] + rest["entries"], ensure_ascii=False), encoding="utf-8")
    done = _verify(export)
    assert done.returncode == 0 and "5 entries: INTACT" in done.stdout, done.stdout + done.stderr

    edited = page["entries"] + rest["entries"]
    edited[2]["after"] = {"n": 999}
    export.write_text(json.dumps(edited), encoding="utf-8")
    done = _verify(export)
    assert done.returncode == 1 and "seq 3: content does not match its hash" in done.stdout

    removed = [e for e in page["entries"] + rest["entries"] if e["seq"] != 4]
    export.write_text(json.dumps(removed), encoding="utf-8")
    assert "missing" in _verify(export).stdout

    # Tampering inside the table (what IAM denies on AWS) is reported by the API itself.
    entry = AuditEntry.get(page["partition"], 2)
    entry.update(actions=[AuditEntry.actor.set("someone-else")])
    chain = api.get("/api/admin/audit", token=admin()).json()["chain"]
    assert chain["intact"] is False and chain["problems"] == ["seq 2: content does not match its hash"]
