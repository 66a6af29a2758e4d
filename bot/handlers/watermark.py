"""/watermark and its panel, and every image sent in private chat coming back watermarked."""

import dataclasses
from typing import Any

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.enums import ChatAction
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InputMediaDocument,
    InputMediaPhoto,
    Message,
    ReplyParameters,
)
from aiogram.utils.chat_action import ChatActionSender

from bot.albums import AlbumCollector
from bot.callbacks import WatermarkAction, WatermarkCb
from bot.handlers.common import NOT_A_COMMAND, answer_limit_reached
from bot.handlers.errors import apologise
from bot.i18n_texts import watermark as texts
from bot.keyboards import (
    watermark_channels_keyboard,
    watermark_keyboard,
    watermark_presets_keyboard,
)
from services.channels import ChannelAccessError, ChannelChoiceNeeded, NoChannels
from services.config import Settings
from services.domain.users import UserRecord
from services.entitlements import LimitReached
from services.i18n import Translator
from services.watermark_image import Position
from services.watermarks import (
    ImageUpload,
    MarkChange,
    MarkPanel,
    MarkRejected,
    PresetNotFound,
    WatermarkingService,
    WatermarkOutcome,
)

# Images sent before the user had a mark wait for it in FSM data; an album holds at most ten.
_MAX_PENDING = 10


class WatermarkInput(StatesGroup):
    text = State()
    logo = State()
    preset_name = State()


# (the user's message, the image it carries)
Item = tuple[int, ImageUpload]


def _item(message: Message) -> Item:
    if message.photo:
        photo = message.photo[-1]  # the largest size
        upload = ImageUpload(
            file_id=photo.file_id,
            file_size=photo.file_size,
            file_name=None,
            mime_type=None,
            as_document=False,
        )
    else:
        assert message.document is not None
        document = message.document
        upload = ImageUpload(
            file_id=document.file_id,
            file_size=document.file_size,
            file_name=document.file_name,
            mime_type=document.mime_type,
            as_document=True,
        )
    return message.message_id, upload


# ---------------------------------------------------------------------- the panel


def _preview(panel: MarkPanel) -> BufferedInputFile:
    return BufferedInputFile(panel.preview, filename="watermark_preview.jpg")


async def _send_panel(t: Translator, message: Message, panel: MarkPanel) -> None:
    await message.answer_photo(
        _preview(panel),
        caption=texts.panel_caption(t, panel),
        reply_markup=watermark_keyboard(t, panel),
    )


async def _edit_panel(t: Translator, query: CallbackQuery, panel: MarkPanel) -> None:
    media = InputMediaPhoto(media=_preview(panel), caption=texts.panel_caption(t, panel))
    await query.message.edit_media(media, reply_markup=watermark_keyboard(t, panel))


async def _ask_for_a_mark(
    t: Translator, message: Message, state: FSMContext, error: ChannelAccessError
) -> None:
    """No mark yet: ask which channel's name to use, or for a text when there is none."""
    if isinstance(error, ChannelChoiceNeeded):
        markup = watermark_channels_keyboard(error.channels)
        await message.answer(t(texts.CHOOSE_CHANNEL), reply_markup=markup)
        return
    await state.set_state(WatermarkInput.text)
    await message.answer(t(texts.NEEDS_TEXT))


async def show_watermark(
    message: Message,
    user: UserRecord,
    watermarking: WatermarkingService,
    state: FSMContext,
    t: Translator,
) -> None:
    await state.clear()
    try:
        panel = await watermarking.open_panel(user_id=user.id)
    except ChannelAccessError as error:  # not a refusal: no mark yet, so ask for one
        await _ask_for_a_mark(t, message, state, error)
        return
    await _send_panel(t, message, panel)


def _change_of(callback_data: WatermarkCb) -> MarkChange:
    step = 1 if callback_data.value == "+" else -1
    match callback_data.action:
        case WatermarkAction.POSITION:
            return MarkChange(position=Position(callback_data.value))
        case WatermarkAction.SIZE:
            return MarkChange(size_step=step)
        case WatermarkAction.OPACITY:
            return MarkChange(opacity_step=step)
        case _:
            return MarkChange(color=f"#{callback_data.value}")


async def _panel_after(
    callback_data: WatermarkCb, user_id: int, watermarking: WatermarkingService
) -> MarkPanel:
    match callback_data.action:
        case WatermarkAction.DISCARD:
            return await watermarking.open_panel(user_id=user_id)
        case WatermarkAction.BACK:
            return await watermarking.panel(user_id=user_id)
        case WatermarkAction.PRESET:
            return await watermarking.use_preset(user_id=user_id, preset_id=callback_data.number)
        case _:
            change = _change_of(callback_data)
            return await watermarking.change(user_id=user_id, change=change)


async def on_panel_change(
    query: CallbackQuery,
    callback_data: WatermarkCb,
    user: UserRecord,
    watermarking: WatermarkingService,
    t: Translator,
) -> None:
    """Buttons that change the preview: adjustments, discard, a preset, back from the list."""
    try:
        panel = await _panel_after(callback_data, user.id, watermarking)
    except (ValueError, PresetNotFound, ChannelAccessError):
        # A button of an older panel (its preset deleted, no mark any more): no handler takes
        # it, so the fallback answers it as every stale button.
        raise SkipHandler from None
    await _edit_panel(t, query, panel)
    await query.answer()


async def on_apply(
    query: CallbackQuery, user: UserRecord, watermarking: WatermarkingService, t: Translator
):
    panel = await watermarking.apply(user_id=user.id)
    await query.message.edit_caption(
        caption=texts.panel_caption(t, panel), reply_markup=watermark_keyboard(t, panel)
    )
    await query.answer(t(texts.APPLIED))


_QUESTIONS = {
    WatermarkAction.TEXT: (WatermarkInput.text, texts.ASK_TEXT),
    WatermarkAction.LOGO: (WatermarkInput.logo, texts.ASK_LOGO),
    WatermarkAction.SAVE: (WatermarkInput.preset_name, texts.ASK_PRESET_NAME),
}


async def on_ask(
    query: CallbackQuery, callback_data: WatermarkCb, state: FSMContext, t: Translator
) -> None:
    """Buttons whose answer the user types or sends: a text, a logo, a preset name."""
    wanted, question = _QUESTIONS[callback_data.action]
    await state.set_state(wanted)
    await query.message.answer(t(question))
    await query.answer()


async def on_presets(
    query: CallbackQuery, user: UserRecord, watermarking: WatermarkingService, t: Translator
):
    presets = await watermarking.preset_names(user_id=user.id)
    if not presets:
        await query.answer(t(texts.NO_PRESETS), show_alert=True)
        return
    _, current = await watermarking.current_mark(user_id=user.id)
    markup = watermark_presets_keyboard(t, presets, current)
    await query.message.edit_reply_markup(reply_markup=markup)
    await query.answer()


async def on_channel(
    query: CallbackQuery,
    callback_data: WatermarkCb,
    user: UserRecord,
    watermarking: WatermarkingService,
    state: FSMContext,
    t: Translator,
) -> None:
    """The answer to "which channel's name?": remember it, then mark what was waiting.

    A channel the user does not administer is the shared refusal, answered by the errors router.
    """
    try:
        panel = await watermarking.use_channel(user_id=user.id, channel_id=callback_data.number)
    except NoChannels as error:
        # Not a refusal here: a name the font cannot draw, so the mark must be a typed text.
        await _ask_for_a_mark(t, query.message, state, error)
        await query.answer()
        return
    await query.message.edit_text(texts.channel_chosen(t, panel.spec.text or ""))
    await query.answer()
    await _continue_with(t, query.message, panel, user, watermarking, state)


# ---------------------------------------------------------------------- typed answers


async def _continue_with(
    t: Translator,
    message: Message,
    panel: MarkPanel,
    user: UserRecord,
    watermarking: WatermarkingService,
    state: FSMContext,
) -> None:
    """The mark is settled: mark the images that waited for it, or show the panel."""
    pending = (await state.get_data()).get("pending", [])
    await state.clear()
    if pending:
        items = [(entry["message_id"], ImageUpload(**entry["upload"])) for entry in pending]
        await _watermark_and_reply(t, message, items, user, watermarking, state)
    else:
        await _send_panel(t, message, panel)


async def _mark_change_of(message: Message, watermarking: WatermarkingService) -> MarkChange:
    """A logo file sent, or a text typed, as the mark; MarkRejected for what cannot be one."""
    if message.document is not None:
        return MarkChange(logo=await watermarking.download_logo(_item(message)[1]))
    return MarkChange(text=message.text)


async def on_mark_answer(
    message: Message,
    user: UserRecord,
    watermarking: WatermarkingService,
    state: FSMContext,
    t: Translator,
) -> None:
    """The answer to "which text?" or "which logo?": the mark changed, then what waited."""
    try:
        change = await _mark_change_of(message, watermarking)
        panel = await watermarking.change(user_id=user.id, change=change)
    except MarkRejected as error:
        await message.answer(texts.rejected(t, error))
        return
    await _continue_with(t, message, panel, user, watermarking, state)


async def on_logo_photo(message: Message, t: Translator) -> None:
    await message.answer(t(texts.LOGO_AS_FILE))


async def on_preset_name(
    message: Message,
    user: UserRecord,
    watermarking: WatermarkingService,
    state: FSMContext,
    t: Translator,
) -> None:
    try:
        panel = await watermarking.save_as(user_id=user.id, name=message.text or "")
    except MarkRejected as error:
        await message.answer(texts.rejected(t, error))
        return
    except ChannelAccessError as error:  # not a refusal: no mark to save yet, so ask for one
        await _ask_for_a_mark(t, message, state, error)
        return
    await state.clear()
    await message.answer(texts.preset_saved(t, panel.preset_name or ""))
    await _send_panel(t, message, panel)


# ---------------------------------------------------------------------- images


async def _watermark_and_reply(
    t: Translator,
    message: Message,
    items: list[Item],
    user: UserRecord,
    watermarking: WatermarkingService,
    state: FSMContext,
) -> None:
    """Watermark the images and answer in the form they came in: photo, file or album."""
    uploads = [upload for _, upload in items]
    as_files = all(upload.as_document for upload in uploads)
    action = ChatAction.UPLOAD_DOCUMENT if as_files else ChatAction.UPLOAD_PHOTO
    try:
        async with ChatActionSender(bot=message.bot, chat_id=message.chat.id, action=action):
            outcomes = await watermarking.watermark(user_id=user.id, uploads=uploads)
            await _send_watermarked(message, outcomes)
    except LimitReached as error:
        # Answered here: an album is marked after its update, where no errors router answers,
        # and a channel's button that led here was answered already.
        await answer_limit_reached(t, message, error)
        return
    except ChannelAccessError as error:  # not a refusal: no mark yet, the images wait for one
        await _hold(state, items)
        await _ask_for_a_mark(t, message, state, error)
        return
    failures = [
        (message_id, number, outcome)
        for number, ((message_id, _), outcome) in enumerate(zip(items, outcomes, strict=True), 1)
        if outcome.error is not None
    ]
    if not failures:
        return
    in_album = len(items) > 1
    refusals = [
        (
            outcome.upload.file_name or texts.album_photo(t, number) if in_album else None,
            outcome.error,
        )
        for _, number, outcome in failures
        if outcome.error is not None
    ]
    await message.answer(
        texts.failures(t, refusals),
        reply_parameters=ReplyParameters(
            message_id=failures[0][0], allow_sending_without_reply=True
        ),
    )


async def _send_watermarked(message: Message, outcomes: list[WatermarkOutcome]) -> None:
    photos = [o for o in outcomes if o.image is not None and not o.upload.as_document]
    files = [o for o in outcomes if o.image is not None and o.upload.as_document]
    for done, media_type in ((photos, InputMediaPhoto), (files, InputMediaDocument)):
        inputs = [BufferedInputFile(o.image.data, filename=o.file_name) for o in done if o.image]
        if len(inputs) > 1:
            await message.answer_media_group([media_type(media=file) for file in inputs])
        elif inputs and media_type is InputMediaPhoto:
            await message.answer_photo(inputs[0])
        elif inputs:
            await message.answer_document(inputs[0])


async def _hold(state: FSMContext, items: list[Item]) -> None:
    """Keep images sent before the user had a mark, to watermark once they have one."""
    pending = (await state.get_data()).get("pending", [])
    pending += [
        {"message_id": message_id, "upload": dataclasses.asdict(upload)}
        for message_id, upload in items
    ]
    await state.update_data(pending=pending[-_MAX_PENDING:])


class ImageIntake:
    """Every photo or file sent in private chat: alone at once, an album once it is whole."""

    def __init__(self) -> None:
        self.albums = AlbumCollector()

    async def on_image(
        self,
        message: Message,
        user: UserRecord,
        watermarking: WatermarkingService,
        settings: Settings,
        state: FSMContext,
        t: Translator,
    ) -> None:
        if message.media_group_id is None:
            await _watermark_and_reply(t, message, [_item(message)], user, watermarking, state)
            return

        async def complete(messages: list[Message]) -> None:
            items = [_item(m) for m in messages]
            try:
                await _watermark_and_reply(t, messages[0], items, user, watermarking, state)
            except Exception as error:
                await apologise(messages[0], error, f"album {message.media_group_id}", t)

        self.albums.add(message, wait=settings.watermark_album_wait_seconds, complete=complete)


def _actions(*actions: WatermarkAction) -> Any:
    return WatermarkCb.filter(F.action.in_(set(actions)))


def create_router() -> Router:
    router = Router(name="watermark")
    router.message.register(show_watermark, Command("watermark"))
    router.message.register(on_mark_answer, StateFilter(WatermarkInput.text), NOT_A_COMMAND)
    router.message.register(on_preset_name, StateFilter(WatermarkInput.preset_name), NOT_A_COMMAND)
    router.message.register(on_mark_answer, StateFilter(WatermarkInput.logo), F.document)
    router.message.register(on_logo_photo, StateFilter(WatermarkInput.logo), F.photo)
    intake = ImageIntake()
    router.message.register(intake.on_image, F.photo | F.document)
    router.shutdown.register(intake.albums.close)

    changes = (
        WatermarkAction.POSITION,
        WatermarkAction.SIZE,
        WatermarkAction.OPACITY,
        WatermarkAction.COLOR,
        WatermarkAction.DISCARD,
        WatermarkAction.BACK,
        WatermarkAction.PRESET,
    )
    router.callback_query.register(on_panel_change, _actions(*changes))
    router.callback_query.register(on_apply, _actions(WatermarkAction.APPLY))
    router.callback_query.register(on_ask, _actions(*_QUESTIONS))
    router.callback_query.register(on_presets, _actions(WatermarkAction.PRESETS))
    router.callback_query.register(on_channel, _actions(WatermarkAction.CHANNEL))
    return router
