"""`flask bot …` against the fake Bot API."""

from __future__ import annotations

import json

import pytest

from tests.fixtures.fake_telegram import bot_overrides, message_update


@pytest.fixture
def app_overrides(fake_telegram):
    return bot_overrides(fake_telegram)


def test_set_webhook_sends_the_url_and_the_secret(app, runner, fake_telegram):
    """Does `set-webhook` register WEBAPP_URL's /telegram/webhook with the secret token?"""
    result = runner.invoke(args=["bot", "set-webhook"])
    assert result.exit_code == 0, result.output
    assert fake_telegram.webhook["url"] == "https://hub.example/telegram/webhook"
    assert fake_telegram.webhook["secret_token"] == app.config["TELEGRAM_WEBHOOK_SECRET"]


def test_webhook_info_and_delete(runner, fake_telegram):
    """Do `webhook-info` show the webhook and `delete-webhook` remove it?"""
    runner.invoke(args=["bot", "set-webhook", "--url", "https://x.example/hook"])
    info = runner.invoke(args=["bot", "webhook-info"])
    assert json.loads(info.output)["url"] == "https://x.example/hook"
    assert runner.invoke(args=["bot", "delete-webhook"]).exit_code == 0
    assert fake_telegram.webhook == {}


def test_set_menu_button_opens_the_mini_app(runner, fake_telegram):
    """Does `set-menu-button` make the chat menu button a web_app button to WEBAPP_URL?"""
    result = runner.invoke(args=["bot", "set-menu-button", "--text", "Hub"])
    assert result.exit_code == 0, result.output
    assert fake_telegram.menu_button == {
        "type": "web_app",
        "text": "Hub",
        "web_app": {"url": "https://hub.example/"},
    }


def test_the_menu_button_has_a_default_label(runner, fake_telegram):
    """Without --text, is the button labelled in the default language?"""
    assert runner.invoke(args=["bot", "set-menu-button"]).exit_code == 0
    assert fake_telegram.menu_button["text"] == "Open the app"


def test_webhook_secret_is_printed(app, runner):
    """Does `webhook-secret` print the secret Telegram must send?"""
    result = runner.invoke(args=["bot", "webhook-secret"])
    assert result.output.strip() == app.config["TELEGRAM_WEBHOOK_SECRET"]


def test_poll_handles_updates_like_the_webhook(runner, fake_telegram):
    """Does `poll --once` handle pending updates (a /start gets its answer) once each?"""
    update = message_update(701, "/start event_3", update_id=500)
    fake_telegram.add_update(update)
    fake_telegram.add_update(update)  # Telegram may hand the same update over twice
    result = runner.invoke(args=["bot", "poll", "--once", "--timeout", "0"])
    assert result.exit_code == 0, result.output
    assert "update 500: handled" in result.output
    assert "update 500: duplicate" in result.output
    [params] = fake_telegram.messages(701)
    assert params["reply_markup"]["inline_keyboard"][0][0]["web_app"]["url"].endswith(
        "?startapp=event_3"
    )


def test_commands_refuse_without_a_bot(build):
    """Without a token, do the commands fail with a clear message?"""
    app = build(environ={"TELEGRAM_BOT_TOKEN": ""})
    result = app.test_cli_runner().invoke(args=["bot", "set-webhook"])
    assert result.exit_code != 0
    assert "TELEGRAM_BOT_TOKEN" in result.output
