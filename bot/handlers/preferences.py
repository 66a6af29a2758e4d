"""/settings: the user's time zone and quiet hours (when alerts may arrive)."""

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.callbacks import PreferenceAction, PreferenceCb
from bot.keyboards import preferences_keyboard
from services.clock import Clock
from services.domain.users import UserRecord
from services.preferences import InvalidQuietHours, InvalidTimeZone, PreferencesService


class EditPreference(StatesGroup):
    time_zone = State()
    quiet_hours = State()


async def show_preferences(
    message: Message, user: UserRecord, preferences: PreferencesService, clock: Clock
) -> None:
    record = await preferences.get(user_id=user.id)
    await message.answer(
        texts.preferences(record, clock.now()), reply_markup=preferences_keyboard()
    )


async def on_preference_button(
    query: CallbackQuery, callback_data: PreferenceCb, state: FSMContext
) -> None:
    if callback_data.action is PreferenceAction.TIME_ZONE:
        await state.set_state(EditPreference.time_zone)
        await query.message.answer(texts.ASK_TIME_ZONE)
    else:
        await state.set_state(EditPreference.quiet_hours)
        await query.message.answer(texts.ASK_QUIET_HOURS)
    await query.answer()


async def on_value(
    message: Message, state: FSMContext, user: UserRecord, preferences: PreferencesService
) -> None:
    """The time zone or the quiet hours, as the question asked; a wrong one is explained."""
    text = message.text or ""
    try:
        if await state.get_state() == EditPreference.time_zone.state:
            name = await preferences.set_time_zone(user_id=user.id, text=text)
            reply = texts.time_zone_set(name)
        else:
            quiet_hours = await preferences.set_quiet_hours(user_id=user.id, text=text)
            reply = texts.quiet_hours_set(quiet_hours)
    except InvalidTimeZone:
        await message.answer(texts.BAD_TIME_ZONE)
        return
    except InvalidQuietHours:
        await message.answer(texts.BAD_QUIET_HOURS)
        return
    await state.clear()
    await message.answer(reply)


def create_router() -> Router:
    router = Router(name="preferences")
    router.message.filter(F.chat.type == "private")
    router.message.register(show_preferences, Command("settings"))
    router.callback_query.register(on_preference_button, PreferenceCb.filter())
    not_a_command = F.text & ~F.text.startswith("/")
    router.message.register(
        on_value, StateFilter(EditPreference.time_zone, EditPreference.quiet_hours), not_a_command
    )
    return router
