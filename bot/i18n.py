"""Each update in its user's language: aiogram's I18n over our catalogs, and the user's `t`."""

import gettext
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware

from services.domain.users import UserRecord
from services.i18n import DEFAULT_LOCALE, Catalogs, locale_for, user_locale


class CatalogI18n(I18n):
    """aiogram's I18n reading the merged catalogs of services.i18n, so there is one source."""

    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs
        super().__init__(path=catalogs.directory, default_locale=DEFAULT_LOCALE)

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        return {
            locale: translations
            for locale, translations in self.catalogs.translations.items()
            if isinstance(translations, gettext.GNUTranslations)
        }


class UserLocaleMiddleware(I18nMiddleware):
    """Picks the locale: the language chosen in /settings, else Telegram's language_code.

    Handlers receive the translator for it as `t`. Runs after RememberUserMiddleware, whose
    `user` carries the choice; events without one (payments, errors) follow Telegram's language.
    """

    def __init__(self, i18n: CatalogI18n) -> None:
        super().__init__(i18n)
        self.catalogs = i18n.catalogs

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: UserRecord | None = data.get("user")
        if user is not None:
            return user_locale(
                chosen_language=user.chosen_language, language_code=user.language_code
            )
        from_user: User | None = data.get("event_from_user")
        return locale_for(from_user.language_code if from_user else None)

    async def __call__(self, handler: Any, event: TelegramObject, data: dict[str, Any]) -> Any:
        data["t"] = self.catalogs.translator(await self.get_locale(event, data))
        return await super().__call__(handler, event, data)
