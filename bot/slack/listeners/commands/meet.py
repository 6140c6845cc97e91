"""`/meet`: acknowledge at once (an empty 200), then answer through the response URL.

`/meet` alone opens the form; `help`, `list`, `invite`, `reschedule` and `cancel` are
sub-commands when followed by what they need (so "/meet invite Ann to lunch tomorrow"
is still a meeting request); any other text is a meeting request to preview.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot import parsing
from bot.services import Services
from bot.slack import blocks, modals, operations
from bot.slack.draft import Draft, DraftAttendee, DraftTooLarge
from bot.slack.errors import UserFacingError
from bot.slack.listeners.common import reply
from bot.slack.text import email_of, escape, slack_to_plain, user_id_of, wall_time_text
from bot.store import repo


async def handle_meet(ack: Any, command: dict[str, Any], respond: Any, context: Any) -> None:
    await ack()
    services: Services = context["services"]
    text = (command.get("text") or "").strip()
    words = text.split(maxsplit=2)
    verb = words[0].lower() if words else ""
    ref = repo.parse_ref(words[1]) if len(words) > 1 else None
    try:
        if not text:
            await open_form(services, command)
        elif verb == "help" and len(words) == 1:
            await reply(respond, *blocks.help_message(command.get("command") or "/meet"))
        elif verb == "list" and len(words) == 1:
            await list_channel(services, command, respond)
        elif verb in ("invite", "reschedule", "cancel") and len(words) == 1:
            await reply(respond, *usage(verb, command.get("command") or "/meet"))
        elif verb in ("invite", "reschedule", "cancel") and ref is not None:
            rest = words[2] if len(words) > 2 else ""
            handler = {"invite": invite, "reschedule": reschedule, "cancel": cancel}[verb]
            await handler(services, command, respond, ref, rest)
        else:
            await preview(services, command, respond, text)
    except UserFacingError as exc:
        await reply(respond, *blocks.notice_message(exc.message))


def usage(verb: str, command: str) -> tuple[str, list[dict[str, Any]]]:
    examples = {
        "invite": f"`{command} invite 12 ann@acme.com` or `{command} invite 12 @ann`",
        "reschedule": f"`{command} reschedule 12 tomorrow 3pm`",
        "cancel": f"`{command} cancel 12 sorry, I am ill`",
    }
    return blocks.notice_message(
        f"Which appointment? Give its reference, e.g. {examples[verb]}. "
        f"`{command} list` shows the references."
    )


async def open_form(services: Services, command: dict[str, Any]) -> None:
    metadata = {"c": command["channel_id"], "r": command.get("response_url")}
    view = modals.schedule_modal(modals.ScheduleDefaults(), metadata)
    await services.slack.views_open(trigger_id=command["trigger_id"], view=view)


async def preview(services: Services, command: dict[str, Any], respond: Any, text: str) -> None:
    user = await services.users.get(command["user_id"])
    tz = user.tz or "UTC"
    now = datetime.now(UTC)
    try:
        request = parsing.parse_request(
            text, now=now, tz=tz, date_order=services.settings.date_order
        )
    except parsing.ParseError as exc:
        # The parser's example says /meet; show the command this app answers to.
        name = command.get("command") or "/meet"
        raise UserFacingError(escape(exc.message.replace("`/meet ", f"`{name} "))) from None
    if request.start < now - timedelta(minutes=1):
        raise UserFacingError(
            f"That time ({wall_time_text(request.start, request.timezone)}) is in the past. "
            "Give a time from now on."
        )
    mentioned = [a.slack_user_id for a in request.attendees if a.slack_user_id and not a.email]
    people, problems = await operations.people_to_attendees(services, mentioned)
    if problems:
        raise UserFacingError(" ".join(problems))
    by_id = {p.slack_user_id: p for p in people}
    in_order = [  # as typed: the first one is the invitee ScheduCal creates the event with
        by_id[a.slack_user_id]
        if a.slack_user_id in by_id
        else DraftAttendee(email=a.email, name=a.name, slack_user_id=a.slack_user_id)
        for a in request.attendees
        if a.email or a.slack_user_id in by_id
    ]
    draft = Draft(
        team_id=command["team_id"],
        channel_id=command["channel_id"],
        organizer_id=command["user_id"],
        subject=request.subject,
        start=request.start,
        end=request.end,
        timezone=request.timezone,
        attendees=operations.merge_attendees(in_order),
        location=request.location,
        notes=request.notes,
    )
    notices = []
    if request.subject_is_fallback:
        notices.append(
            f"I found no subject, so I used “{escape(request.subject)}”. Press *Edit* to change it."
        )
    if not user.tz:
        notices.append("Your Slack profile has no time zone, so I read the time as UTC.")
    try:
        await reply(respond, *blocks.preview_message(draft, notices=notices))
    except DraftTooLarge as exc:
        raise UserFacingError(str(exc)) from None


async def list_channel(services: Services, command: dict[str, Any], respond: Any) -> None:
    async with services.db.session() as s:
        upcoming = await repo.list_upcoming(
            s, command["team_id"], now=datetime.now(UTC), channel_id=command["channel_id"]
        )
    await reply(respond, *blocks.list_message(upcoming))


def _targets(rest: str) -> tuple[list[str], list[str], list[str]]:
    """Split `@ann bob@x.com` (Slack-escaped) into user ids, emails and what is neither."""
    user_ids, emails, unknown = [], [], []
    for token in rest.replace(",", " ").split():
        if user_id := user_id_of(token):
            user_ids.append(user_id)
        elif email := email_of(token):
            emails.append(email)
        else:
            unknown.append(token)
    return user_ids, emails, unknown


async def invite(
    services: Services, command: dict[str, Any], respond: Any, ref: int, rest: str
) -> None:
    user_ids, emails, unknown = _targets(rest)
    name = command.get("command") or "/meet"
    if unknown or not (user_ids or emails):
        shown = escape(slack_to_plain(" ".join(unknown))) if unknown else "nobody"
        raise UserFacingError(
            f"I can invite email addresses or Slack people, not “{shown}”. "
            f"Example: `{name} invite {ref} ann@acme.com @bob`"
        )
    valid, invalid = modals.split_emails(" ".join(emails))
    if invalid:
        raise UserFacingError(f"Not an email address: {escape(', '.join(invalid))}")
    appointment = await operations.load(services, command["team_id"], ref)
    operations.require_active(appointment, "add people to")
    await operations.require_inviter(
        services, appointment, command["user_id"], command["channel_id"]
    )
    people, problems = await operations.people_to_attendees(services, user_ids)
    if problems:
        raise UserFacingError(" ".join(problems))
    attendees = operations.merge_attendees(people, [DraftAttendee(email=e) for e in valid])
    lines = await operations.invite_people(services, appointment, attendees, command["user_id"])
    await reply(respond, *blocks.notice_message("\n".join(lines)))


async def reschedule(
    services: Services, command: dict[str, Any], respond: Any, ref: int, rest: str
) -> None:
    name = command.get("command") or "/meet"
    if not rest.strip():
        raise UserFacingError(f"To when? Example: `{name} reschedule {ref} tomorrow 3pm`")
    appointment = await operations.load(services, command["team_id"], ref)
    operations.require_active(appointment, "reschedule")
    await operations.require_manager(services, appointment, command["user_id"], "reschedule")
    user = await services.users.get(command["user_id"])
    reader_zone = user.tz or appointment.timezone  # people type times in their own zone
    length = appointment.end_utc - appointment.start_utc
    try:
        start, end, tz = parsing.parse_when(
            rest,
            now=datetime.now(UTC),
            tz=reader_zone,
            default_duration=length if length > timedelta(0) else timedelta(minutes=30),
            date_order=services.settings.date_order,
        )
    except parsing.ParseError as exc:
        raise UserFacingError(escape(exc.message)) from None
    # The same instant; the meeting keeps its zone unless the text named another one.
    zone = appointment.timezone if tz == reader_zone else tz
    await operations.reschedule(
        services, appointment, start=start, end=end, timezone=zone, actor=command["user_id"]
    )
    await reply(
        respond,
        *blocks.notice_message(f"Done: #{ref} moved. The thread and the attendees are updated."),
    )


async def cancel(
    services: Services, command: dict[str, Any], respond: Any, ref: int, rest: str
) -> None:
    appointment = await operations.load(services, command["team_id"], ref)
    comment = slack_to_plain(rest) or None
    await operations.cancel(services, appointment, comment=comment, actor=command["user_id"])
    await reply(
        respond, *blocks.notice_message(f"Done: #{ref} is canceled and the attendees are told.")
    )
