"""Find the time phrases in a text: days, clock times, ranges, durations and zones.

The scanner runs a fixed sequence of precompiled patterns over the text. Each phrase
it accepts is blanked out (replaced by NUL characters of the same length), so later
patterns cannot reuse its words and the positions of every phrase stay valid; what is
left over afterwards is the subject. Nothing here decides which day a phrase means:
that is :mod:`bot.parsing.resolve`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.parsing.model import ParseError
from bot.parsing.numbers import (
    HOUR_WORD,
    NUMBER,
    NUMBER_WORD,
    ORDINAL_WORD,
    number,
    ordinal,
    word_number,
    words,
)
from bot.parsing.zones import (
    DST_SIDE,
    WEAK_ABBREVIATIONS,
    abbreviation_zone,
    iana_zone,
    spoken_zone,
)

MASK = "\x00"
_I = re.IGNORECASE
_IX = re.IGNORECASE | re.VERBOSE

# Token kinds
DATE = "date"  # a day: value is a DateSpec
TIME = "time"  # a start clock time: value is a Clock
RANGE = "range"  # value is (Clock, Clock)
END = "end"  # "until 5pm": value is (keyword, Clock)
DURATION = "duration"  # value is minutes (int)
RELSTART = "relstart"  # "in 2 hours": value is minutes from now
ZONE = "zone"  # value is ("iana", name, summer time or None) or ("offset", minutes, None)
DAYPART = "daypart"  # value is "am", "pm" or "night" (pm, but "12 tonight" is midnight)
OWN_ZONE = "own-zone"  # "my time": says the default out loud; no value

TEMPORAL = frozenset({DATE, TIME, RANGE, END, DURATION, RELSTART, DAYPART})


@dataclass(frozen=True)
class Clock:
    """A time of day as written. ``explicit`` is False for a bare hour ("at 3", "3:30")."""

    hour: int
    minute: int = 0
    meridiem: str | None = None  # "am" | "pm"
    explicit: bool = True
    midnight: bool = False

    def hour24(self) -> int | None:
        """The hour on a 24-hour clock, or None when the reading still has to be decided."""
        if self.midnight:
            return 0
        if self.meridiem:
            return self.hour % 12 + (12 if self.meridiem == "pm" else 0)
        return self.hour if self.explicit else None


@dataclass(frozen=True)
class DateSpec:
    """A day as written. kind: abs | rel | weekday | dom | week."""

    kind: str
    day: date | None = None  # abs
    year_given: bool = False  # abs
    offset: int = 0  # rel: days from today
    weekday: int = 0  # weekday: Monday=0
    mode: str | None = None  # weekday: None|"this"|"next"|"afternext"|"last"; dom: "next"
    dom: int = 0  # dom: day of the month


@dataclass
class Token:
    kind: str
    start: int
    end: int
    value: Any
    text: str


# ---------------------------------------------------------------- pattern pieces
_AMPM = r"(?:(?:\s?(?P<ap>[ap])\.?m|(?P<ap1>[ap]))(?![a-z])\.?)"
# A clock time inside a range: 3, 3pm, 3:30, 15:00, 9.30am, noon, midnight.
_TS = (
    r"(?:(?:12|twelve)(?:[:.]00)?\s*noon|noon|midday|midnight|(?:[01]?[0-9]|2[0-3])(?:[:.][0-5][0-9])?"
    r"(?:\s?[ap]\.?m(?![a-z])\.?|[ap](?![a-z]))?)"
)
_AFTER_NUMBER = (
    r"(?![0-9a-z/%]|[:.][0-9])(?!\s*(?:%|people|persons|pax|guests|seats|mins?\b|minutes|"
    r"hours?|hrs?\b|days?\b|weeks?|months?|years?|x\b|st\b|nd\b|rd\b|th\b|times\b))"
)
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_WEEKDAY = (
    r"(?:monday|mon|tuesday|tues|tue|wednesday|weds|wed|thursday|thurs|thur|thu|friday|fri"
    r"|saturday|sat|sunday|sun)"
)
_ORD = r"(?:st|nd|rd|th)"


def _dur(p: str) -> str:
    """A duration; group names are prefixed with ``p`` so it can be embedded twice."""
    return rf"""(?:
        (?P<{p}h15>(?:an?|one)\s+hour\s+and\s+a\s+half|(?:an?|one)\s+and\s+a\s+half\s+hours?)
      | (?P<{p}hx>{NUMBER})\s+and\s+a\s+half\s+hours?(?![a-z])
      | (?P<{p}hf>(?:[0-9]{{1,2}}\s*)?(?:1/2|½))\s*(?:an?\s+)?(?:hours?|hrs?|h)(?![a-z])
      | (?P<{p}hl>(?:an?\s+|one[\s-])?hour[\s-]long)
      | (?P<{p}half>(?:a\s+)?half\s+(?:an?\s+)?hour)(?![a-z])
      | (?P<{p}q3>three\s+quarters\s+of\s+an?\s+hour)
      | (?P<{p}q>(?:an?\s+)?quarter\s+(?:of\s+an?\s+)?hour)(?![a-z])
      | (?P<{p}hn>{NUMBER}|\ban?(?=\s+hour))\s*-?\s*(?:hours?|hrs?|h)(?![a-z])
        (?:\s*(?:and\s+)?(?P<{p}hm>[0-9]{{1,2}}|{NUMBER_WORD})\s*-?\s*(?:minutes?|mins?|m)(?![a-z])
          |(?P<{p}hm2>[0-9]{{2}})(?![0-9a-z:.])
          |\s(?P<{p}hm3>[0-9]{{2}})(?![0-9a-z:.])(?!\s*(?:[a-z]|[ap]\.?m)))?
      | (?P<{p}mn>{NUMBER})\s*-?\s*(?:minutes?|mins?|m)(?![a-z])
    )"""


def duration_minutes(groups: dict[str, str | None], p: str) -> float | None:
    g = {k[len(p) :]: v for k, v in groups.items() if k.startswith(p) and v is not None}
    if "h15" in g:
        return 90
    if "hl" in g:
        return 60
    if "hf" in g:  # "1 1/2 hours", "1½ h", "½ hour"
        whole = g["hf"].replace("1/2", "").replace("½", "").strip()
        return (int(whole) if whole else 0) * 60 + 30
    if "hx" in g:
        n = number(g["hx"])
        return None if n is None else n * 60 + 30
    if "half" in g:
        return 30
    if "q3" in g:
        return 45
    if "q" in g:
        return 15
    if "hn" in g:
        hours = number(g["hn"])
        extra = g.get("hm") or g.get("hm2") or g.get("hm3")
        minutes = number(extra) if extra else 0
        if hours is None or minutes is None:
            return None
        return hours * 60 + minutes
    if "mn" in g:
        return number(g["mn"])
    return None


_WORD_MINUTE = r"(?:half|(?:a\s+)?quarter|" + NUMBER_WORD + r")"

# ---------------------------------------------------------------- compiled patterns
# Only the "T" form: in "2026-03-09 10:00-12:00" the "-12:00" is the end of a range.
_ISO_DATETIME = re.compile(
    r"(?<![0-9])(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})"
    r"T(?P<h>[0-9]{2}):(?P<mi>[0-9]{2})"
    r"(?::[0-9]{2}(?:\.[0-9]+)?)?(?P<z>Z|[+-][0-9]{2}:?[0-9]{2})?(?![0-9:])",
    _I,
)
_ISO_DATE = re.compile(
    r"(?<![0-9/.-])(?:\bon\s+)?(?P<y>[0-9]{4})(?P<s>[-/.])(?P<mo>[0-9]{1,2})(?P=s)(?P<d>[0-9]{1,2})"
    r"(?![0-9/-]|\.[0-9])",
    _I,
)
# "20260424": a compact ISO 8601 date (checked to be a real date when scanned)
_COMPACT_DATE = re.compile(
    r"(?<![0-9A-Za-z.:/-])(?P<y>20[0-9]{2})(?P<mo>[01][0-9])(?P<d>[0-3][0-9])(?![0-9A-Za-z.:/-])"
)
_MONTH_DAY = re.compile(
    rf"""\b(?:on\s+)?(?P<mon>{_MONTH})(?:\s+(?:the\s+)?|-(?=[0-9]))
    (?:(?P<d>[0-9]{{1,2}}){_ORD}?|(?P<dw>{ORDINAL_WORD}))(?![0-9a-z])
    (?!\s?(?:[:.h][0-9]|[ap]\.?m(?![a-z])))
    (?!\s*-?\s*(?:hours?|hrs?|h|minutes?|mins?|m)(?![a-z]))
    (?:,?\s+(?P<y>(?:19|20)[0-9]{{2}})(?![0-9:]|\s*(?:hrs|hours|h)\b))?""",
    _IX,
)
_DAY_MONTH = re.compile(
    rf"""(?<![0-9:.])(?<!\bat\s)(?<!@\s)(?<!@)(?:\bon\s+)?(?:\bthe\s+)?
    (?:(?P<d>[0-9]{{1,2}}){_ORD}?|(?P<dw>\b{ORDINAL_WORD}))(?:(?:\s+of)?\s+|-)(?P<mon>{_MONTH})
    (?![a-z])(?:(?:,?\s+|-)(?P<y>(?:19|20)[0-9]{{2}})(?![0-9:]|\s*(?:hrs|hours|h)\b))?""",
    _IX,
)
_NUMERIC_DATE = re.compile(
    r"(?<![0-9A-Za-z/.:])(?!24/7\b)(?:on\s+)?(?P<a>[0-9]{1,2})/(?P<b>[0-9]{1,2})(?:/(?P<y>[0-9]{4}|[0-9]{2}))?"
    r"(?![0-9A-Za-z/])(?!\s*(?:an?\s+)?(?:hours?|hrs?|h)\b)",
    _I,
)
_DOTTED_DATE = re.compile(
    r"(?<![0-9A-Za-z.:])(?:on\s+)?(?P<d>[0-9]{1,2})\.(?P<m>[0-9]{1,2})\.(?P<y>[0-9]{4}|[0-9]{2})?"
    r"(?![0-9A-Za-z])(?!\.[0-9])",
    _I,
)
_RELATIVE_DAY = re.compile(
    r"""\b(?:(?P<dat>(?:the\s+)?day\s+after\s+(?:tom+or+ow|tmrr?w|tmr|tmw|2mor+ow|2moro))
    |(?P<dby>(?:the\s+)?day\s+before\s+yesterday)
    |(?P<tom>tom+or+ow|tmrr?w|tmr|tmw|tmrow|2mor+ow|2moro|2mrw)
    |(?P<tod>today|2day|tdy|tonight|tonite|2nite)
    |(?P<yes>yesterday)
    |(?P<this>this\s+(?:morning|afternoon|evening))
    )\b""",
    _IX,
)
_IN_DAYS = re.compile(
    rf"""\b(?:in\s+(?P<n1>{NUMBER}|an?)\s+(?P<u1>days?|weeks?)(?:'?\s*time)?
    |(?P<n2>{NUMBER}|an?)\s+(?P<u2>days?|weeks?)\s+from\s+(?P<base>now|today|tomorrow))\b""",
    _IX,
)
_NEXT_WEEK_WEEKDAY = re.compile(
    rf"\b(?P<nw>next|nxt|this)\s+(?:week|wk)(?:\s*,)?\s+(?:on\s+)?(?P<wd>{_WEEKDAY})\b\.?", _I
)
_WEEKDAY_RE = re.compile(
    rf"""\b(?:(?P<mod>this\s+coming|this|next|nxt|coming|following|on|last|previous|past)\s+)?
    (?P<wd>{_WEEKDAY})\b\.?
    (?:\s+(?:of\s+)?(?P<after>(?:next|nxt)\s+(?:week|wk)|this\s+(?:week|wk)|after\s+next))?""",
    _IX,
)
_WEEK_ONLY = re.compile(r"\b(?:next|nxt|this|the\s+following)\s+(?:week|wk|month|year)\b", _I)
# A clock time that cannot be anything else, right ahead: "(,) (at|@) 3pm / 15:00 / noon".
_CLOCK_AHEAD_TEXT = (
    r"\s*,?\s*(?:at\s+|@\s*)?(?:noon|midday"
    r"|[0-9]{1,2}(?::[0-5][0-9])?\s?[ap]\.?m(?![a-z])|[0-9]{1,2}:[0-5][0-9])(?![0-9])"
)
_CLOCK_AHEAD = re.compile(_CLOCK_AHEAD_TEXT, _I)
_DAY_OF_MONTH = re.compile(
    rf"\b(?P<on>on\s+the|on|the)\s+(?:(?P<d>[0-9]{{1,2}}){_ORD}|(?P<dw>{ORDINAL_WORD})"
    rf"|(?<=\bthe\s)(?P<dn>[0-9]{{1,2}})(?={_CLOCK_AHEAD_TEXT}))"
    r"(?![a-z0-9])(?:\s+of\s+(?P<which>the|this|next)\s+month)?"
    # "the 4th floor", "the 2nd round", "the 3rd time": an ordinal before a noun that
    # counts something else is not a day of the month
    r"(?!\s+(?:floors?|level|storey|story|round|place|time|try|attempt|draft|edition"
    r"|anniversary|row|grade|gen|generation|version|iteration|sprint|week|quarter|qtr"
    r"|street|st|ave|avenue|annual|person|candidate|interview|session|call|meeting)\b)",
    _I,
)
# "Perf review 28th 3pm": an ordinal without "the"/"on" is a day of the month only
# right before such a clock time ("3rd floor" never is).
_BARE_ORDINAL = re.compile(
    rf"(?<![\w./:-])(?P<d>[0-9]{{1,2}}){_ORD}(?![\w])(?={_CLOCK_AHEAD_TEXT})", _I
)
# "from ten to eleven", "between two and three pm": number words as a range, only after
# "from"/"between" ("ten to eleven" alone is 10:50).
_WORD_RANGE = re.compile(
    rf"""\b(?:from|between)\s+(?P<a>{HOUR_WORD})(?:\s?(?P<apa>[ap])\.?m\.?)?
    \s+(?:to|till|until|and|-|–)\s+(?P<b>{HOUR_WORD})(?![a-z-]){_AMPM}?(?![a-z])""",
    _IX,
)
_END_KEYWORD_BEFORE = re.compile(
    r"\b(until|till|til|through|thru|ending(?:\s+at)?|ends?\s+at)\s+$", _I
)
_MONTH_BEFORE = re.compile(rf"\b{_MONTH}\s*$", _I)
_WORD_TIME = re.compile(
    rf"""(?:(?P<pre>\bat|@|\baround|\bby)\s*)?
    (?:(?P<min>{_WORD_MINUTE}|[0-9]{{1,2}}\s+minutes?|[0-9]{{1,2}}(?=\s+(?:past|after)))
       (?:\s+minutes?)?(?:\s+|-)(?P<dir>past|after|to|before|till|of)\s+
       (?P<hr>[0-9]{{1,2}}|{HOUR_WORD}|noon|midnight)(?![0-9a-z:])
     |(?P<hr2>[0-9]{{1,2}}|{HOUR_WORD})\s*o['’]?\s?clock
     |(?P<hr3>{HOUR_WORD})(?:[\s-](?P<mw>fifteen|thirty|forty[\s-]five|fifty|forty|twenty|ten
        |o['’]?[\s-]?(?:one|two|three|four|five|six|seven|eight|nine)))?(?=\s?[ap]\.?m(?![a-z]))
     |(?P<hr6>{HOUR_WORD})[\s-](?P<mw6>fifteen|thirty|forty[\s-]five|fifty|forty|twenty)
        (?![\s-]*(?:minutes?|mins?|hours?|people|[a-z]*teen)\b)
     |half\s+(?P<hr4>{HOUR_WORD}|[0-9]{{1,2}})(?![0-9a-z:])(?!\s+(?:an?\s+)?(?:hours?|hrs?)\b)
     |(?P<hr5>{HOUR_WORD})(?=\s*(?:$|[,.;!?)\x00]|(?:in\s+the|this|tonight|tomorrow|today)\b))
    )
    {_AMPM}?""",
    _IX,
)
# "10h-11h", "14h30-15h30": the French 24-hour style, both ends written with "h".
_H_RANGE = re.compile(
    r"(?<![0-9A-Za-z:.])(?P<ah>[01]?[0-9]|2[0-3])h(?P<am>[0-5][0-9])?\s*(?:-|–|—|\bto\b|\bà\b)\s*"
    r"(?P<bh>[01]?[0-9]|2[0-3])h(?P<bm>[0-5][0-9])?(?![0-9a-z])",
    _I,
)
_RANGE = re.compile(
    rf"""(?:(?P<pre>\bfrom|\bbetween|\bat|@|\bstarting|\bstarting\s+at)\s*)?(?<![0-9A-Za-z:./])
    (?P<a>{_TS})\s*(?P<sep>-|–|—|\bto\b|\btill\b|\btil\b|\buntil\b|\bthrough\b|\bthru\b|\band\b)\s*
    (?P<b>{_TS}){_AFTER_NUMBER}""",
    _IX,
)
_END = re.compile(
    rf"""(?P<kw>\buntil|\btill|\btil|\bto|\bthrough|\bthru|\bending(?:\s+at)?|\bends?\s+at|
    \bfinish(?:es|ing)?\s+(?:at|by)|\bdone\s+by)\s*(?<![0-9A-Za-z:./])
    (?P<b>{_TS}){_AFTER_NUMBER}""",
    _IX,
)
_DURATION = re.compile(
    rf"""(?:\b(?:for|lasting|takes?)\s+(?:about\s+|around\s+|approx(?:imately|\.)?\s+
    |roughly\s+|~\s*|just\s+|only\s+)?)?(?<![0-9A-Za-z.:])({_dur("d_")})
    (?:\s+long\b|\s+or\s+so\b|\s*-?ish\b)?""",
    _IX,
)
# "for 1:30" (hours:minutes) is a length; only with "for", or it is a clock time.
_HM_DURATION = re.compile(
    r"\bfor\s+(?P<h>[0-9]{1,2}):(?P<m>[0-5][0-9])(?:\s*(?:hours?|hrs?|h)\b)?(?!\s*[ap]\.?m)", _I
)
_RELSTART = re.compile(
    rf"""\bin\s+(?:about\s+|around\s+|~\s*)?(?<![0-9A-Za-z.:])({_dur("r_")})(?!\s+(?:meeting|call))
    |(?<![0-9A-Za-z.:])({_dur("s_")})\s+from\s+now\b""",
    _IX,
)
_TIME = re.compile(
    rf"""(?:(?P<pre>\bat|@|\baround|\babout|\bby|\bstarting(?:\s+at)?|\bstarts?\s+at
    |\bbeginning\s+at)\s*)?(?<![0-9A-Za-z:./])
    (?:(?P<mil>(?:[01][0-9]|2[0-3])[0-5][0-9])(?P<hrs>\s*(?:hrs|hours|h)\b)?
     |(?P<noon>(?:12|twelve)(?:[:.]00)?\s*noon|noon|midday)|(?P<midnight>12(?:[:.]00)?\s*midnight|midnight)
     |(?P<h>[0-9]{{1,2}})(?:(?P<sep>[:.h])(?P<m>[0-5][0-9])(?::[0-5][0-9])?)?{_AMPM}?
     |(?P<hh>[0-9]{{1,2}})h(?![a-z0-9:]))
    (?P<zulu>(?<=[0-9])Z\b)?
    (?:(?<=[0-9][0-9]:[0-9][0-9])\s?h(?:rs)?\b)?
    (?:\s?-?ish\b|\s+sharp\b)?
    (?P<dp>\s+in\s+the\s+(?:morning|afternoon|evening)|\s+at\s+night|\s+tonight)?
    {_AFTER_NUMBER}""",
    _IX,
)
_STREET = re.compile(
    r"\s+(?:[A-Z][\w'-]*\s+){1,3}(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Way|Lane|Ln"
    r"|Dr|Drive|Pl|Place|Sq|Square|Court|Ct|Pkwy|Parkway|Hwy|Highway)\b\.?"
)
_ZONE_REGIONS = frozenset(
    ["africa", "america", "antarctica", "asia", "atlantic", "australia", "europe", "indian"]
    + ["pacific", "etc"]
)
_WORD_BEFORE = re.compile(r"([A-Za-z#]+\.?)\s*$")
_NUMBERED = words(
    "room rooms floor suite building bldg level gate desk table platform no number nr ext "
    "sprint version v step phase page chapter pod booth huddle lab office studio hall area "
    "zone track q quarter item issue ticket pr # bug case part round release build"
)
_LENGTH_RANGE_BEFORE = re.compile(r"(?<![\w.:/])[0-9]{1,3}\s*(?:-|–|to|or)\s*$", _I)
_COMPACT_HOURS = re.compile(r"^([0-9]{1,2})h[0-9]{2}$", _I)
_CLOCK_HOURS = re.compile(r"^([0-9]{1,2})h$", _I)
_DAYPART = re.compile(r"\b(?:in\s+the\s+)?(?P<dp>morning|afternoon|evening|night)\b", _I)
_IANA = re.compile(
    r"(?<![\w/])\(?(?P<z>[A-Za-z][A-Za-z_\-]+(?:/[A-Za-z0-9_\-+]+){1,2})\)?(?![\w/])"
)
_UTC_OFFSET = re.compile(
    r"\(?\b(?:utc|gmt)\s*(?:(?P<s>[+\-−])\s*(?P<h>[0-9]{1,2})(?::?(?P<m>[0-9]{2}))?)?\)?(?![\w:])",
    _I,
)
# "+05:30" right after a time, after a space or in brackets; never glued to the time
# ("10:00-12:00" is a range).
_BARE_OFFSET = re.compile(
    r"(?<=[0-9mM.])(?:\s+\(?|\s*\()(?P<s>[+\-−])(?P<h>[0-9]{2}):?(?P<m>[0-9]{2})\)?(?![\w:])"
)
_OWN_TIME = re.compile(r"\(?\b(?:in\s+)?(?:my|our|local)\s+time(?:\s+zone)?\b\)?", _I)
_SPOKEN_ZONE = re.compile(
    r"\b(?:in\s+)?(?P<w>[a-z][a-z.']*(?:\s+[a-z][a-z.']*){0,2})\s+time\b(?:\s+zone\b)?", _I
)
_CITY_AFTER_TIME = re.compile(
    r"(?<![\w/])\(?(?P<city>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\)?(?![\w/])"
    r"(?!\s+(?:office|offices|hq|headquarters|team|campus|site|time)\b)"
)
# Upper-case words shaped like a zone abbreviation ("BRT", "NZST", "CHADT"); "IT" is too short.
_UNKNOWN_ABBREVIATION = re.compile(r"\(?\b(?P<a>[A-Z]{2,4}T)\b\)?")
_ABBREVIATION = re.compile(r"\(?\b(?P<a>[A-Za-z]{2,8})\b\)?")

_DAYPART_HINT = {
    "morning": "am",
    "afternoon": "pm",
    "evening": "pm",
    "night": "night",
    "tonight": "night",
    "tonite": "night",
}


class Scanner:
    """Holds the text, the masked copy and the tokens found so far."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.masked = text
        self.tokens: list[Token] = []

    def consume(self, start: int, end: int, kind: str, value: Any) -> None:
        self.masked = self.masked[:start] + MASK * (end - start) + self.masked[end:]
        self.tokens.append(Token(kind, start, end, value, self.text[start:end]))

    def kind_before(self, pos: int) -> str | None:
        """Kind of the token that ends just before ``pos`` (ignoring spaces, commas, brackets)."""
        i = pos - 1
        while i >= 0 and self.masked[i] in " \t,(":
            i -= 1
        if i < 0 or self.masked[i] != MASK:
            return None
        for token in self.tokens:
            if token.start <= i < token.end:
                return token.kind
        return None

    def kind_after(self, pos: int) -> str | None:
        i = pos
        n = len(self.masked)
        while i < n and self.masked[i] in " \t,)":
            i += 1
        if i >= n or self.masked[i] != MASK:
            return None
        for token in self.tokens:
            if token.start <= i < token.end:
                return token.kind
        return None

    def of_kind(self, *kinds: str) -> list[Token]:
        return [t for t in self.tokens if t.kind in kinds]


# ---------------------------------------------------------------- clocks
_CLOCK = re.compile(
    r"""^(?:(?P<noon>(?:12|twelve)(?:[:.]00)?\s*noon|noon|midday)|(?P<midnight>12(?:[:.]00)?\s*midnight|midnight)
    |(?P<h>[0-9]{1,2})(?:(?P<sep>[:.h])(?P<m>[0-5][0-9])(?::[0-5][0-9])?)?
     (?:\s?(?P<ap>[ap])\.?m\.?|(?P<ap1>[ap]))?)$""",
    _IX,
)


def parse_clock(text: str) -> Clock | None:
    """A clock time from a short string ("3", "3pm", "15:00", "9.30am", "noon")."""
    m = _CLOCK.match(text.strip())
    if m is None:
        return None
    if m.group("noon"):
        return Clock(12, 0, "pm")
    if m.group("midnight"):
        return Clock(0, 0, None, True, midnight=True)
    return _numeric_clock(
        m.group("h"), m.group("m"), m.group("sep"), m.group("ap") or m.group("ap1")
    )


def _numeric_clock(h: str, m: str | None, sep: str | None, ap: str | None) -> Clock | None:
    hour = int(h)
    minute = int(m) if m else 0
    if ap:
        if not 1 <= hour <= 12 and not (hour == 0 and ap.lower() == "a"):
            return None
        return Clock(hour, minute, "am" if ap.lower() == "a" else "pm")
    if hour > 23:
        return None
    # 24-hour clock when the hour says so (13-23, 0) or it is written with a leading zero.
    explicit = hour == 0 or hour >= 13 or (len(h) == 2 and h[0] == "0" and sep in (":", "."))
    return Clock(hour, minute, None, explicit)


def _word_clock(m: re.Match[str]) -> Clock | None:
    ap = m.group("ap") or m.group("ap1")
    meridiem = None if ap is None else ("am" if ap.lower() == "a" else "pm")
    if m.group("hr"):
        hr_text = m.group("hr").lower()
        if hr_text in ("noon", "midnight"):
            hour, meridiem = (12, "pm") if hr_text == "noon" else (0, "am")
        else:
            hour = int(hr_text) if hr_text.isdigit() else (word_number(hr_text) or 0)
        if not 1 <= hour <= 12 and hr_text not in ("noon", "midnight"):
            return None
        minute_text = m.group("min").lower().replace("a ", "").strip()
        minute_text = re.sub(r"\s*minutes?$", "", minute_text)
        if minute_text == "half":
            minutes = 30
        elif minute_text == "quarter":
            minutes = 15
        else:
            value = number(minute_text)
            if value is None or not 0 < value < 60 or value != int(value):
                return None
            minutes = int(value)
        if m.group("dir").lower() in ("to", "before", "till", "of"):
            total = hour * 60 - minutes
            hour, minute = divmod(total, 60)
            hour %= 24
            if hour == 0 and meridiem is None:
                hour = 12
        else:
            minute = minutes
        if hr_text in ("noon", "midnight"):
            return Clock(hour % 24 if hour % 24 else 0, minute, None, True)
        return Clock(hour if hour else 12, minute, meridiem, meridiem is not None)
    if m.group("hr2"):
        text = m.group("hr2").lower()
        hour = int(text) if text.isdigit() else (word_number(text) or 0)
        if meridiem:
            return Clock(hour, 0, meridiem) if 1 <= hour <= 12 else None
        if not 0 <= hour <= 23:
            return None
        return Clock(hour, 0, None, hour == 0 or hour >= 13)
    if m.group("hr4") or m.group("hr5"):
        # "half three" (British: 3:30); "at five" (only after "at", checked by the caller)
        text = (m.group("hr4") or m.group("hr5")).lower()
        hour = int(text) if text.isdigit() else (word_number(text) or 0)
        if not 1 <= hour <= 12:
            return None
        minute = 30 if m.group("hr4") else 0
        return Clock(hour, minute, meridiem, meridiem is not None)
    if m.group("hr6"):  # "at four thirty" (only after "at", checked by the caller)
        hour, minute = word_number(m.group("hr6")) or 0, word_number(m.group("mw6").lower())
        if minute is None or not 1 <= hour <= 12:
            return None
        return Clock(hour, minute, meridiem, meridiem is not None)
    hour = word_number(m.group("hr3")) or 0
    minute = 0
    if m.group("mw"):
        mw = m.group("mw").lower().replace("o'", "").replace("o ", "").replace("o-", "").strip()
        value = word_number(mw)
        if value is None:
            return None
        minute = value
    if not 1 <= hour <= 12 or meridiem is None:
        return None
    return Clock(hour, minute, meridiem)


def _with_hint(clock: Clock, dp: str | None) -> Clock:
    if not dp or clock.meridiem or clock.explicit:
        return clock
    words = dp.lower().split()
    hint = _DAYPART_HINT.get(words[-1])
    if hint is None or not 1 <= clock.hour <= 12:
        return clock
    if hint == "night":
        if clock.hour == 12:  # "12 at night"
            return Clock(0, clock.minute, None, True, midnight=True)
        hint = "pm"
    return Clock(clock.hour, clock.minute, hint)


def _is_bare(clock: Clock, text: str) -> bool:
    """A bare number like "3" (no colon, no am/pm, no noon): easy to confuse with counts."""
    return not clock.explicit and not clock.meridiem and not re.search(r"[:.h]", text)


# ---------------------------------------------------------------- scanning
def scan_time(sc: Scanner, date_order: str) -> None:
    """Run every pattern over the text, in an order where the specific wins over the vague."""
    _scan_iso_datetime(sc)
    _scan_dates(sc, date_order)
    _scan_dayparts(sc)  # "tomorrow afternoon" now, so "tomorrow afternoon 3" sees the day
    _scan_word_times(sc)
    _scan_relstart(sc)
    _scan_bare_offsets(sc)
    _scan_ranges(sc)
    _scan_ends(sc)
    _scan_durations(sc)
    _scan_times(sc)
    _scan_dayparts(sc)  # and those beside a time ("9 Friday morning")
    _scan_zones(sc)


def _scan_iso_datetime(sc: Scanner) -> None:
    for m in _ISO_DATETIME.finditer(sc.masked):
        try:
            day = date(int(m.group("y")), int(m.group("mo")), int(m.group("d")))
        except ValueError:
            continue
        hour, minute = int(m.group("h")), int(m.group("mi"))
        if hour > 23 or minute > 59:
            continue
        end = m.start("z") if m.group("z") else m.end()
        sc.consume(m.start(), m.start("h"), DATE, DateSpec("abs", day=day, year_given=True))
        sc.consume(m.start("h"), end, TIME, Clock(hour, minute, None, True))
        z = m.group("z")
        if z:
            minutes = 0 if z.upper() == "Z" else _offset_minutes(z[0], z[1:3], z[-2:])
            sc.consume(m.start("z"), m.end("z"), ZONE, ("offset", minutes, None))


def _offset_minutes(sign: str, hours: str, minutes: str | None) -> int:
    value = int(hours) * 60 + (int(minutes) if minutes else 0)
    return -value if sign in "-−" else value


def _month(text: str) -> int:
    return _MONTHS[text.lower()[:3]]


def _scan_dates(sc: Scanner, date_order: str) -> None:
    _scan_calendar_dates(sc, date_order)
    _scan_relative_days(sc)
    _scan_weekdays(sc)
    for m in _DAY_OF_MONTH.finditer(sc.masked):
        if (
            m.group("dw")
            and not (m.group("on").lower().startswith("on") or m.group("which"))
            and not _CLOCK_AHEAD.match(sc.masked, m.end())
        ):
            continue  # "the second round" is not a date; "on the second", "the 2nd at 3pm" is
        d = _day_number(m)
        if 1 <= d <= 31:
            mode = "next" if (m.group("which") or "").lower() == "next" else None
            sc.consume(m.start(), m.end(), DATE, DateSpec("dom", dom=d, mode=mode))
    for m in _BARE_ORDINAL.finditer(sc.masked):
        if _MONTH_BEFORE.search(sc.masked, max(0, m.start() - 12), m.start()):
            continue  # "may 5th at 10am": the month is a verb-like word left for later
        if 1 <= int(m.group("d")) <= 31:
            sc.consume(m.start(), m.end(), DATE, DateSpec("dom", dom=int(m.group("d"))))
    for m in _WEEK_ONLY.finditer(sc.masked):
        sc.consume(m.start(), m.end(), DATE, DateSpec("week"))


def _scan_calendar_dates(sc: Scanner, date_order: str) -> None:
    """ISO (2026-04-15, 20260415), "April 15", "15 April", 4/15, 15.04.2026."""
    for pattern in (_ISO_DATE, _COMPACT_DATE):
        for m in pattern.finditer(sc.masked):
            if pattern is _COMPACT_DATE and numbered_thing_before(sc, m.start()):
                continue  # "ticket 20260424" is a number
            try:
                day = date(int(m.group("y")), int(m.group("mo")), int(m.group("d")))
            except ValueError:
                continue
            sc.consume(m.start(), m.end(), DATE, DateSpec("abs", day=day, year_given=True))
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        for m in pattern.finditer(sc.masked):
            word = m.group("mon")
            # "may" and "march" are also verbs; trust them only when capitalised or dated.
            verb_like = word.lower() in ("may", "mar", "march") and word[0].islower()
            if verb_like and m.group("y") is None:
                continue
            spec = _month_day(_month(word), _day_number(m), m.group("y"))
            if spec is not None:
                sc.consume(m.start(), m.end(), DATE, spec)
    for m in _NUMERIC_DATE.finditer(sc.masked):
        spec = _numeric_date(int(m.group("a")), int(m.group("b")), m.group("y"), date_order)
        if spec is not None:
            sc.consume(m.start(), m.end(), DATE, spec)
    for m in _DOTTED_DATE.finditer(sc.masked):
        if m.group("y") is None and sc.masked[m.end() - 1 : m.end()] != ".":
            continue
        spec = _month_day(int(m.group("m")), int(m.group("d")), m.group("y"))
        if spec is not None:
            sc.consume(m.start(), m.end(), DATE, spec)


def _scan_relative_days(sc: Scanner) -> None:
    """ "in 3 days", "a week from today", today, tonight, tomorrow, "this afternoon"."""
    for m in _IN_DAYS.finditer(sc.masked):
        n = number(m.group("n1") or m.group("n2"))
        unit = (m.group("u1") or m.group("u2")).lower()
        if n is None or n != int(n) or n > 3660:
            continue
        days = int(n) * (7 if unit.startswith("week") else 1)
        if (m.group("base") or "").lower() == "tomorrow":
            days += 1
        sc.consume(m.start(), m.end(), DATE, DateSpec("rel", offset=days))
    for m in _RELATIVE_DAY.finditer(sc.masked):
        if m.group("dat"):
            sc.consume(m.start(), m.end(), DATE, DateSpec("rel", offset=2))
        elif m.group("dby"):
            sc.consume(m.start(), m.end(), DATE, DateSpec("rel", offset=-2))
        elif m.group("tom"):
            sc.consume(m.start(), m.end(), DATE, DateSpec("rel", offset=1))
        elif m.group("yes"):
            sc.consume(m.start(), m.end(), DATE, DateSpec("rel", offset=-1))
        elif m.group("tod"):
            sc.consume(m.start(), m.end(), DATE, DateSpec("rel", offset=0))
            if m.group("tod").lower() != "today":
                sc.tokens.append(Token(DAYPART, m.start(), m.end(), "night", m.group()))
        else:
            sc.consume(m.start(), m.end(), DATE, DateSpec("rel", offset=0))
            hint = _DAYPART_HINT[m.group("this").split()[-1].lower()]
            sc.tokens.append(Token(DAYPART, m.start(), m.end(), hint, m.group()))


def _scan_weekdays(sc: Scanner) -> None:
    """ "Friday", "this/next Friday", "next week Friday", "Friday after next", "last Friday"."""
    for m in _NEXT_WEEK_WEEKDAY.finditer(sc.masked):
        mode = "this" if m.group("nw").lower() == "this" else "next"
        wd = _WEEKDAYS[m.group("wd").lower()[:3]]
        sc.consume(m.start(), m.end(), DATE, DateSpec("weekday", weekday=wd, mode=mode))
    for m in _WEEKDAY_RE.finditer(sc.masked):
        mod = (m.group("mod") or "").lower().replace("nxt", "next").split()
        after = (m.group("after") or "").lower().replace("nxt", "next")
        mode: str | None = None
        if mod and mod[0] in ("last", "previous", "past"):
            mode = "last"
        elif after.startswith("after"):
            mode = "afternext"  # "Wednesday after next": the Wednesday a week after next's
        elif after.startswith("next") or mod in (["next"], ["following"]):
            mode = "next"
        elif mod and mod[0] in ("this", "coming"):
            mode = "this"
        wd = _WEEKDAYS[m.group("wd").lower()[:3]]
        sc.consume(m.start(), m.end(), DATE, DateSpec("weekday", weekday=wd, mode=mode))


def _day_number(m: re.Match[str]) -> int:
    digits = m.group("d") or m.groupdict().get("dn")
    return int(digits) if digits else (ordinal(m.group("dw")) or 0)


def _month_day(month: int, day: int, year: str | None) -> DateSpec | None:
    if year is not None:
        y = int(year)
        if y < 100:
            y += 2000
        try:
            return DateSpec("abs", day=date(y, month, day), year_given=True)
        except ValueError:
            return None
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if day > (29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31):
        return None
    # The year is chosen when resolving; 2000 is a leap year so Feb 29 survives.
    return DateSpec("abs", day=date(2000, month, day), year_given=False)


def _numeric_date(a: int, b: int, year: str | None, order: str) -> DateSpec | None:
    """4/5: month first by default (order "MDY"), day first with "DMY".

    When only one reading is a valid date (15/4), that reading is used.
    """
    first = _month_day(a, b, year) if order == "MDY" else _month_day(b, a, year)
    if first is not None:
        return first
    return _month_day(b, a, year) if order == "MDY" else _month_day(a, b, year)


def _scan_word_times(sc: Scanner) -> None:
    for m in _WORD_RANGE.finditer(sc.masked):
        ends = []
        for hour_text, ap in ((m.group("a"), m.group("apa")), (m.group("b"), m.group("ap"))):
            hour = word_number(hour_text) or 0
            meridiem = None if ap is None else ("am" if ap.lower() == "a" else "pm")
            ends.append(Clock(hour, 0, meridiem, meridiem is not None))
        if all(1 <= c.hour <= 12 for c in ends):
            sc.consume(m.start(), m.end(), RANGE, (ends[0], ends[1]))
    for m in _WORD_TIME.finditer(sc.masked):
        before = sc.masked[max(0, m.start() - 8) : m.start()].lower()
        if re.search(r"\b(from|between)\s+$", before):
            continue
        if (m.group("hr5") or m.group("hr6")) and not m.group("pre"):
            continue  # number words alone are a time only after "at" ("at five")
        clock = _word_clock(m)
        if clock is None:
            continue
        end_kw = _END_KEYWORD_BEFORE.search(sc.masked, max(0, m.start() - 16), m.start())
        if end_kw and not m.group("pre"):  # "until half 4", "till quarter to 5": an end
            kw = " ".join(end_kw.group(1).lower().split())
            sc.consume(end_kw.start(), m.end(), END, (kw, clock))
        else:
            sc.consume(m.start(), m.end(), TIME, clock)


def _scan_relstart(sc: Scanner) -> None:
    for m in _RELSTART.finditer(sc.masked):
        prefix = "r_" if m.group(1) else "s_"
        minutes = duration_minutes(m.groupdict(), prefix)
        if minutes is None or minutes <= 0 or minutes > 60 * 24 * 14:
            continue
        sc.consume(m.start(), m.end(), RELSTART, round(minutes))


def _scan_bare_offsets(sc: Scanner) -> None:
    """Offsets go before clock times, or "UTC-05:00" would lose its "05:00"."""
    for m in _UTC_OFFSET.finditer(sc.masked):
        if m.group("s"):
            minutes = _offset_minutes(m.group("s"), m.group("h"), m.group("m"))
            if abs(minutes) > 14 * 60:
                # "UTC+15" must not become plain UTC with a stray "15" in the subject
                raise ParseError(
                    f"No time zone is at “{m.group().strip('()')}”; name the zone instead "
                    "(e.g. Europe/London)."
                )
            sc.consume(m.start(), m.end(), ZONE, ("offset", minutes, None))
    for m in _BARE_OFFSET.finditer(sc.masked):
        minutes = _offset_minutes(m.group("s"), m.group("h"), m.group("m"))
        if abs(minutes) <= 14 * 60:
            start = m.start("s") - (1 if sc.masked[m.start("s") - 1] == "(" else 0)
            sc.consume(start, m.end(), ZONE, ("offset", minutes, None))


def _scan_ranges(sc: Scanner) -> None:
    for m in _H_RANGE.finditer(sc.masked):
        a = Clock(int(m.group("ah")), int(m.group("am") or 0))
        b = Clock(int(m.group("bh")), int(m.group("bm") or 0))
        sc.consume(m.start(), m.end(), RANGE, (a, b))
    for m in _RANGE.finditer(sc.masked):
        pre = (m.group("pre") or "").lower().strip()
        sep = m.group("sep").lower()
        if sep == "and" and pre != "between":
            continue
        a, b = parse_clock(m.group("a")), parse_clock(m.group("b"))
        if a is None or b is None:
            continue
        bare_a, bare_b = _is_bare(a, m.group("a")), _is_bare(b, m.group("b"))
        if bare_a and not pre and numbered_thing_before(sc, m.start("a")):
            continue  # "Room 12 until 5pm": 12 is the room
        # "10-11" alone could be anything; next to a day ("tomorrow 10-11") it is a range.
        beside_day = DATE in (sc.kind_before(m.start()), sc.kind_after(m.end()))
        if bare_a and bare_b and pre in ("", "starting") and not beside_day:
            continue
        if (
            bare_a
            and not pre
            and b.meridiem is None
            and not b.explicit
            and sep not in "-–—"
            and not beside_day
        ):
            continue  # "3 to 4" alone is not a time; "friday 3 to 4" is
        if pre in ("at", "@") and sep == "to" and m.group("a") in ("5", "10", "20", "25"):
            # "at 10 to 4" is 3:50 in Britain and 10-4 elsewhere: ask
            a_text, b_text, british = m.group("a"), m.group("b"), _minutes_to(a.hour, b.hour)
            raise ParseError(
                f"Is “{a_text} to {b_text}” {british} or {a_text} until {b_text}? Write "
                f"“{british}” with am or pm, or the range with a dash (“{a_text}-{b_text}”)."
            )
        start = m.start() if pre else m.start("a")
        sc.consume(start, m.end(), RANGE, (a, b))


def _minutes_to(minutes: int, hour: int) -> str:
    """ "10 to 4" read the British way: "3:50"."""
    return f"{(hour - 2) % 12 + 1}:{60 - minutes:02d}"


def numbered_thing_before(sc: Scanner, pos: int) -> bool:
    """Whether the word before ``pos`` is something numbered ("Room 12", "Sprint 3")."""
    m = _WORD_BEFORE.search(sc.masked, max(0, pos - 24), pos)
    return m is not None and m.group(1).lower().rstrip(".") in _NUMBERED


def _scan_ends(sc: Scanner) -> None:
    for m in _END.finditer(sc.masked):
        kw = " ".join(m.group("kw").lower().split())
        clock = parse_clock(m.group("b"))
        if clock is None:
            continue
        if kw == "to" and _is_bare(clock, m.group("b")):
            continue
        sc.consume(m.start(), m.end(), END, (kw, clock))


def _scan_durations(sc: Scanner) -> None:
    for m in _HM_DURATION.finditer(sc.masked):
        minutes = int(m.group("h")) * 60 + int(m.group("m"))
        if 0 < minutes <= 24 * 60:
            sc.consume(m.start(), m.end(), DURATION, minutes)
    for m in _DURATION.finditer(sc.masked):
        minutes = duration_minutes(m.groupdict(), "d_")
        if minutes is None:
            continue
        low = _LENGTH_RANGE_BEFORE.search(sc.masked, max(0, m.start() - 12), m.start())
        if low:  # "30-45 min": which length?
            said = " ".join(sc.text[low.start() : m.end()].split())
            raise ParseError(f"How long: “{said}”? Give one length.")
        if minutes > 60 * 24 * 7:
            continue  # "0930 hrs" is a clock time; no meeting lasts weeks
        compact = _COMPACT_HOURS.search(m.group())
        if compact and int(compact.group(1)) > 4:
            continue  # "15h30" is a clock time, not fifteen and a half hours
        hours_only = _CLOCK_HOURS.match(m.group())
        if hours_only and _is_clock_hour(sc, m.start(), hours_only.group(1)):
            continue  # "17h", "at 9h": a clock time (see _scan_times), not a length
        sc.consume(m.start(), m.end(), DURATION, minutes)


def _is_clock_hour(sc: Scanner, pos: int, hour: str) -> bool:
    """Whether "<hour>h" at ``pos`` is a clock time: after "at"/"@", or 13-23 / "09"."""
    if re.search(r"(?:\bat|@)\s*$", sc.masked[max(0, pos - 4) : pos], _I):
        return int(hour) <= 23
    return 13 <= int(hour) <= 23 or (len(hour) == 2 and hour[0] == "0")


def _scan_times(sc: Scanner) -> None:
    for m in _TIME.finditer(sc.masked):
        pre = (m.group("pre") or "").lower()
        if m.group("mil"):
            # "at 1400" / "1400 hrs" / "tomorrow 1700": a 24-hour time; a lone 4-digit
            # number is not.
            if not (pre in ("at", "@") or m.group("hrs") or sc.kind_before(m.start()) == DATE):
                continue
            clock: Clock | None = Clock(int(m.group("mil")[:2]), int(m.group("mil")[2:]))
        elif m.group("hh"):
            # "17h" / "at 9h" (French style): a clock time after "at", or when the hour is
            # unmistakably 24-hour (13-23, or a leading zero); "2h" is two hours.
            text = m.group("hh")
            if not (pre in ("at", "@") or _is_clock_hour(sc, m.start(), text)) or int(text) > 23:
                continue
            clock = Clock(int(text), 0)
        elif m.group("noon"):
            clock = Clock(12, 0, "pm")
        elif m.group("midnight"):
            clock = Clock(0, 0, None, True, midnight=True)
        else:
            ap = m.group("ap") or m.group("ap1")
            clock = _numeric_clock(m.group("h"), m.group("m"), m.group("sep"), ap)
            if clock is None:
                continue
            sep = m.group("sep")
            # "10a" is a time after "at" or beside a day ("3p tomorrow"); "Room 4a" is not
            if (
                m.group("ap1")
                and not pre
                and sc.kind_before(m.start()) != DATE
                and (sc.kind_after(m.end()) != DATE or numbered_thing_before(sc, m.start()))
            ):
                continue
            if ap is None:
                if sep is None and _STREET.match(sc.masked, m.end()):
                    continue  # "at 1 Market St" is an address
                after_day = sc.kind_before(m.start()) in (DATE, DAYPART)
                if sep is None and not pre:
                    # A bare number is a time only after "at", right after a day, or with
                    # "in the evening" / "at night" after it.
                    before_daypart = sc.kind_after(m.end()) == DAYPART and not (
                        numbered_thing_before(sc, m.start())
                    )
                    if not (after_day or m.group("dp") or before_daypart):
                        continue
                    if sc.masked[m.start() - 1 : m.start()] not in (" ", MASK, ""):
                        continue
                if sep == "." and not pre and not clock.explicit and not after_day:
                    continue  # "2.30" could be a version; "15.00" and "tomorrow 9.30" are times
                if sep == "h" and not clock.explicit and not pre:
                    continue
        if m.group("zulu"):  # "15:00Z": UTC, as in ISO 8601
            if m.group("sep") != ":":
                continue
            # A "Z" time is a 24-hour time: 3:30Z is 03:30 UTC.
            sc.consume(m.start(), m.start("zulu"), TIME, Clock(clock.hour, clock.minute))
            sc.consume(m.start("zulu"), m.end("zulu"), ZONE, ("offset", 0, None))
            continue
        sc.consume(m.start(), m.end(), TIME, _with_hint(clock, m.group("dp")))


def _scan_dayparts(sc: Scanner) -> None:
    for m in _DAYPART.finditer(sc.masked):
        word = m.group("dp").lower()
        near = {sc.kind_before(m.start()), sc.kind_after(m.end())}
        if m.group().lower().startswith("in the") or near & {DATE, TIME, RANGE}:
            sc.consume(m.start(), m.end(), DAYPART, _DAYPART_HINT[word])


def _scan_zones(sc: Scanner) -> None:
    for m in _IANA.finditer(sc.masked):
        zone = iana_zone(m.group("z"))
        if zone:
            sc.consume(m.start(), m.end(), ZONE, ("iana", zone, None))
        elif m.group("z").split("/")[0].lower() in _ZONE_REGIONS:
            raise ParseError(f"I don't know the time zone “{m.group('z')}”.")
    for m in _OWN_TIME.finditer(sc.masked):
        # "3pm my time": the person's own zone, which is the default anyway.
        sc.consume(m.start(), m.end(), OWN_ZONE, None)
    for m in _SPOKEN_ZONE.finditer(sc.masked):
        words = m.group("w")
        zone = spoken_zone(words)
        if zone is None:
            continue
        # Only the words that named the zone are consumed ("sync London time" keeps "sync").
        parts = words.split()
        keep = len(parts)
        for i in range(len(parts)):
            if spoken_zone(" ".join(parts[i:])) == zone:
                keep = i
                break
        start = m.start("w")
        if keep:
            start = m.start("w") + len(" ".join(parts[:keep])) + 1
            while start < m.end() and sc.masked[start] == " ":
                start += 1
        elif m.group().lower().startswith("in "):
            start = m.start()
        sc.consume(start, m.end(), ZONE, ("iana", zone, None))
    for m in _CITY_AFTER_TIME.finditer(sc.masked):
        # "10am London": a capitalised city right after a clock time names its zone.
        if sc.kind_before(m.start()) not in (TIME, RANGE, END):
            continue
        zone = spoken_zone(m.group("city"))
        if zone and spoken_zone(m.group("city").split()[0]) in (zone, None):
            sc.consume(m.start(), m.end(), ZONE, ("iana", zone, None))
    for m in _ABBREVIATION.finditer(sc.masked):
        word = m.group("a")
        zone = abbreviation_zone(word)
        if zone is None:
            continue
        beside_time = sc.kind_before(m.start()) in TEMPORAL
        strong = word.isupper() and word.lower() not in WEAK_ABBREVIATIONS
        if word.lower() in ("utc", "gmt"):
            strong = True
        if beside_time or strong:
            sc.consume(m.start(), m.end(), ZONE, ("iana", zone, DST_SIDE.get(word.lower())))
    for m in _UNKNOWN_ABBREVIATION.finditer(sc.masked):
        # "3pm BRT" with a zone this table lacks must not silently become the person's zone.
        if sc.kind_before(m.start()) in (TIME, RANGE, END) and not sc.of_kind(ZONE):
            raise ParseError(
                f"I don't know the time zone “{m.group('a')}”; try a city or UTC offset."
            )
