"""Turn the phrases the scanner found into an exact start, end and zone.

Readings decided here (documented in the notes and the README):
- A bare hour ("at 3", "3:30") is read in business hours: 7-11 morning, 12 noon,
  1-6 afternoon; "morning"/"afternoon"/"evening"/"tonight" nearby override that.
  Beside "dinner"/"drinks"/"supper"/"cocktails"/"happy hour" a bare 7-11 is refused.
- "midnight" is the end of the day it is attached to (Friday midnight = Sat 00:00).
- A time without a day is its next occurrence (passed today -> tomorrow), as /remind.
- A day that is spelled out and already past ("today 9am" at noon, "yesterday") is an error.
- Weekday alone / "this Friday": the next such day (today if the time is still ahead);
  "next Friday" / "Friday next week": the Friday of next week (weeks start on Monday);
  "Friday after next": a week after that; "last Friday": past, an error.
- A date without a year is the next such date (year rollover); with a year it must be ahead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from bot.parsing.grammar import (
    DATE,
    DAYPART,
    DURATION,
    END,
    OWN_ZONE,
    RANGE,
    RELSTART,
    TIME,
    ZONE,
    Clock,
    DateSpec,
    Scanner,
    Token,
)
from bot.parsing.model import ParseError
from bot.parsing.zones import get_zone, localize, zone_for_offset

MAX_MINUTES = 24 * 60
MAX_AHEAD = timedelta(days=3653)  # further out than ten years is a typo, not a meeting
# An end written without am/pm ("until 5") is read as the first such time after the
# start, but no further than this: "from 4 to 3" is a mistake, not an 11-hour meeting.
MAX_BARE_END_HOURS = 8
# Evening events: a bare 7-11 beside them is not read as morning ("Dinner at 7").
_EVENING_EVENT = re.compile(r"\b(?:dinner|supper|drinks|cocktails|happy\s+hour)\b", re.I)
_WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class When:
    start: datetime
    end: datetime
    timezone: str


class _Zone:
    """The zone wall times are read in: an IANA zone or a fixed UTC offset."""

    def __init__(self, name: str | None, offset: int | None, dst: bool | None = None) -> None:
        self.name = name
        self.offset = offset
        self.dst = dst  # "PDT"/"PST" said which side of a DST change is meant
        self.fixed = None if offset is None else timezone(timedelta(minutes=offset))

    def today(self, now: datetime) -> date:
        return self.wall(now).date()

    def wall(self, now: datetime) -> datetime:
        """``now`` as a naive wall time in this zone."""
        tzinfo = self.fixed if self.fixed is not None else get_zone(self.name or "UTC")
        return now.astimezone(tzinfo).replace(tzinfo=None)

    def aware(self, day: date, clock: time) -> datetime:
        if self.fixed is not None:
            return datetime.combine(day, clock, tzinfo=self.fixed)
        return localize(day, clock, self.name or "UTC", self.dst)


def _quote(token: Token) -> str:
    return "“" + " ".join(token.text.split()) + "”"


def _fmt_day(day: date) -> str:
    return f"{_WEEKDAY_NAMES[day.weekday()]} {day.strftime('%d %b %Y').lstrip('0')}"


def resolve(
    sc: Scanner,
    *,
    now: datetime,
    tz: str,
    default_duration: timedelta,
    example: str,
    fallback_day: date | None = None,
) -> When:
    def fail(problem: str) -> ParseError:
        return ParseError(problem, example=example)

    get_zone(tz)  # the person's zone must exist
    zone = _pick_zone(sc, tz, fail)
    hint = _hint(sc)

    dates = sc.of_kind(DATE)
    times = sc.of_kind(TIME)
    ranges = sc.of_kind(RANGE)
    ends = sc.of_kind(END)
    durations = sc.of_kind(DURATION)
    rels = sc.of_kind(RELSTART)

    starts = times + ranges + rels
    if not starts and len(ends) == 1 and ends[0].value[0] in ("to", "through", "thru"):
        # "move it to 4pm": a lone "to <time>" is the start, not an end.
        token = ends.pop()
        token = Token(TIME, token.start, token.end, token.value[1], token.text)
        times, starts = [token], [token]
    if len(starts) > 1:
        a, b = sorted(starts, key=lambda t: t.start)[:2]
        raise fail(
            f"I found two start times, {_quote(a)} and {_quote(b)}; give one start time "
            "(or a range like 3-4pm)."
        )
    end_specs = ranges + ends + durations
    if len(end_specs) > 1:
        a, b = sorted(end_specs, key=lambda t: t.start)[:2]
        raise fail(f"I found two ends, {_quote(a)} and {_quote(b)}; give only one.")
    if not starts:
        if ends:
            raise fail(f"I see when it ends ({_quote(ends[0])}) but not when it starts.")
        if dates:
            raise fail(f"What time {_quote(dates[0])}? I need a start time.")
        raise fail("I couldn't find a day or time in that.")

    if rels:
        if dates:
            raise fail(
                f"{_quote(rels[0])} already says when; drop {_quote(dates[0])} or give a "
                "clock time instead."
            )
        start = now.replace(second=0, microsecond=0) + timedelta(minutes=rels[0].value)
        start = start.astimezone(zone.fixed or get_zone(zone.name or tz))
        end = _end_after(start, ends[0].value[1], zone, fail, ends[0]) if ends else None
        return _finish(start, end, durations, zone, tz, default_duration, fail)

    day_spec = _pick_day(dates, fail, sc.masked)
    token = starts[0]
    if token.kind == RANGE:
        a, b = token.value
        start_clock, end_clock = _range_clocks(a, b, hint)
    else:
        start_clock = _start_hour(token.value, hint)
        end_clock = None

    start_time, plus_day = start_clock
    first = token.value[0] if token.kind == RANGE else token.value
    settled = token.kind == RANGE and token.value[1].hour24() is not None  # "10-11am"
    meal = _EVENING_EVENT.search(sc.masked)
    if (
        meal
        and not settled
        and hint is None
        and first.hour24() is None
        and 7 <= start_time.hour <= 11
    ):
        # "Dinner at 7": business hours would say 7am; ask rather than guess.
        raise fail(
            f"Is {_quote(token)} for {meal.group().lower()} in the morning or the evening? "
            f"Write am or pm, e.g. “{first.hour}{f':{first.minute:02d}' * bool(first.minute)}pm”."
        )
    if day_spec is None and fallback_day is not None:
        day_spec = (DateSpec("abs", day=fallback_day, year_given=True), None)
    start = _start_datetime(day_spec, start_time, plus_day, zone, now, tz, dates, fail)
    if start - now > MAX_AHEAD:
        raise fail(f"{start.strftime('%d %b %Y')} is more than ten years away; is that right?")
    ends_wall = None
    if end_clock is not None:
        ends_wall = _end_after(start, end_clock, zone, fail, token)
    elif ends:
        ends_wall = _end_after(start, ends[0].value[1], zone, fail, ends[0])
    return _finish(start, ends_wall, durations, zone, tz, default_duration, fail)


def _pick_zone(sc: Scanner, tz: str, fail) -> _Zone:
    zones = sc.of_kind(ZONE)
    names = {t.value[:2] for t in zones}
    if len(names) > 1:
        a, b = zones[0], next(t for t in zones if t.value[:2] != zones[0].value[:2])
        raise fail(f"I found two time zones, {_quote(a)} and {_quote(b)}; give only one.")
    if not zones:
        return _Zone(tz, None)
    own = sc.of_kind(OWN_ZONE)
    if own and zones[0].value[:2] != ("iana", tz):
        raise fail(
            f"I found two time zones, {_quote(zones[0])} and {_quote(own[0])}; give only one."
        )
    sides = {t.value[2] for t in zones} - {None}
    kind, value, _ = zones[0].value
    if kind == "offset":
        return _Zone(None, value)
    return _Zone(value, None, sides.pop() if len(sides) == 1 else None)


def _hint(sc: Scanner) -> str | None:
    hints = {t.value for t in sc.tokens if t.kind == DAYPART}
    return hints.pop() if len(hints) == 1 else None


def _pick_day(
    dates: list[Token], fail, masked: str = ""
) -> tuple[DateSpec, DateSpec | None] | None:
    """The day asked for, plus a weekday written beside a date ("Friday, April 17")."""
    if not dates:
        return None
    if len(dates) == 1:
        return dates[0].value, None
    if len(dates) == 2:
        specs = [t.value for t in dates]
        # "next Tuesday the 10th": the date decides, the weekday must agree with it.
        weekdays = [s for s in specs if s.kind == "weekday" and s.mode != "last"]
        others = [s for s in specs if s.kind in ("abs", "dom")]
        # "tomorrow (Fri)": the weekday only repeats a day of this week; it must agree.
        plain = [s for s in weekdays if s.mode in (None, "this")]
        nearby = [s for s in specs if s.kind == "rel" and 0 <= s.offset <= 6]
        first, second = sorted(dates, key=lambda t: t.start)
        side_by_side = _APPOSITION.match(masked[first.end : second.start]) is not None
        if len(plain) == 1 and len(nearby) == 1 and side_by_side:
            return nearby[0], plain[0]
        if len(weekdays) == 1 and len(others) == 1:
            return others[0], weekdays[0]
    raise fail(f"I found two days, {_quote(dates[0])} and {_quote(dates[1])}; give only one.")


# Between "tomorrow" and "(Fri)" / ", Friday,": brackets, commas, dashes, spaces; never "or".
_APPOSITION = re.compile(r"[\s,(\[–—-]*$")


def _bare_hour(hour: int, hint: str | None) -> int:
    """Business-hours reading of an hour written without am/pm (1..12)."""
    if hour == 12:
        return 12
    if hint in ("pm", "night"):
        return hour + 12
    if hint == "am":
        return hour
    return hour + 12 if 1 <= hour <= 6 else hour


def _start_hour(clock: Clock, hint: str | None) -> tuple[time, bool]:
    """The start as (time, plus one day); midnight is the end of the day it is attached to."""
    if clock.midnight:
        return time(0, clock.minute), True
    hour = clock.hour24()
    if hour is None:
        if hint == "night" and clock.hour == 12:  # "tonight at 12" is midnight
            return time(0, clock.minute), True
        if hint == "night" and 1 <= clock.hour <= 4:
            # "tonight at 1": 1pm is not at night, and 1am is already the next day
            raise ParseError(
                f"At night, “{clock.hour}” could be {clock.hour}am or {clock.hour}pm; write "
                "am or pm."
            )
        hour = _bare_hour(clock.hour, hint)
    return time(hour, clock.minute), False


def _range_clocks(a: Clock, b: Clock, hint: str | None) -> tuple[tuple[time, bool], Clock]:
    """Fill in the start of a range from its end: "11-1pm" is 11am-1pm, "2-3pm" is 2pm-3pm."""
    b_hour = b.hour24()
    if a.hour24() is None and b.midnight and 1 <= a.hour <= 12:
        return (time(a.hour % 12 + 12, a.minute), False), b  # "from 10 to midnight": 10pm
    if a.hour24() is None and b_hour is not None and not b.midnight and 1 <= a.hour <= 12:
        base = a.hour % 12
        before = [h for h in (base, base + 12) if h * 60 + a.minute < b_hour * 60 + b.minute]
        hour = max(before) if before else base + 12
        return (time(hour, a.minute), False), b
    return _start_hour(a, hint), b


def _end_after(start: datetime, clock: Clock, zone: _Zone, fail, token: Token) -> datetime:
    """The end wall time on the start's day (or the next one when it crosses midnight)."""
    start_wall = start.replace(tzinfo=None)
    day = start_wall.date()
    if clock.midnight:
        return zone.aware(day + timedelta(days=1), time(0, clock.minute))
    hour = clock.hour24()
    if hour is None:
        base = clock.hour % 12
        for candidate_day, candidate in (
            (day, base),
            (day, base + 12),
            (day + timedelta(days=1), base),
        ):
            wall = datetime.combine(candidate_day, time(candidate, clock.minute))
            if start_wall < wall <= start_wall + timedelta(hours=MAX_BARE_END_HOURS):
                return zone.aware(candidate_day, time(candidate, clock.minute))
        raise fail(
            f"The end {_quote(token)} is not after the start ({start_wall.strftime('%H:%M')})."
        )
    wall = datetime.combine(day, time(hour, clock.minute))
    if wall <= start_wall:
        crosses = start_wall.hour >= 12 and hour < 12
        if crosses and wall + timedelta(days=1) - start_wall <= timedelta(hours=12):
            return zone.aware(day + timedelta(days=1), time(hour, clock.minute))
        raise fail(
            f"The end {_quote(token)} is not after the start ({start_wall.strftime('%H:%M')})."
        )
    return zone.aware(day, time(hour, clock.minute))


def _resolve_abs(spec: DateSpec, today: date) -> date:
    """A calendar date; without a year, the next such date (today included)."""
    assert spec.day is not None
    if spec.year_given:
        return spec.day
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, spec.day.month, spec.day.day)
        except ValueError:
            continue
        if candidate >= today and year > today.year + 1:
            # "Feb 29" in 2026: 2028 is too far to assume; the year settles it
            raise ParseError(
                f"{candidate.strftime('%b %d').replace(' 0', ' ')} is not in {today.year} or "
                f"{today.year + 1}; add the year if you mean {year}."
            )
        if candidate >= today:
            return candidate
    raise ParseError("That date does not come up in the next few years.")


def _resolve_dom(spec: DateSpec, today: date) -> date:
    year, month = today.year, today.month
    if spec.mode == "next":  # "the 3rd of next month"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    for _ in range(13):
        try:
            candidate = date(year, month, spec.dom)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        month += 1
        if month > 12:
            year, month = year + 1, 1
    raise ParseError(f"There is no day {spec.dom} in the coming months.")


def _start_datetime(
    day_spec: tuple[DateSpec, DateSpec | None] | None,
    start_time: time,
    plus_day: bool,
    zone: _Zone,
    now: datetime,
    tz: str,
    dates: list[Token],
    fail,
) -> datetime:
    extra = timedelta(days=1 if plus_day else 0)
    if day_spec is None:
        # No day: the next time the clock shows this time, in the zone it was given in.
        today = zone.today(now)
        start = _aware_unless_past(zone, today + extra, start_time, now)
        if start is None or start < now:
            start = zone.aware(today + extra + timedelta(days=1), start_time)
        return start

    spec, weekday_check = day_spec
    # Days are counted from the person's own today, whatever zone the time is in.
    today = now.astimezone(get_zone(tz)).date()
    label = _quote(dates[0]) if dates else "That day"
    if spec.kind == "week":
        raise fail(f"Which day {label}? Name the day, e.g. “Tuesday next week”.")
    if spec.kind == "rel":
        if spec.offset < 0:
            raise fail(f"{label} is in the past; I can only schedule ahead.")
        day = today + timedelta(days=spec.offset)
        roll = False
    elif spec.kind == "abs":
        try:
            day = _resolve_abs(spec, today)
        except ParseError as exc:
            raise fail(exc.problem) from None
        if spec.year_given and day < today:
            raise fail(f"{_fmt_day(day)} is in the past; I can only schedule ahead.")
        roll = False
    elif spec.kind == "dom":
        try:
            day = _resolve_dom(spec, today)
        except ParseError as exc:
            raise fail(exc.problem) from None
        roll = False
    else:  # weekday
        if spec.mode == "last":
            raise fail(f"{label} is in the past; I can only schedule ahead.")
        if spec.mode in ("next", "afternext"):
            weeks = 2 if spec.mode == "afternext" else 1
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
            day = monday + timedelta(days=spec.weekday)
            roll = False
        else:
            day = today + timedelta(days=(spec.weekday - today.weekday()) % 7)
            roll = True
    if weekday_check is not None and day.weekday() != weekday_check.weekday:
        raise fail(
            f"{_fmt_day(day)} is a {_WEEKDAY_NAMES[day.weekday()]}, not a "
            f"{_WEEKDAY_NAMES[weekday_check.weekday]}; which one did you mean?"
        )
    try:
        if roll:
            start = _aware_unless_past(zone, day + extra, start_time, now)
            if start is None:  # today's is gone (and fell in a DST change): next week's
                return zone.aware(day + extra + timedelta(days=7), start_time)
        else:
            start = zone.aware(day + extra, start_time)
    except OverflowError:
        raise fail("That date is too far away.") from None
    if start < now:
        if roll:
            return zone.aware(day + extra + timedelta(days=7), start_time)
        when = start.strftime("%H:%M")
        raise fail(f"{when} on {_fmt_day(day + extra)} has already passed.")
    return start


def _aware_unless_past(zone: _Zone, day: date, clock: time, now: datetime) -> datetime | None:
    """The wall time as an aware datetime; None when it lies in a DST change that is
    already behind us (then the caller moves on to the next occurrence instead)."""
    try:
        return zone.aware(day, clock)
    except ParseError:
        if datetime.combine(day, clock) < zone.wall(now):
            return None
        raise


def _finish(
    start: datetime,
    end: datetime | None,
    durations: list[Token],
    zone: _Zone,
    person_tz: str,
    default_duration: timedelta,
    fail,
) -> When:
    if end is None:
        if durations:
            minutes = durations[0].value
            if minutes <= 0:
                raise fail(f"The length {_quote(durations[0])} has to be more than zero.")
            if minutes > MAX_MINUTES:
                raise fail(f"The length {_quote(durations[0])} is longer than a day.")
            length = timedelta(minutes=round(minutes))
        else:
            length = default_duration
        end = start + length
    elif end - start > timedelta(minutes=MAX_MINUTES):
        raise fail("That is longer than a day; give a shorter range.")
    if end <= start:
        raise fail("The end has to be after the start.")
    if zone.offset is not None:
        name = zone_for_offset(zone.offset, start.astimezone(UTC), person_tz)
    else:
        name = zone.name or person_tz
    target = get_zone(name)
    return When(start.astimezone(target), end.astimezone(target), name)
