"""`scheducal-bot shell`: the whole thing on one machine, no Slack workspace or ScheduCal account.

One process runs the ScheduCal sandbox, a local Slack (devslack) and the bot itself on a
SQLite file. You type what a person would do in Slack (``/meet ...``, click a button by its
number) or what an attendee's calendar would do (accept, decline, propose a time), and the
shell prints what changed in the channel, its threads, your private messages and modals.

From a pipe (stdin not a terminal) it prints no prompts; each command is echoed once as
``name> command`` and the shell waits for the consequences (webhook deliveries, the bot's
posts) to settle before it reads the next line, so a script gives a stable transcript.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import socket
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.devslack import DevSlackServer
    from bot.devslack.render import Control, Screen
    from bot.devslack.state import User
    from bot.sandbox.server import SandboxServer
    from bot.services import Services
    from bot.store.models import Appointment

log = logging.getLogger("scheducal.shell")

DEMO_CHANNEL = ("C0GENERAL", "general")
# id, user name, real name, email, zone, admin
DEMO_PEOPLE = (
    ("U0ALEX", "alex", "Alex Rivera", "alex@example.com", "America/Los_Angeles", True),
    ("U0BOB", "bob", "Bob Baker", "bob@example.org", "America/New_York", False),
    ("U0CHANDRA", "chandra", "Chandra Iyer", "chandra@example.in", "Asia/Kolkata", False),
    ("U0DANA", "dana", "Dana Scott", None, "Europe/Berlin", False),  # hides her email
)
RESPONSES = {"accept": "accepted", "decline": "declined", "tentative": "tentativelyAccepted"}

HELP = """\
What you can type:
  {command} <text>{pad}what you would type in Slack, e.g.
                                 {command} Intro call with @bob tomorrow 3pm for 30m
  click N                        click button N of the last output
  fill N <value>                 type into input N of an open modal
                                 (dates like 2026-04-15 09:00; people like @bob @chandra)
  accept|decline|tentative <ref> <email>
                                 play an attendee answering invitation #ref
  propose <ref> <email> <time>   play an attendee proposing another time
                                 (e.g. propose 1 bob@example.org Friday 10am)
  as <name>                      act as another person (alex, bob, chandra, dana)
  show                           the whole channel with threads, your messages, modals
  home                           open the bot's App Home tab
  help                           this text
  quit                           leave (end of input does the same)
Lines starting with '#' are comments."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="SQLite file to keep (default: a temporary file deleted on exit)",
    )
    parser.add_argument(
        "--as",
        dest="user",
        default="alex",
        help="who you are at the start (alex, bob, chandra, dana; default alex)",
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        metavar="LEVEL",
        help="log level of the bot and the local servers on stderr (default WARNING)",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=None,
        metavar="SECONDS",
        help="quiet time that means 'done' after each command "
        "(default 0.3 interactive, 0.6 from a pipe)",
    )


# --- the running world ------------------------------------------------------------------------


class StartError(Exception):
    """The local servers could not be started or wired together (shown as one line)."""


@dataclass
class World:
    """Everything the shell started and wired together."""

    slack: DevSlackServer
    sandbox: SandboxServer
    services: Services
    settings: Settings
    bot_url: str
    channel_id: str


@contextlib.asynccontextmanager
async def start_world(db_path: Path) -> AsyncIterator[World]:
    """Sandbox + devslack + the bot on ``db_path``, wired to each other."""
    from bot.config import Settings
    from bot.devslack import DevSlackServer
    from bot.sandbox.server import SandboxServer
    from bot.scheducal.client import ScheduCalClient
    from bot.scheducal.errors import ScheduCalError
    from bot.scheducal.events import EVENT_TYPES
    from bot.serve import start_http
    from bot.services import Services
    from bot.web import create_web_app

    async with (
        SandboxServer(allow_http_webhooks=True) as sandbox,
        DevSlackServer() as slack,
    ):
        for user_id, name, real_name, email, tz, admin in DEMO_PEOPLE:
            slack.add_user(user_id, name, real_name, email, tz, is_admin=admin)
        slack.add_channel(*DEMO_CHANNEL)
        # Register the webhook the way a deployment does (through the API), on the port the
        # bot is about to listen on, so the bot starts with the secret ScheduCal handed out.
        port = _free_port()
        bot_url = f"http://127.0.0.1:{port}"
        try:
            async with ScheduCalClient(sandbox.url, sandbox.api_key, sandbox.api_secret) as client:
                hook = await client.register_webhook(f"{bot_url}/webhooks/scheducal", EVENT_TYPES)
        except ScheduCalError as exc:
            raise StartError(f"the sandbox refused the webhook registration: {exc}") from None
        settings = Settings.from_env().with_overrides(
            scheducal_api_url=sandbox.url,
            scheducal_api_key=sandbox.api_key,
            scheducal_api_secret=sandbox.api_secret,
            scheducal_webhook_secrets=(hook.secret or "",),
            scheducal_default_channel=DEMO_CHANNEL[0],
            slack_bot_token=slack.bot_token,
            slack_signing_secret=slack.signing_secret,
            slack_app_token="",
            slack_api_url=slack.api_url,
            database_url=f"sqlite+aiosqlite:///{db_path}",
            host="127.0.0.1",
            port=port,
            public_url=bot_url,
        )
        async with Services.start(settings) as services:
            try:
                await services.db.upgrade()
            except Exception as exc:  # noqa: BLE001 - any migration failure stops the start
                first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise StartError(
                    f"the database {db_path} could not be brought up to date: {first_line}"
                ) from None
            app = create_web_app(settings, services)
            try:
                server = await start_http(app, "127.0.0.1", port)
            except OSError as exc:
                raise StartError(f"the bot could not listen on 127.0.0.1:{port}: {exc}") from None
            try:
                slack.app_url = server.url + "/"
                yield World(slack, sandbox, services, settings, server.url, DEMO_CHANNEL[0])
            finally:
                await server.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the interpreter ------------------------------------------------------------------------


@dataclass
class Shell:
    """Reads commands, acts through devslack and the sandbox, prints what changed."""

    world: World
    out: TextIO
    user: str
    quiet: float
    controls: list[Control] = field(default_factory=list)

    def __post_init__(self) -> None:
        from bot.devslack.feed import Feed

        self.feed = Feed(self.world.slack, [self.world.channel_id])

    # output ---------------------------------------------------------------------------------

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def show_screen(self, screen: Screen) -> None:
        if screen.lines:
            self.say(screen.text)
        if screen.controls:
            self.controls = screen.controls

    async def settle(self) -> None:
        """Wait until webhook deliveries and the bot's Slack calls have stopped."""
        slack, sandbox = self.world.slack, self.world.sandbox
        for _ in range(20):
            before = (slack.activity, len(sandbox.events))
            # A delivery waiting for a retry (minutes away) keeps the sandbox "busy":
            # give in-flight deliveries their 5 s, not the retry schedule.
            with contextlib.suppress(TimeoutError):
                await sandbox.wait_idle(timeout=5)
            await self._inbox_drained(timeout=15)
            await slack.settle(quiet=self.quiet, timeout=15)
            if before == (slack.activity, len(sandbox.events)):
                return

    async def _inbox_drained(self, timeout: float) -> None:
        """Wait while the bot's webhook inbox holds events due in the next few seconds.

        (Events the worker deliberately retries later, e.g. for an appointment it does not
        know yet, do not hold the shell up.)
        """
        from sqlalchemy import func, select

        from bot.store.models import InboxEvent
        from bot.webhooks.inbox import OPEN_STATUSES

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            soon = datetime.now(UTC) + timedelta(seconds=3)
            query = (
                select(func.count())
                .select_from(InboxEvent)
                .where(InboxEvent.status.in_(OPEN_STATUSES), InboxEvent.next_attempt_at <= soon)
            )
            async with self.world.services.db.session() as session:
                waiting = await session.scalar(query)
            if not waiting:
                return
            await asyncio.sleep(0.1)

    async def report(self) -> None:
        await self.settle()
        self.show_screen(self.feed.changes(self.user))

    @property
    def me(self) -> User:
        return self.world.slack.users[self.user]

    # commands -------------------------------------------------------------------------------

    async def handle(self, line: str) -> bool:
        """Run one line; False means quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        word, _, rest = line.partition(" ")
        word = word.lower()
        rest = rest.strip()
        if line.startswith("/"):
            await self.slash(line)
        elif word in ("quit", "exit"):
            return False
        elif word == "help":
            command = self.world.settings.slack_command
            self.say(HELP.format(command=command, pad=" " * max(1, 24 - len(command))))
        elif word == "show":
            await self.settle()
            self.show_screen(self.feed.everything(self.user))
        elif word == "click":
            await self.click(rest)
        elif word == "fill":
            self.fill(rest)
        elif word in RESPONSES:
            await self.respond(RESPONSES[word], rest)
        elif word == "propose":
            await self.propose(rest)
        elif word == "as":
            self.switch(rest)
        elif word == "home":
            await self.home()
        else:
            self.say(f"I don't know '{word}'. Type help for what you can do.")
        return True

    async def slash(self, line: str) -> None:
        command, _, text = line.partition(" ")
        if command != self.world.settings.slack_command:
            self.say(
                f"{command} is not a valid command. This app's command is "
                f"{self.world.settings.slack_command}."
            )
            return
        await self.world.slack.send_command(
            self.user, self.world.channel_id, text.strip(), command=command
        )
        await self.report()

    def _control(self, rest: str) -> Control | None:
        number = rest.split(maxsplit=1)[0] if rest else ""
        if not number.isdigit():
            self.say("Which one? Give its number, e.g. click 1.")
            return None
        for control in self.controls:
            if control.number == int(number):
                return control
        self.say(f"There is no [{number}] in the last output. Type show to see everything.")
        return None

    async def click(self, rest: str) -> None:
        control = self._control(rest)
        if control is None:
            return
        slack = self.world.slack
        try:
            if control.kind == "input":
                self.say(f"[{control.number}] is a field: type  fill {control.number} <value>")
                return
            if control.kind == "submit":
                answer = await slack.submit_view(self.user, control.target["id"], {})
                if answer.client_errors:
                    self.say("Slack will not submit this yet:")
                    for block_id, problem in answer.client_errors.items():
                        self.say(f"  {block_id}: {problem}")
            elif control.kind == "close":
                await slack.close_view(self.user, control.target["id"])
            else:
                if control.element_type != "button":
                    self.say(f"[{control.number}] is a menu; only buttons can be clicked here.")
                    return
                dialog_before = len(slack.confirm_dialogs)
                await slack.click(self.user, control.target, control.action_id, control.value)
                for dialog in slack.confirm_dialogs[dialog_before:]:
                    self.say(
                        f"(Slack asked “{dialog['title']}” — {dialog['text']} — "
                        f"you pressed “{dialog['confirm']}”)"
                    )
        except LookupError:
            self.say("That is not on screen any more (it changed). Type show to see it now.")
            return
        await self.report()

    def fill(self, rest: str) -> None:
        number, _, value = rest.partition(" ")
        control = self._control(number)
        if control is None:
            return
        if control.kind != "input":
            self.say(f"[{control.number}] is a button: type  click {control.number}")
            return
        try:
            raw = self._input_value(control, value.strip())
            self.world.slack.type_into(self.user, control.target["id"], control.block_id, raw)
        except (ValueError, LookupError) as exc:
            self.say(str(exc).removeprefix("devslack: "))
            return
        self.show_screen(self.feed.changes(self.user))

    def _input_value(self, control: Control, value: str) -> Any:
        """What a person picks in the Slack client, from what they typed here."""
        slack = self.world.slack
        element_type = control.element_type
        if element_type in ("multi_users_select", "users_select"):
            ids = []
            for name in value.replace(",", " ").split():
                user = slack.find_user(name)
                if user is None or user.is_bot:
                    raise ValueError(f"Nobody called {name} here (try alex, bob, chandra, dana).")
                ids.append(user.id)
            return ids if element_type == "multi_users_select" else (ids[0] if ids else None)
        if element_type == "datetimepicker":
            return int(self._when(value, self.me.tz).timestamp()) if value else None
        if element_type in ("static_select", "radio_buttons"):
            return self._option_value(control, value) if value else None
        if element_type in ("multi_static_select", "checkboxes"):
            return [self._option_value(control, v.strip()) for v in value.split(",") if v.strip()]
        return value or None

    @staticmethod
    def _option_value(control: Control, typed: str) -> str:
        """The option whose label or value is ``typed`` (case-insensitive)."""
        for block in control.target.get("blocks", []):
            if block.get("block_id") != control.block_id:
                continue
            options = block.get("element", {}).get("options", [])
            for option in options:
                label = option.get("text", {}).get("text", "")
                if typed.lower() in (label.lower(), str(option.get("value", "")).lower()):
                    return str(option["value"])
            labels = ", ".join(o.get("text", {}).get("text", "") for o in options)
            raise ValueError(f"Pick one of: {labels}.")
        raise ValueError("That field is not in the modal any more.")

    def _when(self, text: str, tz: str) -> datetime:
        from zoneinfo import ZoneInfo

        try:
            naive = datetime.fromisoformat(text)
        except ValueError:
            start, _ = self._parse_when(text, tz, timedelta(minutes=30))
            return start
        return naive if naive.tzinfo else naive.replace(tzinfo=ZoneInfo(tz))

    def _parse_when(self, text: str, tz: str, duration: timedelta) -> tuple[datetime, datetime]:
        from bot import parsing

        try:
            start, end, _zone = parsing.parse_when(
                text, now=datetime.now(UTC), tz=tz, default_duration=duration
            )
        except parsing.ParseError as exc:
            raise ValueError(exc.message) from None
        return start, end

    async def _appointment(self, ref_text: str) -> Appointment | None:
        from bot.store import repo

        ref = repo.parse_ref(ref_text)
        if ref is None:
            self.say(f"'{ref_text}' is not a reference; use the number shown as #N.")
            return None
        async with self.world.services.db.session() as session:
            appointment = await repo.get_by_ref(session, self.world.slack.team_id, ref)
        if appointment is None or not appointment.scheducal_id:
            self.say(f"There is no sent appointment #{ref}.")
            return None
        return appointment

    async def _sandbox(self, path: str, payload: dict[str, Any]) -> bool:
        url = f"{self.world.sandbox.url}/sandbox/appointments/{path}"
        async with self.world.services.http.post(url, json=payload) as resp:
            body = await resp.json(content_type=None)
        if resp.status >= 400:
            self.say(f"ScheduCal sandbox said: {body.get('message', resp.reason)}")
            return False
        return True

    async def respond(self, response: str, rest: str) -> None:
        parts = rest.split()
        if len(parts) != 2:
            self.say("Usage: accept|decline|tentative <ref> <email>, e.g. accept 1 bob@example.org")
            return
        appointment = await self._appointment(parts[0])
        if appointment is None:
            return
        payload = {"email": parts[1], "response": response}
        if await self._sandbox(f"{appointment.scheducal_id}/respond", payload):
            self.say(f"({parts[1]} answered {response} in their calendar)")
            await self.report()

    async def propose(self, rest: str) -> None:
        from zoneinfo import ZoneInfo

        parts = rest.split(maxsplit=2)
        if len(parts) != 3:
            self.say("Usage: propose <ref> <email> <time>, e.g. propose 1 bob@example.org fri 10am")
            return
        appointment = await self._appointment(parts[0])
        if appointment is None:
            return
        duration = appointment.end_utc - appointment.start_utc
        try:
            start, end = self._parse_when(parts[2], appointment.timezone, duration)
        except ValueError as exc:
            self.say(str(exc))
            return
        zone = ZoneInfo(appointment.timezone)

        def wall(moment: datetime) -> str:
            return moment.astimezone(zone).replace(tzinfo=None).isoformat(timespec="seconds")

        payload = {"email": parts[1], "proposedStart": wall(start), "proposedEnd": wall(end)}
        if await self._sandbox(f"{appointment.scheducal_id}/propose", payload):
            shown = start.astimezone(zone).strftime("%a %b %d %H:%M")
            until = end.astimezone(zone).strftime("%H:%M")
            self.say(f"({parts[1]} proposed {shown}–{until} {appointment.timezone})")
            await self.report()

    def switch(self, name: str) -> None:
        user = self.world.slack.find_user(name.strip()) if name.strip() else None
        if user is None or user.is_bot:
            names = ", ".join(p[1] for p in DEMO_PEOPLE)
            self.say(f"Who? The people here are {names}.")
            return
        self.user = user.id
        email = user.email or "no visible email"
        self.say(f"You are now @{user.name} ({user.real_name}, {user.tz}, {email}).")
        self.controls = []
        self.show_screen(self.feed.changes(self.user))

    async def home(self) -> None:
        from bot.devslack.render import Screen, renderer_for

        await self.world.slack.open_app_home(self.user)
        await self.settle()
        view = self.world.slack.home(self.user)
        if view is None:
            self.say("(the App Home tab is empty)")
            return
        screen = Screen(lines=["App Home"])
        renderer_for(self.world.slack, self.user).blocks(
            view.get("blocks") or [], "", view, screen, "  "
        )
        self.show_screen(screen)


# --- input loop -----------------------------------------------------------------------------------


async def _lines(interactive: bool, prompt: Callable[[], str]) -> AsyncIterator[str]:
    """Lines from stdin, read by a daemon thread (a blocked read never delays the exit)."""
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 - gives input() line editing and history

    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    asked = threading.Event()

    def reader() -> None:
        while True:
            asked.wait()
            asked.clear()
            try:
                line: str | None = input(prompt()) if interactive else sys.stdin.readline()
            except (EOFError, KeyboardInterrupt):
                line = None
            if line == "" and not interactive:
                line = None
            loop.call_soon_threadsafe(queue.put_nowait, line)
            if line is None:
                return

    threading.Thread(target=reader, name="shell-stdin", daemon=True).start()
    while True:
        asked.set()
        line = await queue.get()
        if line is None:
            if interactive:
                print()
            return
        yield line.rstrip("\n")


async def main(args: argparse.Namespace, out: TextIO) -> int:
    names = [person[1] for person in DEMO_PEOPLE]
    if args.user.lstrip("@").lower() not in names:
        print(
            f"scheducal-bot shell: nobody called {args.user!r} here (try {', '.join(names)})",
            file=sys.stderr,
        )
        return 2
    interactive = sys.stdin.isatty()
    quiet = args.settle if args.settle is not None else (0.3 if interactive else 0.6)
    with contextlib.ExitStack() as stack:
        if args.db:
            db_path = Path(args.db).expanduser().resolve()
            db_path.parent.mkdir(parents=True, exist_ok=True)
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="scheducal-shell-"))
            db_path = Path(folder) / "shell.sqlite3"
        try:
            async with start_world(db_path) as world:
                await _session(world, args, out, interactive, quiet)
        except StartError as exc:
            print(f"scheducal-bot shell: could not start: {exc}", file=sys.stderr)
            return 1
    return 0


async def _session(
    world: World, args: argparse.Namespace, out: TextIO, interactive: bool, quiet: float
) -> None:
    from bot.logsetup import configure_logging
    from bot.serve import secrets_of

    configure_logging(args.log_level, secrets_of(world.settings))
    user = world.slack.find_user(args.user)
    assert user is not None
    shell = Shell(world, out, user.id, quiet)
    shell.say(
        f"ScheduCal shell: sandbox ScheduCal at {world.sandbox.url}, local Slack at "
        f"{world.slack.base_url}, bot at {world.bot_url}"
    )
    shell.say(
        f"You are @{user.name} ({user.real_name}, {user.tz}) in #{DEMO_CHANNEL[1]} "
        "with bob, chandra and dana. Type help for what you can do."
    )
    shell.feed.mark_seen(shell.user)

    def prompt() -> str:
        return f"{world.slack.users[shell.user].name}> "

    busy = asyncio.Lock()
    watcher = asyncio.create_task(_watch(shell, busy, prompt)) if interactive else None
    try:
        async for line in _lines(interactive, prompt):
            if not interactive and line.strip() and not line.lstrip().startswith("#"):
                shell.say(f"{prompt()}{line.strip()}")
            async with busy:
                try:
                    if not await shell.handle(line):
                        break
                except Exception as exc:  # noqa: BLE001 - the shell reports and goes on
                    log.debug("shell command failed", exc_info=True)
                    shell.say(f"Something went wrong ({type(exc).__name__}); see the log.")
                    log.warning("shell command %r failed: %s", line.strip(), exc)
    finally:
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


async def _watch(shell: Shell, busy: asyncio.Lock, prompt: Callable[[], str]) -> None:
    """Interactive only: show what arrives while the person is typing (a late webhook,
    a retried post), then put the prompt back."""
    slack = shell.world.slack
    seen = slack.activity
    while True:
        await asyncio.sleep(0.5)
        if busy.locked() or slack.activity == seen:
            continue
        await slack.settle(quiet=shell.quiet, timeout=5)
        async with busy:
            seen = slack.activity
            screen = shell.feed.changes(shell.user)
            if screen.lines:
                shell.say()
                shell.show_screen(screen)
                print(prompt(), end="", file=shell.out, flush=True)


def run(args: argparse.Namespace) -> int:
    from bot.logsetup import configure_logging

    configure_logging(args.log_level)
    try:
        return asyncio.run(main(args, sys.stdout))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
