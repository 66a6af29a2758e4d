"""/api in chat: a key is created with a name, shown once and kept only as a hash; the list
shows each key's access and last use; keys are revoked; the plan caps how many."""

import hashlib

import pytest
from stories import api_key, on_plan, owner_with_channel, started


async def test_a_new_key_is_shown_once_and_kept_only_as_a_hash(app, tg, db, http) -> None:
    alice, _ = await owner_with_channel(tg)

    assert "no API keys yet" in await tg.ask(alice, "/api")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "New read-write key")
    assert "How should the new read-write key be called?" in tg.texts_to(alice)[-1]
    await tg.send_text(alice, "Zapier")

    created = tg.texts_to(alice)[-1]
    assert "The read-write key <b>Zapier</b>" in created and "shown only this once" in created
    token = created.split("<code>")[1].split("</code>")[0]
    assert token.startswith("ab_") and len(token) == 46
    stored = await db.fetchrow("SELECT * FROM api_keys")
    assert stored["token_sha256"] == hashlib.sha256(token.encode()).digest()
    assert token not in str(dict(stored))
    await tg.send_text(alice, "/api")
    listing = tg.texts_to(alice)[-1]
    assert "1. <b>Zapier</b> · read-write · never used" in listing
    assert token not in listing
    assert "http://127.0.0.1/api/v1/docs" in listing


async def test_the_list_shows_when_each_key_was_last_used(app, tg, http, clock) -> None:
    alice, _ = await owner_with_channel(tg)
    token = await api_key(tg, alice, "Sheets")
    await api_key(tg, alice, "Unused")

    async with http.get(
        f"{app.app.web_url}/api/v1/channels", headers={"Authorization": f"Bearer {token}"}
    ) as response:
        assert response.status == 200
    await tg.send_text(alice, "/api")

    listing = tg.texts_to(alice)[-1]
    assert f"1. <b>Sheets</b> · read-only · last used {clock.now():%-d %b, %H:%M}" in listing
    assert "2. <b>Unused</b> · read-only · never used" in listing
    assert "(2 of 2)" in listing


@pytest.mark.parametrize(
    "name", [pytest.param("x" * 65, id="too-long"), pytest.param("   ", id="blank")]
)
async def test_a_bad_name_is_asked_again(app, tg, db, name) -> None:
    alice = await started(tg)
    await tg.send_text(alice, "/api")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "New read-only key")

    assert "1 to 64 characters" in await tg.ask(alice, name)
    await tg.send_text(alice, "Good name")

    assert "The read-only key <b>Good name</b>" in tg.texts_to(alice)[-1]
    assert await db.fetchval("SELECT count(*) FROM api_keys") == 1


@pytest.mark.settings(throttle_burst=30)  # a dozen messages and taps in a row
async def test_the_plan_caps_the_keys_and_a_revoked_one_frees_its_place(app, tg, db) -> None:
    alice = await started(tg)
    for name in ("One", "Two"):  # the Free plan's keys
        await api_key(tg, alice, name)

    await tg.send_text(alice, "/api")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "New read-only key")
    assert "Free plan allows 2 API keys" in tg.texts_to(alice)[-1]

    await tg.send_text(alice, "/api")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Revoke #1")
    assert "1. <b>Two</b>" in tg.texts_to(alice)[-1] and "One" not in tg.texts_to(alice)[-1]
    await api_key(tg, alice, "Three")
    await on_plan(app, alice, "pro")
    await api_key(tg, alice, "Four")
    assert await db.fetchval("SELECT count(*) FROM api_keys WHERE revoked_at IS NULL") == 3


async def test_a_revoke_pressed_twice_says_the_key_is_gone(app, tg) -> None:
    alice = await started(tg)
    await api_key(tg, alice)
    listing = await tg.reply_to(alice, "/api")
    revoke = next(b["callback_data"] for b in listing.buttons() if "Revoke #1" in b["text"])

    first = await tg.press(alice, listing, revoke)
    again = await tg.press(alice, listing, revoke, strict=False)  # an old copy of the list

    assert tg.callback_answer(first)["text"] == "Key revoked: it no longer opens anything."
    assert tg.callback_answer(again)["text"] == "That key is already revoked."


async def test_the_keys_speak_russian(app, tg) -> None:
    ivan = await started(tg, "Ivan", language_code="ru")
    await tg.send_text(ivan, "/api")
    await tg.press_button(ivan, tg.last_to(ivan, "sendMessage"), "для чтения")
    assert "Как назвать новый ключ (только чтение)?" in tg.texts_to(ivan)[-1]

    await tg.send_text(ivan, "Таблица")

    created = tg.texts_to(ivan)[-1]
    assert "Ключ <b>Таблица</b> (только чтение)" in created
    assert "показывается только один раз" in created
    assert "1. <b>Таблица</b> · только чтение · ещё не использовался" in await tg.ask(ivan, "/api")
