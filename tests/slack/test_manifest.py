from pathlib import Path

import yaml

from bot.devslack.server import DEFAULT_SCOPES

ROOT = Path(__file__).resolve().parents[2]


def test_manifest_is_complete():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    features, settings = manifest["features"], manifest["settings"]

    (command,) = features["slash_commands"]
    assert command["command"] == "/meet"
    assert command["should_escape"] is True
    assert command["usage_hint"]
    assert command["url"].endswith("/slack/events")

    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands",
        "chat:write",
        "chat:write.public",
        "users:read",
        "users:read.email",
        # the webhook worker's look-up of its own earlier posts after a crash
        "channels:history",
        "groups:history",
        "im:history",
    }
    # The local Slack grants exactly these, so tests cannot lean on a scope we do not ask for.
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == DEFAULT_SCOPES
    assert features["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in settings["event_subscriptions"]["bot_events"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is False
    urls = {
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    }
    assert urls == {"https://scheducal-bot.example.com/slack/events"}
    assert len(manifest["display_information"]["name"]) <= 35


def test_procfile_serves_and_migrates():
    lines = (ROOT / "Procfile").read_text().splitlines()
    assert "web: scheducal-bot serve" in lines
    assert "release: scheducal-bot db upgrade" in lines
