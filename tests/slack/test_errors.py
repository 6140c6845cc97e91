"""ScheduCal and Slack failures as sentences a person can act on."""

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse

from bot.scheducal import errors as sc
from bot.slack.errors import scheducal_sentence, slack_sentence

RAW = "RAW-SERVER-TEXT"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (sc.InvalidTimeRange(RAW, status=400, code="invalid_time_range"), "end must be after"),
        (sc.MissingRequiredField(RAW, code="missing_required_field", param="name"), "(`name`)"),
        (sc.InvalidEmail(RAW, code="invalid_email"), "rejected an email address"),
        (sc.AppointmentNotFound(RAW, code="appointment_not_found"), "no longer knows"),
        (sc.AppointmentAlreadyCancelled(RAW), "already cancelled"),
        (sc.InvalidCredentials(RAW, status=401), "SCHEDUCAL_API_KEY and SCHEDUCAL_API_SECRET"),
        (sc.RateLimitExceeded(RAW, status=429), "Try again in a minute"),
        (sc.DuplicateRequest(RAW, status=409), "saw the same request already"),
        (sc.ScheduCalServerError(RAW, status=503), "server error"),
        (sc.ScheduCalConnectionError(RAW), "could not reach ScheduCal"),
        (sc.ScheduCalProtocolError(RAW), "did not understand"),
        (sc.ScheduCalError(RAW, status=418), "ScheduCal could not do that."),
    ],
)
def test_every_scheducal_error_has_a_sentence(error, expected):
    sentence = scheducal_sentence(error)
    assert expected in sentence
    assert RAW not in sentence  # the server's own text is for the log, not the person


def slack_error(code: str) -> SlackApiError:
    response = SlackResponse(
        client=None, http_verb="POST", api_url=RAW, req_args={}, data={"ok": False, "error": code},
        headers={}, status_code=200,
    )  # fmt: skip
    return SlackApiError("failed", response)


def test_slack_errors_say_what_to_do():
    assert "/invite @ScheduCal" in slack_sentence(slack_error("not_in_channel"))
    assert "/invite @ScheduCal" in slack_sentence(slack_error("channel_not_found"))
    assert "archived" in slack_sentence(slack_error("is_archived"))
    assert "(`msg_too_long`)" in slack_sentence(slack_error("msg_too_long"))


def test_sentence_for_knows_people_errors_and_not_bugs():
    from bot.slack.errors import UserFacingError, sentence_for

    assert sentence_for(UserFacingError("Do X.")) == "Do X."
    assert "try once more" in sentence_for(slack_error("expired_trigger_id"))
    assert "ScheduCal" in sentence_for(sc.RateLimitExceeded(RAW, status=429))
    assert sentence_for(RuntimeError("bug")) is None
