"""`python -m bot`: run the bot (long polling, or BOT_MODE=webhook) and its web app until SIGTERM
or Ctrl-C."""

import asyncio
import sys

from pydantic import ValidationError

from bot.logs import setup_logging
from services.config import BotMode, Settings
from services.wiring import DatabaseNotReady, open_database

NO_TOKEN = """\
BOT_TOKEN is not set, so the bot cannot start.

To get a token:
  1. Open Telegram and start a chat with @BotFather.
  2. Send /newbot and follow the questions; BotFather answers with a token like 123456:ABC-...
  3. Put it in a file named .env next to the Makefile:  BOT_TOKEN=123456:ABC-...
     (or export BOT_TOKEN in your shell), then run `make run` again.
See .env.example for every other setting.
"""


async def _run(settings: Settings) -> None:
    # Imported here: aiogram's types take seconds to build, and a missing token is told at once.
    from bot.app import BotApplication

    async with open_database(settings) as pool:
        app = BotApplication(settings, pool)
        if settings.bot_mode is BotMode.WEBHOOK:
            await app.run_webhook()
        else:
            await app.run_polling()


def main() -> int:
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"Invalid settings:\n{error}", file=sys.stderr)
        return 2
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return 2
    secrets = [
        s.get_secret_value()
        for s in (
            settings.bot_token,
            settings.database_url,
            settings.stripe_secret_key,
            settings.stripe_webhook_secret,
        )
        if s
    ]
    setup_logging(settings.log_level, secrets)
    try:
        asyncio.run(_run(settings))
    except DatabaseNotReady as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
