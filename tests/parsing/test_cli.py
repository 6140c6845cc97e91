"""`scheducal-bot parse`: one text (human or JSON) and the --jsonl batch mode."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

NOW = "2026-03-04T10:00:00-05:00"


def _cli(*args: str, stdin: str | None = None, env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "parse", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_human_readable_output() -> None:
    out = _cli("Intro call with john@acme.com tomorrow 3pm for 1h", "--now", NOW,
               "--tz", "America/New_York")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "subject:   Intro call" in out.stdout
    assert "Thu 05 Mar 2026 15:00 EST (UTC-0500)" in out.stdout
    assert "Thu 05 Mar 2026 16:00" in out.stdout
    assert "john@acme.com" in out.stdout


def test_human_output_shows_the_persons_own_time_for_another_zone() -> None:
    out = _cli("Intro call tomorrow 3-4pm PT", "--now", "2026-03-04T10:00", "--tz",
               "Europe/London")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "time zone: America/Los_Angeles" in out.stdout
    assert "your time: Thu 05 Mar 2026 23:00 GMT (UTC+0000) (Europe/London)" in out.stdout


def test_json_output_and_naive_now_is_read_in_tz() -> None:
    out = _cli("sync tomorrow 9am", "--now", "2026-03-04T10:00", "--tz", "Europe/Paris",
               "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["start"] == "2026-03-05T09:00:00+01:00"
    assert data["timezone"] == "Europe/Paris" and data["error"] is None


def test_not_understood_exits_1_with_the_reason() -> None:
    out = _cli("lunch sometime", "--now", NOW, "--tz", "UTC")
    assert out.returncode == 1
    assert "couldn't find a day or time" in out.stderr
    assert "Traceback" not in out.stderr


def test_tz_defaults_to_the_tz_environment_variable() -> None:
    import os

    env = dict(os.environ, TZ="Asia/Tokyo")
    out = _cli("sync tomorrow 9am", "--now", "2026-03-04T10:00", "--json", env=env)
    assert json.loads(out.stdout)["timezone"] == "Asia/Tokyo"


def test_jsonl_batch_keeps_order_and_survives_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "sync tomorrow 3pm", "now": NOW, "tz": "America/New_York"}),
        "this is not json",
        json.dumps({"text": "today 9am", "now": NOW, "tz": "America/New_York"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": "x tomorrow 3pm", "now": "yesterday-ish", "tz": "UTC"}),
        json.dumps({"text": "x tomorrow 3pm", "now": NOW, "tz": "Nowhere/Land"}),
        json.dumps({"text": 42, "now": NOW, "tz": "UTC"}),
        json.dumps({"text": "<@U1ABC|kim> tomorrow 10-11 PT", "now": NOW, "tz": "UTC"}),
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for args, stdin in (((str(source),), None), (("-",), source.read_text())):
        out = _cli("--jsonl", *args, stdin=stdin)
        assert out.returncode == 0, out.stderr
        results = [json.loads(line) for line in out.stdout.splitlines()]
        assert len(results) == len(lines)
        keys = {"subject", "start", "end", "timezone", "attendees", "location", "error"}
        assert all(set(r) == keys for r in results)
        assert results[0]["start"] == "2026-03-05T15:00:00-05:00" and results[0]["error"] is None
        assert [bool(r["error"]) for r in results] == [False, True, True, True, True, True,
                                                       True, False]  # fmt: skip
        assert "already passed" in results[2]["error"]
        assert results[7]["start"] == "2026-03-05T10:00:00-08:00"
        assert results[7]["attendees"] == [{"email": None, "slack_user_id": "U1ABC", "name": "kim"}]


def test_jsonl_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    out = _cli("--jsonl", str(tmp_path / "nope.jsonl"))
    assert out.returncode == 2
    assert "cannot read" in out.stderr
