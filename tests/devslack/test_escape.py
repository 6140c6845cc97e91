"""How the Slack client escapes a slash command's text (``should_escape: true``)."""

from __future__ import annotations

from bot.devslack.escape import escape_command_text, escape_mrkdwn

USERS = {"alice": "U1", "bob.smith": "U2"}
CHANNELS = {"general": "C1"}


def esc(text: str) -> str:
    return escape_command_text(text, user_lookup=USERS.get, channel_lookup=CHANNELS.get)


def test_ampersand_first_then_angle_brackets():
    assert escape_mrkdwn("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert esc("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert esc("&amp;") == "&amp;amp;"


def test_people_channels_emails_links():
    assert esc("sync with @alice and @bob.smith.") == "sync with <@U1|alice> and <@U2|bob.smith>."
    assert esc("in #general") == "in <#C1|general>"
    assert esc("mail dan@acme.co.uk now") == "mail <mailto:dan@acme.co.uk|dan@acme.co.uk> now"
    assert esc("see https://zoom.us/j/1?a=1&b=2.") == (
        "see <https://zoom.us/j/1?a=1&amp;b=2|zoom.us/j/1?a=1&amp;b=2>."
    )


def test_unknown_names_stay_as_typed():
    assert esc("@nobody in #nowhere") == "@nobody in #nowhere"


def test_email_is_not_a_mention():
    assert esc("alice@example.com") == "<mailto:alice@example.com|alice@example.com>"


def test_special_mentions():
    assert esc("ping @here and @channel!") == "ping <!here> and <!channel>!"
