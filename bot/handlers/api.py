"""/api: the user's API keys: create one (its token shown once), list them, revoke them."""

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import ApiKeyNewCb, ApiKeyRevokeCb
from bot.handlers.common import NOT_A_COMMAND, show_in_place
from bot.i18n_texts import api as texts
from bot.keyboards import api_keys_keyboard
from services.api_keys import NAME_MAX_CHARS, ApiKeyNotFound, ApiKeyService, InvalidKeyName
from services.config import Settings
from services.domain.users import UserRecord
from services.i18n import Translator


class ApiKeyInput(StatesGroup):
    name = State()


async def _keys_message(
    t: Translator, user: UserRecord, api_keys: ApiKeyService, settings: Settings
) -> tuple[str, InlineKeyboardMarkup]:
    keys = await api_keys.list_live(user_id=user.id)
    text = texts.key_list(
        t,
        keys,
        allowed=await api_keys.allowed_keys(user_id=user.id),
        time_zone=user.time_zone,
        docs_url=f"{settings.public_base_url.rstrip('/')}/api/v1/docs",
    )
    return text, api_keys_keyboard(t, keys)


async def show_keys(
    message: Message,
    user: UserRecord,
    api_keys: ApiKeyService,
    settings: Settings,
    t: Translator,
) -> None:
    text, keyboard = await _keys_message(t, user, api_keys, settings)
    await message.answer(text, reply_markup=keyboard)


async def on_new_key(
    query: CallbackQuery,
    callback_data: ApiKeyNewCb,
    user: UserRecord,
    api_keys: ApiKeyService,
    state: FSMContext,
    t: Translator,
) -> None:
    """Ask the new key's name; LimitReached (a full plan) goes to the errors router."""
    await api_keys.ensure_room_for_key(user_id=user.id)
    await state.set_state(ApiKeyInput.name)
    await state.update_data(can_write=callback_data.can_write)
    await query.message.answer(
        t(texts.ASK_NAME, access=texts.access(t, callback_data.can_write), max=NAME_MAX_CHARS)
    )
    await query.answer()


async def on_key_name(
    message: Message,
    user: UserRecord,
    api_keys: ApiKeyService,
    state: FSMContext,
    t: Translator,
) -> None:
    can_write = bool((await state.get_data()).get("can_write"))
    try:
        created = await api_keys.create(user_id=user.id, name=message.text, can_write=can_write)
    except InvalidKeyName:
        await message.answer(t(texts.BAD_NAME, max=NAME_MAX_CHARS))
        return
    await state.clear()
    await message.answer(texts.created(t, created.key, created.token))


async def on_revoke(
    query: CallbackQuery,
    callback_data: ApiKeyRevokeCb,
    user: UserRecord,
    api_keys: ApiKeyService,
    settings: Settings,
    t: Translator,
) -> None:
    try:
        await api_keys.revoke(user_id=user.id, key_id=callback_data.key_id)
    except ApiKeyNotFound:
        await query.answer(t(texts.ALREADY_GONE), show_alert=True)
        return
    text, keyboard = await _keys_message(t, user, api_keys, settings)
    await show_in_place(query, text, keyboard, answer=t(texts.REVOKED))


def create_router() -> Router:
    router = Router(name="api")
    router.message.register(show_keys, Command("api"))
    router.message.register(on_key_name, StateFilter(ApiKeyInput.name), NOT_A_COMMAND)
    router.callback_query.register(on_new_key, ApiKeyNewCb.filter())
    router.callback_query.register(on_revoke, ApiKeyRevokeCb.filter())
    return router
