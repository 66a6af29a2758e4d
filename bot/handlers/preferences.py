"""/settings: the user's time zone and quiet hours (when alerts may arrive), the language, and
the weekly insights digest."""

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.callbacks import LanguageCb, PreferenceAction, PreferenceCb
from bot.handlers.common import NOT_A_COMMAND, refusal_text
from bot.i18n_texts import insights as insights_texts
from bot.i18n_texts import preferences as texts
from bot.keyboards import preferences_keyboard
from bot.menu_button import set_dashboard_button
from services.clock import Clock
from services.config import Settings
from services.domain.users import UserRecord
from services.i18n import Catalogs, Translator
from services.insights.service import InsightsService
from services.preferences import InvalidQuietHours, InvalidTimeZone, PreferencesService
from services.users import UserService

# A time zone or quiet hours that cannot be set, explained.
_VALUE_REFUSALS = {
    InvalidTimeZone: texts.BAD_TIME_ZONE,
    InvalidQuietHours: texts.BAD_QUIET_HOURS,
}


class EditPreference(StatesGroup):
    time_zone = State()
    quiet_hours = State()


async def show_preferences(
    message: Message,
    user: UserRecord,
    preferences: PreferencesService,
    insights: InsightsService,
    settings: Settings,
    clock: Clock,
    t: Translator,
) -> None:
    record = await preferences.get(user_id=user.id)
    text = texts.summary(t, record, clock.now())
    digest = None
    if settings.feature_insights:
        digest = await insights.digest_enabled(user_id=user.id)
        text += "\n" + insights_texts.digest_line(t, digest)
    await message.answer(text, reply_markup=preferences_keyboard(t, digest=digest))


async def on_digest_button(
    query: CallbackQuery, user: UserRecord, insights: InsightsService, t: Translator
) -> None:
    """The weekly digest switched the other way."""
    enabled = not await insights.digest_enabled(user_id=user.id)
    await insights.set_digest(user_id=user.id, enabled=enabled)
    await query.message.answer(
        t(insights_texts.DIGEST_SWITCHED_ON if enabled else insights_texts.DIGEST_SWITCHED_OFF)
    )
    await query.answer()


async def on_preference_button(
    query: CallbackQuery, callback_data: PreferenceCb, state: FSMContext, t: Translator
) -> None:
    if callback_data.action is PreferenceAction.TIME_ZONE:
        await state.set_state(EditPreference.time_zone)
        await query.message.answer(t(texts.ASK_TIME_ZONE))
    else:
        await state.set_state(EditPreference.quiet_hours)
        await query.message.answer(t(texts.ASK_QUIET_HOURS))
    await query.answer()


async def on_language_button(
    query: CallbackQuery,
    callback_data: LanguageCb,
    user: UserRecord,
    users: UserService,
    catalogs: Catalogs,
    bot: Bot,
    settings: Settings,
) -> None:
    """Store the choice; the confirmation already speaks the new language, as will what follows
    (the dashboard's menu button too)."""
    await users.choose_language(user_id=user.id, language=callback_data.language)
    t = catalogs.translator(callback_data.language)
    await query.message.answer(t(texts.LANGUAGE_SET))
    await set_dashboard_button(bot, t, settings.dashboard_url, chat_id=query.message.chat.id)
    await query.answer()


async def on_value(
    message: Message,
    state: FSMContext,
    user: UserRecord,
    preferences: PreferencesService,
    t: Translator,
) -> None:
    """The time zone or the quiet hours, as the question asked; a wrong one is explained."""
    text = message.text or ""
    try:
        if await state.get_state() == EditPreference.time_zone.state:
            name = await preferences.set_time_zone(user_id=user.id, text=text)
            reply = texts.time_zone_set(t, name)
        else:
            quiet_hours = await preferences.set_quiet_hours(user_id=user.id, text=text)
            reply = texts.quiet_hours_set(t, quiet_hours)
    except tuple(_VALUE_REFUSALS) as error:
        await message.answer(refusal_text(t, error, _VALUE_REFUSALS))
        return
    await state.clear()
    await message.answer(reply)


def create_router(settings: Settings) -> Router:
    router = Router(name="preferences")
    router.message.register(show_preferences, Command("settings"))
    if settings.feature_insights:
        router.callback_query.register(
            on_digest_button, PreferenceCb.filter(F.action == PreferenceAction.DIGEST)
        )
    router.callback_query.register(
        on_preference_button,
        PreferenceCb.filter(
            F.action.in_({PreferenceAction.TIME_ZONE, PreferenceAction.QUIET_HOURS})
        ),
    )
    router.callback_query.register(on_language_button, LanguageCb.filter())
    router.message.register(
        on_value, StateFilter(EditPreference.time_zone, EditPreference.quiet_hours), NOT_A_COMMAND
    )
    return router
