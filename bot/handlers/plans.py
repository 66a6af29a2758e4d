"""/plan: what the user's plan allows and how much is used; the Upgrade button."""

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.callbacks import PlanAction, PlanCb
from bot.keyboards import upgrade_keyboard
from services.domain.users import UserRecord
from services.entitlements import EntitlementsService
from services.plans import PLANS


async def show_plan(message: Message, user: UserRecord, entitlements: EntitlementsService):
    status = await entitlements.status(user_id=user.id)
    markup = None if status.plan.code == "business" else upgrade_keyboard()
    await message.answer(texts.plan_status(status), reply_markup=markup)


async def on_upgrade(query: CallbackQuery) -> None:
    await query.message.answer(texts.plans_overview(PLANS.values()))
    await query.answer()


def create_router() -> Router:
    router = Router(name="plans")
    router.message.filter(F.chat.type == "private")
    router.message.register(show_plan, Command("plan"))
    router.callback_query.register(on_upgrade, PlanCb.filter(F.action == PlanAction.UPGRADE))
    return router
