"""corpus_heldout_style.jsonl: public-corpus-style time expressions and /meet commands.

Written (by hand, see make_heldout_style.py) to check that the parser generalises beyond
corpus.jsonl. A case checks start, end and zone; subject, attendee emails and location
only where the case names them.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from bot.parsing import ParseError, parse_request

CORPUS = Path(__file__).with_name("corpus_heldout_style.jsonl")
CASES = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 250
    assert sum("error" in c for c in CASES) >= 30


def _run(case: dict):
    return parse_request(case["text"], now=datetime.fromisoformat(case["now"]), tz=case["tz"])


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
    }
    if "subject" in expect:
        got["subject"] = result.subject
    if "emails" in expect:
        got["emails"] = [a.email for a in result.attendees if a.email]
    if "location" in expect:
        got["location"] = result.location
    assert got == expect
