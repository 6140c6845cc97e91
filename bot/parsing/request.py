"""parse_request / parse_when: the public entry points of the parser."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from bot.parsing.grammar import (
    DATE,
    DAYPART,
    MASK,
    RANGE,
    RELSTART,
    TIME,
    ZONE,
    Scanner,
    numbered_thing_before,
    scan_time,
)
from bot.parsing.model import EXAMPLE, WHEN_EXAMPLE, AppointmentRequest, Attendee, ParseError
from bot.parsing.numbers import NUMBER_WORD, words
from bot.parsing.people import TIME_WORD as _TIME_WORD
from bot.parsing.people import merge_attendees, scan_people, unescape_slack
from bot.parsing.resolve import When, resolve
from bot.parsing.zones import get_zone, iana_zone

MAX_TEXT = 4000  # Slack caps slash-command text well below this
DATE_ORDERS = ("MDY", "DMY")

SUBJECT = "subject"
NOTES = "notes"
LOCATION = "location"
URL = "url"
FALLBACK_DAY = "fallback-day"  # a day phrase dateparser resolved
EMOJI = "emoji"  # a Slack emoji code (":tada:"), dropped
ZONE_NOTE = "zone-note"  # "(US and Canada)" after a zone, dropped

_QUOTED = re.compile(
    r"\"(?P<a>[^\"\x00]{1,200})\"|“(?P<b>[^”\x00]{1,200})”|(?<!\w)'(?P<c>[^'\x00]{1,200})'(?!\w)"
    r"|‘(?P<d>[^‘’\x00]{1,200})’(?!\w)"
)
_NOTES = re.compile(
    r"(?:(?<=\s)|^)(?:--|—)\s+(?P<v>[^\x00]+)$"
    r"|\b(?:notes?|agenda|description|details|desc)\s*:\s*(?P<w>[^\x00]+)$",
    re.I | re.S,
)
_URL = re.compile(
    r"\b(?:https?://[^\s\x00<>\"]+"
    r"|(?:[a-z0-9-]+\.)+(?:com|org|net|io|us|co|me|app|dev|ai|gl|ly|to|link|so)/[^\s\x00<>\"]*)",
    re.I,
)
_LOCATION_TAG = re.compile(
    r"\b(?:location|loc|where|place|venue|room)\s*[:=]\s*(?P<v>[^\x00;\n]+)", re.I
)
_WORD = re.compile(r"\S+")
_EMOJI_CODE = re.compile(
    r"(?<![\w:])(?::(?:(?=[a-z0-9_+'-]{0,60}[a-z])[a-z0-9_+'-]{1,60}|[+-]1):)+(?![\w:])"
)
_UNMASKED = re.compile(r"[^\x00]+")
_SUBJECT_TAG = re.compile(r"\b(?:subject|title|topic)\s*:\s*(?P<v>[^\x00,;\n]+)", re.I)
_LOCATION_PREP = re.compile(r"(?:^|(?<=[\s(]))(?P<prep>at|in|@)\s+(?=[^\s\x00])", re.I)
_URL_LABEL = re.compile(
    r"\b(?:(?:zoom|google\s+meet|meet|teams|webex)(?:\s+(?:link|url))?|link|join|url|video"
    r"|dial[- ]in|call\s+link)"
    r"\s*:\s*(?=\x00)"
    r"|\b(?:(?:zoom|google\s+meet|meet|teams|webex)\s+)?(?:link|url)\s*(?=\x00)",
    re.I,
)
# "Conference Room B", "Room 4B"; lower-case "room 4b" only with a digit in its name.
_ROOM = re.compile(
    r"\b(?:[A-Z][a-z]+\s+)?Room\s+[A-Z0-9][\w-]{0,8}\b|\broom\s+(?=[\w-]*[0-9])[a-z0-9][\w-]{0,8}\b"
)
_VIDEO = re.compile(
    r"\b(?:on|via|over|in|using)\s+(?P<v>zoom|google\s+meet|g?meet|microsoft\s+teams|ms\s+teams"
    r"|teams|webex|skype|hangouts|a\s+huddle|huddle|the\s+phone|phone)\b",
    re.I,
)
_LOCATION_NOUNS = words(
    "room rooms office hq headquarters building bldg floor lobby cafe café cafeteria "
    "canteen kitchen lounge hall suite studio library boardroom lab desk restaurant bar "
    "pub park garden campus center centre auditorium reception terrace rooftop space "
    "huddle booth pod conf conference wework coworking hotel store shop diner bistro "
    "coffeeshop st street ave avenue rd road blvd boulevard gate terminal entrance station "
    "airport atrium"
)
_STOP = words(
    "with for on about to and from re regarding at in by until till between or w/ via cc "
    "including invite inviting plus"
)
_EDGE_WORDS = words(
    "with on at for from to and in by between until till @ & starting around via w/ w "
    "invite inviting cc plus including incl or , - re: about: the re fwd fw pls plz please "
    "thx thanks ty approx approximately"
)
_LEADING_VERBS = re.compile(
    r"^(?:/meet\s+)?(?:(?:hey|hi|hello|yo)\b[,!]?\s+)?(?:please\s+|pls\s+)?"
    r"(?:(?:(?:can|could|would)\s+you\s+(?:please\s+|pls\s+)?)?(?:schedule|book|set\s+up|setup"
    r"|arrange|organi[sz]e|create|add|put\s+in)\s+)(?:an?\s+|the\s+)?",
    re.I,
)
_EDGE_PUNCT = " \t\n,;:.!?-–—()[]{}|/\\\"'+*`~_…"
# Time words the grammar did not take. Deliberately narrow: "PM sync", "Coffee with June"
# and "Weekend plans" are subjects, not times.
_MONTH_NAME = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
)
_LEFTOVER_TEMPORAL = re.compile(
    r"\b(?:today|tomorrow|tonight|yesterday|tmrw|noon|midnight|o'?clock"
    r"|next\s+(?:week|month|year|weekend)|this\s+(?:weekend|month|year)"
    r"|[0-9]+\s*(?:am|pm|a\.m|p\.m)|[0-9]{1,2}:[0-5][0-9]"
    rf"|(?:in|on|during|early|late|mid|end\s+of)\s+{_MONTH_NAME}"
    r"|[0-9]+\s*(?:days?|weeks?|months?|years?|fortnights?)|fortnight"
    rf"|(?:{NUMBER_WORD}|couple|few)\s+(?:of\s+)?(?:days?|weeks?|months?|years?)"
    r"(?:\s+(?:later|after|from|ago))?"
    r"|an?\s+(?:day|week|month|year)\s+(?:later|after|from|ago)"
    # A length the grammar could not read ("for ninety minutes", "a few hours") must not
    # become the default length; "one hundred" before a length it did read neither.
    rf"|(?:{NUMBER_WORD}|[0-9]+|an?|few|couple|several|some|many|sixty|seventy|eighty|ninety)"
    r"(?:\s+of)?\s+(?:minutes?|mins?|hours?|hrs?)|hundred(?:\s+and)?(?=\s*(?:\x00|$))"
    r"|end\s+of\s+(?:the\s+)?(?:day|week|month)|eod|eow|asap|all[\s-]day"
    # A window, not a start: "after 2pm", "before noon", "2pm or later", "3pm at the latest"
    r"|(?:after|before|(?:not|no)\s+(?:later|earlier)\s+than|not\s+(?:before|after)|earliest"
    r"|latest)(?=\s*(?:\x00|$))"
    r"|(?<=\x00\s)(?:or\s+(?:later|earlier|after|before)|(?:at\s+the\s+)?(?:latest|earliest))"
    # "the next day": next after which day? never dropped
    r"|(?:the\s+)?(?:next|following|previous)\s+day"
    # "Friday week", "a week Friday" (British: a week after that day): never dropped
    r"|(?<=\x00\s)week(?=\s*(?:$|\x00|[,.;!?)]))|a\s+week(?=\s*(?:\x00|$))"
    r"|week\s+after|after\s+next|(?:first|second|third|fourth|last)\s+(?:week|weekend)"
    # "week from Monday": the day is masked right after (the search ends at the fragment)
    r"|(?:days?|weeks?)\s+from(?=\s*(?:\x00|$))"
    r"|(?!24/7\b)(?:[0-2]?[0-9]|3[01])/(?:[0-2]?[0-9]|3[01])(?:/[0-9]{2,4})?"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+[0-9]{1,2}"
    r"(?:st|nd|rd|th)?"
    r"|[0-9]{1,2}(?:st|nd|rd|th)?(?:\s+(?:of\s+)?|-)(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"|for\s+(?:15|20|25|30|40|45|50|60|75|90|120)(?![0-9.]|\s*[a-z]))\b",
    re.I,
)


_WINDOW = re.compile(
    r"(?:or\s+)?(?:after|before|later|earlier)|(?:not|no)\s+(?:later|earlier)\s+than"
    r"|not\s+(?:before|after)|(?:at\s+the\s+)?(?:latest|earliest)",
    re.I,
)
_WINDOW_BEFORE_TIME = re.compile(
    r"after|before|(?:not|no)\s+(?:later|earlier)\s+than|not\s+(?:before|after)|earliest|latest",
    re.I,
)
_RECURRING = re.compile(
    r"\bevery\s+(?:other\s+|single\s+)?(?:day|week|month|morning|afternoon|evening|weekday"
    r"|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\b(?:daily|weekly|biweekly|monthly)\s+(?:at|on)\b",
    re.I,
)


def _check_recurring(sc: Scanner, example: str) -> None:
    m = _RECURRING.search(sc.masked)
    if m is not None:
        raise ParseError(
            f"“{m.group()}” asks for a repeating meeting; I can only send one invitation "
            "at a time. Give one day.",
            example=example,
        )


# A /meet text names one appointment; a few dozen numbers or day words at most. More is
# not a meeting request (a pasted log, a table) and would only cost time to scan.
_SIGNALS = re.compile(
    r"[0-9]+|\b(?:today|tomorrow|tonight|noon|midnight|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*)\b",
    re.I,
)
MAX_SIGNALS = 60


def _check_size(text: str, example: str) -> None:
    if len(text) > MAX_TEXT:
        raise ParseError(
            f"That is too long ({len(text)} characters); keep it under {MAX_TEXT}.",
            example=example,
        )
    for count, _ in enumerate(_SIGNALS.finditer(text), start=1):
        if count > MAX_SIGNALS:
            raise ParseError(
                f"That has more than {MAX_SIGNALS} numbers and day words; I read one "
                "appointment at a time.",
                example=example,
            )


def _person_zone(tz: str, example: str) -> str:
    """The person's zone, spelled as IANA spells it ("america/new_york" -> "America/New_York")."""
    if not isinstance(tz, str) or not tz.strip():
        raise ParseError("I don't know your time zone.", example=example)
    name = iana_zone(tz.strip())
    if name is None:
        raise ParseError(f"I don't know the time zone {tz!r}.", example=example)
    return name


def _check_args(now: datetime, default_duration: timedelta, date_order: str) -> None:
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise TypeError("now must be a timezone-aware datetime")
    if default_duration <= timedelta(0):
        raise ValueError("default_duration must be positive")
    if date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {DATE_ORDERS}")


def _scan_notes(sc: Scanner) -> str | None:
    m = _NOTES.search(sc.masked)
    if m is None:
        return None
    group = "v" if m.group("v") is not None else "w"
    value = " ".join(m.group(group).split())
    sc.consume(m.start(), m.end(), NOTES, value)
    return value or None


def _scan_quoted_subject(sc: Scanner) -> str | None:
    for m in _QUOTED.finditer(sc.masked):
        value = " ".join(
            (m.group("a") or m.group("b") or m.group("c") or m.group("d") or "").split()
        )
        if value:
            sc.consume(m.start(), m.end(), SUBJECT, value)
            return value
    return None


def _scan_urls(sc: Scanner) -> list[str]:
    urls = []
    for m in _URL.finditer(sc.masked):
        url = m.group().rstrip(".,;:!?)]'\"")
        urls.append(url)
        sc.consume(m.start(), m.start() + len(url), URL, url)
    for m in _URL_LABEL.finditer(sc.masked):  # "Zoom: <link>": the label goes with the link
        sc.consume(m.start(), m.end(), URL, None)
    return urls


def _scan_emoji_codes(sc: Scanner) -> None:
    """Slack sends emoji in commands as ":tada:"; in a calendar title they stay text, so drop.

    Unicode emoji are kept: calendars show those.
    """
    for m in _EMOJI_CODE.finditer(sc.masked):
        sc.consume(m.start(), m.end(), EMOJI, None)


# Zoom's invitations say "Pacific Time (US and Canada)"; the bracket only qualifies the zone.
_ZONE_QUALIFIER = re.compile(r"\(\s*US\s*(?:&|and)\s*Canada\s*\)", re.I)


def _scan_zone_qualifier(sc: Scanner) -> None:
    for m in _ZONE_QUALIFIER.finditer(sc.masked):
        if sc.kind_before(m.start()) == ZONE:
            sc.consume(m.start(), m.end(), ZONE_NOTE, None)


# Slack's _italic_ and ~strike~ marks glue to words ("_tomorrow_" would hide the day).
_SLACK_STYLE = re.compile(r"(?<![\w\x00])[_~]+(?=[^\s_~\x00])|(?<=[^\s_~\x00])[_~]+(?![\w\x00])")


def _drop_slack_styling(sc: Scanner) -> None:
    """Blank Slack's italic/strike marks (after links and emails took theirs)."""
    sc.masked = _SLACK_STYLE.sub(lambda m: " " * len(m.group()), sc.masked)


def _scan_location(sc: Scanner, *, have_url: bool = False) -> str | None:
    """The place; "on Zoom" gives way to a link when there is one ("on meet <url>")."""
    m = _LOCATION_TAG.search(sc.masked)
    if m is not None:
        value = _trim_phrase(m.group("v"))
        if value:
            sc.consume(m.start(), m.start("v") + len(m.group("v").rstrip()), LOCATION, value)
            return value
    for m in _LOCATION_PREP.finditer(sc.masked):
        found = _place_after(sc, m)
        if found:
            return found
    m = _ROOM.search(sc.masked)
    if m is not None:  # "Conference Room B" without "in"/"at"
        sc.consume(m.start(), m.end(), LOCATION, m.group())
        return m.group()
    m = _VIDEO.search(sc.masked)
    if m is not None:
        value = " ".join(m.group("v").split())
        sc.consume(m.start(), m.end(), LOCATION, value)
        return None if have_url else value
    return None


def _scan_subject_tag(sc: Scanner) -> str | None:
    """An explicit "subject: Budget review" / "title: ..." (up to the next phrase or comma)."""
    m = _SUBJECT_TAG.search(sc.masked)
    if m is None:
        return None
    value = _trim_phrase(m.group("v"))
    if not value:
        return None
    sc.consume(m.start(), m.start("v") + len(m.group("v").rstrip()), SUBJECT, value)
    return value


def _trim_phrase(value: str) -> str:
    tokens = value.split()
    while tokens and tokens[-1].lower().strip(_EDGE_PUNCT) in _STOP:
        tokens.pop()
    return " ".join(tokens).strip(_EDGE_PUNCT)


def _place_after(sc: Scanner, m: re.Match[str]) -> str | None:
    """A place after "at"/"in": "Room 4B", "the main office", "Blue Bottle"."""
    prep = m.group("prep").lower()
    pos = m.end()
    taken: list[tuple[str, int, int]] = []
    for wm in _WORD.finditer(sc.masked[pos : pos + 120]):
        word = wm.group()
        if MASK in word:
            break
        bare = word.rstrip(",;.!?)")
        if bare.lower() in _STOP or not bare:
            break
        taken.append((bare, pos + wm.start(), pos + wm.start() + len(bare)))
        if bare != word or len(taken) == 6:
            break
    if not taken:
        return None
    lowered = [re.sub(r"['’]s$", "", w.lower()) for w, _, _ in taken]
    has_noun = any(w in _LOCATION_NOUNS for w in lowered)
    content = [w for w, _, _ in taken if w.lower() not in ("the", "a", "our", "my")]
    if prep in ("at", "@"):
        # "at Blue Bottle", "at 1 Market St"
        proper = bool(content) and all(w[0].isupper() or w[0].isdigit() for w in content)
        proper = proper and (content[0][0].isupper() or has_noun)
    else:
        # "in Seattle", "in the Atrium"; not "in June", "in Q3"
        proper = bool(content) and all(
            w[0].isupper() and w.isalpha() and not _TIME_WORD.match(w) for w in content
        )
    if not (has_noun or proper):
        return None
    value = " ".join(w for w, _, _ in taken)
    sc.consume(m.start(), taken[-1][2], LOCATION, value)
    return value


def _fragments(sc: Scanner) -> list[tuple[str, int]]:
    """The words no pattern took, as runs between consumed phrases, with their offsets."""
    return [(f.group(), f.start()) for f in _UNMASKED.finditer(sc.masked)]


def _clean(fragment: str) -> str:
    """A leftover piece without connecting words and punctuation at its edges."""
    tokens = fragment.split()
    changed = True
    while tokens and changed:
        changed = False
        for index in (0, -1):
            if not tokens:
                break
            word = tokens[index].strip(_EDGE_PUNCT).lower()
            if word in _EDGE_WORDS or not word:
                tokens.pop(index)
                changed = True
    return _strip_edges(" ".join(tokens))


_PAIRS = {"(": ")", "[": "]", ")": "(", "]": "["}


def _strip_edges(text: str) -> str:
    """Punctuation off both ends, except brackets that pair up: "call (acme)", "(Draft) plan"."""
    text = text.strip()
    start, end = 0, len(text)
    while start < end and text[start] in _EDGE_PUNCT + " ":
        if text[start] in "([" and _PAIRS[text[start]] in text[start + 1 : end]:
            break
        start += 1
    while end > start and text[end - 1] in _EDGE_PUNCT + " ":
        if text[end - 1] in ")]" and _PAIRS[text[end - 1]] in text[start : end - 1]:
            break
        end -= 1
    return text[start:end]


def _fallback_day(fragment: str, now: datetime) -> date | None:
    """Ask dateparser about a day phrase the grammar left ("may 5th", "2 days later").

    Only a result that names a single day is used; vaguer ones ("next month") are not.
    dateparser is imported here, on first need, so start-up stays fast.
    """
    if _BARE_COUNT.match(fragment) or not re.search(r"[a-z]", fragment, re.I):
        # "3 days" alone says how long or how far, not which day; numeric dates are the
        # grammar's (only it knows the configured day/month order).
        return None
    from dateparser.date import DateDataParser

    parser = DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": now.replace(tzinfo=None),
            "PREFER_DATES_FROM": "future",
            "RETURN_TIME_AS_PERIOD": True,
        },
    )
    try:
        data = parser.get_date_data(fragment)
    except (ValueError, OverflowError, TypeError):
        return None
    if data is None or data.date_obj is None or data.period != "day":
        return None
    return data.date_obj.date()


# "3pm for 2": a length without a unit, right after the time.
_UNITLESS_LENGTH = re.compile(r"\s*(for\s+[0-9]{1,3}(?:\.[0-9]+)?)\s*(?:$|[,;.])")
_BARE_COUNT = re.compile(r"^\s*(?:[0-9]+\s*|an?\s+)(?:days?|weeks?|months?|years?)\s*$", re.I)


# What is left of an address the email pass did not take: "ann@x", "ann@@x.com".
_BROKEN_EMAIL = re.compile(r"(?<![\w@])[\w.%+'-]{1,64}@+[\w-]+(?:\.[\w-]*)*")
_USER_GROUP = re.compile(r"<!subteam\^[A-Za-z0-9]{1,40}(?:\|(?P<label>[^<>\n]{0,100}))?>")


def warm_up() -> None:
    """Load what the first parse would otherwise load (zone data, dateparser's English data).

    Optional: a server calls it once at start-up so no /meet pays ~150 ms for it.
    """
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    parse_request("Warm-up <@U1> tomorrow 3pm ET for 30m", now=now, tz="UTC")
    _fallback_day("the 3rd of next month", now)


# Holidays name a day the grammar does not compute; with no other day in the text they
# are refused ("NYE 8pm"), never dropped. Beside a day they are a subject ("Christmas
# party tomorrow 3pm").
_HOLIDAY = re.compile(
    r"\b(?:new\s+years?['’]?s?(?:\s+(?:day|eve))?|nye|christmas(?:\s+(?:day|eve))?|xmas"
    r"|boxing\s+day|thanksgiving|easter(?:\s+(?:sunday|monday))?|good\s+friday|halloween"
    r"|valentine['’]?s(?:\s+day)?|independence\s+day|memorial\s+day|labou?r\s+day"
    r"|mlk\s+day|juneteenth|hanukkah|diwali|eid)\b",
    re.I,
)
# "4.24 at 1pm", "4-24 at 1pm": two numbers right before the time, no other day given.
_NUMBER_PAIR = re.compile(r"(?<![\w.\-/:#])[0-9]{1,2}[-.][0-9]{1,2}(?![\w.\-/:])")


def _check_number_pair_date(sc: Scanner, example: str) -> None:
    """A day written as "4.24" or "4-24" right before the time is refused, never dropped.

    Dashes and dots between two numbers are also versions and ranges ("Sprint 3-4",
    "v2.3"), so only a pair straight before the clock time, not after a numbered
    thing, counts.
    """
    for m in _NUMBER_PAIR.finditer(sc.masked):
        if sc.kind_after(m.end()) in (TIME, RANGE) and not numbered_thing_before(sc, m.start()):
            raise ParseError(
                f"Is “{m.group()}” a date? Write it with a month name (“Apr 24”) or a slash "
                "(“4/24”).",
                example=example,
            )


def _leftover_time_words(sc: Scanner, now: datetime, tz: str, example: str) -> date | None:
    """Time words the grammar could not place are an error, never silently dropped.

    The one exception: when the grammar found no day at all, dateparser may read the
    phrase as one (then it is the day, returned here).
    """
    found: date | None = None
    if not sc.of_kind(DATE):
        _check_number_pair_date(sc, example)
        holiday = _HOLIDAY.search(sc.masked)
        if holiday is not None:
            raise ParseError(
                f"Which day is “{holiday.group()}”? Write the date instead, e.g. “Dec 31 8pm”.",
                example=example,
            )
    for fragment, offset in _fragments(sc):
        unitless = _UNITLESS_LENGTH.match(fragment)
        if unitless and sc.kind_before(offset) in (TIME, RANGE):
            raise ParseError(
                f"How long is “{unitless.group(1)}”? Add a unit, e.g. “for 2 hours” or "
                "“for 30 min”.",
                example=example,
            )
        end = offset + len(fragment)
        m = _LEFTOVER_TEMPORAL.search(sc.masked, offset, end)
        while m is not None:
            if found is None and not sc.of_kind(DATE):
                found = _fallback_day(m.group(), now.astimezone(get_zone(tz)))
                if found is not None:
                    sc.consume(m.start(), m.end(), FALLBACK_DAY, found)
                    m = _LEFTOVER_TEMPORAL.search(sc.masked, m.end(), end)
                    continue
            if _WINDOW.fullmatch(m.group()):
                if _WINDOW_BEFORE_TIME.fullmatch(m.group()) and not sc.masked[
                    m.end() :
                ].lstrip().startswith(MASK):
                    # "drinks after" at the end of the text: a subject, not "after 2pm"
                    m = _LEFTOVER_TEMPORAL.search(sc.masked, m.end(), end)
                    continue
                raise ParseError(
                    f"“{' '.join(m.group().split())}” gives a window, not a time; tell me when "
                    "it starts.",
                    example=example,
                )
            raise ParseError(
                f"I couldn't understand “{m.group()}” in “{_clean(fragment)}”.", example=example
            )
    return found


# Between "1pm PT" and "4pm ET" when one restates the other: "/", "(", "=", ",", "|".
_RESTATE_GAP = re.compile(r"^[\s/(=,|]*$")


def _restated(sc: Scanner) -> tuple[Scanner, Scanner, str, str] | None:
    """ "1pm PT / 4pm ET", "4pm ET (1pm PT)": one moment written in two zones.

    Returns two scanners, each with one of the two (time, zone) pairs, and the pairs'
    texts; None when the text is not shaped like that.
    """
    starts = sorted((t for t in sc.tokens if t.kind in (TIME, RANGE)), key=lambda t: t.start)
    zones = sorted((t for t in sc.tokens if t.kind == ZONE), key=lambda t: t.start)
    if len(starts) != 2 or len(zones) != 2:
        return None
    (s1, s2), (z1, z2) = starts, zones
    if not (s1.end <= z1.start and z1.end <= s2.start and s2.end <= z2.start):
        return None
    if sc.kind_after(s1.end) != ZONE or sc.kind_after(s2.end) != ZONE:
        return None
    gap = sc.masked[z1.end : s2.start]
    if not _RESTATE_GAP.match(gap) or sc.masked[s2.end : z2.start].strip(" ("):
        return None
    first, second = Scanner(sc.text), Scanner(sc.text)
    first.masked = second.masked = sc.masked
    first.tokens = [t for t in sc.tokens if t is not s2 and t is not z2]
    second.tokens = [t for t in sc.tokens if t is not s1 and t is not z1]

    def said(a: int, b: int) -> str:
        return " ".join(sc.text[a:b].split()).strip("()[] ")

    return first, second, said(s1.start, z1.end), said(s2.start, z2.end)


# "Fri 11pm - Sat 1am", "2026-04-17T15:00/2026-04-17T16:00": a day and a time on each side.
_INTERVAL_GAP = re.compile(r"^\s*(?:-|–|—|/|to|till|until|through|thru)\s*$", re.I)
_SIDE_KINDS = (DATE, TIME, ZONE, DAYPART)


def _interval(sc: Scanner) -> tuple[Scanner, Scanner] | None:
    """Split "<day> <time> - <day> <time>" into a scanner for each side, or None.

    A zone written on one side only is shared by both ("fri 11pm - sat 1am ET").
    """
    if sc.of_kind(RANGE, RELSTART) or len(sc.of_kind(TIME)) != 2 or len(sc.of_kind(DATE)) != 2:
        return None
    side = sorted((t for t in sc.tokens if t.kind in _SIDE_KINDS), key=lambda t: t.start)
    for i in range(1, len(side)):
        left, right = side[:i], side[i:]
        kinds_left = [t.kind for t in left]
        kinds_right = [t.kind for t in right]
        if not all(k.count(DATE) == 1 and k.count(TIME) == 1 for k in (kinds_left, kinds_right)):
            continue
        if not _INTERVAL_GAP.match(sc.masked[left[-1].end : right[0].start]):
            continue
        zones_left = [t for t in left if t.kind == ZONE]
        zones_right = [t for t in right if t.kind == ZONE]
        others = [t for t in sc.tokens if t.kind not in _SIDE_KINDS]
        first, second = Scanner(sc.text), Scanner(sc.text)
        first.masked = second.masked = sc.masked
        first.tokens = others + left + (zones_right if not zones_left else [])
        second.tokens = others + right + (zones_left if not zones_right else [])
        return first, second
    return None


def _resolve(sc: Scanner, **kwargs) -> When:
    """resolve(), also for one moment restated in a second zone (both must agree) and for
    an interval written with a day on each side."""
    sides = _interval(sc)
    if sides is not None:
        begin, finish = resolve(sides[0], **kwargs), resolve(sides[1], **kwargs)
        end = finish.start.astimezone(begin.start.tzinfo)
        if not timedelta(0) < end - begin.start <= timedelta(hours=24):
            raise ParseError(
                "The end must come after the start and within 24 hours.",
                example=kwargs["example"],
            )
        return When(begin.start, end, begin.timezone)
    pairs = _restated(sc)
    if pairs is None:
        return resolve(sc, **kwargs)
    first, second, first_text, second_text = pairs
    one, other = resolve(first, **kwargs), resolve(second, **kwargs)
    if (one.start, one.end) != (other.start, other.end):
        raise ParseError(
            f"I found two times, “{first_text}” and “{second_text}”, that are not the same "
            "moment; give only one.",
            example=kwargs["example"],
        )
    return one


def _subject(sc: Scanner) -> str:
    parts = [_clean(fragment) for fragment, _ in _fragments(sc)]
    subject = " ".join(p for p in parts if p)
    stripped = _strip_edges(_LEADING_VERBS.sub("", subject, count=1))
    if stripped != subject and stripped:
        # "schedule a call with ..." -> "Call": what is left is the title, so it starts
        # with a capital like every other title.
        stripped = stripped[0].upper() + stripped[1:]
    if stripped.lower() in ("meet", "meeting with", "a meeting", "schedule", "book"):
        return ""
    return stripped[:250].strip()


def _fallback_subject(attendees: list[Attendee]) -> str:
    names = [a.name or (a.email.split("@")[0] if a.email else None) for a in attendees]
    names = [n for n in names if n]
    if not names:
        return "Meeting"
    if len(names) == 1:
        return f"Meeting with {names[0]}"
    if len(names) <= 3:
        return f"Meeting with {', '.join(names[:-1])} and {names[-1]}"
    return f"Meeting with {', '.join(names[:2])} and {len(names) - 2} others"


# A time could be in (short) notes: then the dashes were separators, see parse_request.
# The length bound keeps the second scan off long pasted texts.
_NOTES_TIME = re.compile(
    r"[0-9]|\b(?:today|tonight|tomorrow|tmrw|noon|midnight|mon|tue|wed|thu|fri|sat|sun)", re.I
)


def _scan_request(
    clean: str, date_order: str, *, with_notes: bool
) -> tuple[Scanner, list[tuple[int, Attendee]], str | None, str | None, list[str]]:
    """People, notes, quoted subject, links and time phrases of a /meet text, in that order."""
    sc = Scanner(clean)
    people = scan_people(sc)
    notes = _scan_notes(sc) if with_notes else None
    quoted = _scan_quoted_subject(sc)
    urls = _scan_urls(sc)
    _scan_emoji_codes(sc)
    _drop_slack_styling(sc)
    _check_recurring(sc, EXAMPLE)
    scan_time(sc, date_order)
    return sc, people, notes, quoted, urls


def parse_request(
    text: str,
    *,
    now: datetime,
    tz: str,
    default_duration: timedelta = timedelta(minutes=30),
    date_order: str = "MDY",
) -> AppointmentRequest:
    """Read a /meet text: subject, attendees, start/end in a zone, location and notes."""
    _check_args(now, default_duration, date_order)
    if not isinstance(text, str) or not text.strip():
        raise ParseError("Tell me what to schedule and when.")
    _check_size(text, EXAMPLE)
    tz = _person_zone(tz, EXAMPLE)
    if group := _USER_GROUP.search(text):
        # Slack sends "@eng" as a user group token; nobody in it would be invited.
        label = (group.group("label") or "").strip() or "a user group"
        raise ParseError(
            f"I can't invite a user group ({label}); mention the people (@ann @bob) or type "
            "their email addresses."
        )

    clean, users, link_urls = unescape_slack(text.replace(MASK, " "))
    sc, people, notes, quoted, urls = _scan_request(clean, date_order, with_notes=True)
    retry = notes is not None and len(notes) <= 300 and _NOTES_TIME.search(notes)
    if retry and not sc.of_kind(TIME, RANGE, RELSTART):
        # "Intro call — John <j@x.io> — Tue 10am": the dashes only separated the parts;
        # the notes cannot hold the one time the text gives.
        sc, people, notes, quoted, urls = _scan_request(clean, date_order, with_notes=False)
    urls = link_urls + urls
    if broken := _BROKEN_EMAIL.search(sc.masked):
        # "with ann@x": not an address, and never silently left in the subject
        raise ParseError(f"“{broken.group()}” is not an email address I can invite.")
    _scan_zone_qualifier(sc)
    location = _scan_location(sc, have_url=bool(urls))
    tagged = None if quoted else _scan_subject_tag(sc)
    fallback = _leftover_time_words(sc, now, tz, EXAMPLE)
    when = _resolve(
        sc,
        now=now,
        tz=tz,
        default_duration=default_duration,
        example=EXAMPLE,
        fallback_day=fallback,
    )
    attendees = merge_attendees([a for _, a in sorted(users + people, key=lambda p: p[0])])
    if location is None and urls:
        location, urls = urls[0], urls[1:]
    if urls:
        links = "\n".join(urls)
        notes = f"{notes}\n{links}" if notes else links
    subject = quoted or tagged or _subject(sc)
    is_fallback = not subject
    if is_fallback:
        subject = _fallback_subject(attendees)
    return AppointmentRequest(
        subject=subject,
        subject_is_fallback=is_fallback,
        start=when.start,
        end=when.end,
        timezone=when.timezone,
        attendees=attendees,
        location=location,
        notes=notes,
    )


def parse_when(
    text: str,
    *,
    now: datetime,
    tz: str,
    default_duration: timedelta = timedelta(minutes=30),
    date_order: str = "MDY",
) -> tuple[datetime, datetime, str]:
    """Read only a time ("tomorrow 4pm", "Friday 10-11 ET") for rescheduling."""
    _check_args(now, default_duration, date_order)
    if not isinstance(text, str) or not text.strip():
        raise ParseError("Give the new time.", example=WHEN_EXAMPLE)
    _check_size(text, WHEN_EXAMPLE)
    tz = _person_zone(tz, WHEN_EXAMPLE)
    clean, _, _ = unescape_slack(text.replace(MASK, " "))
    sc = Scanner(clean)
    _drop_slack_styling(sc)
    try:
        _check_recurring(sc, WHEN_EXAMPLE)
        scan_time(sc, date_order)
        fallback = _leftover_time_words(sc, now, tz, WHEN_EXAMPLE)
        when = _resolve(
            sc,
            now=now,
            tz=tz,
            default_duration=default_duration,
            example=WHEN_EXAMPLE,
            fallback_day=fallback,
        )
    except ParseError as exc:
        if exc.example == WHEN_EXAMPLE:
            raise
        # Zone lookups raise with the /meet example; a reschedule needs a time example.
        raise ParseError(exc.problem, example=WHEN_EXAMPLE) from None
    return when.start, when.end, when.timezone
