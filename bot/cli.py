"""`flask bot …`: the webhook, the menu button, long polling for local development."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urljoin

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from telebot import TeleBot, apihelper
from telebot.apihelper import ApiException
from telebot.types import BotCommand, MenuButtonWebApp, WebAppInfo

from bot.factory import use_api_url
from bot.updates import handle_update
from webapp import bot_texts
from webapp.errors import DomainError

log = logging.getLogger(__name__)
bot_cli = AppGroup("bot", help="The Telegram bot: webhook, menu button, polling.")


def _bot() -> TeleBot:
    bot = current_app.extensions.get("telebot")
    if bot is None:
        raise click.ClickException("TELEGRAM_BOT_TOKEN is not set: the bot is off")
    use_api_url(current_app)
    return bot


def default_webhook_url() -> str:
    return urljoin(current_app.config["WEBAPP_URL"], "/telegram/webhook")


@bot_cli.command("set-webhook")
@click.option("--url", default=None, help="default: WEBAPP_URL + /telegram/webhook")
@click.option("--drop-pending-updates", is_flag=True)
def set_webhook(url: str | None, drop_pending_updates: bool) -> None:
    """Point Telegram at this server's webhook, with the secret token."""
    bot = _bot()
    url = url or default_webhook_url()
    try:
        bot.set_webhook(
            url=url,
            secret_token=current_app.config["TELEGRAM_WEBHOOK_SECRET"],
            drop_pending_updates=drop_pending_updates or None,
        )
    except ApiException as exc:
        raise click.ClickException(f"setWebhook failed: {exc}") from exc
    click.echo(f"webhook set to {url}")


@bot_cli.command("delete-webhook")
@click.option("--drop-pending-updates", is_flag=True)
def delete_webhook(drop_pending_updates: bool) -> None:
    """Remove the webhook (needed before `flask bot poll`)."""
    try:
        _bot().delete_webhook(drop_pending_updates=drop_pending_updates or None)
    except ApiException as exc:
        raise click.ClickException(f"deleteWebhook failed: {exc}") from exc
    click.echo("webhook deleted")


@bot_cli.command("webhook-info")
def webhook_info() -> None:
    """Show what Telegram knows about the webhook (URL, pending updates, last error)."""
    try:
        info = _bot().get_webhook_info()
    except ApiException as exc:
        raise click.ClickException(f"getWebhookInfo failed: {exc}") from exc
    fields = {k: v for k, v in vars(info).items() if not k.startswith("_")}
    click.echo(json.dumps(fields, indent=2, default=str, ensure_ascii=False))


@bot_cli.command("webhook-secret")
def webhook_secret() -> None:
    """Print the secret Telegram sends in X-Telegram-Bot-Api-Secret-Token."""
    _bot()
    click.echo(current_app.config["TELEGRAM_WEBHOOK_SECRET"])


@bot_cli.command("set-menu-button")
@click.option("--text", default=None, help="the button's label (default: 'Open the app')")
def set_menu_button(text: str | None) -> None:
    """Make the chat menu button open the Mini App at WEBAPP_URL."""
    bot = _bot()
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        label = text or bot_texts.open_app()
    button = MenuButtonWebApp(label, WebAppInfo(current_app.config["WEBAPP_URL"]))
    try:
        bot.set_chat_menu_button(menu_button=button)
    except ApiException as exc:
        raise click.ClickException(f"setChatMenuButton failed: {exc}") from exc
    click.echo(f"menu button '{label}' opens {current_app.config['WEBAPP_URL']}")


@bot_cli.command("set-commands")
def set_commands() -> None:
    """Register the bot's commands (`setMyCommands`): the default list in English and one
    for Russian-speaking users, so the chat's menu shows each in their language."""
    bot = _bot()
    for language in ("en", "ru"):
        with force_locale(language):
            commands = [BotCommand(name, text) for name, text in bot_texts.command_list()]
        try:
            bot.set_my_commands(commands, language_code=None if language == "en" else language)
        except ApiException as exc:
            raise click.ClickException(f"setMyCommands failed: {exc}") from exc
        click.echo(f"{len(commands)} commands set for {language}")


@bot_cli.command("poll")
@click.option("--once", is_flag=True, help="handle one batch of updates, then stop")
@click.option("--timeout", default=25, show_default=True, help="long-polling seconds")
def poll(once: bool, timeout: int) -> None:
    """Long polling for local development: the same handling as the webhook."""
    bot = _bot()
    # The periodic jobs (outbox sweeps, reminders) run here too; the app factory wired their
    # starter in, so the bot does not import the jobs that sit above it.
    start_periodic_jobs = current_app.extensions.get("hub_start_periodic_jobs")
    if start_periodic_jobs is not None:
        start_periodic_jobs()
    click.echo("polling for updates (Ctrl+C to stop)")
    try:
        _poll(bot, once, timeout)
    except KeyboardInterrupt:
        click.echo("stopped")


def _poll(bot: TeleBot, once: bool, timeout: int) -> None:
    offset: int | None = None
    while True:
        try:
            updates = apihelper.get_updates(
                bot.token, offset=offset, timeout=timeout, long_polling_timeout=timeout
            )
        except ApiException as exc:
            if once:
                raise click.ClickException(f"getUpdates failed: {exc}") from exc
            webhook_set = "409" in str(exc)
            hint = " (a webhook is set: run `flask bot delete-webhook`)" if webhook_set else ""
            click.echo(f"getUpdates failed: {exc}{hint}; retrying", err=True)
            time.sleep(3)
            continue
        for payload in updates:
            offset = int(payload["update_id"]) + 1
            try:
                handled = handle_update(bot, payload)
            except DomainError as exc:
                click.echo(f"update {payload.get('update_id')} refused: {exc}", err=True)
                continue
            except Exception:  # a handler bug: report it and keep polling
                log.exception("update %s failed", payload.get("update_id"))
                continue
            click.echo(f"update {payload['update_id']}: {'handled' if handled else 'duplicate'}")
        if once:
            return
