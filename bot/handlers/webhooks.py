"""/webhooks: the user's endpoints; Add (the URL, then the events as toggles), and under each
endpoint Test, Deliveries, Enable and Delete."""

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.callbacks import WebhookAction, WebhookCb, WebhookWizardAction, WebhookWizardCb
from bot.handlers.common import NO_PREVIEW, NOT_A_COMMAND, show_in_place
from bot.i18n_texts import webhooks as texts
from bot.keyboards import webhook_endpoint_keyboard, webhook_events_keyboard, webhooks_keyboard
from services.domain.users import UserRecord
from services.domain.webhooks import SUBSCRIBABLE, WebhookEventType
from services.i18n import Translator
from services.webhooks import EndpointNotFound, NoEventsChosen, UrlRefused, WebhookService


class NewEndpoint(StatesGroup):
    url = State()
    events = State()


async def show_webhooks(
    message: Message, user: UserRecord, webhooks: WebhookService, t: Translator
) -> None:
    endpoints = await webhooks.endpoints(user_id=user.id)
    await message.answer(
        texts.listing(t, endpoints),
        reply_markup=webhooks_keyboard(t, endpoints),
        link_preview_options=NO_PREVIEW,
    )


async def on_list(
    query: CallbackQuery, user: UserRecord, webhooks: WebhookService, t: Translator
) -> None:
    endpoints = await webhooks.endpoints(user_id=user.id)
    # Without previews: Telegram would fetch the receivers' URLs, a stray GET for each.
    await show_in_place(
        query,
        texts.listing(t, endpoints),
        webhooks_keyboard(t, endpoints),
        link_preview_options=NO_PREVIEW,
    )


async def on_add(
    query: CallbackQuery,
    state: FSMContext,
    user: UserRecord,
    webhooks: WebhookService,
    t: Translator,
) -> None:
    await webhooks.ensure_room(user_id=user.id)  # a LimitReached is answered by the errors router
    await state.set_state(NewEndpoint.url)
    await query.message.answer(t(texts.ASK_URL))
    await query.answer()


async def on_url(
    message: Message, state: FSMContext, webhooks: WebhookService, t: Translator
) -> None:
    """The URL is checked now (its host must resolve to public addresses), then the events."""
    try:
        url = await webhooks.check_url(message.text or "")
    except UrlRefused as error:
        await message.answer(texts.refusal(t, error))
        return
    chosen = list(SUBSCRIBABLE)
    await state.set_state(NewEndpoint.events)
    await state.set_data({"url": url, "events": [event.value for event in chosen]})
    await message.answer(
        texts.choose_events(t, url),
        reply_markup=webhook_events_keyboard(t, set(chosen)),
        link_preview_options=NO_PREVIEW,
    )


async def on_wizard(
    query: CallbackQuery,
    callback_data: WebhookWizardCb,
    state: FSMContext,
    user: UserRecord,
    webhooks: WebhookService,
    t: Translator,
) -> None:
    data = await state.get_data()
    if await state.get_state() != NewEndpoint.events.state or "url" not in data:
        await query.answer(t(texts.WIZARD_GONE), show_alert=True)
        return
    chosen = {WebhookEventType(name) for name in data["events"]}
    if callback_data.action is WebhookWizardAction.CANCEL:
        await state.clear()
        await query.message.edit_text(t(texts.CANCELLED))
        await query.answer()
        return
    if callback_data.action is WebhookWizardAction.TOGGLE:
        chosen ^= {SUBSCRIBABLE[callback_data.event]}
        await state.update_data(events=[event.value for event in SUBSCRIBABLE if event in chosen])
        await show_in_place(
            query,
            texts.choose_events(t, data["url"]),
            webhook_events_keyboard(t, chosen),
            link_preview_options=NO_PREVIEW,
        )
        return
    try:
        created = await webhooks.create(user_id=user.id, url=data["url"], events=list(chosen))
    except NoEventsChosen:
        await query.answer(t(texts.NO_EVENTS), show_alert=True)
        return
    except UrlRefused as error:  # its host resolves elsewhere than a moment ago
        await state.set_state(NewEndpoint.url)
        await query.message.answer(texts.refusal(t, error))
        await query.answer()
        return
    await state.clear()
    await query.message.edit_text(
        texts.created(t, created.endpoint, created.secret), link_preview_options=NO_PREVIEW
    )
    await query.answer()


async def on_endpoint(
    query: CallbackQuery,
    callback_data: WebhookCb,
    user: UserRecord,
    webhooks: WebhookService,
    t: Translator,
) -> None:
    """Open, Test, Deliveries, Enable or Delete, for one of the user's endpoints."""
    endpoint_id = callback_data.endpoint_id
    action = callback_data.action
    try:
        if action is WebhookAction.DELETE:
            endpoint = await webhooks.get(user_id=user.id, endpoint_id=endpoint_id)
            await webhooks.delete(user_id=user.id, endpoint_id=endpoint_id)
            await query.message.edit_text(
                t(texts.DELETED, id=endpoint.id, url=endpoint.url),
                link_preview_options=NO_PREVIEW,
            )
            await query.answer()
            return
        if action is WebhookAction.LOG:
            attempts = await webhooks.deliveries(
                user_id=user.id, endpoint_id=endpoint_id, limit=texts.LOG_IN_CHAT
            )
            await query.message.answer(texts.delivery_log(t, endpoint_id, attempts))
            await query.answer()
            return
        answer = None
        if action is WebhookAction.TEST:
            await webhooks.send_test(user_id=user.id, endpoint_id=endpoint_id)
            answer = t(texts.TEST_QUEUED)
        elif action is WebhookAction.ENABLE:
            await webhooks.enable(user_id=user.id, endpoint_id=endpoint_id)
            answer = t(texts.ENABLED)
        endpoint = await webhooks.get(user_id=user.id, endpoint_id=endpoint_id)
    except EndpointNotFound:
        await query.answer(t(texts.GONE), show_alert=True)
        return
    await show_in_place(
        query,
        texts.card(t, endpoint),
        webhook_endpoint_keyboard(t, endpoint),
        answer=answer,
        link_preview_options=NO_PREVIEW,
    )


def create_router() -> Router:
    router = Router(name="webhooks")
    router.message.register(show_webhooks, Command("webhooks"))
    router.message.register(on_url, StateFilter(NewEndpoint.url), NOT_A_COMMAND)
    router.callback_query.register(on_list, WebhookCb.filter(F.action == WebhookAction.LIST))
    router.callback_query.register(on_add, WebhookCb.filter(F.action == WebhookAction.ADD))
    router.callback_query.register(on_endpoint, WebhookCb.filter())
    router.callback_query.register(on_wizard, WebhookWizardCb.filter())
    return router
