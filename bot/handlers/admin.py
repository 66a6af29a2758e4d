"""Commands for the bot's admins (ADMIN_IDS): /admin, /grant, /refund.

For anyone else these commands do not exist: their messages fall through to the fallback.
"""

from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.i18n_texts import admin as texts
from services.billing import BillingService, InvalidGrant, UnknownPlan, UnknownUser
from services.bounds import bounded_int, is_token
from services.i18n import Translator
from services.stars import AlreadyRefunded, PaymentNotFound, RefundRefused, StarsService


async def overview(message: Message, billing: BillingService, t: Translator) -> None:
    await message.answer(texts.admin_overview(t, await billing.overview()))


async def grant(
    message: Message, command: CommandObject, billing: BillingService, t: Translator
) -> None:
    parts = (command.args or "").split()
    if len(parts) != 3:
        await message.answer(t(texts.GRANT_USAGE))
        return
    user_id, plan_code, days = bounded_int(parts[0], minimum=1), parts[1], bounded_int(parts[2])
    if user_id is None or days is None:
        await message.answer(t(texts.GRANT_USAGE))
        return
    try:
        notice = await billing.grant(user_id=user_id, plan_code=plan_code, days=days)
    except (UnknownPlan, InvalidGrant):
        await message.answer(t(texts.GRANT_USAGE))
        return
    except UnknownUser:
        await message.answer(t(texts.UNKNOWN_USER, user_id=user_id))
        return
    await message.answer(texts.granted(t, user_id, notice.plan, notice.until))


async def refund(
    message: Message, command: CommandObject, stars: StarsService, t: Translator
) -> None:
    charge_id = (command.args or "").strip()
    if not is_token(charge_id):
        await message.answer(t(texts.REFUND_USAGE))
        return
    try:
        payment = await stars.refund(charge_id=charge_id)
    except PaymentNotFound:
        await message.answer(t(texts.PAYMENT_NOT_FOUND, charge_id=escape(charge_id[:100])))
        return
    except AlreadyRefunded:
        await message.answer(t(texts.ALREADY_REFUNDED))
        return
    except RefundRefused as error:
        await message.answer(t(texts.REFUND_REFUSED, reason=escape(str(error))))
        return
    await message.answer(texts.refunded(t, payment))


def create_router(admin_ids: frozenset[int]) -> Router:
    router = Router(name="admin")
    router.message.filter(F.from_user.id.in_(admin_ids))
    router.message.register(overview, Command("admin"))
    router.message.register(grant, Command("grant"))
    router.message.register(refund, Command("refund"))
    return router
