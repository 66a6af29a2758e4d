"""The people who use the bot."""

from dataclasses import dataclass

from db.errors import NotFound
from db.users import UsersRepository
from services.domain.users import UserRecord
from services.i18n import DEFAULT_LOCALE, Language, user_locale


@dataclass(frozen=True)
class UserService:
    users: UsersRepository

    async def remember(
        self, *, user_id: int, username: str | None, first_name: str, language_code: str | None
    ) -> UserRecord:
        """Store or refresh what Telegram says about a user."""
        return await self.users.upsert(
            user_id=user_id, username=username, first_name=first_name, language_code=language_code
        )

    async def choose_language(self, *, user_id: int, language: Language) -> None:
        """The language the bot speaks with the user from their next message on."""
        await self.users.set_chosen_language(user_id=user_id, language=language.value)

    async def time_zone(self, *, user_id: int) -> str:
        """The user's time zone (/settings); UTC for someone who never talked to the bot."""
        try:
            return (await self.users.get(user_id=user_id)).time_zone
        except NotFound:
            return "UTC"

    async def locale(self, *, user_id: int) -> str:
        """The language to write to a user in outside any update of theirs (billing notices)."""
        try:
            user = await self.users.get(user_id=user_id)
        except NotFound:
            return DEFAULT_LOCALE  # never talked to the bot: nothing says otherwise
        return user_locale(chosen_language=user.chosen_language, language_code=user.language_code)
