"""Modal submission listeners."""

from slack_bolt.async_app import AsyncApp

from bot.slack import modals
from bot.slack.listeners.common import guarded
from bot.slack.listeners.views import manage, schedule


def register(app: AsyncApp, **_: object) -> None:
    app.view(modals.SCHEDULE_CALLBACK)(guarded(schedule.submit))
    app.view(modals.INVITE_CALLBACK)(guarded(manage.invite))
    app.view(modals.RESCHEDULE_CALLBACK)(guarded(manage.reschedule))
    app.view(modals.CANCEL_CALLBACK)(guarded(manage.cancel))
