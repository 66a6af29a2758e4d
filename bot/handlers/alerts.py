"""/alerts: the user's alert rules, their buttons, the new-alert wizard, and the history."""

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.callbacks import (
    AlertAction,
    AlertCb,
    AlertMenuAction,
    AlertMenuCb,
    AlertWizardAction,
    AlertWizardCb,
    ListKind,
    PageCb,
)
from bot.handlers.common import NOT_A_COMMAND, show_in_place
from bot.i18n_texts import alerts as alerts_texts
from bot.i18n_texts.common import NO_CHANNELS, access_error_text
from bot.keyboards import (
    alert_answer_keyboard,
    alert_channels_keyboard,
    alert_kinds_keyboard,
    alerts_keyboard,
)
from bot.paging import page_of
from services.alerts import (
    QUESTIONS,
    AlertService,
    InvalidAnswer,
    RuleNotFound,
    parse_answer,
    thresholds_from,
)
from services.channels import ChannelAccessError, ChannelService
from services.clock import Clock
from services.domain.alerts import AlertKind
from services.domain.users import UserRecord
from services.i18n import Translator


class NewAlert(StatesGroup):
    """The new-alert wizard: the kind, the channel (asked of a user tracking several), then
    each of the kind's questions."""

    kind = State()
    channel = State()
    threshold = State()


async def _alerts_page(
    t: Translator, user: UserRecord, alerts: AlertService, clock: Clock, number: int
):
    """Page `number` of the user's rules, as text and its keyboard."""
    page = page_of(await alerts.list_rules(user_id=user.id), number)
    text = alerts_texts.alerts_list(t, page, user.time_zone, clock.now())
    return text, alerts_keyboard(t, page)


async def show_alerts(
    message: Message,
    command: CommandObject,
    t: Translator,
    user: UserRecord,
    alerts: AlertService,
    clock: Clock,
) -> None:
    if (command.args or "").strip().lower() == "history":
        firings = await alerts.history(user_id=user.id)
        await message.answer(alerts_texts.history(t, firings, user.time_zone))
        return
    text, keyboard = await _alerts_page(t, user, alerts, clock, 1)
    await message.answer(text, reply_markup=keyboard)


async def on_list_button(
    query: CallbackQuery,
    callback_data: AlertCb | PageCb,
    t: Translator,
    user: UserRecord,
    alerts: AlertService,
    clock: Clock,
) -> None:
    """A rule's button (in /alerts, or under a delivered alert) or a page turn: the page is
    shown again, but after Mute and Test, which answer with a notice."""
    if isinstance(callback_data, AlertCb) and not await _act_on_rule(
        query, callback_data, t, user, alerts
    ):
        return
    text, keyboard = await _alerts_page(t, user, alerts, clock, callback_data.page)
    await show_in_place(query, text, keyboard)


async def _act_on_rule(
    query: CallbackQuery,
    callback_data: AlertCb,
    t: Translator,
    user: UserRecord,
    alerts: AlertService,
) -> bool:
    """Do what the button says; whether the page is to be shown again."""
    rule_id, action = callback_data.rule_id, callback_data.action
    try:
        match action:
            case AlertAction.MUTE:
                await alerts.mute(user_id=user.id, rule_id=rule_id)
                await query.answer(t(alerts_texts.MUTED))
                return False
            case AlertAction.TEST:
                await alerts.send_test(
                    user_id=user.id, rule_id=rule_id, time_zone=user.time_zone, locale=t.locale
                )
                await query.answer(t(alerts_texts.TEST_SENT))
                return False
            case AlertAction.DELETE:
                await alerts.delete(user_id=user.id, rule_id=rule_id)
            case AlertAction.PAUSE | AlertAction.RESUME:
                paused = action is AlertAction.PAUSE
                await alerts.set_paused(user_id=user.id, rule_id=rule_id, paused=paused)
    except RuleNotFound:
        await query.answer(t(alerts_texts.RULE_GONE), show_alert=True)
        return False
    return True


async def on_menu_button(
    query: CallbackQuery,
    callback_data: AlertMenuCb,
    state: FSMContext,
    t: Translator,
    user: UserRecord,
    alerts: AlertService,
) -> None:
    if callback_data.action is AlertMenuAction.HISTORY:
        firings = await alerts.history(user_id=user.id)
        await query.message.answer(alerts_texts.history(t, firings, user.time_zone))
        await query.answer()
        return
    await alerts.ensure_room_for_rule(user_id=user.id)
    await state.clear()
    await state.set_state(NewAlert.kind)
    await query.message.answer(alerts_texts.choose_kind(t), reply_markup=alert_kinds_keyboard(t))
    await query.answer()


async def on_wizard_choice(
    query: CallbackQuery,
    callback_data: AlertWizardCb,
    state: FSMContext,
    t: Translator,
    user: UserRecord,
    channels: ChannelService,
    alerts: AlertService,
) -> None:
    """The kind chosen, then the channel: asked only of a user tracking several."""
    await query.answer()
    if callback_data.action is AlertWizardAction.CHANNEL:
        await _start_thresholds(
            t, query.message, state, user, callback_data.channel_id, channels, alerts
        )
        return
    await state.update_data(kind=callback_data.kind.value)
    tracked = [s.channel for s in await channels.list_for_user(user_id=user.id)]
    tracked = [channel for channel in tracked if channel.is_tracked]
    if len(tracked) == 1:
        await _start_thresholds(t, query.message, state, user, tracked[0].id, channels, alerts)
    elif not tracked:
        await state.clear()
        await query.message.answer(t(NO_CHANNELS))
    else:
        await state.set_state(NewAlert.channel)
        await query.message.answer(
            t(alerts_texts.CHOOSE_CHANNEL), reply_markup=alert_channels_keyboard(t, tracked)
        )


async def _start_thresholds(
    t: Translator,
    message: Message,
    state: FSMContext,
    user: UserRecord,
    channel_id: int,
    channels: ChannelService,
    alerts: AlertService,
) -> None:
    try:
        channel = await channels.require_admin(user_id=user.id, channel_id=channel_id)
    except ChannelAccessError as error:
        # The wizard's button is answered already, and the wizard ends here: said in the chat.
        await state.clear()
        await message.answer(access_error_text(t, error))
        return
    await state.update_data(channel_id=channel.id, channel_title=channel.title, answers={}, step=0)
    await state.set_state(NewAlert.threshold)
    await _ask(message, state, t, alerts)


async def _ask(message: Message, state: FSMContext, t: Translator, alerts: AlertService) -> None:
    data = await state.get_data()
    kind = AlertKind(data["kind"])
    questions = QUESTIONS[kind]
    question = questions[data["step"]]
    default = await alerts.default_answer(
        kind=kind, question=question, channel_id=data["channel_id"]
    )
    await state.update_data(default=default)
    await message.answer(
        alerts_texts.question(
            t, kind, question, data["step"] + 1, len(questions), data["channel_title"]
        ),
        reply_markup=alert_answer_keyboard(t, default),
    )


async def on_answer(
    message: Message, state: FSMContext, user: UserRecord, alerts: AlertService, t: Translator
) -> None:
    await _take_answer(t, message, message.text or "", state, user, alerts)


async def on_default(
    query: CallbackQuery, state: FSMContext, user: UserRecord, alerts: AlertService, t: Translator
) -> None:
    default = (await state.get_data())["default"]
    # Answered after: a plan limit met on the last answer answers the query with the upgrade.
    await _take_answer(t, query.message, default, state, user, alerts)
    await query.answer()


async def _take_answer(
    t: Translator,
    message: Message,
    text: str,
    state: FSMContext,
    user: UserRecord,
    alerts: AlertService,
) -> None:
    """Validate the answer; ask the next question, or create the rule after the last."""
    data = await state.get_data()
    kind = AlertKind(data["kind"])
    questions = QUESTIONS[kind]
    question = questions[data["step"]]
    try:
        answers = data["answers"] | parse_answer(question, text)
    except InvalidAnswer:
        await message.answer(alerts_texts.invalid_answer(t, question, data["default"]))
        return
    step = data["step"] + 1
    if step < len(questions):
        await state.update_data(answers=answers, step=step)
        await _ask(message, state, t, alerts)
        return
    await state.clear()
    rule = await alerts.create_rule(
        user_id=user.id,
        channel_id=data["channel_id"],
        kind=kind,
        thresholds=thresholds_from(answers),
    )
    await message.answer(alerts_texts.created(t, rule))


async def on_cancel(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await state.clear()
    await query.message.edit_text(t(alerts_texts.CANCELLED))
    await query.answer()


async def on_text_instead_of_button(message: Message, t: Translator) -> None:
    await message.answer(t(alerts_texts.CHOOSE_WITH_BUTTONS))


def create_router() -> Router:
    router = Router(name="alerts")
    router.message.register(show_alerts, Command("alerts"))
    router.callback_query.register(on_list_button, AlertCb.filter())
    router.callback_query.register(on_list_button, PageCb.filter(F.kind == ListKind.ALERT_RULES))
    router.callback_query.register(on_menu_button, AlertMenuCb.filter())
    router.callback_query.register(
        on_cancel, AlertWizardCb.filter(F.action == AlertWizardAction.CANCEL)
    )
    router.callback_query.register(
        on_wizard_choice,
        AlertWizardCb.filter(F.action == AlertWizardAction.KIND),
        StateFilter(NewAlert.kind),
    )
    router.callback_query.register(
        on_wizard_choice,
        AlertWizardCb.filter(F.action == AlertWizardAction.CHANNEL),
        StateFilter(NewAlert.channel),
    )
    router.callback_query.register(
        on_default,
        AlertWizardCb.filter(F.action == AlertWizardAction.DEFAULT),
        StateFilter(NewAlert.threshold),
    )
    router.message.register(on_answer, StateFilter(NewAlert.threshold), NOT_A_COMMAND)
    router.message.register(
        on_text_instead_of_button, StateFilter(NewAlert.kind, NewAlert.channel), NOT_A_COMMAND
    )
    return router
