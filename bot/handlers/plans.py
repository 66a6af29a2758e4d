"""/plan: what the user's plan allows and how much is used; the Upgrade button."""

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.callbacks import PlanAction, PlanCb
from bot.i18n_texts import plans as texts
from bot.keyboards import upgrade_keyboard
from services.domain.users import UserRecord
from services.entitlements import EntitlementsService
from services.i18n import Translator
from services.plans import PLANS


async def show_plan(
    message: Message, user: UserRecord, entitlements: EntitlementsService, t: Translator
):
    status = await entitlements.status(user_id=user.id)
    markup = None if status.plan.code == "business" else upgrade_keyboard(t)
    await message.answer(texts.plan_status(t, status), reply_markup=markup)


async def on_upgrade(query: CallbackQuery, t: Translator) -> None:
    await query.message.answer(texts.plans_overview(t, PLANS.values()))
    await query.answer()


def create_router() -> Router:
    router = Router(name="plans")
    router.message.register(show_plan, Command("plan"))
    router.callback_query.register(on_upgrade, PlanCb.filter(F.action == PlanAction.UPGRADE))
    return router
