"""/export and the Export CSV and Excel (Russian) buttons under /stats: a channel's CSV files
as documents."""

import logging
from datetime import timedelta

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, FSInputFile, InputMediaDocument, Message
from aiogram.utils.chat_action import ChatActionSender

from bot.callbacks import StatsAction, StatsCb, StatsRangeCb
from bot.handlers.common import ButtonChannel, ButtonPeriod, answer_limit_reached, resolve_channel
from bot.i18n_texts import exports as texts
from bot.i18n_texts.stats import invalid_period
from bot.keyboards import period_callback
from services.analytics import AnalyticsService, InvalidPeriod, Period, parse_stats_request
from services.channels import ChannelService
from services.clock import Clock
from services.config import Settings
from services.domain.channels import ChannelRecord
from services.domain.users import UserRecord
from services.entitlements import LimitReached
from services.exports import CsvLayout, ExportKind, ExportService, ExportTooLarge, split_layout
from services.i18n import Translator

log = logging.getLogger(__name__)

# Telegram shows a chat action for five seconds, and lets a bot edit a message about once a
# second: the action is repeated, and the status edited, no more often than this.
_ACTION_EVERY = 5.0
_STATUS_EDIT_EVERY = timedelta(seconds=2)
# The export buttons under /stats, by the layout of the files they send.
_LAYOUTS = {StatsAction.EXPORT: CsvLayout.STANDARD, StatsAction.EXPORT_EXCEL: CsvLayout.EXCEL_RU}
_EXPORT_ACTIONS = {layout: action for action, layout in _LAYOUTS.items()}


class ExportStatus:
    """The status message of a long export: sent once it runs a while, edited as rows come."""

    def __init__(
        self, bot: Bot, chat_id: int, clock: Clock, t: Translator, *, show_after: float
    ) -> None:
        self._bot = bot
        self._t = t
        self._chat_id = chat_id
        self._clock = clock
        self._show_at = clock.now() + timedelta(seconds=show_after)
        self._message_id: int | None = None
        self._text = ""
        self._edited_at = clock.now()

    async def on_progress(self, kind: ExportKind, rows: int) -> None:
        now = self._clock.now()
        text = texts.progress(self._t, kind, rows)
        if self._message_id is None:
            if now >= self._show_at:
                message = await self._bot.send_message(self._chat_id, text)
                self._message_id, self._text, self._edited_at = message.message_id, text, now
        elif now - self._edited_at >= _STATUS_EDIT_EVERY:
            await self._edit(text)
            self._edited_at = now

    async def done(self) -> None:
        """Close the status, if it was shown at all; the files follow it in the chat."""
        if self._message_id is not None:
            await self._edit(self._t(texts.DONE))

    async def failed(self, text: str) -> None:
        """Say why the export stopped: in the status if it was shown, else in a message."""
        if self._message_id is None:
            await self._bot.send_message(self._chat_id, text)
        else:
            await self._edit(text)

    async def _edit(self, text: str) -> None:
        if text == self._text:
            return  # Telegram refuses an edit that changes nothing
        try:
            await self._bot.edit_message_text(
                text=text, chat_id=self._chat_id, message_id=self._message_id
            )
        except TelegramBadRequest as error:  # deleted by the user, say; the export goes on
            log.info("export status not updated: %s", error)
        self._text = text


async def send_export(
    message: Message,
    *,
    bot: Bot,
    user: UserRecord,
    channel: ChannelRecord,
    period: Period,
    layout: CsvLayout,
    exports: ExportService,
    settings: Settings,
    clock: Clock,
    t: Translator,
) -> None:
    """Build the channel's CSV files and send them, as one album of documents, to the chat."""
    chat_id = message.chat.id
    status = ExportStatus(bot, chat_id, clock, t, show_after=settings.export_status_after_seconds)
    await bot.send_chat_action(chat_id, "upload_document")
    try:
        async with (
            ChatActionSender.upload_document(
                bot=bot, chat_id=chat_id, interval=_ACTION_EVERY, initial_sleep=_ACTION_EVERY
            ),
            exports.export_channel(
                user_id=user.id,
                channel=channel,
                period=period,
                time_zone=user.time_zone,
                t=t,
                layout=layout,
                on_progress=status.on_progress,
            ) as export,
        ):
            # One album: the three files arrive together, under one caption, one notification.
            last = len(export.files) - 1
            files = [
                InputMediaDocument(
                    media=FSInputFile(file.path, filename=file.filename),
                    caption=texts.caption(t, export) if index == last else None,
                )
                for index, file in enumerate(export.files)
            ]
            await bot.send_media_group(chat_id, files)
    except LimitReached as error:
        # Not left to the errors router: a button's query is answered before the export starts.
        await answer_limit_reached(t, message, error)
        return
    except ExportTooLarge as error:
        await status.failed(texts.too_large(t, error))
        return
    await status.done()


async def export_command(
    message: Message,
    command: CommandObject,
    bot: Bot,
    user: UserRecord,
    channels: ChannelService,
    analytics: AnalyticsService,
    exports: ExportService,
    settings: Settings,
    clock: Clock,
    t: Translator,
) -> None:
    """/export [channel] [7d|30d|90d | from to] [excel]: the arguments of /stats, and the layout."""
    args, layout = split_layout(command.args)
    try:
        request = parse_stats_request(args, today=analytics.today(user.time_zone))
    except InvalidPeriod as error:
        await message.answer(invalid_period(t, error, examples=texts.USAGE))
        return
    channel = await resolve_channel(
        channels,
        user_id=user.id,
        ref=request.channel_ref,
        choose=lambda channel_id: period_callback(
            _EXPORT_ACTIONS[layout], channel_id, request.period, request.days
        ),
    )
    await send_export(
        message,
        bot=bot,
        user=user,
        channel=channel,
        period=request.period,
        layout=layout,
        exports=exports,
        settings=settings,
        clock=clock,
        t=t,
    )


async def on_export_button(
    query: CallbackQuery,
    callback_data: StatsCb | StatsRangeCb,
    channel: ChannelRecord,
    period: Period,
    bot: Bot,
    user: UserRecord,
    exports: ExportService,
    settings: Settings,
    clock: Clock,
    t: Translator,
) -> None:
    """Export CSV or Excel (Russian) under /stats, or a channel picked after /export: that
    channel and period."""
    # Answered at once: the button's spinner should not wait for the files.
    await query.answer()
    await send_export(
        query.message,
        bot=bot,
        user=user,
        channel=channel,
        period=period,
        layout=_LAYOUTS[callback_data.action],
        exports=exports,
        settings=settings,
        clock=clock,
        t=t,
    )


def create_router() -> Router:
    router = Router(name="exports")
    router.message.register(export_command, Command("export"))
    is_export = F.action.in_(set(_LAYOUTS))
    for export_button in (StatsCb, StatsRangeCb):
        router.callback_query.register(
            on_export_button, export_button.filter(is_export), ButtonPeriod(), ButtonChannel()
        )
    return router
