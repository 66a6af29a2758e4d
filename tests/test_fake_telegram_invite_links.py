"""The fake Telegram's invite links and join requests, as Telegram's Bot API documents them,
driven by the real aiogram Bot."""

from datetime import UTC, datetime, timedelta

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import ChatJoinRequest, ChatMemberUpdated
from fake_telegram import BOT_ID, FakeTelegram
from helpers import polling

# The updates a join-request story needs, which a bot does not get unless it asks.
MEMBER_UPDATES = ["chat_member", "chat_join_request"]


async def channel_with_bot(tg: FakeTelegram, **rights: bool):
    alice = tg.user("Alice")
    channel = tg.channel("News", "news", owner=alice)
    channel.bot_status = "administrator"
    channel.bot_rights.update(rights)
    return alice, channel


async def test_a_link_is_made_edited_and_revoked(bot: Bot, tg: FakeTelegram) -> None:
    _, channel = await channel_with_bot(tg)
    expires = datetime.now(UTC) + timedelta(days=7)
    link = await bot.create_chat_invite_link(
        channel.id, name="Promo", expire_date=expires, member_limit=100
    )
    assert link.creator.id == BOT_ID and not link.is_primary and not link.is_revoked
    assert (link.name, link.member_limit) == ("Promo", 100)
    assert link.expire_date is not None

    edited = await bot.edit_chat_invite_link(channel.id, link.invite_link, name="Spring")
    assert (edited.name, edited.member_limit) == ("Spring", 100)
    revoked = await bot.revoke_chat_invite_link(channel.id, link.invite_link)
    assert revoked.is_revoked


@pytest.mark.parametrize(
    ("options", "error"),
    [
        pytest.param({"name": "x" * 33}, "INVITE_LINK_NAME_INVALID", id="long name"),
        pytest.param({"member_limit": 100_000}, "USAGE_LIMIT_INVALID", id="limit"),
        pytest.param(
            {"member_limit": 5, "creates_join_request": True},
            "administrator approval",
            id="limit with requests",
        ),
    ],
)
async def test_telegram_refuses_what_it_refuses(bot, tg: FakeTelegram, options, error) -> None:
    _, channel = await channel_with_bot(tg)
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.create_chat_invite_link(channel.id, **options)


async def test_without_can_invite_users_links_are_refused(bot, tg: FakeTelegram) -> None:
    _, channel = await channel_with_bot(tg, can_invite_users=False)
    with pytest.raises(TelegramBadRequest, match="not enough rights"):
        await bot.create_chat_invite_link(channel.id, name="Promo")


async def test_another_admins_link_is_shortened_and_not_the_bots_to_revoke(
    bot, tg: FakeTelegram
) -> None:
    seen: list[ChatMemberUpdated] = []
    dp = Dispatcher()
    dp.chat_member()(seen.append)
    _, channel = await channel_with_bot(tg)
    async with polling(tg, bot, dp, allowed_updates=MEMBER_UPDATES):
        await tg.join(channel, invite_link_name="Bob's ad")
        await tg.join(channel, via_folder=True)
    shown, folder = seen
    assert shown.invite_link and shown.invite_link.invite_link.endswith("…")
    assert shown.invite_link.creator.id != BOT_ID
    assert folder.via_chat_folder_invite_link and folder.invite_link is None
    with pytest.raises(TelegramBadRequest, match="CHAT_ADMIN_REQUIRED"):
        await bot.revoke_chat_invite_link(channel.id, shown.invite_link.invite_link)


async def test_an_approved_join_request_becomes_a_join(bot: Bot, tg: FakeTelegram) -> None:
    seen: list = []
    dp = Dispatcher()

    async def approve(request: ChatJoinRequest, bot: Bot) -> None:
        seen.append(request)
        await request.approve()
        await bot.send_message(request.user_chat_id, "Welcome!")

    dp.chat_join_request()(approve)
    dp.chat_member()(seen.append)
    _, channel = await channel_with_bot(tg)
    link = await bot.create_chat_invite_link(channel.id, creates_join_request=True)
    async with polling(tg, bot, dp, allowed_updates=MEMBER_UPDATES):
        person = await tg.request_join(channel, invite_link_name=link.invite_link)
    request, joined = seen
    assert request.invite_link.creates_join_request
    assert joined.via_join_request and joined.invite_link.invite_link == link.invite_link
    assert channel.members[person.id] is person
    assert tg.texts_to(person) == ["Welcome!"]
    with pytest.raises(TelegramBadRequest, match="HIDE_REQUESTER_MISSING"):
        await bot.approve_chat_join_request(channel.id, person.id)
