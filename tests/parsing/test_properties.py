"""Property: any text up to 2,000 characters returns a request or raises ParseError, fast."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.parsing import AppointmentRequest, ParseError, parse_request, parse_when, warm_up

LIMIT_SECONDS = 0.050

# Words the grammar reacts to, so generated texts reach deep into it, not only noise.
VOCAB = [
    "tomorrow", "today", "tonight", "yesterday", "next", "this", "week", "Friday", "fri",
    "sat", "on", "at", "@", "from", "to", "until", "between", "and", "for", "in", "the",
    "3", "3pm", "3:30", "15:00", "9.30am", "12am", "noon", "midnight", "half", "past",
    "quarter", "o'clock", "-", "–", "1h", "30m", "1.5h", "an", "hour", "minutes", "days",
    "April", "15th", "4/5", "2026-04-15", "31/12/2027", "ET", "PT", "UTC+5", "+05:30",
    "Europe/London", "London", "time", "<@U123|al>", "<mailto:a@b.co|a@b.co>", "a@b.co",
    "<https://x.io/j|x.io/j>", "&amp;", "&lt;", "\"", "'", "Room", "4B", "location:", "--",
    "every", "morning", "evening", "2:30am", "Nov", "1", "Mar", "8", ",", "(", ")", "x" * 30,
]  # fmt: skip

NOW = datetime(2026, 3, 7, 18, 30, tzinfo=UTC)
ZONES = ["UTC", "America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe"]

texts = st.one_of(
    st.text(max_size=2000),
    st.lists(st.sampled_from(VOCAB), max_size=60).map(" ".join),
    st.lists(st.sampled_from(VOCAB) | st.text(max_size=5), max_size=300)
    .map(" ".join)
    .map(lambda s: s[:2000]),
)


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    warm_up()  # a server does this once at start-up (dateparser loads its data lazily)


def _once(fn, *args, **kwargs):
    started = time.perf_counter()
    try:
        return fn(*args, **kwargs), time.perf_counter() - started
    except ParseError as exc:
        return exc, time.perf_counter() - started


def _timed(fn, *args, **kwargs):
    """Result and wall time of one call.

    The suite shares two cores with other work, so a call over the limit is repeated
    (at most twice) and the fastest run counts: a slow input stays slow every time,
    a descheduled process does not.
    """
    result, elapsed = _once(fn, *args, **kwargs)
    for _ in range(2):
        if elapsed < LIMIT_SECONDS:
            break
        result, again = _once(fn, *args, **kwargs)
        elapsed = min(elapsed, again)
    return result, elapsed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, zone=st.sampled_from(ZONES), minutes=st.integers(0, 60 * 24 * 400))
def test_parse_request_returns_or_raises_parse_error_quickly(
    text: str, zone: str, minutes: int
) -> None:
    now = NOW + timedelta(minutes=minutes)
    result, elapsed = _timed(parse_request, text, now=now, tz=zone)
    assert elapsed < LIMIT_SECONDS, f"{elapsed * 1000:.1f} ms for {text[:80]!r}"
    if isinstance(result, ParseError):
        assert result.message and "Try:" in result.message
        return
    assert isinstance(result, AppointmentRequest)
    assert result.start.tzinfo is not None and result.end > result.start
    assert result.subject
    assert result.end - result.start <= timedelta(days=1)
    assert result.start >= now.replace(second=0, microsecond=0)  # never in the past


@settings(max_examples=150, deadline=None)
@given(text=texts, zone=st.sampled_from(ZONES))
def test_parse_when_returns_or_raises_parse_error_quickly(text: str, zone: str) -> None:
    result, elapsed = _timed(parse_when, text, now=NOW, tz=zone)
    assert elapsed < LIMIT_SECONDS, f"{elapsed * 1000:.1f} ms for {text[:80]!r}"
    if not isinstance(result, ParseError):
        start, end, tz = result
        assert start.tzinfo is not None and end > start and tz


@pytest.mark.parametrize(
    "unit",
    [
        " ".join(VOCAB) + " ",  # everything the grammar reacts to
        "with John Doe <j@x.io> ",  # names read backwards from addresses
        "a@b.co ",
        "at Room ",  # place phrases
        '"a" ',
        "x ",
        "in the morning ",
        "quarter past three ",
        # patterns added for held-out-style phrasing (parser2)
        ":a",  # Slack emoji codes
        "_",  # Slack italic marks
        "‘a",  # curly single quotes
        "at four thirty ",
        "after ",
        "a week ",
        "1h-",
        "the 1st ",
        "1pm PT / ",
        "x -- 1 _",  # notes that may hold the time: scanned twice
    ],
)
def test_worst_case_long_texts_are_fast(unit: str) -> None:
    """Two thousand characters of one pattern repeated: the scanner's worst cases."""
    text = (unit * (2000 // len(unit) + 1))[:2000]
    result, elapsed = _timed(parse_request, text, now=NOW, tz="UTC")
    assert isinstance(result, ParseError | AppointmentRequest)
    assert elapsed < LIMIT_SECONDS, f"{elapsed * 1000:.1f} ms for {unit!r} * n"
