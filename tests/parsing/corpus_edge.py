"""Hand-written corpus cases: boundaries, DST, errors, Slack forms, people, places.

Each expected start/end is a wall time written by hand in a named zone; pytz only
attaches the offset. See make_corpus.py for how the corpus file is written.
"""

from __future__ import annotations

from datetime import datetime

import pytz

NY_NOW = ("2026-03-04T10:00", "America/New_York")  # Wednesday, DST starts Sun Mar 8
LONDON_NYE = ("2026-12-31T16:00", "Europe/London")  # Thursday
BERLIN_DST = ("2026-10-24T09:00", "Europe/Berlin")  # Saturday, DST ends Sun Oct 25


def _now(anchor: tuple[str, str]) -> str:
    wall, tz = anchor
    return pytz.timezone(tz).localize(datetime.fromisoformat(wall)).isoformat()


def _at(wall: str, zone: str) -> str:
    if wall[-6] in "+-" and wall[-3] == ":":
        return datetime.fromisoformat(wall).isoformat()
    return pytz.timezone(zone).localize(datetime.fromisoformat(wall), is_dst=None).isoformat()


def ok(
    text: str,
    start: str,
    end: str,
    *,
    anchor: tuple[str, str] = NY_NOW,
    zone: str | None = None,
    subject: str = "Meeting",
    fallback: bool | None = None,
    attendees: list[dict] | None = None,
    location: str | None = None,
    notes: str | None = None,
    date_order: str | None = None,
) -> dict:
    zone = zone or anchor[1]
    expect = {
        "start": _at(start, zone),
        "end": _at(end, zone),
        "timezone": zone,
        "subject": subject,
        "subject_is_fallback": (subject.startswith("Meeting") if fallback is None else fallback),
        "attendees": attendees or [],
        "location": location,
    }
    if notes is not None:
        expect["notes"] = notes
    case = {"text": text, "now": _now(anchor), "tz": anchor[1], "expect": expect}
    if date_order:
        case["date_order"] = date_order
    return case


def err(text: str, contains: str, *, anchor: tuple[str, str] = NY_NOW) -> dict:
    return {"text": text, "now": _now(anchor), "tz": anchor[1], "error": contains}


def person(email=None, uid=None, name=None) -> dict:
    return {"email": email, "slack_user_id": uid, "name": name}


D5 = "2026-03-05"  # tomorrow from NY_NOW

EDGE_CASES: list[dict] = [
    # ---- days relative to now (Wed 4 Mar 2026 10:00 New York)
    ok("Sync today at 3pm", "2026-03-04 15:00", "2026-03-04 15:30", subject="Sync"),
    ok("Sync tonight at 8", "2026-03-04 20:00", "2026-03-04 20:30", subject="Sync"),
    ok("Drinks tonight at 11:30", "2026-03-04 23:30", "2026-03-05 00:00", subject="Drinks"),
    ok(
        "Review the day after tomorrow 10am",
        "2026-03-06 10:00",
        "2026-03-06 10:30",
        subject="Review",
    ),
    ok("Demo in 3 days at 2pm", "2026-03-07 14:00", "2026-03-07 14:30", subject="Demo"),
    ok("Demo 3 days from now at 2pm", "2026-03-07 14:00", "2026-03-07 14:30", subject="Demo"),
    ok("Offsite in two weeks at 9am", "2026-03-18 09:00", "2026-03-18 09:30", subject="Offsite"),
    ok(
        "Planning next week Tuesday 10am",
        "2026-03-10 10:00",
        "2026-03-10 10:30",
        subject="Planning",
    ),
    ok(
        "Planning Tuesday next week at 10am",
        "2026-03-10 10:00",
        "2026-03-10 10:30",
        subject="Planning",
    ),
    ok("Sync on wednesday at 3pm", "2026-03-04 15:00", "2026-03-04 15:30", subject="Sync"),
    ok("Sync wednesday 9am", "2026-03-11 09:00", "2026-03-11 09:30", subject="Sync"),
    ok("Sync next wednesday 9am", "2026-03-11 09:00", "2026-03-11 09:30", subject="Sync"),
    ok("Sync this coming Friday 4pm", "2026-03-06 16:00", "2026-03-06 16:30", subject="Sync"),
    ok("Sync next Monday at 11", "2026-03-09 11:00", "2026-03-09 11:30", subject="Sync"),
    ok("Sync Thurs 1pm", "2026-03-05 13:00", "2026-03-05 13:30", subject="Sync"),
    ok("2026-04-15 09:00 Kickoff", "2026-04-15 09:00", "2026-04-15 09:30", subject="Kickoff"),
    ok(
        "Kickoff 2026-04-15T09:00:00-07:00",
        "2026-04-15T09:00:00-07:00",
        "2026-04-15T09:30:00-07:00",
        zone="Etc/GMT+7",
        subject="Kickoff",
    ),
    ok("Kickoff on April 15th at 9", "2026-04-15 09:00", "2026-04-15 09:30", subject="Kickoff"),
    ok("Retro Apr 15 2027 3pm", "2027-04-15 15:00", "2027-04-15 15:30", subject="Retro"),
    ok("Retro April 15, 2027 at 3pm", "2027-04-15 15:00", "2027-04-15 15:30", subject="Retro"),
    ok(
        "Retro on the 15th of April at 3pm", "2026-04-15 15:00", "2026-04-15 15:30", subject="Retro"
    ),
    ok(
        "Board meeting Jan 15 at 10am",
        "2027-01-15 10:00",
        "2027-01-15 10:30",
        subject="Board meeting",
    ),
    ok("Board meeting 1/15 10am", "2027-01-15 10:00", "2027-01-15 10:30", subject="Board meeting"),
    ok(
        "Board meeting 4/5 10am",
        "2026-05-04 10:00",
        "2026-05-04 10:30",
        subject="Board meeting",
        date_order="DMY",
    ),
    ok(
        "Board meeting 4/5 at 10am", "2026-04-05 10:00", "2026-04-05 10:30", subject="Board meeting"
    ),
    ok("Call 15/4 at 10am", "2026-04-15 10:00", "2026-04-15 10:30", subject="Call"),
    ok("Call 15/04/2026 at 10am", "2026-04-15 10:00", "2026-04-15 10:30", subject="Call"),
    ok("Call 04/15/27 at 10am", "2027-04-15 10:00", "2027-04-15 10:30", subject="Call"),
    ok("Call 20.03.2026 at 10am", "2026-03-20 10:00", "2026-03-20 10:30", subject="Call"),
    ok("Call March 4 11am", "2026-03-04 11:00", "2026-03-04 11:30", subject="Call"),
    err("Call 13/13 at 10am", "13/13"),
    err("Standup Feb 30 9am", "Feb 30"),
    err("Catch-up yesterday 3pm", "past"),
    err("Sync today 9am", "already passed"),
    err("Sync Mar 2 2026 3pm", "past"),
    err("Sync March 4 9am", "already passed"),
    ok("Sync at 9am", "2026-03-05 09:00", "2026-03-05 09:30", subject="Sync"),
    ok("Sync 9:59am", "2026-03-05 09:59", "2026-03-05 10:29", subject="Sync"),
    ok("Sync at 10:01am", "2026-03-04 10:01", "2026-03-04 10:31", subject="Sync"),
    # ---- clock times
    ok("Sync tomorrow at midnight", "2026-03-06 00:00", "2026-03-06 00:30", subject="Sync"),
    ok("Deploy tonight at midnight", "2026-03-05 00:00", "2026-03-05 00:30", subject="Deploy"),
    ok("Sync tomorrow 12am", f"{D5} 00:00", f"{D5} 00:30", subject="Sync"),
    ok("Sync tomorrow 12pm", f"{D5} 12:00", f"{D5} 12:30", subject="Sync"),
    ok("Sync tomorrow at 12", f"{D5} 12:00", f"{D5} 12:30", subject="Sync"),
    ok("Sync tomorrow at 7", f"{D5} 07:00", f"{D5} 07:30", subject="Sync"),
    ok("Sync tomorrow at 6", f"{D5} 18:00", f"{D5} 18:30", subject="Sync"),
    ok("Dinner tomorrow at 7 in the evening", f"{D5} 19:00", f"{D5} 19:30", subject="Dinner"),
    ok("Sync tomorrow morning at 8", f"{D5} 08:00", f"{D5} 08:30", subject="Sync"),
    ok("Sync tomorrow afternoon at 2", f"{D5} 14:00", f"{D5} 14:30", subject="Sync"),
    ok("Sync tomorrow at 3 o'clock", f"{D5} 15:00", f"{D5} 15:30", subject="Sync"),
    ok("Sync tomorrow at 10 past 3", f"{D5} 15:10", f"{D5} 15:40", subject="Sync"),
    ok("Sync tomorrow at twenty to five", f"{D5} 16:40", f"{D5} 17:10", subject="Sync"),
    ok("Sync tomorrow at three pm", f"{D5} 15:00", f"{D5} 15:30", subject="Sync"),
    ok("Sync tomorrow at half past nine", f"{D5} 09:30", f"{D5} 10:00", subject="Sync"),
    ok("Sync tomorrow at quarter past 11", f"{D5} 11:15", f"{D5} 11:45", subject="Sync"),
    ok("Sync tomorrow 15h30", f"{D5} 15:30", f"{D5} 16:00", subject="Sync"),
    ok("Sync tomorrow at 8:00", f"{D5} 08:00", f"{D5} 08:30", subject="Sync"),
    ok("Sync tomorrow 08:00", f"{D5} 08:00", f"{D5} 08:30", subject="Sync"),
    ok("Sync tomorrow 00:30", f"{D5} 00:30", f"{D5} 01:00", subject="Sync"),
    ok("Sync tomorrow 3p.m.", f"{D5} 15:00", f"{D5} 15:30", subject="Sync"),
    ok("Sync tomorrow at 3 in the afternoon", f"{D5} 15:00", f"{D5} 15:30", subject="Sync"),
    ok("Sync tomorrow at noon", f"{D5} 12:00", f"{D5} 12:30", subject="Sync"),
    ok("Lunch tomorrow midday", f"{D5} 12:00", f"{D5} 12:30", subject="Lunch"),
    # ---- ranges and ends
    ok("Workshop tomorrow 10pm-1am", f"{D5} 22:00", "2026-03-06 01:00", subject="Workshop"),
    ok("Workshop tomorrow 9-5", f"{D5} 09:00", f"{D5} 17:00", subject="Workshop"),
    ok("Workshop tomorrow 10am to 2", f"{D5} 10:00", f"{D5} 14:00", subject="Workshop"),
    ok("Workshop tomorrow 10am-2pm", f"{D5} 10:00", f"{D5} 14:00", subject="Workshop"),
    ok("Sync tomorrow 3pm until 5", f"{D5} 15:00", f"{D5} 17:00", subject="Sync"),
    ok("Sync tomorrow 3pm to 4:30pm", f"{D5} 15:00", f"{D5} 16:30", subject="Sync"),
    ok("Sync tomorrow 3pm till 4", f"{D5} 15:00", f"{D5} 16:00", subject="Sync"),
    ok("Sync tomorrow 11:30am-12:15", f"{D5} 11:30", f"{D5} 12:15", subject="Sync"),
    ok("Sync tomorrow 10pm to midnight", f"{D5} 22:00", "2026-03-06 00:00", subject="Sync"),
    ok("Sync tomorrow noon-1pm", f"{D5} 12:00", f"{D5} 13:00", subject="Sync"),
    ok("Sync tomorrow 9:00 – 9:45", f"{D5} 09:00", f"{D5} 09:45", subject="Sync"),
    ok("Sync tomorrow 3pm ending at 4pm", f"{D5} 15:00", f"{D5} 16:00", subject="Sync"),
    ok("Sync tomorrow 11:30pm for 1h", f"{D5} 23:30", "2026-03-06 00:30", subject="Sync"),
    ok("Sync tomorrow 3pm for 2.5 hours", f"{D5} 15:00", f"{D5} 17:30", subject="Sync"),
    ok("Sync tomorrow 3pm for a quarter of an hour", f"{D5} 15:00", f"{D5} 15:15", subject="Sync"),
    ok("Sync tomorrow 3pm for 1 hr 15 min", f"{D5} 15:00", f"{D5} 16:15", subject="Sync"),
    ok("30-minute sync tomorrow 3pm", f"{D5} 15:00", f"{D5} 15:30", subject="sync"),
    ok("1-hour review tomorrow 3pm", f"{D5} 15:00", f"{D5} 16:00", subject="review"),
    ok("Sync tomorrow 3pm 45 mins", f"{D5} 15:00", f"{D5} 15:45", subject="Sync"),
    ok("Sync tomorrow 3pm for one hour", f"{D5} 15:00", f"{D5} 16:00", subject="Sync"),
    ok("Sync tomorrow 3pm for two hours", f"{D5} 15:00", f"{D5} 17:00", subject="Sync"),
    err("Sync tomorrow 3pm-2pm", "not after the start"),
    err("Sync tomorrow from 4 to 3", "not after the start"),
    err("Sync tomorrow at 3pm for 0 minutes", "more than zero"),
    err("Offsite tomorrow 9am for 30 hours", "longer than a day"),
    err("Sync tomorrow 3-4pm for 30 min", "two ends"),
    err("Sync tomorrow 3pm and 5pm", "two start times"),
    err("Sync tomorrow", "What time"),
    err("Sync", "couldn't find a day or time"),
    err("", "what to schedule"),
    err("Sync tomorrow until 5pm", "not when it starts"),
    err("Sync next week at 3pm", "Which day"),
    err("Sync tomorrow or friday at 3pm", "two days"),
    err("Sync tomorrow 3pm for 45", "for 45"),
    err("Sync tomorrow morning", "What time"),
    err("Sync friday", "What time"),
    err("Sync next month at 3pm", "Which day"),
    err("Sync tomorrow 3pm for 2 days", "2 days"),
    err("Sync tomorrow 3pm Europe/Atlantis", "time zone"),
    err("Sync day before yesterday at 3pm", "past"),
    err("Sync 2025-12-01 10:00", "past"),
    err("Sync Thursday, March 6 at 2pm", "not a Thursday"),
    ok("Sync Friday, March 6 at 2pm", "2026-03-06 14:00", "2026-03-06 14:30", subject="Sync"),
    ok("Sync in 2 hours", "2026-03-04 12:00", "2026-03-04 12:30", subject="Sync"),
    ok("Sync in 30 minutes for 1h", "2026-03-04 10:30", "2026-03-04 11:30", subject="Sync"),
    ok("quick chat in an hour", "2026-03-04 11:00", "2026-03-04 11:30", subject="quick chat"),
    ok(
        "quick chat 45 minutes from now",
        "2026-03-04 10:45",
        "2026-03-04 11:15",
        subject="quick chat",
    ),
    # ---- zones
    ok(
        "Sync tomorrow 10am Europe/London",
        f"{D5} 10:00",
        f"{D5} 10:30",
        zone="Europe/London",
        subject="Sync",
    ),
    ok(
        "Sync tomorrow 10am london time",
        f"{D5} 10:00",
        f"{D5} 10:30",
        zone="Europe/London",
        subject="Sync",
    ),
    ok(
        "Sync tomorrow 10am New York time",
        f"{D5} 10:00",
        f"{D5} 10:30",
        zone="America/New_York",
        subject="Sync",
    ),
    ok(
        "Sync tomorrow 3pm +05:30",
        f"{D5}T15:00:00+05:30",
        f"{D5}T15:30:00+05:30",
        zone="Asia/Kolkata",
        subject="Sync",
    ),
    ok(
        "Sync tomorrow 3pm UTC+2",
        f"{D5}T15:00:00+02:00",
        f"{D5}T15:30:00+02:00",
        zone="Etc/GMT-2",
        subject="Sync",
    ),
    ok(
        "Sync tomorrow 3pm UTC-05:00",
        f"{D5} 15:00",
        f"{D5} 15:30",
        zone="America/New_York",
        subject="Sync",
    ),
    ok(
        "Sync tomorrow 3pm PST",
        f"{D5} 15:00",
        f"{D5} 15:30",
        zone="America/Los_Angeles",
        subject="Sync",
    ),
    ok(
        "Sync Mar 10 3pm PST",
        "2026-03-10 15:00",
        "2026-03-10 15:30",
        zone="America/Los_Angeles",
        subject="Sync",
    ),
    ok("Sync tomorrow 3pm BST", f"{D5} 15:00", f"{D5} 15:30", zone="Europe/London", subject="Sync"),
    ok(
        "Sync tomorrow 9am Central time",
        f"{D5} 09:00",
        f"{D5} 09:30",
        zone="America/Chicago",
        subject="Sync",
    ),
    ok(
        "Sync tomorrow 9am CEST", f"{D5} 09:00", f"{D5} 09:30", zone="Europe/Berlin", subject="Sync"
    ),
    ok("Sync tomorrow 9am (UTC)", f"{D5} 09:00", f"{D5} 09:30", zone="UTC", subject="Sync"),
    ok(
        "Sync tomorrow 9-10am MT",
        f"{D5} 09:00",
        f"{D5} 10:00",
        zone="America/Denver",
        subject="Sync",
    ),
    ok(
        "Sync tomorrow 9am europe/paris",
        f"{D5} 09:00",
        f"{D5} 09:30",
        zone="Europe/Paris",
        subject="Sync",
    ),
    err("Sync tomorrow 3pm ET 4pm PT", "I found two"),
    err("Sync tomorrow 3pm Europe/London Asia/Tokyo", "two time zones"),
    # ---- DST
    err("Sync Sunday 2:30am", "does not exist"),
    err("Sync Mar 29 1:30am London time", "does not exist"),
    err("Sync tomorrow 2:30am", "happens twice", anchor=BERLIN_DST),
    ok(
        "Sync tomorrow 2:30am +02:00",
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:00:00+01:00",
        anchor=BERLIN_DST,
        subject="Sync",
    ),
    ok(
        "Sync tomorrow 2:30am +01:00",
        "2026-10-25T02:30:00+01:00",
        "2026-10-25T03:00:00+01:00",
        anchor=BERLIN_DST,
        subject="Sync",
    ),
    ok(
        "Sync tomorrow 1:30am for 2 hours",
        "2026-10-25T01:30:00+02:00",
        "2026-10-25T02:30:00+01:00",
        anchor=BERLIN_DST,
        subject="Sync",
    ),
    ok(
        "Sync Saturday 11pm for 4h",
        "2026-03-07T23:00:00-05:00",
        "2026-03-08T04:00:00-04:00",
        subject="Sync",
    ),
    ok("Sync Sunday 3am", "2026-03-08 03:00", "2026-03-08 03:30", subject="Sync"),
    ok(
        "Sync Sunday 1:30am-3:30am",
        "2026-03-08T01:30:00-05:00",
        "2026-03-08T03:30:00-04:00",
        subject="Sync",
    ),
    err("Sync Nov 1 1:30am", "happens twice"),
    # ---- year boundary (Thu 31 Dec 2026 16:00 London)
    ok(
        "Party Dec 31 11pm",
        "2026-12-31 23:00",
        "2026-12-31 23:30",
        anchor=LONDON_NYE,
        subject="Party",
    ),
    err("NYE lunch Dec 31 1pm", "already passed", anchor=LONDON_NYE),
    ok(
        "Kickoff Jan 1 at 10",
        "2027-01-01 10:00",
        "2027-01-01 10:30",
        anchor=LONDON_NYE,
        subject="Kickoff",
    ),
    ok("Sync at 9am", "2027-01-01 09:00", "2027-01-01 09:30", anchor=LONDON_NYE, subject="Sync"),
    ok(
        "Sync tonight 11:30pm for an hour",
        "2026-12-31 23:30",
        "2027-01-01 00:30",
        anchor=LONDON_NYE,
        subject="Sync",
    ),
    ok(
        "Planning next Monday 9am",
        "2027-01-04 09:00",
        "2027-01-04 09:30",
        anchor=LONDON_NYE,
        subject="Planning",
    ),
    ok(
        "Review Dec 30 2pm",
        "2027-12-30 14:00",
        "2027-12-30 14:30",
        anchor=LONDON_NYE,
        subject="Review",
    ),
    err("Review 12/31/2026 9am", "already passed", anchor=LONDON_NYE),
    # ---- people
    ok(
        "Sync with <@U123ABC> tomorrow 3pm",
        f"{D5} 15:00",
        f"{D5} 15:30",
        subject="Sync",
        attendees=[person(uid="U123ABC")],
    ),
    ok(
        "<@U123ABC|alice> <@U456DEF|bob> tomorrow 3pm",
        f"{D5} 15:00",
        f"{D5} 15:30",
        subject="Meeting with alice and bob",
        attendees=[person(uid="U123ABC", name="alice"), person(uid="U456DEF", name="bob")],
    ),
    ok(
        "tomorrow 3pm with john@acme.com",
        f"{D5} 15:00",
        f"{D5} 15:30",
        subject="Meeting with john",
        attendees=[person("john@acme.com")],
    ),
    ok(
        'Interview with "Ann Lee" <ann@x.io> tomorrow 3pm',
        f"{D5} 15:00",
        f"{D5} 15:30",
        subject="Interview",
        attendees=[person("ann@x.io", name="Ann Lee")],
    ),
    ok(
        "Interview with ann@x.io (Ann Lee) tomorrow 3pm",
        f"{D5} 15:00",
        f"{D5} 15:30",
        subject="Interview",
        attendees=[person("ann@x.io", name="Ann Lee")],
    ),
    ok(
        "Interview with John Doe <john@acme.com> tomorrow 3pm",
        f"{D5} 15:00",
        f"{D5} 15:30",
        subject="Interview",
        attendees=[person("john@acme.com", name="John Doe")],
    ),
    ok(
        "Sync with john@acme.com, jane@acme.com and <@U1ABC|pat> tomorrow 10am",
        f"{D5} 10:00",
        f"{D5} 10:30",
        subject="Sync",
        attendees=[
            person("john@acme.com"),
            person("jane@acme.com"),
            person(uid="U1ABC", name="pat"),
        ],
    ),
    ok(
        "Sync with john@acme.com and JOHN@acme.com tomorrow 10am",
        f"{D5} 10:00",
        f"{D5} 10:30",
        subject="Sync",
        attendees=[person("john@acme.com")],
    ),
    ok(
        "Sync w/ bob@x.com tomorrow 10am",
        f"{D5} 10:00",
        f"{D5} 10:30",
        subject="Sync",
        attendees=[person("bob@x.com")],
    ),
    ok(
        "Sync with <mailto:bob@x.com|Bob Stone> tomorrow 10am",
        f"{D5} 10:00",
        f"{D5} 10:30",
        subject="Sync",
        attendees=[person("bob@x.com", name="Bob Stone")],
    ),
    ok(
        "Set up 1:1 with <@U1ABC|kim> friday 11am",
        "2026-03-06 11:00",
        "2026-03-06 11:30",
        subject="1:1",
        attendees=[person(uid="U1ABC", name="kim")],
    ),
    ok("Sync <!here> tomorrow 10am", f"{D5} 10:00", f"{D5} 10:30", subject="Sync"),
    # ---- subject, location, notes
    ok("'Q2 OKR review' tomorrow 10am", f"{D5} 10:00", f"{D5} 10:30", subject="Q2 OKR review"),
    ok("“Launch prep” tomorrow 10am", f"{D5} 10:00", f"{D5} 10:30", subject="Launch prep"),
    ok(
        '"Sync at 3pm notes" tomorrow 10am',
        f"{D5} 10:00",
        f"{D5} 10:30",
        subject="Sync at 3pm notes",
    ),
    ok(
        "Coffee at Blue Bottle tomorrow 8am",
        f"{D5} 08:00",
        f"{D5} 08:30",
        subject="Coffee",
        location="Blue Bottle",
    ),
    ok(
        "Sync tomorrow 10am in the main office",
        f"{D5} 10:00",
        f"{D5} 10:30",
        subject="Sync",
        location="the main office",
    ),
    ok("Sync tomorrow 10am on zoom", f"{D5} 10:00", f"{D5} 10:30", subject="Sync", location="zoom"),
    ok("Sync tomorrow 10am at HQ", f"{D5} 10:00", f"{D5} 10:30", subject="Sync", location="HQ"),
    ok(
        "Design review tomorrow 10am https://meet.google.com/xyz-abcd-efg",
        f"{D5} 10:00",
        f"{D5} 10:30",
        subject="Design review",
        location="https://meet.google.com/xyz-abcd-efg",
    ),
    ok(
        "Design review tomorrow 10am in Room 12 https://zoom.us/j/9",
        f"{D5} 10:00",
        f"{D5} 10:30",
        subject="Design review",
        location="Room 12",
        notes="https://zoom.us/j/9",
    ),
    ok(
        "Design review tomorrow 10am -- bring the mocks",
        f"{D5} 10:00",
        f"{D5} 10:30",
        subject="Design review",
        notes="bring the mocks",
    ),
    ok(
        "Design review tomorrow 10am agenda: Q3 goals, hiring",
        f"{D5} 10:00",
        f"{D5} 10:30",
        subject="Design review",
        notes="Q3 goals, hiring",
    ),
    ok(
        "Book a meeting with a@b.com tomorrow 10am",
        f"{D5} 10:00",
        f"{D5} 10:30",
        subject="Meeting",
        fallback=False,
        attendees=[person("a@b.com")],
    ),
    ok(
        "Sync tomorrow 10am where: 3rd floor kitchen",
        f"{D5} 10:00",
        f"{D5} 10:30",
        subject="Sync",
        location="3rd floor kitchen",
    ),
    ok(
        "Sync about the roadmap with <@U1ABC|kim> tomorrow 10am",
        f"{D5} 10:00",
        f"{D5} 10:30",
        subject="Sync about the roadmap",
        attendees=[person(uid="U1ABC", name="kim")],
    ),
    ok("Q&amp;A prep tomorrow 10am", f"{D5} 10:00", f"{D5} 10:30", subject="Q&A prep"),
    # ---- subjects that look like time words but are not
    ok("PM sync tomorrow 3pm", f"{D5} 15:00", f"{D5} 15:30", subject="PM sync"),
    ok("Coffee with June tomorrow 3pm", f"{D5} 15:00", f"{D5} 15:30", subject="Coffee with June"),
    ok("Weekend plans tomorrow 3pm", f"{D5} 15:00", f"{D5} 15:30", subject="Weekend plans"),
    ok("Dinner for 4 tomorrow 7pm", f"{D5} 19:00", f"{D5} 19:30", subject="Dinner for 4"),
    ok(
        "24/7 on-call handoff tomorrow 9am",
        f"{D5} 09:00",
        f"{D5} 09:30",
        subject="24/7 on-call handoff",
    ),
    ok("50/50 review tomorrow 3pm", f"{D5} 15:00", f"{D5} 15:30", subject="50/50 review"),
    err("Offsite in June at 3pm", "in June"),
    ok("Retro tomorrow at 3:30 for 1:30", f"{D5} 15:30", f"{D5} 17:00", subject="Retro"),
    ok(
        "Launch party tomorrow from 10 to midnight",
        f"{D5} 22:00",
        "2026-03-06 00:00",
        subject="Launch party",
    ),
    ok("Sync tomorrow 9am Eastern", f"{D5} 09:00", f"{D5} 09:30", subject="Sync"),
    ok(
        "Sync tomorrow 9am pacific",
        f"{D5} 09:00",
        f"{D5} 09:30",
        zone="America/Los_Angeles",
        subject="Sync",
    ),
    ok(
        "schedule a call with <mailto:kim@x.io|kim@x.io> tomorrow 9am",
        f"{D5} 09:00",
        f"{D5} 09:30",
        subject="Call",
        attendees=[person("kim@x.io")],
    ),
    # ---- regressions found while probing phrasings
    ok(
        "Weekly 1:1 with <@U1|mike> Monday 10:00-10:30",
        "2026-03-09 10:00",
        "2026-03-09 10:30",
        subject="Weekly 1:1",
        attendees=[person(uid="U1", name="mike")],
    ),
    ok(
        "Sprint planning 2026-03-09 10:00-12:00",
        "2026-03-09 10:00",
        "2026-03-09 12:00",
        subject="Sprint planning",
    ),
    ok(
        "Onsite at 1 Market St tomorrow 10am",
        f"{D5} 10:00",
        f"{D5} 10:30",
        subject="Onsite",
        location="1 Market St",
    ),
    ok("Ops review tomorrow at 1400", f"{D5} 14:00", f"{D5} 14:30", subject="Ops review"),
    ok("Ops review tomorrow 0930 hrs", f"{D5} 09:30", f"{D5} 10:00", subject="Ops review"),
    err("Sync week after next monday 3pm", "week after"),
    ok("Sync a week from today at 2pm", "2026-03-11 14:00", "2026-03-11 14:30", subject="Sync"),
    ok(
        "Coffee chat w/ <@U0123ABCD|jo> tmrw 10a",
        f"{D5} 10:00",
        f"{D5} 10:30",
        subject="Coffee chat",
        attendees=[person(uid="U0123ABCD", name="jo")],
    ),
    ok("Brunch Sat at 10", "2026-03-07 10:00", "2026-03-07 10:30", subject="Brunch"),
    ok("Offsite may 5th at 10am", "2026-05-05 10:00", "2026-05-05 10:30", subject="Offsite"),
    err("standup every day 9am", "repeating"),
    ok(
        "Board prep the 3rd of next month at 10am",
        "2026-04-03 10:00",
        "2026-04-03 10:30",
        subject="Board prep",
    ),
    ok(
        "Sync in Room 4a tomorrow 3p",
        f"{D5} 15:00",
        f"{D5} 15:30",
        subject="Sync",
        location="Room 4a",
    ),
    ok(
        "Lunch @ Chipotle tomorrow noon w/ <@U2|ann>",
        f"{D5} 12:00",
        f"{D5} 12:30",
        subject="Lunch",
        location="Chipotle",
        attendees=[person(uid="U2", name="ann")],
    ),
    ok(
        "Happy hour Friday 5-7pm at The Local Pub",
        "2026-03-06 17:00",
        "2026-03-06 19:00",
        subject="Happy hour",
        location="The Local Pub",
    ),
    ok(
        "Interview: Jane Smith <jane.smith@gmail.com> Thursday 2-3pm in Room 4B",
        f"{D5} 14:00",
        f"{D5} 15:00",
        subject="Interview",
        location="Room 4B",
        attendees=[person("jane.smith@gmail.com", name="Jane Smith")],
    ),
    ok(
        "Investor update next Thursday 5pm EST via Google Meet",
        "2026-03-12 17:00",
        "2026-03-12 17:30",
        subject="Investor update",
        location="Google Meet",
    ),
    ok(
        "Board call at 8am tomorrow London time with chair@board.org",
        f"{D5} 08:00",
        f"{D5} 08:30",
        zone="Europe/London",
        subject="Board call",
        attendees=[person("chair@board.org")],
    ),
    ok(
        "Sync for 3 people tomorrow at 10am",
        f"{D5} 10:00",
        f"{D5} 10:30",
        subject="Sync for 3 people",
    ),
]
