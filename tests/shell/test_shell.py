"""`scheducal-bot shell` from a pipe: the main job end to end, in one subprocess.

The script schedules a meeting, sends it, lets an attendee accept and propose a time, and
tries a few mistakes; the transcript must show the preview, the channel message, the
thread replies and plain-language answers, with no traceback and no secret.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

SCRIPT = """\
# comments and blank lines are ignored

/meet Intro call with @bob and chandra@example.in tomorrow 3pm for 30m
click 1
accept 1 bob@example.org
propose 1 chandra@example.in friday 10am
show
as bob
/meet cancel 1
as alex
/meet
fill 1 Design review
fill 2 2026-12-01 10:00
fill 5 @dana
click 9
fill 5 @bob
click 9
/remind me
click 42
frobnicate
accept 99 bob@example.org
quit
this line is never read
"""


def run_shell(script: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SCHEDUCAL_"))}
    env["DATABASE_URL"] = "postgresql+asyncpg://nobody@127.0.0.1:1/ignored"  # shell uses SQLite
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "shell", "--db", str(tmp_path / "shell.sqlite3"), *extra],
        input=script,
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
        cwd=tmp_path,
    )


def section(transcript: str, command: str, nth: int = 1) -> str:
    """The output after the ``nth`` echo of ``command``, up to the next echoed command."""
    start = -1
    for _ in range(nth):
        start = transcript.index(f"> {command}\n", start + 1)
    start += len(command) + 3
    following = [
        i for i in (transcript.find("alex> ", start), transcript.find("bob> ", start)) if i >= 0
    ]
    return transcript[start : min(following)] if following else transcript[start:]


def test_piped_script_shows_preview_message_and_thread(tmp_path: Path):
    result = run_shell(SCRIPT, tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in out + result.stderr
    assert "xoxb-" not in out + result.stderr and "whsec_" not in out + result.stderr

    preview = section(out, "/meet Intro call with @bob and chandra@example.in tomorrow 3pm for 30m")
    assert "only visible to you" in preview
    assert "Preview" in preview and "Intro call" in preview
    assert "bob@example.org" in preview and "chandra@example.in" in preview
    assert "[1] Send invites" in preview
    assert "<!date" not in preview and "&amp;" not in preview  # mrkdwn shown readably

    sent = section(out, "click 1")
    assert "#general" in sent
    assert "#1 Intro call" in sent
    assert "[1] Add invitee   [2] Reschedule   [3] Cancel meeting" in sent
    assert "no reply yet" in sent

    accepted = section(out, "accept 1 bob@example.org")
    assert "↳ scheducal" in accepted
    assert "bob (bob@example.org) *accepted*" in accepted
    assert "1 accepted" in accepted  # the parent's tally was updated

    proposed = section(out, "propose 1 chandra@example.in friday 10am")
    reply = proposed[proposed.index("    ↳ scheducal") :]  # a thread reply, not a new message
    assert "proposed a new time" in reply
    assert "10:00 AM" in reply  # friday 10am in the appointment's zone
    assert re.search(r"\[\d+\] Accept proposed time   \[\d+\] Keep original", reply)

    everything = section(out, "show")
    assert everything.index("#1 Intro call") < everything.index("*accepted*")
    assert everything.index("*accepted*") < everything.index("proposed a new time")

    refused = section(out, "/meet cancel 1")
    assert "only the organizer" in refused

    form = section(out, "/meet")
    assert "modal: Schedule a meeting" in form
    assert "[9] Preview   [10] Cancel" in form
    assert "[2] Starts: 2026-12-01 10:00 PST" in section(out, "fill 2 2026-12-01 10:00")
    refused_form = section(out, "click 9")
    assert "! I cannot see an email address for dana" in refused_form  # response_action errors
    assert "modal: Schedule a meeting" in refused_form
    previewed = section(out, "click 9", nth=2)
    assert "Preview* of *Design review*" in previewed
    assert "Tue, Dec 1 2026 10:00 AM PST" in previewed
    assert "(modal “Schedule a meeting” closed)" in previewed

    assert "/remind is not a valid command" in out
    assert "There is no [42]" in out
    assert "I don't know 'frobnicate'" in out
    assert "There is no sent appointment #99" in out
    assert "this line is never read" not in out
    # A pipe gets no prompt noise: every prompt is followed by the command it ran.
    assert all(line.split("> ", 1)[1] for line in out.splitlines() if line.startswith("alex> "))


def test_unknown_start_user_is_a_clear_error(tmp_path: Path):
    result = run_shell("quit\n", tmp_path, "--as", "zed")
    assert result.returncode == 2
    assert "nobody called 'zed'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path):
    (tmp_path / "shell.sqlite3").write_text("not a database")
    result = run_shell("quit\n", tmp_path)
    assert result.returncode == 1
    assert "could not start: the database" in result.stderr
    assert "file is not a database" in result.stderr
    assert "Traceback" not in result.stderr
