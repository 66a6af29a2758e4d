"""The bot's admins: /admin, /grant; everyone else does not see these commands at all."""

from datetime import timedelta

import pytest
from fake_telegram import FakeTelegram
from helpers import english_day, subscribe_by_card

ADMIN_ID = 1001  # the first user a test creates

pytestmark = pytest.mark.settings(admin_ids=frozenset({ADMIN_ID}))


async def _pay_stars(tg: FakeTelegram, user, plan: str, amount: int) -> str:
    await tg.send_text(user, "/start")
    return await tg.successful_payment(user, payload=f"plan:{plan}:{user.id}", total_amount=amount)


async def test_admin_sees_users_paying_users_by_plan_and_rail_and_revenue(
    app, tg: FakeTelegram, stripe_api, clock
) -> None:
    admin, alice, bob, carol, dave = (tg.user(name) for name in ("Admin", "A", "B", "C", "D"))
    await _pay_stars(tg, bob, "pro", 450)
    clock.advance(days=31)  # Bob's payment falls out of the 30 days; his plan ran out too
    await subscribe_by_card(tg, stripe_api, alice)
    await _pay_stars(tg, carol, "business", 1450)
    refunded = await _pay_stars(tg, dave, "pro", 450)
    await tg.send_text(admin, f"/refund {refunded}")
    await tg.send_text(admin, f"/grant {bob.id} business 7")

    await tg.send_text(admin, "/admin")

    overview = tg.texts_to(admin)[-1]
    assert "👥 Users: 5" in overview
    assert "• Pro: 1 by card" in overview
    assert "• Business: 1 with Stars" in overview
    assert "🎁 Granted: Business 1" in overview
    assert "• $9 (1 payments)" in overview
    assert "• 1,450 ⭐ (1 payments)" in overview


async def test_admin_overview_of_a_new_bot(app, tg: FakeTelegram) -> None:
    admin = tg.user("Admin")
    await tg.send_text(admin, "/admin")
    overview = tg.texts_to(admin)[-1]
    assert "• Pro: none" in overview
    assert "• nothing yet" in overview


async def test_grant_gives_a_plan_for_some_days_and_it_ends_by_itself(
    app, tg: FakeTelegram, db, clock
) -> None:
    admin, alice = tg.user("Admin"), tg.user("Alice")
    await tg.send_text(alice, "/start")

    await tg.send_text(admin, f"/grant {alice.id} business 10")

    until = clock.now() + timedelta(days=10)
    assert f"has <b>Business</b> until {english_day(until)}" in tg.texts_to(admin)[-1]
    assert f"You've been given <b>Business</b> until {english_day(until)}" in tg.texts_to(alice)[-1]
    row = await db.fetchrow("SELECT plan_code, source, expires_at FROM user_plans")
    assert dict(row) == {"plan_code": "business", "source": "admin", "expires_at": until}
    assert f"Ends on {english_day(until)} (granted)" in await tg.ask(alice, "/plan")

    clock.advance(days=10)
    await app.services.billing.end_expired_plans()

    assert "Your <b>Business</b> plan has ended" in tg.texts_to(alice)[-1]
    assert await db.fetchval("SELECT count(*) FROM user_plans") == 0


@pytest.mark.parametrize(
    "args",
    [
        pytest.param("", id="nothing"),
        pytest.param("{user} pro", id="no-days"),
        pytest.param("{user} gold 30", id="unknown-plan"),
        pytest.param("{user} free 30", id="free"),
        pytest.param("{user} pro 0", id="zero-days"),
        pytest.param("{user} pro 99999", id="too-long"),
        pytest.param("alice pro 30", id="not-an-id"),
    ],
)
async def test_grant_explains_bad_input(app, tg: FakeTelegram, db, args: str) -> None:
    admin, alice = tg.user("Admin"), tg.user("Alice")
    await tg.send_text(alice, "/start")

    await tg.send_text(admin, f"/grant {args.format(user=alice.id)}".strip())

    assert "Send <code>/grant" in tg.texts_to(admin)[-1]
    assert await db.fetchval("SELECT count(*) FROM user_plans") == 0


async def test_grant_to_someone_the_bot_never_met(app, tg: FakeTelegram) -> None:
    admin = tg.user("Admin")
    assert "I don't know user <code>424242</code>" in await tg.ask(admin, "/grant 424242 pro 30")


@pytest.mark.parametrize("command", ["/admin", "/grant 1002 pro 30", "/refund stxCharge"])
async def test_admin_commands_do_not_exist_for_others(app, tg: FakeTelegram, db, command) -> None:
    tg.user("Admin")
    alice = tg.user("Alice")

    await tg.send_text(alice, command)

    name = command.split()[0]
    assert tg.texts_to(alice)[-1].startswith(f"🤔 I don't know the command {name}.")
    assert await db.fetchval("SELECT count(*) FROM user_plans") == 0
