"""The Telegram bot: telebot factory, handlers, webhook blueprint, and the outbox sender."""
