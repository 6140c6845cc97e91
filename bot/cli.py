"""`scheducal-bot`: one console script, one subcommand per job.

Each subcommand lives in its own module, which exposes ``add_arguments(parser)`` and
``run(args) -> int``. Modules are imported only for the subcommand that runs, so
`scheducal-bot parse` does not pay for Slack or the database at start-up.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot.config import SETTING_HELP, ConfigError

# name -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("bot.serve", "run the Slack app and the webhook receiver (HTTP or Socket Mode)"),
    "shell": ("bot.shell", "try the bot locally: sandbox, bot and a local Slack in one terminal"),
    "sandbox": ("bot.sandbox.cli", "run the local ScheduCal-compatible API server"),
    "parse": ("bot.parsing.cli", "show how the bot understands a /meet text"),
    "db": ("bot.store.cli", "database migrations (db upgrade)"),
    "webhooks": ("bot.webhooks.cli", "manage ScheduCal webhooks; list and replay failed events"),
}


def _settings_epilog() -> str:
    lines = ["settings (environment variables):"]
    lines += [f"  {name:<27} {text}" for name, text in SETTING_HELP.items()]
    return "\n".join(lines)


def build_parser(selected: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scheducal-bot",
        description="ScheduCal for Slack: send real calendar invitations from Slack.",
        epilog=_settings_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name == selected:
            importlib.import_module(module_name).add_arguments(sub_parser)
    return parser


def _selected_command(argv: Sequence[str]) -> str | None:
    for token in argv:
        if token in SUBCOMMANDS:
            return token
        if not token.startswith("-"):
            return None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    selected = _selected_command(argv)
    args = build_parser(selected).parse_args(argv)
    module = importlib.import_module(SUBCOMMANDS[args.command][0])
    try:
        return int(module.run(args) or 0)
    except ConfigError as exc:
        print(f"scheducal-bot: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
