"""`scheducal-bot parse`: show how the bot reads a /meet text, or check a batch of them.

scheducal-bot parse "Intro call with john@acme.com tomorrow 3pm" [--now ISO] [--tz ZONE]
scheducal-bot parse --jsonl cases.jsonl      # or - for stdin; one JSON line out per line in
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timedelta
from typing import Any, TextIO

from bot.parsing.model import AppointmentRequest, ParseError
from bot.parsing.request import parse_request


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="?", help="the text after /meet")
    parser.add_argument(
        "--now",
        help="current time, ISO 8601 (a time without offset is read in --tz); default: now",
    )
    parser.add_argument("--tz", help="the person's IANA time zone (default: $TZ or UTC)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--jsonl",
        metavar="FILE",
        help='batch mode: read {"text","now","tz"} lines from FILE (- for stdin), '
        'write one JSON result line per input line (optional per line: "date_order")',
    )
    parser.add_argument(
        "--date-order",
        choices=("MDY", "DMY"),
        default="MDY",
        help="how numeric dates like 4/5 are read (default: month first)",
    )
    parser.add_argument(
        "--duration",
        type=_minutes,
        default=30,
        help="minutes when no end is given (default: 30)",
    )


def _minutes(value: str) -> int:
    try:
        minutes = int(value)
    except ValueError:
        minutes = 0
    if not 0 < minutes <= 24 * 60:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of minutes from 1 to 1440")
    return minutes


def _default_tz() -> str:
    value = os.environ.get("TZ", "").strip().lstrip(":")
    return value or "UTC"


def _zone(name: str) -> Any:
    import pytz

    try:
        return pytz.timezone(name)
    except pytz.UnknownTimeZoneError:
        raise ValueError(f"unknown time zone {name!r}") from None


def _now(value: str | None, tz: str) -> datetime:
    """An aware 'now': from ISO text (naive means wall time in ``tz``) or the clock."""
    zone = _zone(tz)
    if value is None:
        return datetime.now(zone)
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--now is not an ISO 8601 time: {value!r}") from None
    if parsed.tzinfo is None:
        return zone.localize(parsed)
    return parsed


def result_dict(request: AppointmentRequest | None, error: str | None) -> dict[str, Any]:
    """The batch-mode shape: subject, start, end, timezone, attendees, location, error."""
    if request is None:
        return {
            "subject": None,
            "start": None,
            "end": None,
            "timezone": None,
            "attendees": [],
            "location": None,
            "error": error,
        }
    return {
        "subject": request.subject,
        "start": request.start.isoformat(),
        "end": request.end.isoformat(),
        "timezone": request.timezone,
        "attendees": [a.as_dict() for a in request.attendees],
        "location": request.location,
        "error": None,
    }


def _parse_one(
    text: Any, now: Any, tz: Any, args: argparse.Namespace, date_order: Any = None
) -> tuple[AppointmentRequest | None, str | None]:
    try:
        if not isinstance(text, str):
            raise ValueError('"text" must be a string')
        zone_name = tz if isinstance(tz, str) and tz else _default_tz()
        if now is not None and not isinstance(now, str):
            raise ValueError('"now" must be an ISO 8601 string')
        request = parse_request(
            text,
            now=_now(now, zone_name),
            tz=zone_name,
            default_duration=timedelta(minutes=args.duration),
            date_order=date_order if date_order in ("MDY", "DMY") else args.date_order,
        )
        return request, None
    except ParseError as exc:
        return None, exc.message
    except ValueError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - one bad line must not abort a batch
        return None, f"internal error while parsing ({type(exc).__name__}); please report it"


def _run_batch(args: argparse.Namespace, source: TextIO, out: TextIO) -> int:
    for line in source:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("each line must be a JSON object")
        except ValueError as exc:
            request, error = None, f"bad input line: {exc}"
        else:
            request, error = _parse_one(
                item.get("text"), item.get("now"), item.get("tz"), args, item.get("date_order")
            )
        out.write(json.dumps(result_dict(request, error), ensure_ascii=False) + "\n")
    out.flush()
    return 0


def _human(request: AppointmentRequest, person_tz: str) -> str:
    fmt = "%a %d %b %Y %H:%M %Z (UTC%z)"
    lines = [
        f"subject:   {request.subject}"
        + ("  (no subject given; a title was made up)" if request.subject_is_fallback else ""),
        f"start:     {request.start.strftime(fmt)}",
        f"end:       {request.end.strftime(fmt)}",
        f"duration:  {int((request.end - request.start).total_seconds() // 60)} min",
        f"time zone: {request.timezone}",
    ]
    if request.timezone != person_tz:
        local = request.start.astimezone(_zone(person_tz))
        lines.append(f"your time: {local.strftime(fmt)} ({person_tz})")
    if request.attendees:
        for i, person in enumerate(request.attendees):
            who = ", ".join(
                part
                for part in (
                    person.name,
                    person.email,
                    f"Slack user {person.slack_user_id}" if person.slack_user_id else None,
                )
                if part
            )
            lines.append(f"{'attendees:' if i == 0 else '':<11}{who}")
    else:
        lines.append("attendees: (none)")
    lines.append(f"location:  {request.location or '(none)'}")
    if request.notes:
        lines.append(f"notes:     {request.notes}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.jsonl:
        if args.text:
            print("scheducal-bot parse: give TEXT or --jsonl, not both", file=sys.stderr)
            return 2
        if args.jsonl == "-":
            return _run_batch(args, sys.stdin, sys.stdout)
        try:
            with open(args.jsonl, encoding="utf-8") as source:
                return _run_batch(args, source, sys.stdout)
        except OSError as exc:
            print(f"scheducal-bot parse: cannot read {args.jsonl}: {exc.strerror}", file=sys.stderr)
            return 2
    if args.text is None:
        print(
            'scheducal-bot parse: give the text to parse, e.g. "sync tomorrow 3pm"', file=sys.stderr
        )
        return 2
    tz = args.tz or _default_tz()
    request, error = _parse_one(args.text, args.now, tz, args)
    if args.json:
        print(json.dumps(result_dict(request, error), ensure_ascii=False, indent=2))
    elif request is not None:
        print(_human(request, tz))
    else:
        print(f"Not understood: {error}", file=sys.stderr)
    return 0 if request is not None else 1
