"""Write tests/parsing/corpus.jsonl: the accuracy corpus the suite checks line by line.

    python -m tests.parsing.make_corpus

Expected values are written by hand, piece by piece: for each reference "now" a table
of day phrases and the date each one means, a table of clock phrases and the wall time
each means, ends and their lengths, zones and the IANA name each names. The generator
only combines pieces (seeded, so the file is stable) and does calendar arithmetic with
pytz; it never calls the parser. Hand-written edge cases (DST, errors, Slack forms,
boundaries) come from tests/parsing/corpus_edge.py.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytz

from tests.parsing.corpus_edge import EDGE_CASES

HERE = Path(__file__).parent

# name -> (now as wall time, person's zone, {day phrase: date})
ANCHORS: dict[str, tuple[str, str, dict[str, date]]] = {
    "wed-before-us-dst": (
        "2026-03-04T10:00",
        "America/New_York",
        {
            "tomorrow": date(2026, 3, 5),
            "the day after tomorrow": date(2026, 3, 6),
            "on Friday": date(2026, 3, 6),
            "friday": date(2026, 3, 6),
            "this Friday": date(2026, 3, 6),
            "next Friday": date(2026, 3, 13),
            "Friday next week": date(2026, 3, 13),
            "next week Tuesday": date(2026, 3, 10),
            "on Monday": date(2026, 3, 9),
            "Tue": date(2026, 3, 10),
            "in 3 days": date(2026, 3, 7),
            "in a week": date(2026, 3, 11),
            "March 20": date(2026, 3, 20),
            "20 March": date(2026, 3, 20),
            "Mar 20th": date(2026, 3, 20),
            "2026-03-20": date(2026, 3, 20),
            "3/20": date(2026, 3, 20),
            "April 15": date(2026, 4, 15),
            "15 April": date(2026, 4, 15),
            "Apr 15th": date(2026, 4, 15),
            "on the 15th": date(2026, 3, 15),
            "Jan 5": date(2027, 1, 5),
            "March 2": date(2027, 3, 2),
            "Sunday": date(2026, 3, 8),
            "Thursday": date(2026, 3, 5),
            "next Wednesday": date(2026, 3, 11),
            "4/5": date(2026, 4, 5),
        },
    ),
    "new-years-eve-london": (
        "2026-12-31T16:00",
        "Europe/London",
        {
            "tomorrow": date(2027, 1, 1),
            "the day after tomorrow": date(2027, 1, 2),
            "friday": date(2027, 1, 1),
            "next Friday": date(2027, 1, 8),
            "Monday": date(2027, 1, 4),
            "next week Tuesday": date(2027, 1, 5),
            "in 3 days": date(2027, 1, 3),
            "Jan 5": date(2027, 1, 5),
            "5 January": date(2027, 1, 5),
            "1/5": date(2027, 1, 5),
            "2027-01-15": date(2027, 1, 15),
            "on the 15th": date(2027, 1, 15),
            "in 2 weeks": date(2027, 1, 14),
            "January 4th, 2027": date(2027, 1, 4),
            "on Saturday": date(2027, 1, 2),
        },
    ),
    "monday-kolkata": (
        "2026-06-01T08:30",
        "Asia/Kolkata",
        {
            "tomorrow": date(2026, 6, 2),
            "Wednesday": date(2026, 6, 3),
            "this Wednesday": date(2026, 6, 3),
            "next Wednesday": date(2026, 6, 10),
            "next Monday": date(2026, 6, 8),
            "Sunday": date(2026, 6, 7),
            "June 30": date(2026, 6, 30),
            "30 June": date(2026, 6, 30),
            "Jul 4": date(2026, 7, 4),
            "7/4": date(2026, 7, 4),
            "in 10 days": date(2026, 6, 11),
            "the day after tomorrow": date(2026, 6, 3),
            "today": date(2026, 6, 1),
        },
    ),
    "saturday-before-eu-dst-end": (
        "2026-10-24T09:00",
        "Europe/Berlin",
        {
            "tomorrow": date(2026, 10, 25),
            "Monday": date(2026, 10, 26),
            "next Monday": date(2026, 10, 26),
            "next Tuesday": date(2026, 10, 27),
            "Oct 30": date(2026, 10, 30),
            "30.10.2026": date(2026, 10, 30),
            "2026-11-02": date(2026, 11, 2),
            "Nov 2": date(2026, 11, 2),
            "in 2 days": date(2026, 10, 26),
            "Friday": date(2026, 10, 30),
            "on Wed": date(2026, 10, 28),
        },
    ),
    "friday-evening-month-end": (
        "2026-01-30T17:45",
        "America/Los_Angeles",
        {
            "tomorrow": date(2026, 1, 31),
            "Monday": date(2026, 2, 2),
            "next Monday": date(2026, 2, 2),
            "on Feb 1": date(2026, 2, 1),
            "1 Feb": date(2026, 2, 1),
            "2/3": date(2026, 2, 3),
            "next week Wednesday": date(2026, 2, 4),
            "the day after tomorrow": date(2026, 2, 1),
            "in a week": date(2026, 2, 6),
            "friday": date(2026, 2, 6),
            "on the 3rd": date(2026, 2, 3),
            "February 14": date(2026, 2, 14),
        },
    ),
}

# clock phrase -> (hour, minute); all between 09:30 and 16:45 so they are ahead of
# every anchor's "now" on "today" (Kolkata 08:30) and behind it on a Friday (LA 17:45).
TIMES: dict[str, tuple[int, int]] = {
    "3pm": (15, 0),
    "3 pm": (15, 0),
    "at 3pm": (15, 0),
    "3:30pm": (15, 30),
    "15:00": (15, 0),
    "9.30am": (9, 30),
    "at noon": (12, 0),
    "noon": (12, 0),
    "at 3": (15, 0),
    "half past two": (14, 30),
    "quarter to four": (15, 45),
    "at 10": (10, 0),
    "10:15am": (10, 15),
    "at 4:45 pm": (16, 45),
    "2 p.m.": (14, 0),
    "11am": (11, 0),
    "16:30": (16, 30),
    "at 11:30": (11, 30),
    "1PM": (13, 0),
    "at 2:15": (14, 15),
    "@ 10am": (10, 0),
    "at 9:45 AM": (9, 45),
}

# end phrase -> minutes after the start
DURATIONS: dict[str, int] = {
    "": 30,
    "for 30 min": 30,
    "30m": 30,
    "1h": 60,
    "1.5h": 90,
    "for an hour and a half": 90,
    "90 minutes": 90,
    "for half an hour": 30,
    "for 45 minutes": 45,
    "for 2 hours": 120,
    "1h30": 90,
    "for an hour": 60,
    "for 20 mins": 20,
    "2 hrs": 120,
    "for 1 hour 15 minutes": 75,
}

# range phrase -> (start, end) wall times
RANGES: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "3-4pm": ((15, 0), (16, 0)),
    "3pm-4pm": ((15, 0), (16, 0)),
    "from 10 to 11:30": ((10, 0), (11, 30)),
    "between 2 and 3pm": ((14, 0), (15, 0)),
    "14:00–15:00": ((14, 0), (15, 0)),
    "10am-noon": ((10, 0), (12, 0)),
    "11-1pm": ((11, 0), (13, 0)),
    "9:30-10:15": ((9, 30), (10, 15)),
    "from 1 to 2pm": ((13, 0), (14, 0)),
    "2:30pm - 3:15pm": ((14, 30), (15, 15)),
    "3pm until 5pm": ((15, 0), (17, 0)),
    "10:00 to 10:45": ((10, 0), (10, 45)),
    "from 9am till 10am": ((9, 0), (10, 0)),
    "1:15pm–2pm": ((13, 15), (14, 0)),
}

# zone phrase -> IANA zone ("" = the person's own)
ZONES: dict[str, str] = {
    "": "",
    "ET": "America/New_York",
    "PT": "America/Los_Angeles",
    "Europe/London": "Europe/London",
    "London time": "Europe/London",
    "UTC": "UTC",
    "CET": "Europe/Berlin",
    "Tokyo time": "Asia/Tokyo",
    "EST": "America/New_York",
    "America/Chicago": "America/Chicago",
    "GMT": "GMT",
    "Pacific time": "America/Los_Angeles",
    "(Asia/Singapore)": "Asia/Singapore",
}

ALICE = {"email": None, "slack_user_id": "U123ABC", "name": "alice"}

# template -> (subject, attendees, location); {when} is the time text
TEMPLATES: list[tuple[str, str, list[dict[str, str | None]], str | None]] = [
    (
        "Intro call with john@acme.com {when}",
        "Intro call",
        [{"email": "john@acme.com", "slack_user_id": None, "name": None}],
        None,
    ),
    ("{when} Design review", "Design review", [], None),
    ("Sync with <@U123ABC|alice> {when}", "Sync", [ALICE], None),
    (
        '"Quarterly planning" {when} with <mailto:bob@example.org|bob@example.org>',
        "Quarterly planning",
        [{"email": "bob@example.org", "slack_user_id": None, "name": None}],
        None,
    ),
    ("{when}", "Meeting", [], None),
    (
        "1:1 with Jane Roe &lt;<mailto:jane@corp.io|jane@corp.io>&gt; {when} in Conference Room A",
        "1:1",
        [{"email": "jane@corp.io", "slack_user_id": None, "name": "Jane Roe"}],
        "Conference Room A",
    ),
    (
        "Team standup {when} <https://zoom.us/j/123|zoom.us/j/123>",
        "Team standup",
        [],
        "https://zoom.us/j/123",
    ),
    ("Budget review {when} at Room 4B", "Budget review", [], "Room 4B"),
    ("Lunch &amp; learn {when} location: Cafeteria", "Lunch & learn", [], "Cafeteria"),
    (
        "Catch up with <@U1AA|bob> and <@U2BB> {when}",
        "Catch up",
        [
            {"email": None, "slack_user_id": "U1AA", "name": "bob"},
            {"email": None, "slack_user_id": "U2BB", "name": None},
        ],
        None,
    ),
    (
        "schedule a call with a@b.com and c.d@e.co.uk {when}",
        "Call",
        [
            {"email": "a@b.com", "slack_user_id": None, "name": None},
            {"email": "c.d@e.co.uk", "slack_user_id": None, "name": None},
        ],
        None,
    ),
    (
        "Hiring debrief {when} - https://meet.google.com/abc-defg-hij",
        "Hiring debrief",
        [],
        "https://meet.google.com/abc-defg-hij",
    ),
]


def _iso(zone: str, day: date, hm: tuple[int, int]) -> datetime:
    return pytz.timezone(zone).localize(datetime(day.year, day.month, day.day, *hm), is_dst=None)


def _case(text, anchor, start, end, zone, subject, attendees, location, fallback=False):
    now_wall, tz, _ = ANCHORS[anchor]
    now = pytz.timezone(tz).localize(datetime.fromisoformat(now_wall))
    return {
        "text": text,
        "now": now.isoformat(),
        "tz": tz,
        "expect": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "timezone": zone,
            "subject": subject,
            "subject_is_fallback": fallback,
            "attendees": attendees,
            "location": location,
        },
    }


def generated(count: int, seed: int = 20260304) -> list[dict]:
    rng = random.Random(seed)
    cases: list[dict] = []
    seen: set[tuple[str, str]] = set()
    while len(cases) < count:
        anchor = rng.choice(sorted(ANCHORS))
        _, person_tz, days = ANCHORS[anchor]
        day_phrase = rng.choice(sorted(days))
        day = days[day_phrase]
        zone_phrase = rng.choice(sorted(ZONES))
        zone = ZONES[zone_phrase] or person_tz
        template, subject, attendees, location = rng.choice(TEMPLATES)
        if rng.random() < 0.3:
            time_phrase = rng.choice(sorted(RANGES))
            start_hm, end_hm = RANGES[time_phrase]
            end_phrase = ""
            minutes = None
        else:
            time_phrase = rng.choice(sorted(TIMES))
            start_hm = TIMES[time_phrase]
            end_phrase = rng.choice(sorted(DURATIONS))
            minutes = DURATIONS[end_phrase]
        clock = f"{time_phrase} {zone_phrase}".strip()
        order = rng.randrange(3)
        if order == 0:
            parts = [day_phrase, clock, end_phrase]
        elif order == 1:
            parts = [clock, day_phrase, end_phrase]
        else:
            parts = [day_phrase, end_phrase, clock] if end_phrase else [clock, day_phrase]
        when = " ".join(p for p in parts if p)
        text = template.format(when=when)
        if (text, anchor) in seen:
            continue
        seen.add((text, anchor))
        start = _iso(zone, day, start_hm)
        now = pytz.timezone(person_tz).localize(datetime.fromisoformat(ANCHORS[anchor][0]))
        if start < now:
            continue  # a spelled-out day already past in the named zone: an error case
        if minutes is None:
            end = _iso(zone, day, end_hm)
        else:
            end = pytz.timezone(zone).normalize(start + timedelta(minutes=minutes))
        fallback = subject == "Meeting"
        cases.append(_case(text, anchor, start, end, zone, subject, attendees, location, fallback))
    return cases


def main() -> None:
    cases = EDGE_CASES + generated(340)
    path = HERE / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for case in cases:
            out.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
