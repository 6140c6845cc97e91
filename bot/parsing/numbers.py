"""Numbers written as words ("twenty-five") and the regex fragments that match them."""

from __future__ import annotations

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}

_DIGIT_WORDS = "one|two|three|four|five|six|seven|eight|nine"
# Longer words first so "fourteen" is not read as "four".
NUMBER_WORD = (
    rf"(?:(?:twenty|thirty|forty|fifty)(?:[\s-](?:{_DIGIT_WORDS}))?"
    r"|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
    rf"|ten|zero|{_DIGIT_WORDS})"
)
HOUR_WORD = rf"(?:eleven|twelve|ten|{_DIGIT_WORDS})"
# A number as digits (maybe with a decimal part) or as words.
NUMBER = rf"(?:[0-9]+(?:\.[0-9]+)?|{NUMBER_WORD})"


_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
    "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
# "first" .. "thirty-first" (days of a month)
ORDINAL_WORD = (
    r"(?:(?:twenty|thirty)[\s-](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
    r"|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth"
    r"|nineteenth|twentieth|thirtieth|tenth"
    r"|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
)


def ordinal(text: str) -> int | None:
    """'twenty-first' -> 21, 'third' -> 3."""
    parts = text.lower().replace("-", " ").split()
    if len(parts) == 1:
        return _ORDINALS.get(parts[0])
    if len(parts) == 2 and parts[0] in _TENS and _ORDINALS.get(parts[1], 10) < 10:
        return _TENS[parts[0]] + _ORDINALS[parts[1]]
    return None


def words(text: str) -> frozenset[str]:
    """A set of words written as one space-separated string (word lists read best so)."""
    return frozenset(text.split())


def word_number(text: str) -> int | None:
    """'twenty-five' -> 25, 'seven' -> 7; None when the words are not a number."""
    parts = text.lower().replace("-", " ").split()
    if len(parts) == 1:
        word = parts[0]
        return _UNITS.get(word, _TENS.get(word))
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _UNITS and _UNITS[parts[1]] < 10:
        return _TENS[parts[0]] + _UNITS[parts[1]]
    return None


def number(text: str) -> float | None:
    """Digits ('1.5') or words ('two'); 'a'/'an' count as one."""
    text = text.strip().lower()
    if text in ("a", "an"):
        return 1.0
    try:
        return float(text)
    except ValueError:
        value = word_number(text)
        return None if value is None else float(value)
