from datetime import UTC, datetime, timedelta

import pytest

from bot.slack.text import (
    date_token,
    duration_text,
    email_of,
    escape,
    slack_to_plain,
    unescape,
    user_id_of,
    wall_time_text,
)


def test_escape_neutralises_mentions_and_ampersands():
    assert escape("<!channel> & <@U123>") == "&lt;!channel&gt; &amp; &lt;@U123&gt;"
    # & first: an already escaped entity is shown as typed, not turned back into markup
    assert escape("&lt;!here&gt;") == "&amp;lt;!here&amp;gt;"
    assert unescape(escape("a <b> & c")) == "a <b> & c"


def test_date_token_renders_in_reader_zone_with_a_fallback_naming_the_zone():
    start = datetime(2026, 4, 15, 16, 0, tzinfo=UTC)  # 9:00 in Los Angeles (PDT)
    token = date_token(start, "America/Los_Angeles")
    assert token == (
        "<!date^1776268800^{date_short_pretty} at {time}"
        "|Wed, Apr 15 2026 9:00 AM PDT (America/Los_Angeles)>"
    )


def test_wall_time_in_a_zone_without_letters_names_the_iana_zone():
    text = wall_time_text(datetime(2026, 1, 5, 9, 30, tzinfo=UTC), "Asia/Dubai")
    assert text == "Mon, Jan 5 2026 1:30 PM +04 (Asia/Dubai)"
    assert wall_time_text(datetime(2026, 1, 5, 0, 5, tzinfo=UTC), "UTC").endswith("12:05 AM UTC")


def test_date_token_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        date_token(datetime(2026, 1, 1, 9), "UTC")


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (30, "30 min"),
        (60, "1 h"),
        (90, "1 h 30 min"),
        (0, "0 min"),
        (60 * 24 * 2 + 60, "2 days 1 h"),
    ],
)
def test_duration_text(minutes, text):
    assert duration_text(timedelta(minutes=minutes)) == text


def test_slack_tokens_to_plain_text():
    raw = (
        "sorry <@U1|ann> &amp; <mailto:b@x.io|b@x.io>, "
        "see <https://x.io/a|the doc> in <#C1|general>"
    )
    assert slack_to_plain(raw) == "sorry @ann & b@x.io, see the doc in #general"


def test_people_tokens():
    assert user_id_of("<@U123ABC|ann>") == "U123ABC"
    assert user_id_of("<@W1>") == "W1"
    assert user_id_of("ann") is None
    assert email_of("<mailto:ann@x.io|ann@x.io>") == "ann@x.io"
    assert email_of("bob@x.io") == "bob@x.io"
    assert email_of("<https://x.io|x.io>") is None
    assert email_of("tomorrow") is None
