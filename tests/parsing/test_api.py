"""The public interface: argument checks, parse_when, Slack forms, purity of the import."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
import pytz

from bot.parsing import Attendee, ParseError, parse_request, parse_when

NY = pytz.timezone("America/New_York")
NOW = NY.localize(datetime(2026, 3, 4, 10, 0))  # Wednesday


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        parse_request("sync tomorrow 3pm", now=datetime(2026, 3, 4, 10), tz="UTC")


def test_bad_date_order_and_duration_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        parse_request("sync tomorrow 3pm", now=NOW, tz="UTC", date_order="YMD")
    with pytest.raises(ValueError):
        parse_request("sync tomorrow 3pm", now=NOW, tz="UTC", default_duration=timedelta(0))


def test_unknown_person_zone_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="time zone"):
        parse_request("sync tomorrow 3pm", now=NOW, tz="Mars/Olympus_Mons")


def test_person_zone_is_spelled_as_iana_spells_it() -> None:
    r = parse_request("sync tomorrow 3pm", now=NOW, tz="america/new_york")
    assert r.timezone == "America/New_York"


def test_default_duration_is_used_when_no_end_is_given() -> None:
    r = parse_request("sync tomorrow 3pm", now=NOW, tz="America/New_York",
                      default_duration=timedelta(minutes=45))  # fmt: skip
    assert r.end - r.start == timedelta(minutes=45)


def test_result_is_aware_and_in_the_named_zone() -> None:
    r = parse_request("sync tomorrow 9am Asia/Tokyo", now=NOW, tz="America/New_York")
    assert r.timezone == "Asia/Tokyo"
    assert r.start.utcoffset() == timedelta(hours=9)
    assert (r.start.hour, r.start.minute) == (9, 0)


def test_error_message_says_what_and_gives_an_example() -> None:
    with pytest.raises(ParseError) as info:
        parse_request("lunch with bob", now=NOW, tz="America/New_York")
    message = str(info.value)
    assert "couldn't find a day or time" in message
    assert "Try: `/meet Intro call with john@acme.com tomorrow 3pm for 30m`" in message
    assert info.value.problem and info.value.example


def test_slack_escaped_forms() -> None:
    text = (
        "Kickoff &amp; planning with <@U123ABC|alice>, <@W0ENTERPRISE> and "
        "<mailto:bob@acme.com|bob@acme.com> tomorrow 3pm <https://zoom.us/j/1|zoom.us/j/1> "
        "<#C0123|general> <!here>"
    )
    r = parse_request(text, now=NOW, tz="America/New_York")
    assert r.subject == "Kickoff & planning"
    assert r.attendees == [
        Attendee(slack_user_id="U123ABC", name="alice"),
        Attendee(slack_user_id="W0ENTERPRISE"),
        Attendee(email="bob@acme.com"),
    ]
    assert r.location == "https://zoom.us/j/1"


def test_slack_escaped_angle_brackets_around_an_address_keep_the_name() -> None:
    text = "Intro with John Doe &lt;<mailto:john@acme.com|john@acme.com>&gt; tomorrow 3pm"
    r = parse_request(text, now=NOW, tz="America/New_York")
    assert r.attendees == [Attendee(email="john@acme.com", name="John Doe")]
    assert r.subject == "Intro"


def test_fallback_subject_is_flagged() -> None:
    r = parse_request("<@U1ABC|kim> tomorrow 3pm", now=NOW, tz="America/New_York")
    assert r.subject == "Meeting with kim" and r.subject_is_fallback
    r = parse_request("Retro tomorrow 3pm", now=NOW, tz="America/New_York")
    assert r.subject == "Retro" and not r.subject_is_fallback


def test_times_inside_a_quoted_subject_are_not_read() -> None:
    r = parse_request('"Move the 9am standup" tomorrow 3pm', now=NOW, tz="America/New_York")
    assert r.subject == "Move the 9am standup"
    assert r.start.hour == 15


def test_numeric_date_order_is_configurable() -> None:
    mdy = parse_request("sync 4/5 3pm", now=NOW, tz="America/New_York")
    dmy = parse_request("sync 4/5 3pm", now=NOW, tz="America/New_York", date_order="DMY")
    assert (mdy.start.month, mdy.start.day) == (4, 5)
    assert (dmy.start.month, dmy.start.day) == (5, 4)


def test_texts_with_dozens_of_numbers_are_refused_quickly() -> None:
    with pytest.raises(ParseError, match="one appointment at a time"):
        parse_request("sync " + "1 " * 61, now=NOW, tz="America/New_York")
    with pytest.raises(ParseError, match="too long"):
        parse_request("sync tomorrow 3pm " + "x" * 4000, now=NOW, tz="America/New_York")


def test_recurring_requests_are_refused() -> None:
    with pytest.raises(ParseError, match="repeating"):
        parse_request("standup every weekday at 9", now=NOW, tz="America/New_York")


def test_day_of_next_month() -> None:
    r = parse_request("Board prep the 3rd of next month at 10am", now=NOW, tz="America/New_York")
    assert r.start == NY.localize(datetime(2026, 4, 3, 10, 0))
    assert r.subject == "Board prep"


def test_dateparser_resolves_day_phrases_the_grammar_leaves() -> None:
    # Lower-case "may"/"march" are verbs too, so the grammar leaves them; the leftover
    # check sees a month and a number and asks dateparser, which reads it as a date.
    r = parse_request("Offsite may 5th at 10am", now=NOW, tz="America/New_York")
    assert r.start == NY.localize(datetime(2026, 5, 5, 10, 0))
    assert r.subject == "Offsite"


def test_parse_when_reads_only_the_time() -> None:
    start, end, tz = parse_when("friday 10-11 ET", now=NOW, tz="Europe/London")
    assert tz == "America/New_York"
    assert start == NY.localize(datetime(2026, 3, 6, 10, 0))
    assert end - start == timedelta(hours=1)


def test_parse_when_lone_to_is_a_start() -> None:
    start, end, tz = parse_when("to 4pm tomorrow", now=NOW, tz="America/New_York")
    assert (start.day, start.hour, tz) == (5, 16, "America/New_York")
    assert end - start == timedelta(minutes=30)


def test_parse_when_errors_carry_the_reschedule_example() -> None:
    with pytest.raises(ParseError) as info:
        parse_when("whenever suits", now=NOW, tz="UTC")
    assert info.value.example == "tomorrow 3pm"


def test_parse_when_unknown_zone_error_carries_the_reschedule_example() -> None:
    with pytest.raises(ParseError) as info:
        parse_when("tomorrow 3pm Europe/Atlantis", now=NOW, tz="UTC")
    assert "time zone" in info.value.problem and info.value.example == "tomorrow 3pm"


def test_parse_when_rejects_past_days() -> None:
    with pytest.raises(ParseError, match="past"):
        parse_when("yesterday 4pm", now=NOW, tz="America/New_York")


def test_importing_the_parser_pulls_in_no_io_libraries() -> None:
    code = (
        "import sys, bot.parsing\n"
        "heavy = ('slack_bolt', 'slack_sdk', 'aiohttp', 'sqlalchemy', 'asyncpg', 'dateparser')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_parse_when_accepts_one_moment_restated_in_a_second_zone() -> None:
    start, end, zone = parse_when("tomorrow 1pm PT / 4pm ET", now=NOW, tz="America/New_York")
    la = pytz.timezone("America/Los_Angeles")
    assert (start, end, zone) == (
        la.localize(datetime(2026, 3, 5, 13, 0)),
        la.localize(datetime(2026, 3, 5, 13, 30)),
        "America/Los_Angeles",
    )


def test_restated_times_that_disagree_are_refused_with_both_named() -> None:
    with pytest.raises(ParseError) as info:
        parse_when("tomorrow 1pm PT (3pm ET)", now=NOW, tz="America/New_York")
    assert "“1pm PT”" in info.value.message and "“3pm ET”" in info.value.message
    assert "not the same moment" in info.value.message
    assert info.value.example == "tomorrow 3pm"


def test_slack_emoji_codes_leave_the_subject_but_unicode_emoji_stay() -> None:
    r = parse_request(":rocket: Launch 🚀 tomorrow 3pm :tada:", now=NOW, tz="America/New_York")
    assert r.subject == "Launch 🚀"


def test_lower_case_march_or_may_with_a_year_keeps_the_year() -> None:
    # Was: "march 3 2026" went to dateparser without its year (2027-03-03, "sync 2026").
    with pytest.raises(ParseError, match="in the past"):
        parse_request("sync march 3 2026 10am", now=NOW, tz="America/New_York")
    r = parse_request("sync march 5, 2026 10am", now=NOW, tz="America/New_York")
    assert (r.start, r.subject) == (NY.localize(datetime(2026, 3, 5, 10, 0)), "sync")
    r = parse_request("offsite may 3 2027 at 10am", now=NOW, tz="America/New_York")
    assert (r.start, r.subject) == (NY.localize(datetime(2027, 5, 3, 10, 0)), "offsite")


@pytest.mark.parametrize(
    "text", ["Dinner at 7 tomorrow", "Team drinks friday 9:30", "Dinner tomorrow 7-9"]
)
def test_bare_morning_hour_for_an_evening_event_is_asked_not_guessed(text: str) -> None:
    # Was: "Dinner at 7 tomorrow" silently became 07:00 (business-hours reading).
    with pytest.raises(ParseError, match="morning or the evening"):
        parse_request(text, now=NOW, tz="America/New_York")


def test_evening_event_with_a_clear_hour_is_read_as_written() -> None:
    cases = [
        ("Dinner tomorrow at 7pm", 19),
        ("Drinks friday 6", 18),
        ("Dinner tomorrow at 7 in the evening", 19),
        ("Breakfast tomorrow at 8", 8),
        ("Team drinks tomorrow 10-11am", 10),  # the range's end settles the start
    ]
    for text, hour in cases:
        assert parse_request(text, now=NOW, tz="America/New_York").start.hour == hour


def test_a_user_group_mention_is_refused_not_dropped() -> None:
    # Was: "<!subteam^...>" vanished, so "Standup with @eng" invited nobody.
    with pytest.raises(ParseError, match=r"user group \(@eng\)"):
        parse_request("Standup with <!subteam^S0ENG|@eng> tomorrow 9am", now=NOW, tz="UTC")
    with pytest.raises(ParseError, match="user group"):
        parse_request("Standup with <!subteam^S0ENG> tomorrow 9am", now=NOW, tz="UTC")
    r = parse_request("Launch <!here> tomorrow 3pm", now=NOW, tz="America/New_York")
    assert (r.subject, r.attendees) == ("Launch", [])


def test_week_from_a_weekday_is_refused_not_dropped() -> None:
    # Was: "sync week from monday 10am" became Monday 9 March, subject "sync week".
    for text in ("sync week from monday 10am", "sync weeks from friday at 2pm"):
        with pytest.raises(ParseError, match="from"):
            parse_request(text, now=NOW, tz="America/New_York")
    r = parse_request("sync 2 weeks from tomorrow 10am", now=NOW, tz="America/New_York")
    assert r.start == NY.localize(datetime(2026, 3, 19, 10, 0))


def test_a_labelled_location_keeps_its_commas() -> None:
    # Was: "location: HQ, 3rd floor" gave location "HQ" and subject "Sync 3rd floor".
    r = parse_request("Sync tomorrow 3pm location: HQ, 3rd floor", now=NOW, tz="America/New_York")
    assert (r.subject, r.location) == ("Sync", "HQ, 3rd floor")
    r = parse_request("Sync location: 1 Main St, Springfield, tomorrow 3pm", now=NOW, tz="UTC")
    assert (r.subject, r.location) == ("Sync", "1 Main St, Springfield")


def test_an_offset_beyond_any_zone_is_refused_not_read_as_utc() -> None:
    # Was: "10am UTC+15" became 10:00 UTC with subject "sync 15".
    for text in ("sync tomorrow 10am UTC+15", "sync tomorrow 10am GMT-20"):
        with pytest.raises(ParseError, match="No time zone is at"):
            parse_request(text, now=NOW, tz="America/New_York")
    r = parse_request("sync tomorrow 10am UTC+14", now=NOW, tz="America/New_York")
    assert r.start.utcoffset() == timedelta(hours=14)


@pytest.mark.parametrize(
    "length",
    [
        "for ninety minutes",
        "for a couple of hours",
        "for a few hours",
        "for one hundred twenty minutes",
        "for a minute",
    ],  # fmt: skip
)
def test_a_length_it_cannot_read_is_refused_not_defaulted(length: str) -> None:
    # Was: the default 30 min (or 20 min for "one hundred twenty minutes"), the words
    # left in the subject.
    with pytest.raises(ParseError, match="couldn't understand"):
        parse_request(f"sync tomorrow 3pm {length}", now=NOW, tz="America/New_York")


@pytest.mark.parametrize("address", ["ann@x", "ann@@x.com", "ann@x.c"])
def test_a_broken_address_is_refused_not_left_in_the_subject(address: str) -> None:
    # Was: "sync tomorrow 3pm with ann@x" gave subject "sync ann@x" and nobody to invite.
    with pytest.raises(ParseError, match=f"“{re.escape(address)}” is not an email address"):
        parse_request(f"sync tomorrow 3pm with {address}", now=NOW, tz="America/New_York")


def test_at_ten_to_four_is_asked_not_read_as_a_six_hour_range() -> None:
    # Was: "at 10 to 4" became 10:00-16:00 ("ten to four" in words is 15:50).
    with pytest.raises(ParseError, match="3:50 or 10 until 4"):
        parse_request("sync tomorrow at 10 to 4", now=NOW, tz="America/New_York")
    r = parse_request("sync tomorrow at 3 to 4", now=NOW, tz="America/New_York")
    assert (r.start.hour, r.end.hour) == (15, 16)
    r = parse_request("sync tomorrow from 10 to 4", now=NOW, tz="America/New_York")
    assert (r.start.hour, r.end.hour) == (10, 16)


def test_feb_29_without_a_year_is_not_pushed_two_years_out() -> None:
    # Was: "feb 29" typed in 2026 silently became 29 Feb 2028.
    now = NY.localize(datetime(2026, 2, 27, 10, 0))
    with pytest.raises(ParseError, match="add the year if you mean 2028"):
        parse_request("sync feb 29 10am", now=now, tz="America/New_York")
    r = parse_request("sync Feb 29 2028 10am", now=now, tz="America/New_York")
    assert r.start == NY.localize(datetime(2028, 2, 29, 10, 0))
    r = parse_request("sync Feb 29 10am", now=NY.localize(datetime(2027, 12, 1)), tz="UTC")
    assert r.start.date().isoformat() == "2028-02-29"
