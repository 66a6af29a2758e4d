"""Lists that outgrow a message: /shares, /alerts and /channels a page at a time."""

import re

import aiohttp
import pytest
from fake_telegram import Call, FakeTelegram, FakeUser
from stories import channel_with_history, on_plan, owner_with_channel, share

from bot.callbacks import MAX_PAGE, ChannelCb, ShareLinkCb
from bot.paging import PAGE_SIZE
from services.domain.alerts import AlertKind, AlertThresholds
from services.plans import PLANS, Allowance


async def every_page(tg: FakeTelegram, user: FakeUser, first: Call) -> list[Call]:
    """The pages of a list from its first one, pressing ▶ until there is none."""
    pages = [first]
    while any(button["text"] == "▶" for button in pages[-1].buttons()):
        mark = tg.mark()
        await tg.press_button(user, pages[-1], "▶")
        turned = [call for call in tg.sent("editMessageText", chat_id=user) if call.index >= mark]
        assert turned and turned[-1].ok, turned  # e.g. "message is too long"
        pages.append(turned[-1])
    return pages


def page_turns(page: Call) -> list[str]:
    return [b["text"] for b in page.buttons() if b["text"] in ("◀", "▶")]


async def test_shares_pages_through_sixty_links_and_revokes_on_the_last_page(
    app, tg, db, clock
) -> None:
    shared = await channel_with_history(app, tg, db, clock)
    alice = shared.owner
    await on_plan(app, alice, "business")
    links = [await share(app, shared, hours=None) for _ in range(60)]

    await tg.send_text(alice, "/shares")
    pages = await every_page(tg, alice, tg.last_to(alice, "sendMessage"))

    assert [f"Page {number} of 6" in page.text for number, page in enumerate(pages, 1)] == [
        True
    ] * 6
    assert page_turns(pages[0]) == ["▶"] and page_turns(pages[3]) == ["◀", "▶"]
    assert page_turns(pages[-1]) == ["◀"]
    listed = [
        ShareLinkCb.unpack(button["callback_data"]).link_id
        for page in pages
        for button in page.buttons()
        if "Revoke" in button["text"]
    ]
    assert sorted(listed) == sorted(link.link.id for link in links)
    numbers = re.findall(r"^#(\d+) ", "\n".join(page.text for page in pages), re.MULTILINE)
    assert numbers == [str(number) for number in range(1, 61)]

    await tg.press_button(alice, pages[-1], "Revoke #60")

    relisted = tg.last_to(alice, "editMessageText")
    assert "Page 6 of 6" in relisted.text and "#59 " in relisted.text
    assert "#60 " not in relisted.text
    async with aiohttp.ClientSession() as http:
        for link, status in ((links[-1], 404), (links[0], 200)):
            async with http.get(f"{app.app.web_url}/r/{link.token}") as page:
                assert page.status == status


async def test_alerts_page_and_act_on_the_page_they_are_on(app, tg, db, clock) -> None:
    alice, channel = await owner_with_channel(tg)
    await on_plan(app, alice, "business")
    rules = [
        await app.services.alerts.create_rule(
            user_id=alice.id,
            channel_id=channel.id,
            kind=AlertKind.MILESTONE,
            thresholds=AlertThresholds(amount=2000 + number),
        )
        for number in range(25)
    ]

    await tg.send_text(alice, "/alerts")
    pages = await every_page(tg, alice, tg.last_to(alice, "sendMessage"))

    assert ["Page 1 of 3" in pages[0].text, "Page 3 of 3" in pages[2].text] == [True, True]
    numbers = re.findall(r"^(\d+)\. ", "\n".join(page.text for page in pages), re.MULTILINE)
    assert numbers == [str(number) for number in range(1, 26)]
    assert "Add alert" in pages[-1].buttons()[-2]["text"]

    await tg.press_button(alice, pages[-1], "Pause 25")
    paused = tg.last_to(alice, "editMessageText")
    assert "Page 3 of 3" in paused.text and "cross 2,024 subscribers · ⏸ paused" in paused.text
    await tg.press_button(alice, paused, "Delete 21")
    deleted = tg.last_to(alice, "editMessageText")
    assert "Page 3 of 3" in deleted.text and "2,020" not in deleted.text
    assert await db.fetchval("SELECT count(*) FROM alert_rules") == 24
    query_id = await tg.press_button(alice, deleted, "Test 24")
    assert tg.callback_answer(query_id)["text"] == "Test alert sent."
    assert rules[-1].id in [r.id for r in await app.services.alerts.list_rules(user_id=alice.id)]


# Three lists paged through by one user take more updates than the flood guard's burst.
@pytest.mark.settings(throttle_burst=20)
async def test_every_list_of_the_longest_titles_fits_its_pages(app, tg, db, clock) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/start")
    await on_plan(app, alice, "business")
    channels = []
    for number in range(23):
        # Telegram's longest title, with characters that HTML has to escape.
        title = f"{number:02} " + "Soup & <Bread> " * 8 + "x" * 5
        channel = tg.channel(title[:128], None, owner=alice)
        await tg.add_bot_to_channel(channel, by=alice)
        channels.append(channel)
        await app.services.share_links.create(
            user_id=alice.id, channel_id=channel.id, days=90, lifetime_hours=None
        )
        await app.services.alerts.create_rule(
            user_id=alice.id,
            channel_id=channel.id,
            kind=AlertKind.POST_UNDERPERFORMS,
            thresholds=AlertThresholds(percent=33.3, hours=24),
        )

    listings = {}
    for command in ("/channels", "/shares", "/alerts"):
        await tg.send_text(alice, command)
        listings[command] = await every_page(tg, alice, tg.last_to(alice, "sendMessage"))

    assert [len(pages) for pages in listings.values()] == [3, 3, 3]
    listed = [
        ChannelCb.unpack(button["callback_data"]).channel_id
        for page in listings["/channels"]
        for button in page.buttons()
        if "Remove" in button["text"]
    ]
    assert sorted(listed) == sorted(channel.id for channel in channels)
    await tg.press_button(alice, listings["/channels"][-1], "Remove 22")
    assert "Stop tracking <b>22 Soup &amp; &lt;Bread&gt;" in tg.texts_to(alice)[-1]


async def test_a_forged_page_number_is_an_out_of_date_button(app, tg, db, clock) -> None:
    shared = await channel_with_history(app, tg, db, clock)
    await share(app, shared)
    await tg.send_text(shared.owner, "/shares")
    listing = tg.last_to(shared.owner, "sendMessage")

    query_id = await tg.press(shared.owner, listing, f"pg:sl:{MAX_PAGE + 1}", strict=False)

    assert (
        tg.callback_answer(query_id)["text"]
        == "This button no longer works. Send the command again."
    )


async def test_a_page_past_the_end_shows_the_last_page(app, tg, db, clock) -> None:
    shared = await channel_with_history(app, tg, db, clock)
    await share(app, shared)
    await tg.send_text(shared.owner, "/shares")
    listing = tg.last_to(shared.owner, "sendMessage")

    query_id = await tg.press(shared.owner, listing, "pg:sl:7", strict=False)

    assert tg.callback_answer(query_id) == {}  # answered, with nothing to say
    assert tg.message(shared.owner, listing.message_id)["text"].startswith("Your share links")


def test_every_plan_cap_fits_in_the_pages_a_list_can_have() -> None:
    for plan in PLANS.values():
        for allowance in (Allowance.SHARE_LINKS, Allowance.ALERT_RULES, Allowance.CHANNELS):
            assert plan.limits[allowance] is not None
            assert plan.limits[allowance] <= PAGE_SIZE * MAX_PAGE, (plan.code, allowance)
