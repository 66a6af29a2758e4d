"""The fake Telegram server, driven by the real aiogram Bot and Dispatcher."""

import asyncio

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.filters import Command
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberOwner,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    LabeledPrice,
    Message,
    MessageReactionCountUpdated,
    PreCheckoutQuery,
    ReactionTypePaid,
)
from fake_telegram import BOT_ID, BOT_TOKEN, BOT_USERNAME, FakeTelegram, FloodLimits
from helpers import polling
from PIL import Image


def png(width: int = 40, height: int = 30) -> bytes:
    from io import BytesIO

    buffer = BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, "PNG")
    return buffer.getvalue()


async def test_get_me_parses(bot: Bot, tg: FakeTelegram) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (BOT_ID, BOT_USERNAME, True)
    assert tg.sent("getMe")[0].ok


async def test_send_message_is_recorded_with_entities(bot: Bot, tg: FakeTelegram) -> None:
    alice = tg.user("Alice", started=True)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Stats 📊", callback_data="stats:1")]]
    )

    message = await bot.send_message(
        alice.id, "<b>Hi</b> 😀 &lt;you&gt;", parse_mode="HTML", reply_markup=keyboard
    )

    assert message.text == "Hi 😀 <you>"
    assert [(e.type, e.offset, e.length) for e in message.entities or []] == [("bold", 0, 2)]
    call = tg.last_to(alice)
    assert call.method == "sendMessage"
    assert call.chat_id == alice.id  # an int, decoded from the form field
    assert call.text == "<b>Hi</b> 😀 &lt;you&gt;"
    assert call.plain_text == "Hi 😀 <you>"
    assert call.button("Stats")["callback_data"] == "stats:1"
    assert tg.texts_to(alice) == ["<b>Hi</b> 😀 &lt;you&gt;"]
    with pytest.raises(AssertionError, match="Stats 📊"):
        call.button("Settings")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("Tom & Jerry", 'Character "&" must be escaped'),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
    ],
)
async def test_bad_html_is_rejected(bot: Bot, tg: FakeTelegram, text: str, error: str) -> None:
    alice = tg.user(started=True)
    with pytest.raises(TelegramBadRequest, match="can't parse entities") as caught:
        await bot.send_message(alice.id, text, parse_mode="HTML")
    assert error in caught.value.message
    assert tg.sent("sendMessage")[-1].error["error_code"] == 400


async def test_telegram_html_is_accepted(bot: Bot, tg: FakeTelegram) -> None:
    alice = tg.user(started=True)
    text = (
        '<a href="https://example.com/?a=1&amp;b=2">link</a> <span class="tg-spoiler">s</span> '
        "<tg-spoiler>t</tg-spoiler> <blockquote expandable>q</blockquote> &#9731; &#x1F600; "
        '<pre><code class="language-python">x = 1</code></pre> <tg-emoji emoji-id="5">👍</tg-emoji>'
    )
    message = await bot.send_message(alice.id, text, parse_mode="HTML")
    types = [e.type for e in message.entities or []]
    assert types == [
        "text_link",
        "spoiler",
        "spoiler",
        "expandable_blockquote",
        "pre",
        "custom_emoji",
    ]
    assert message.entities[0].url == "https://example.com/?a=1&b=2"
    assert message.entities[4].language == "python"


async def test_message_length_is_counted_in_utf16_after_parsing(bot: Bot, tg: FakeTelegram) -> None:
    alice = tg.user(started=True)
    await bot.send_message(alice.id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(alice.id, "a" * 4097)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(alice.id, "😀" * 2049)  # 2049 characters, 4098 UTF-16 units
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(alice.id, "<b> </b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(alice.id, BufferedInputFile(png(), "p.png"), caption="c" * 1025)


async def test_inline_keyboard_is_validated(bot: Bot, tg: FakeTelegram) -> None:
    alice = tg.user(started=True)

    def markup(**button: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="B", **button)]])

    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(alice.id, "x", reply_markup=markup(callback_data="й" * 33))
    with pytest.raises(TelegramBadRequest, match="BUTTON_URL_INVALID"):
        await bot.send_message(alice.id, "x", reply_markup=markup(url="javascript:alert(1)"))
    await bot.send_message(alice.id, "x", reply_markup=markup(callback_data="й" * 32))
    await bot.send_message(alice.id, "x", reply_markup=markup(url="tg://resolve?domain=x"))


async def test_a_keyboard_holds_at_most_100_buttons(bot: Bot, tg: FakeTelegram) -> None:
    alice = tg.user(started=True)

    def keyboard(buttons: int) -> InlineKeyboardMarkup:
        row = [InlineKeyboardButton(text=str(n), callback_data=str(n)) for n in range(buttons)]
        return InlineKeyboardMarkup(inline_keyboard=[row[n : n + 8] for n in range(0, buttons, 8)])

    await bot.send_message(alice.id, "x", reply_markup=keyboard(100))
    with pytest.raises(TelegramBadRequest, match="reply markup is too long"):
        await bot.send_message(alice.id, "x", reply_markup=keyboard(101))


async def test_a_callback_answer_holds_at_most_200_characters(bot: Bot, tg: FakeTelegram) -> None:
    dp = Dispatcher()
    refusals: list[str] = []

    @dp.callback_query()
    async def answer(query: CallbackQuery) -> None:
        try:
            await query.answer("a" * int(query.data or 0))
        except TelegramBadRequest as error:
            refusals.append(error.message)

    alice = tg.user(started=True)
    buttons = [InlineKeyboardButton(text=n, callback_data=n) for n in ("200", "201")]
    await bot.send_message(
        alice.id, "x", reply_markup=InlineKeyboardMarkup(inline_keyboard=[buttons])
    )
    async with polling(tg, bot, dp):
        too_long = await tg.press(alice, tg.last_to(alice), "201")
        just_fits = await tg.press(alice, tg.last_to(alice), "200")

    assert tg.callback_answer(too_long) is None and refusals == ["Bad Request: MESSAGE_TOO_LONG"]
    assert tg.callback_answer(just_fits) == {"text": "a" * 200}


async def test_flood_error_carries_retry_after(bot: Bot, tg: FakeTelegram) -> None:
    alice, bob = tg.user(started=True), tg.user("Bob", started=True)
    tg.fail_next("sendMessage", retry_after=7, chat_id=alice)

    await bot.send_message(bob.id, "not affected")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(alice.id, "hi")
    await bot.send_message(alice.id, "hi again")

    assert caught.value.retry_after == 7
    assert tg.sent("sendMessage", chat_id=alice)[0].error == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    assert tg.texts_to(alice) == ["hi again"]


async def test_flood_limits_refuse_too_many_sends(bot: Bot, tg: FakeTelegram) -> None:
    users = [tg.user(f"User {n}", started=True) for n in range(4)]
    tg.flood_limits = FloodLimits(overall=3, per_chat=1, window=60)

    await bot.send_message(users[0].id, "first")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(users[0].id, "again, too soon")
    await bot.send_message(users[1].id, "second")
    await bot.send_message(users[2].id, "third")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(users[3].id, "fourth within the window")

    assert tg.flood_refusals == 2


async def test_private_chats_follow_telegrams_rules(bot: Bot, tg: FakeTelegram) -> None:
    stranger, alice = tg.user("Stranger"), tg.user("Alice", started=True)
    with pytest.raises(TelegramForbiddenError, match="bot can't initiate conversation"):
        await bot.send_message(stranger.id, "hello")

    tg.block_bot(alice)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "hello")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "hello")


async def test_document_upload_is_recorded_and_downloadable(bot: Bot, tg: FakeTelegram) -> None:
    alice = tg.user(started=True)
    data = b"day,views\n2026-01-01,10\n"

    message = await bot.send_document(
        alice.id, BufferedInputFile(data, "stats.csv"), caption="<i>Export</i>", parse_mode="HTML"
    )

    call = tg.last_to(alice, "sendDocument")
    assert call.files["document"].data == data
    assert call.files["document"].filename == "stats.csv"
    assert message.document is not None
    assert (message.document.file_name, message.document.mime_type) == ("stats.csv", "text/csv")
    assert message.caption == "Export"
    downloaded = await bot.download(message.document.file_id)
    assert downloaded is not None and downloaded.read() == data


async def test_photos_and_media_groups(bot: Bot, tg: FakeTelegram) -> None:
    alice = tg.user(started=True)
    photo = await bot.send_photo(alice.id, BufferedInputFile(png(40, 30), "chart.png"))
    assert photo.photo is not None and (photo.photo[-1].width, photo.photo[-1].height) == (40, 30)
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(alice.id, BufferedInputFile(b"not an image", "x.png"))

    album = await bot.send_media_group(
        alice.id,
        [
            InputMediaPhoto(media=BufferedInputFile(png(), "a.png"), caption="first"),
            InputMediaPhoto(media=photo.photo[-1].file_id),
        ],
    )
    assert len({m.media_group_id for m in album}) == 1 and album[0].media_group_id
    assert tg.last_to(alice, "sendMediaGroup").files["media[0]"].filename == "a.png"

    mixed = [
        InputMediaPhoto(media=BufferedInputFile(png(), "a.png")),
        InputMediaDocument(media=BufferedInputFile(b"doc", "b.txt")),
    ]
    with pytest.raises(TelegramBadRequest, match="document can't be mixed"):
        await bot.send_media_group(alice.id, mixed)
    eleven = [InputMediaPhoto(media=photo.photo[-1].file_id)] * 11
    with pytest.raises(TelegramBadRequest, match="too many messages to send as an album"):
        await bot.send_media_group(alice.id, eleven)


async def test_photo_is_replaced_by_edit_message_media(bot: Bot, tg: FakeTelegram) -> None:
    alice = tg.user(started=True)
    text = await bot.send_message(alice.id, "no media here")
    sent = await bot.send_photo(alice.id, BufferedInputFile(png(40, 30), "a.png"), caption="old")

    edited = await bot.edit_message_media(
        InputMediaPhoto(
            media=BufferedInputFile(png(60, 40), "b.png"), caption="<b>new</b>", parse_mode="HTML"
        ),
        chat_id=alice.id,
        message_id=sent.message_id,
    )

    assert isinstance(edited, Message) and edited.caption == "new"
    assert edited.photo is not None and edited.photo[-1].width == 60
    assert tg.last_to(alice, "editMessageMedia").files["media"].filename == "b.png"
    assert tg.message(alice, sent.message_id)["caption"] == "new"
    with pytest.raises(TelegramBadRequest, match="there is no media in the message to edit"):
        await bot.edit_message_media(
            InputMediaPhoto(media=BufferedInputFile(png(), "c.png")),
            chat_id=alice.id,
            message_id=text.message_id,
        )


async def test_edits_deletes_and_callback_answers(bot: Bot, tg: FakeTelegram) -> None:
    alice = tg.user(started=True)
    sent = await bot.send_message(alice.id, "v1")

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("v1", chat_id=alice.id, message_id=sent.message_id)
    edited = await bot.edit_message_text("v2", chat_id=alice.id, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.edit_date is not None
    assert tg.message(alice, sent.message_id)["text"] == "v2"
    with pytest.raises(TelegramBadRequest, match="there is no caption in the message to edit"):
        await bot.edit_message_caption(chat_id=alice.id, message_id=sent.message_id, caption="c")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("123")

    assert await bot.delete_message(alice.id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(alice.id, sent.message_id)


async def test_chats_and_admins_parse_into_aiogram_types(bot: Bot, tg: FakeTelegram) -> None:
    alice, bob = tg.user("Alice"), tg.user("Bob")
    channel = tg.channel("Cooking", "cooking", owner=alice, admins=[bob], subscribers=1500)
    secret = tg.channel("Secret", None, owner=alice)

    chat = await bot.get_chat("@cooking")
    assert isinstance(chat, ChatFullInfo)
    assert (chat.id, chat.type, chat.title, chat.username) == (
        channel.id,
        "channel",
        "Cooking",
        "cooking",
    )
    assert await bot.get_chat_member_count(channel.id) == 1500
    with pytest.raises(TelegramBadRequest, match="member list is inaccessible"):
        await bot.get_chat_administrators(channel.id)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.get_chat(secret.id)
    with pytest.raises(TelegramForbiddenError, match="not a member of the channel"):
        await bot.send_message(channel.id, "post")

    channel.bot_status = "administrator"
    admins = await bot.get_chat_administrators(channel.id)
    assert [type(a) for a in admins] == [
        ChatMemberOwner,
        ChatMemberAdministrator,
        ChatMemberAdministrator,
    ]
    assert [a.user.id for a in admins] == [alice.id, bob.id, BOT_ID]
    tg.set_admin(channel, bob, False)
    assert (await bot.get_chat_member(channel.id, bob.id)).status == "left"
    assert (await bot.get_chat_member(channel.id, BOT_ID)).status == "administrator"
    private = await bot.get_chat(alice.id)
    assert (private.type, private.first_name) == ("private", "Alice")


async def test_raw_http_errors(tg: FakeTelegram) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{tg.base_url}/bot1:wrong/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{tg.base_url}/bot{BOT_TOKEN}/sendSticker") as response:
            assert response.status == 404
            assert (await response.json())["description"] == "Not Found"
        body = {"chat_id": "@nowhere", "text": "x", "reply_markup": {"inline_keyboard": [[]]}}
        async with http.post(f"{tg.base_url}/bot{BOT_TOKEN}/sendMessage", json=body) as response:
            assert response.status == 400
            assert (await response.json())["description"] == "Bad Request: chat not found"
    assert tg.calls[-1].params["reply_markup"] == {"inline_keyboard": [[]]}


async def test_unknown_method_raises_not_found(bot: Bot, tg: FakeTelegram) -> None:
    alice = tg.user(started=True)
    with pytest.raises(TelegramNotFound):
        await bot.send_dice(alice.id)


async def test_send_text_returns_after_the_handler_ran(bot: Bot, tg: FakeTelegram) -> None:
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await asyncio.sleep(0.2)
        await message.answer(
            f"echo: {message.text}",
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="Again", callback_data="again")]]
            ),
        )

    @dp.message(F.photo)
    async def measure(message: Message, bot: Bot) -> None:
        assert message.photo is not None
        data = await bot.download(message.photo[-1].file_id)
        assert data is not None
        await message.answer(f"{len(data.read())} bytes, {message.caption}")

    @dp.callback_query(F.data == "again")
    async def again(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text("pressed")
        await query.answer("done")

    alice = tg.user("Alice")
    async with polling(tg, bot, dp):
        sent = await tg.send_text(alice, "/start hello")
        assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
        assert tg.texts_to(alice) == ["echo: /start hello"]

        query_id = await tg.press_button(alice, tg.last_to(alice), "Again")
        assert tg.texts_to(alice)[-1] == "pressed"
        assert tg.callback_answer(query_id) == {"text": "done"}
        with pytest.raises(AssertionError, match="no button containing"):
            await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Again")

        image = png(50, 20)
        photo = await tg.send_photo(alice, image, caption="look")
        assert (photo["photo"][0]["width"], photo["photo"][0]["height"]) == (50, 20)
        assert tg.texts_to(alice)[-1] == f"{len(image)} bytes, look"
    assert tg.allowed_updates is not None and "callback_query" in tg.allowed_updates


async def test_star_payments(bot: Bot, tg: FakeTelegram) -> None:
    dp = Dispatcher()

    @dp.message(Command("buy"))
    async def buy(message: Message) -> None:
        prices = [LabeledPrice(label="Pro", amount=250)]
        await message.answer_invoice("Pro", "Pro plan, 30 days", "plan:pro", "XTR", prices)

    @dp.pre_checkout_query()
    async def check(query: PreCheckoutQuery) -> None:
        await query.answer(ok=query.invoice_payload == "plan:pro", error_message="Unknown plan")

    @dp.message(F.successful_payment)
    async def paid(message: Message, bot: Bot) -> None:
        assert message.successful_payment is not None and message.from_user is not None
        charge = message.successful_payment.telegram_payment_charge_id
        await bot.refund_star_payment(message.from_user.id, charge)
        await message.answer("refunded")

    alice = tg.user("Alice")
    async with polling(tg, bot, dp):
        await tg.send_text(alice, "/buy")
        invoice = tg.last_to(alice, "sendInvoice").response["invoice"]
        assert (invoice["currency"], invoice["total_amount"]) == ("XTR", 250)
        good = await tg.pre_checkout(alice, payload="plan:pro", total_amount=250)
        bad = await tg.pre_checkout(alice, payload="plan:gold", total_amount=250)
        assert tg.pre_checkout_answers[good] == {"ok": True, "error_message": "Unknown plan"}
        assert tg.pre_checkout_answers[bad]["ok"] is False
        await tg.successful_payment(alice, payload="plan:pro", total_amount=250)
    assert tg.texts_to(alice) == ["refunded"]
    assert tg.sent("refundStarPayment")[-1].ok


async def test_channel_updates_reach_the_bot(bot: Bot, tg: FakeTelegram) -> None:
    dp = Dispatcher()
    seen: list[object] = []
    dp.my_chat_member()(seen.append)
    dp.chat_member()(seen.append)
    dp.channel_post()(seen.append)
    dp.edited_channel_post()(seen.append)
    dp.message_reaction_count()(seen.append)

    alice = tg.user("Alice")
    channel = tg.channel("News", "news", owner=alice, subscribers=10)
    async with polling(tg, bot, dp):
        post_id = await tg.post(channel, "before the bot")  # not delivered: bot is no admin
        await tg.add_bot_to_channel(channel, by=alice)
        post_id = await tg.post(channel, "Pie", photo=True)
        await tg.edit_post(channel, post_id, "Pie!")
        await tg.react(channel, post_id, {"👍": 2, "paid": 1})
        await tg.join(channel, count=2, invite_link_name="Promo")
        await tg.leave(channel)
        await tg.remove_bot_from_channel(channel, by=alice)
        await tg.post(channel, "after the bot")

    added, post, edit, reactions, joined, _, left, removed = seen
    assert isinstance(added, ChatMemberUpdated)
    assert (added.old_chat_member.status, added.new_chat_member.status) == ("left", "administrator")
    assert isinstance(post, Message) and post.photo and post.caption == "Pie"
    assert isinstance(edit, Message) and edit.caption == "Pie!" and edit.edit_date
    assert isinstance(reactions, MessageReactionCountUpdated)
    assert isinstance(reactions.reactions[1].type, ReactionTypePaid)
    assert isinstance(joined, ChatMemberUpdated) and joined.invite_link
    assert joined.invite_link.name == "Promo"
    assert isinstance(left, ChatMemberUpdated) and left.new_chat_member.status == "left"
    assert isinstance(removed, ChatMemberUpdated) and removed.new_chat_member.status == "left"
    assert channel.subscribers == 11


async def test_wait_for_is_event_driven(bot: Bot, tg: FakeTelegram) -> None:
    alice = tg.user(started=True)
    mark = tg.mark()

    async def later() -> None:
        await asyncio.sleep(0.05)
        await bot.send_message(alice.id, "late")

    task = asyncio.create_task(later())
    call = await tg.wait_for("sendMessage", chat_id=alice, after=mark, timeout=2)
    await task
    assert call.text == "late"
    with pytest.raises(AssertionError, match="no sendMessage call"):
        await tg.wait_for("sendMessage", timeout=0.1)


async def test_a_demoted_admin_is_one_chat_member_update_and_leaves_the_admin_list(
    bot: Bot, tg: FakeTelegram
) -> None:
    dp = Dispatcher()
    seen: list[ChatMemberUpdated] = []
    dp.chat_member()(seen.append)
    alice, bob, carol = tg.user("Alice"), tg.user("Bob"), tg.user("Carol")
    channel = tg.channel("News", "news", owner=alice, admins=[bob, carol], subscribers=10)
    async with polling(tg, bot, dp):
        await tg.add_bot_to_channel(channel, by=alice)
        await tg.demote_admin(channel, bob, by=alice)
        await tg.demote_admin(channel, carol, by=carol, to="left")
        admins = await bot.get_chat_administrators(channel.id)

    demoted, left = seen
    assert (demoted.old_chat_member.status, demoted.new_chat_member.status) == (
        "administrator",
        "member",
    )
    assert demoted.from_user.id == alice.id and demoted.new_chat_member.user.id == bob.id
    assert (left.new_chat_member.status, left.from_user.id) == ("left", carol.id)
    assert [admin.user.id for admin in admins] == [alice.id, BOT_ID]
    assert channel.subscribers == 9
    with pytest.raises(ValueError, match="not an administrator"):
        await tg.demote_admin(channel, alice, by=alice)
