"""Time zone names as people write them, and turning wall time into an aware datetime.

Abbreviations name the region's zone, not a fixed offset: "3pm PST" in July is 3pm in
America/Los_Angeles (PDT), because that is what people mean when they write it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import pytz

from bot.parsing.model import ParseError

# Abbreviations and spoken names -> IANA zone. Keys are lower case.
ABBREVIATIONS: dict[str, str] = {
    "pt": "America/Los_Angeles",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "et": "America/New_York",
    "est": "America/New_York",
    "edt": "America/New_York",
    "ct": "America/Chicago",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "mt": "America/Denver",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "akst": "America/Anchorage",
    "akdt": "America/Anchorage",
    "hst": "Pacific/Honolulu",
    "cet": "Europe/Berlin",
    "cest": "Europe/Berlin",
    "eet": "Europe/Helsinki",
    "eest": "Europe/Helsinki",
    "wet": "Europe/Lisbon",
    "west": "Europe/Lisbon",
    "bst": "Europe/London",
    "gmt": "GMT",
    "utc": "UTC",
    "ist": "Asia/Kolkata",
    "jst": "Asia/Tokyo",
    "kst": "Asia/Seoul",
    "sgt": "Asia/Singapore",
    "hkt": "Asia/Hong_Kong",
    "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney",
    "awst": "Australia/Perth",
    "nzst": "Pacific/Auckland",
    "nzdt": "Pacific/Auckland",
    "acst": "Australia/Adelaide",
    "acdt": "Australia/Adelaide",
    "nzt": "Pacific/Auckland",
    "brt": "America/Sao_Paulo",
    "msk": "Europe/Moscow",
    "gst": "Asia/Dubai",  # Gulf Standard Time (South Georgia's GST is the rare one)
    "pkt": "Asia/Karachi",
    "ict": "Asia/Bangkok",
    "wib": "Asia/Jakarta",
    "pht": "Asia/Manila",
    "sast": "Africa/Johannesburg",
    # Not here on purpose: EAT, WAT, CAT, ART (English words: "3pm eat lunch").
    "pacific": "America/Los_Angeles",
    "eastern": "America/New_York",
    "central": "America/Chicago",
    "mountain": "America/Denver",
}

# Abbreviations that are ordinary words or too short to trust away from a time.
WEAK_ABBREVIATIONS = frozenset(
    {"pt", "et", "ct", "mt", "est", "west", "ist", "pacific", "eastern", "central", "mountain"}
    # also acronyms of other things (GST tax, ICT, BRT bus): a zone only beside a time
    | {"acst", "acdt", "nzt", "brt", "msk", "gst", "pkt", "ict", "wib", "pht", "sast"}
)

# "<name> time": spoken names that are not the last part of an IANA name.
SPOKEN: dict[str, str] = {
    "pacific": "America/Los_Angeles",
    "pacific standard": "America/Los_Angeles",
    "pacific daylight": "America/Los_Angeles",
    "eastern": "America/New_York",
    "eastern standard": "America/New_York",
    "eastern daylight": "America/New_York",
    "central": "America/Chicago",
    "central standard": "America/Chicago",
    "central daylight": "America/Chicago",
    "mountain": "America/Denver",
    "mountain standard": "America/Denver",
    "mountain daylight": "America/Denver",
    "central european": "Europe/Berlin",
    "central european summer": "Europe/Berlin",
    "eastern european": "Europe/Helsinki",
    "british": "Europe/London",
    "british summer": "Europe/London",
    "uk": "Europe/London",
    "greenwich mean": "GMT",
    "universal": "UTC",
    "coordinated universal": "UTC",
    "india": "Asia/Kolkata",
    "indian": "Asia/Kolkata",
    "india standard": "Asia/Kolkata",
    "japan": "Asia/Tokyo",
    "japan standard": "Asia/Tokyo",
    "nyc": "America/New_York",
    "ny": "America/New_York",
    "sf": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "boston": "America/New_York",
    "washington": "America/New_York",
    "austin": "America/Chicago",
    "dallas": "America/Chicago",
    "houston": "America/Chicago",
    "atlanta": "America/New_York",
    "miami": "America/New_York",
    "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "barcelona": "Europe/Madrid",
    "milan": "Europe/Rome",
    "geneva": "Europe/Zurich",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
    "china": "Asia/Shanghai",
    "hong kong": "Asia/Hong_Kong",
    "sydney": "Australia/Sydney",
    "melbourne": "Australia/Melbourne",
    "tel aviv": "Asia/Jerusalem",
    "israel": "Asia/Jerusalem",
    "utc": "UTC",
    "gmt": "GMT",
}

# Abbreviations that say which side of a DST change is meant: True = summer time.
# They settle a wall time that happens twice ("1:30am PDT" on the night clocks go back).
DST_SIDE: dict[str, bool] = {
    "pst": False, "pdt": True, "est": False, "edt": True, "cst": False, "cdt": True,
    "mst": False, "mdt": True, "akst": False, "akdt": True, "cet": False, "cest": True,
    "eet": False, "eest": True, "wet": False, "west": True, "bst": True, "aest": False,
    "aedt": True, "nzst": False, "nzdt": True,
}  # fmt: skip

# Zones without DST for offsets that are not whole hours (whole hours use Etc/GMT±N).
_FRACTIONAL_OFFSET_ZONES: dict[int, str] = {
    -570: "Pacific/Marquesas",
    210: "Asia/Tehran",
    270: "Asia/Kabul",
    330: "Asia/Kolkata",
    345: "Asia/Kathmandu",
    390: "Asia/Yangon",
    525: "Australia/Eucla",
    570: "Australia/Darwin",
}


@lru_cache(maxsize=1)
def _iana_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in pytz.all_timezones}


@lru_cache(maxsize=1)
def _cities() -> dict[str, str]:
    """'london' -> 'Europe/London', 'new york' -> 'America/New_York', ..."""
    cities: dict[str, str] = {}
    for name in pytz.common_timezones:
        if "/" in name:
            cities.setdefault(name.rsplit("/", 1)[1].replace("_", " ").lower(), name)
    cities.update(SPOKEN)
    return cities


def iana_zone(name: str) -> str | None:
    """The canonical spelling of an IANA name written in any case, or None."""
    return _iana_by_lower().get(name.lower())


def spoken_zone(words: str) -> str | None:
    """Zone for the words before "time" ("London", "New York", "Pacific"): longest suffix wins."""
    parts = words.lower().replace(".", "").split()
    cities = _cities()
    for i in range(len(parts)):
        zone = cities.get(" ".join(parts[i:]))
        if zone:
            return zone
    # "CET time", "IST time": an abbreviation followed by "time".
    return ABBREVIATIONS.get(parts[-1]) if parts else None


def abbreviation_zone(abbr: str) -> str | None:
    return ABBREVIATIONS.get(abbr.lower())


@lru_cache(maxsize=256)
def get_zone(name: str) -> pytz.BaseTzInfo:
    try:
        return pytz.timezone(name)
    except pytz.UnknownTimeZoneError:
        raise ParseError(f"I don't know the time zone {name!r}.") from None


def zone_for_offset(minutes: int, instant_utc: datetime, person_tz: str) -> str:
    """An IANA zone that is at ``minutes`` east of UTC at ``instant_utc``.

    The person's own zone is preferred when it matches (so "1:30am -04:00" on the
    night clocks go back keeps America/New_York); otherwise a zone without DST.
    """
    person = get_zone(person_tz)
    offset = instant_utc.astimezone(person).utcoffset()
    if offset is not None and offset == timedelta(minutes=minutes):
        return person_tz
    if minutes % 60 == 0 and -12 * 60 <= minutes <= 14 * 60:
        hours = minutes // 60
        if hours == 0:
            return "UTC"
        # POSIX sign convention: Etc/GMT-5 is five hours EAST of UTC.
        return f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"
    zone = _FRACTIONAL_OFFSET_ZONES.get(minutes)
    if zone is None:
        sign = "+" if minutes >= 0 else "-"
        raise ParseError(
            f"No time zone is at UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}; "
            "name the zone instead (e.g. Europe/London)."
        )
    return zone


def localize(day: date, clock: time, zone_name: str, dst: bool | None = None) -> datetime:
    """Wall time on ``day`` in the zone as an aware datetime.

    A wall time that does not exist (clocks go forward) is a ParseError. One that happens
    twice (clocks go back) is too, unless ``dst`` says which (from "PDT" / "PST").
    """
    zone = get_zone(zone_name)
    naive = datetime.combine(day, clock)
    try:
        return zone.localize(naive, is_dst=None)
    except pytz.AmbiguousTimeError:
        if dst is not None:
            return zone.localize(naive, is_dst=dst)
        raise _ambiguous(zone, naive, zone_name) from None
    except pytz.NonExistentTimeError:
        raise ParseError(
            f"{_wall(naive)} does not exist in {zone_name}: the clocks go forward "
            "that night. Pick a time an hour later or earlier."
        ) from None


def _ambiguous(zone: pytz.BaseTzInfo, naive: datetime, zone_name: str) -> ParseError:
    first = zone.localize(naive, is_dst=True).strftime("%z")
    second = zone.localize(naive, is_dst=False).strftime("%z")
    return ParseError(
        f"{_wall(naive)} happens twice in {zone_name}: the clocks go back that night. "
        f"Add the UTC offset you mean, {first[:3]}:{first[3:]} (the first) or "
        f"{second[:3]}:{second[3:]} (the second).",
        example=f"{naive.strftime('%Y-%m-%d %H:%M')} {first[:3]}:{first[3:]}",
    )


def _wall(naive: datetime) -> str:
    return naive.strftime("%H:%M on %a %d %b %Y")
