"""Slack's escaped markup, email addresses and display names.

Slack sends ``<@U123|alice>`` for a mention, ``<mailto:a@b.com|a@b.com>`` for an
address, ``<https://x|label>`` for a link, and escapes ``& < >`` as entities.
"""

from __future__ import annotations

import re

from bot.parsing.grammar import MASK, Scanner
from bot.parsing.model import Attendee
from bot.parsing.numbers import words

PERSON = "person"

_SLACK_MARKUP = re.compile(r"<(?P<body>[^<>\n]{1,1000})>")
_USER = re.compile(r"^@(?P<id>[UWB][A-Z0-9]+)(?:\|(?P<name>.*))?$")
_MAILTO = re.compile(r"^mailto:(?P<addr>[^|]+)(?:\|(?P<label>.*))?$", re.I)
_LINK = re.compile(r"^(?P<url>(?:https?|ftp)://[^|\s]+)(?:\|(?P<label>.*))?$", re.I)
_TEL = re.compile(r"^tel:[^|]*\|(?P<label>.*)$", re.I)

_EMAIL = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_QUOTED_NAME_EMAIL = re.compile(rf"\"(?P<name>[^\"\x00\n]{{1,80}})\"\s*<\s*(?P<email>{_EMAIL})\s*>")
_ANGLE_EMAIL = re.compile(rf"<\s*(?P<email>{_EMAIL})\s*>")
_EMAIL_PAREN_NAME = re.compile(
    rf"(?P<email>{_EMAIL})\s*\((?P<name>[^\W\d_][^()\x00\n@0-9]{{0,79}})\)"
)
_PAREN_EMAIL = re.compile(rf"\(\s*(?P<email>{_EMAIL})\s*\)")
_PLAIN_EMAIL = re.compile(rf"(?<![\w.@+-])(?P<email>{_EMAIL})(?![\w@-])")
_NAME_WORDS = re.compile(r"((?:[^\W\d_][\w.'’-]*[ \t]+){0,3}[^\W\d_][\w.'’-]*)[ \t]*$")

# Day and time words are never part of a name ("Sync Friday John <j@x.io>").
TIME_WORD = re.compile(
    r"^(?:today|tomorrow|tonight|noon|midnight|next|this|morning|afternoon|evening"
    r"|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
    r"|january|february|march|april|june|july|august|september|october|november|december"
    r"|pt|et|ct|mt|pst|pdt|est|edt|cst|cdt|mst|mdt|cet|cest|bst|ist|jst|utc|gmt)$",
    re.I,
)

# Words that end a name when reading backwards from an address.
_NOT_NAME = words(
    "with and or to for on at in by from invite inviting cc "
    "plus including incl also attendees guests w/ the a an me us them"
)


def unescape_slack(text: str) -> tuple[str, list[tuple[int, Attendee]], list[str]]:
    """Replace Slack markup: mentions become attendees, links become URLs.

    Returns the text (mentions and links replaced by one NUL each, mailto by the bare
    address so the email pass can see any name beside it), the mentioned users with
    their position in the returned text, and the link URLs.
    """
    users: list[tuple[int, Attendee]] = []
    urls: list[str] = []
    out: list[str] = []
    length = 0
    last = 0
    for m in _SLACK_MARKUP.finditer(text):
        piece = _unescape(text[last : m.start()])
        body = m.group("body")
        if um := _USER.match(body):
            name = (um.group("name") or "").strip() or None
            users.append((length + len(piece), Attendee(slack_user_id=um.group("id"), name=name)))
            replacement = MASK
        elif mm := _MAILTO.match(body):
            addr = _unescape(mm.group("addr")).strip()
            label = _unescape(mm.group("label") or "").strip()
            # A label that is not the address itself is the person's name.
            named = label and "@" not in label and "(" not in label and ")" not in label
            replacement = f" {addr} ({label}) " if named else f" {addr} "
        elif lm := _LINK.match(body):
            urls.append(_unescape(lm.group("url")))
            replacement = MASK
        elif tm := _TEL.match(body):
            replacement = _unescape(tm.group("label"))
        elif body[:1] in "#!":
            replacement = MASK  # channels, @here, user groups: nobody to invite
        else:
            replacement = _unescape(m.group())
        out.append(piece)
        out.append(replacement)
        length += len(piece) + len(replacement)
        last = m.end()
    out.append(_unescape(text[last:]))
    return "".join(out), users, urls


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _name_before(sc: Scanner, pos: int) -> tuple[str | None, int]:
    """The display name written just before ``pos`` ("with John Doe <...>"), and where it starts."""
    base = max(0, pos - 160)  # a name is a few words: look only that far back
    head = sc.masked[base:pos]
    m = _NAME_WORDS.search(head)
    if m is None:
        return None, pos
    words = m.group(1).split()
    # Read backwards: capitalised words form the name; stop at a connecting word.
    taken: list[str] = []
    for word in reversed(words):
        if word.lower() in _NOT_NAME or (taken and not word[0].isupper()):
            break
        if TIME_WORD.match(word.rstrip(".,")):
            break
        taken.insert(0, word)
        if not word[0].isupper():
            break
    if not taken:
        return None, pos
    name = " ".join(taken)
    start = base + head.rfind(taken[0], m.start(1))
    return name, start


def scan_people(sc: Scanner) -> list[tuple[int, Attendee]]:
    """Find email addresses (with the names written beside them) and consume them."""
    found: list[tuple[int, Attendee]] = []
    for m in _QUOTED_NAME_EMAIL.finditer(sc.masked):
        found.append((m.start(), Attendee(email=m.group("email"), name=m.group("name").strip())))
        sc.consume(m.start(), m.end(), PERSON, None)
    for pattern in (_ANGLE_EMAIL, _PAREN_EMAIL):
        for m in pattern.finditer(sc.masked):
            name, start = _name_before(sc, m.start())
            found.append((start, Attendee(email=m.group("email"), name=name)))
            sc.consume(start, m.end(), PERSON, None)
    for m in _EMAIL_PAREN_NAME.finditer(sc.masked):
        name = m.group("name").strip()
        if any(TIME_WORD.match(w) for w in name.split()):
            continue  # "bob@x.io (tomorrow)" is not a name
        found.append((m.start(), Attendee(email=m.group("email"), name=name)))
        sc.consume(m.start(), m.end(), PERSON, None)
    for m in _PLAIN_EMAIL.finditer(sc.masked):
        email = m.group("email").rstrip(".")
        found.append((m.start(), Attendee(email=email)))
        sc.consume(m.start(), m.start() + len(email), PERSON, None)
    return found


def merge_attendees(*groups: list[Attendee]) -> list[Attendee]:
    """One entry per address or Slack user, in the order first mentioned; names kept."""
    result: list[Attendee] = []
    index: dict[str, int] = {}
    for group in groups:
        for person in group:
            key = (person.email or "").lower() or (person.slack_user_id or "")
            if not key:
                continue
            if key in index:
                old = result[index[key]]
                if old.name is None and person.name:
                    result[index[key]] = Attendee(old.email, old.slack_user_id, person.name)
                continue
            index[key] = len(result)
            result.append(person)
    return result
