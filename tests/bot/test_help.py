"""/help names only what works: a switched-off feature's commands are not in it, nor in the menu."""

import pytest
from fake_telegram import FakeTelegram


async def test_help_lists_every_command_of_the_menu(app, tg: FakeTelegram) -> None:
    text = await tg.ask(tg.user("Alice"), "/help")

    menu = {command["command"] for command in tg.sent("setMyCommands")[-1].params["commands"]}
    assert sorted(name for name in menu - {"start"} if f"/{name}" not in text) == []
    assert "watermarked with your channel's name" in text


@pytest.mark.settings(feature_watermark=False, feature_alerts=False, feature_copies=False)
async def test_help_leaves_out_what_is_switched_off(app, tg: FakeTelegram) -> None:
    text = await tg.ask(tg.user("Alice"), "/help")

    assert "/stats" in text and "/settings" in text and "/help: this message" in text
    for switched_off in ("/watermark", "/alerts", "/watch", "/check", "/compare", "watermarked"):
        assert switched_off not in text
    menu = {command["command"] for command in tg.sent("setMyCommands")[-1].params["commands"]}
    assert {"watermark", "alerts", "watch", "check", "compare"}.isdisjoint(menu)
