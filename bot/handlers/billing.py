"""/subscribe and the Upgrade button, paying by card (Stripe) or in Telegram Stars,
/cancel and /billing."""

import logging

from aiogram import Bot, F, Router
from aiogram.enums import ChatAction
from aiogram.filters import Command
from aiogram.types import CallbackQuery, LabeledPrice, Message, PreCheckoutQuery

from bot.callbacks import BuyCb, CancelAnswer, CancelCb, PaymentRail, PlanAction, PlanCb
from bot.handlers.common import refusal_text
from bot.i18n_texts import billing as texts
from bot.keyboards import cancel_confirm_keyboard, link_keyboard, subscribe_keyboard
from services.billing import paid_plan
from services.domain.users import UserRecord
from services.entitlements import EntitlementsService
from services.i18n import Translator
from services.plans import PLANS
from services.stars import STARS_CURRENCY, InvalidOrder, StarsService
from services.stripe_billing import (
    AlreadyCancelled,
    AlreadySubscribed,
    NoBillingAccount,
    NoSubscription,
    PaymentProviderError,
    StripeBillingService,
)

log = logging.getLogger(__name__)

# Why /billing cannot open the portal.
_PORTAL_REFUSALS = {
    NoBillingAccount: texts.NO_BILLING_ACCOUNT,
    PaymentProviderError: texts.PAYMENTS_UNAVAILABLE,
}


async def _send_offer(
    t: Translator,
    message: Message,
    user: UserRecord,
    entitlements: EntitlementsService,
    stripe_billing: StripeBillingService | None,
) -> None:
    current = await entitlements.plan_of(user_id=user.id)
    paid = [plan for plan in PLANS.values() if plan.is_paid]
    card = stripe_billing is not None
    await message.answer(
        texts.subscribe_offer(t, current, paid, card=card),
        reply_markup=subscribe_keyboard(t, paid, card=card),
    )


async def subscribe(
    message: Message,
    user: UserRecord,
    entitlements: EntitlementsService,
    stripe_billing: StripeBillingService | None,
    t: Translator,
) -> None:
    await _send_offer(t, message, user, entitlements, stripe_billing)


async def on_upgrade(
    query: CallbackQuery,
    user: UserRecord,
    entitlements: EntitlementsService,
    stripe_billing: StripeBillingService | None,
    t: Translator,
) -> None:
    await query.answer()
    await _send_offer(t, query.message, user, entitlements, stripe_billing)


async def on_buy(
    query: CallbackQuery,
    callback_data: BuyCb,
    user: UserRecord,
    bot: Bot,
    stars: StarsService,
    stripe_billing: StripeBillingService | None,
    t: Translator,
) -> None:
    plan = paid_plan(callback_data.plan)
    if callback_data.rail is PaymentRail.STARS:
        order = stars.order(user_id=user.id, plan_code=plan.code)
        await query.message.answer_invoice(
            title=texts.stars_invoice_title(t, plan),
            description=texts.stars_invoice_description(t, plan),
            payload=order.payload,
            currency=STARS_CURRENCY,
            prices=[LabeledPrice(label=texts.stars_price_label(t, plan), amount=order.stars)],
        )
        await query.answer()
        return
    if stripe_billing is None:
        await query.answer(t(texts.CARD_PAYMENTS_OFF), show_alert=True)
        return
    await query.answer(t(texts.OPENING_CHECKOUT))
    await bot.send_chat_action(query.message.chat.id, ChatAction.TYPING)
    try:
        url = await stripe_billing.checkout_url(
            user_id=user.id,
            name=user.first_name,
            plan_code=plan.code,
            return_url=await _chat_url(bot),
        )
    except AlreadySubscribed as error:
        await query.message.answer(texts.already_subscribed(t, error.card_plan))
        return
    except PaymentProviderError:
        await query.message.answer(t(texts.PAYMENTS_UNAVAILABLE))
        return
    await query.message.answer(
        texts.checkout(t, plan), reply_markup=link_keyboard(texts.pay_by_card_button(t, plan), url)
    )


async def on_pre_checkout(query: PreCheckoutQuery, stars: StarsService, t: Translator) -> None:
    """Telegram waits at most 10 seconds for this answer: check the order, nothing more."""
    try:
        stars.check_order(
            user_id=query.from_user.id,
            payload=query.invoice_payload,
            currency=query.currency,
            total_amount=query.total_amount,
        )
    except InvalidOrder as error:
        log.warning("pre-checkout %s refused: %s", query.id, error)
        await query.answer(ok=False, error_message=t(texts.STARS_ORDER_INVALID))
        return
    await query.answer(ok=True)


async def on_successful_payment(
    message: Message, user: UserRecord, stars: StarsService, t: Translator
) -> None:
    payment = message.successful_payment
    try:
        activation = await stars.on_payment(
            user_id=user.id,
            payload=payment.invoice_payload,
            currency=payment.currency,
            total_amount=payment.total_amount,
            charge_id=payment.telegram_payment_charge_id,
        )
    except InvalidOrder as error:
        log.error("payment %s matches no order: %s", payment.telegram_payment_charge_id, error)
        await message.answer(texts.payment_not_understood(t, payment.telegram_payment_charge_id))
        return
    await message.answer(texts.stars_plan_active(t, activation.plan, activation.until))


async def on_refunded_payment(message: Message, stars: StarsService) -> None:
    await stars.on_refunded(charge_id=message.refunded_payment.telegram_payment_charge_id)


async def cancel(
    message: Message, user: UserRecord, stripe_billing: StripeBillingService | None, t: Translator
) -> None:
    if stripe_billing is None:
        await message.answer(t(texts.NO_CARD_SUBSCRIPTION))
        return
    try:
        card_plan = await stripe_billing.cancellable(user_id=user.id)
    except NoSubscription:
        await message.answer(t(texts.NO_CARD_SUBSCRIPTION))
        return
    except AlreadyCancelled as error:
        await message.answer(texts.already_cancelled(t, error.card_plan))
        return
    await message.answer(
        texts.cancel_confirm(t, card_plan), reply_markup=cancel_confirm_keyboard(t)
    )


async def on_cancel_answer(
    query: CallbackQuery,
    callback_data: CancelCb,
    user: UserRecord,
    stripe_billing: StripeBillingService | None,
    t: Translator,
) -> None:
    if callback_data.answer is CancelAnswer.KEEP or stripe_billing is None:
        await query.message.edit_text(t(texts.CANCEL_KEPT))
        await query.answer()
        return
    try:
        card_plan = await stripe_billing.cancel(user_id=user.id)
    except NoSubscription:
        text = t(texts.NO_CARD_SUBSCRIPTION)
    except AlreadyCancelled as error:
        text = texts.already_cancelled(t, error.card_plan)
    except PaymentProviderError:
        text = t(texts.PAYMENTS_UNAVAILABLE)
    else:
        text = texts.cancel_done(t, card_plan)
    await query.message.edit_text(text)
    await query.answer()


async def billing_portal(
    message: Message,
    user: UserRecord,
    bot: Bot,
    stripe_billing: StripeBillingService | None,
    t: Translator,
) -> None:
    if stripe_billing is None:
        await message.answer(t(texts.CARD_PAYMENTS_OFF))
        return
    await bot.send_chat_action(message.chat.id, ChatAction.TYPING)
    try:
        url = await stripe_billing.portal_url(user_id=user.id, return_url=await _chat_url(bot))
    except tuple(_PORTAL_REFUSALS) as error:
        await message.answer(refusal_text(t, error, _PORTAL_REFUSALS))
        return
    await message.answer(
        t(texts.BILLING_PORTAL), reply_markup=link_keyboard(t(texts.BILLING_PORTAL_BUTTON), url)
    )


async def _chat_url(bot: Bot) -> str:
    """Where Stripe's pages send the user back to: this chat."""
    me = await bot.me()
    return f"https://t.me/{me.username}"


def create_router() -> Router:
    router = Router(name="billing")
    router.message.register(subscribe, Command("subscribe"))
    router.message.register(cancel, Command("cancel"))
    router.message.register(billing_portal, Command("billing"))
    router.message.register(on_successful_payment, F.successful_payment)
    router.message.register(on_refunded_payment, F.refunded_payment)
    router.callback_query.register(on_upgrade, PlanCb.filter(F.action == PlanAction.UPGRADE))
    router.callback_query.register(on_buy, BuyCb.filter())
    router.callback_query.register(on_cancel_answer, CancelCb.filter())
    router.pre_checkout_query.register(on_pre_checkout)
    return router
