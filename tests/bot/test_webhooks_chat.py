"""/webhooks in chat: adding an endpoint (its URL, its events as toggles, the secret shown
once), Test, the delivery log, Delete; URLs into private networks refused, when saved and when
delivered; the plan's limit on endpoints."""

import re

import pytest
from fake_telegram import FakeTelegram
from stories import on_plan, started

from db.webhooks import WebhookEndpointsRepository

# A user pressing through the wizard sends more updates than throttling lets by at once.
pytestmark = pytest.mark.settings(throttle_burst=50)
allowing_private = pytest.mark.settings(webhook_allow_private_addresses=True, throttle_burst=50)


async def add_endpoint(tg: FakeTelegram, user, url: str):
    """/webhooks, Add endpoint, the URL: returns the events question (or the refusal)."""
    await tg.send_text(user, "/webhooks")
    await tg.press_button(user, tg.last_to(user, "sendMessage"), "Add endpoint")
    assert "Send the URL" in tg.texts_to(user)[-1]
    await tg.send_text(user, url)
    return tg.last_to(user, "sendMessage")


@allowing_private
async def test_an_endpoint_added_in_chat_gets_signed_deliveries_and_a_log(
    app, tg: FakeTelegram, receiver
) -> None:
    alice = await started(tg)
    assert "You have no endpoints yet." in await tg.ask(alice, "/webhooks")

    question = await add_endpoint(tg, alice, receiver.url())
    assert f"Which events should go to {receiver.url()}?" in question.text
    labels = question.labels()
    assert labels[0] == "✅ post.published: a new post"
    assert labels[-2:] == ["💾 Save", "✖ Cancel"]
    await tg.press_button(alice, question, "post.views")
    await tg.press_button(alice, question, "plan.changed")
    now = [b["text"] for b in tg._current_message(question)["reply_markup"]["inline_keyboard"][1]]
    assert now == ["▫️ post.views: a post's views at 1 h, 24 h and 48 h"]
    await tg.press_button(alice, question, "Save")

    created = tg.texts_to(alice)[-1]
    assert f"Endpoint #1 added: {receiver.url()}" in created
    assert (
        "Events: post.published, subscribers.daily, alert.fired, channel.added, channel.removed"
        in created
    )
    secret = re.search(r"<code>(whsec_[A-Za-z0-9+/=]+)</code>", created).group(1)
    receiver.expect("/hooks", secret)

    listing = await tg.reply_to(alice, "/webhooks")
    assert f"#1 {receiver.url()}\n    ✅ active" in listing.text
    assert secret not in listing.text  # shown once
    await tg.press_button(alice, listing, "#1")
    pressed = await tg.press_button(alice, listing, "Test")
    assert "on its way" in tg.callback_answer(pressed)["text"]
    await app.services.webhook_delivery.deliver_due()
    assert [d.type for d in receiver.deliveries] == ["ping"] and receiver.refused == []

    await tg.press_button(alice, listing, "Deliveries")
    log = tg.texts_to(alice)[-1]
    assert "<b>Deliveries to #1</b>, latest first" in log
    assert re.search(r"✅ .* · ping · HTTP 200 · \d+ ms", log)

    await tg.press_button(alice, listing, "Delete")
    assert f"Endpoint #1 deleted: nothing more goes to {receiver.url()}." in tg.texts_to(alice)[-1]
    assert await app.services.webhooks.endpoints(user_id=alice.id) == []
    assert not [call for call in tg.sent("answerCallbackQuery") if not call.ok]


@allowing_private
async def test_cancel_adds_nothing(app, tg: FakeTelegram, receiver) -> None:
    alice = await started(tg)
    question = await add_endpoint(tg, alice, receiver.url())
    await tg.press_button(alice, question, "Cancel")
    assert tg.texts_to(alice)[-1] == "Cancelled: no endpoint was added."
    assert await app.services.webhooks.endpoints(user_id=alice.id) == []


@pytest.mark.parametrize(
    ("url", "address"),
    [
        pytest.param("http://127.0.0.1:8080/hooks", "127.0.0.1", id="loopback"),
        pytest.param("https://10.20.30.40/hooks", "10.20.30.40", id="private-10"),
        pytest.param("http://169.254.169.254/latest/meta-data", "169.254.169.254", id="link-local"),
        pytest.param("http://[::1]:9000/", "::1", id="loopback-v6"),
        pytest.param("http://[::ffff:10.0.0.1]/", "::ffff:a00:1", id="mapped-v4"),
    ],
)
async def test_a_url_into_a_private_network_is_refused(
    app, tg: FakeTelegram, url: str, address: str
) -> None:
    alice = await started(tg)
    refusal = await add_endpoint(tg, alice, url)
    assert refusal.text == (
        f"🚫 That host points at {address}, a private, loopback or link-local address. "
        "Webhooks only go to addresses on the public internet."
    )
    assert await app.services.webhooks.endpoints(user_id=alice.id) == []


async def test_a_host_name_resolving_to_loopback_is_refused(app, tg: FakeTelegram) -> None:
    alice = await started(tg)
    refusal = await add_endpoint(tg, alice, "http://localhost:9000/hooks")
    assert "a private, loopback or link-local address" in refusal.text


@pytest.mark.parametrize(
    ("url", "reply"),
    [
        pytest.param("ftp://example.com/x", "Only <code>http://</code>", id="scheme"),
        pytest.param("hooks please", "That is not a URL I can send to.", id="malformed"),
        pytest.param("https://user:pw@example.com/", "Leave the user name", id="credentials"),
        pytest.param("https://no-such-host.invalid/", "does not resolve", id="unresolvable"),
    ],
)
async def test_a_url_that_cannot_be_an_endpoint_is_explained(
    app, tg: FakeTelegram, url: str, reply: str
) -> None:
    alice = await started(tg)
    answer = await add_endpoint(tg, alice, url)
    assert reply in answer.text


async def test_an_address_that_turned_private_since_is_refused_at_delivery(
    app, tg: FakeTelegram, db, receiver
) -> None:
    """The endpoint was saved while its host resolved publicly; now it points at 127.0.0.1."""
    alice = await started(tg)
    endpoint = await WebhookEndpointsRepository(db).create(
        owner_id=alice.id, url=receiver.url(), events=["ping"], secret="whsec_c2VjcmV0"
    )
    for url in (receiver.url(), f"http://localhost:{receiver.port}/hooks"):
        await db.execute("UPDATE webhook_endpoints SET url = $1", url)
        await app.services.webhooks.send_test(user_id=alice.id, endpoint_id=endpoint.id)
        await app.services.webhook_delivery.deliver_due()

    assert receiver.deliveries == [] and receiver.refused == []
    log = await app.services.webhooks.deliveries(user_id=alice.id, endpoint_id=endpoint.id)
    assert [a.error for a in log] == ["refused: 127.0.0.1 is not a public address"] * 1
    assert not log[0].succeeded and log[0].status_code is None


@allowing_private
async def test_the_free_plan_has_one_endpoint(app, tg: FakeTelegram, receiver) -> None:
    alice = await started(tg)
    question = await add_endpoint(tg, alice, receiver.url())
    await tg.press_button(alice, question, "Save")

    await tg.send_text(alice, "/webhooks")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Add endpoint")
    assert "Your Free plan allows 1 webhook endpoint" in tg.texts_to(alice)[-1]


@allowing_private
async def test_twenty_endpoints_with_long_urls_fit_the_list(
    app, tg: FakeTelegram, receiver
) -> None:
    alice = await started(tg)
    await on_plan(app, alice, "business")
    long_url = receiver.url("/hooks?token=" + "x" * 1900)
    for _ in range(20):
        await app.services.webhooks.create(
            user_id=alice.id, url=long_url, events=["post.published"]
        )

    listing = await tg.reply_to(alice, "/webhooks")
    assert len(listing.text) <= 4096 and listing.text.count("…") == 20
    assert len(listing.buttons()) == 21
