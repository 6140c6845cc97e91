"""Every case in corpus.jsonl: the parser's result must match the hand-written expectation."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from bot.parsing import ParseError, parse_request

CORPUS = Path(__file__).with_name("corpus.jsonl")
CASES = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 400
    assert sum("error" in c for c in CASES) >= 30


def _run(case: dict):
    return parse_request(
        case["text"],
        now=datetime.fromisoformat(case["now"]),
        tz=case["tz"],
        date_order=case.get("date_order", "MDY"),
    )


@pytest.mark.parametrize("case", CASES, ids=[f"{i}:{c['text'][:40]}" for i, c in enumerate(CASES)])
def test_case(case: dict) -> None:
    if "error" in case:
        with pytest.raises(ParseError) as info:
            _run(case)
        assert case["error"].lower() in info.value.message.lower()
        assert "Try:" in info.value.message
        return
    result = _run(case)
    expect = case["expect"]
    got = {
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
        "timezone": result.timezone,
        "subject": result.subject,
        "subject_is_fallback": result.subject_is_fallback,
        "attendees": [a.as_dict() for a in result.attendees],
        "location": result.location,
    }
    if "notes" in expect:
        got["notes"] = result.notes
    assert got == expect
