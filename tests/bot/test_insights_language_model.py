"""/insights with a language model: the real `openai` client against a fake OpenAI-compatible
server on 127.0.0.1. The figures go out, the key does not; any failure falls back to the
offline insights with a note; without a key nothing is asked at all."""

import logging

import pytest
from fake_openai import API_KEY, DEFAULT_ANSWER, FakeOpenAI
from fake_telegram import FakeTelegram
from stories import owner_with_planted_history

FELL_BACK = (
    "ℹ️ The language model did not answer in time or properly, so these are the offline insights."
)


async def test_the_request_carries_the_figures_and_the_answer_is_shown(
    app, tg: FakeTelegram, db, clock, openai_api: FakeOpenAI, caplog
):
    caplog.set_level(logging.DEBUG)
    alice, _ = await owner_with_planted_history(tg, db, clock)

    await tg.send_text(alice, "/insights")

    [request] = openai_api.requests
    assert request.body["model"] == "test-model"
    assert request.body["response_format"]["type"] == "json_schema"
    figures = request.body["messages"][-1]["content"]
    assert '"posts_analysed": 600' in figures
    assert '"feature": "posts with a photo"' in figures and '"views_multiplier": 1.6' in figures
    assert "розыгрыш" in figures  # the best posts' texts and the lifting word
    # The key is the bearer credential and nothing more: not in the body, the chat or the logs.
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert API_KEY not in request.raw
    shown = tg.texts_to(alice)[-1]
    assert DEFAULT_ANSWER["analysis"] in shown
    for number, idea in enumerate(DEFAULT_ANSWER["ideas"], 1):
        assert f"{number}. {idea}" in shown
    assert "Ideas from your own best posts" not in shown
    assert all(API_KEY not in text for text in tg.texts_to(alice))
    assert API_KEY not in caplog.text
    # The run and the language-model call each count.
    assert "AI insights a month: 2 of 10" in await tg.ask(alice, "/plan")


@pytest.mark.parametrize("failure", [429, 500, "timeout", "malformed"])
async def test_a_failing_model_falls_back_with_a_note(
    app, tg: FakeTelegram, db, clock, openai_api: FakeOpenAI, failure, caplog
):
    openai_api.fail_with = failure
    alice, _ = await owner_with_planted_history(tg, db, clock, posts=120)

    await tg.send_text(alice, "/insights")

    assert len(openai_api.requests) == 1  # asked once, not retried
    shown = tg.texts_to(alice)[-1]
    assert FELL_BACK in shown
    assert "<b>What drives views</b>" in shown and "Ideas from your own best posts" in shown
    assert API_KEY not in caplog.text
    # The failed call is given back; the run counts.
    assert "AI insights a month: 1 of 10" in await tg.ask(alice, "/plan")


@pytest.mark.settings(openai_api_key=None)
async def test_without_a_key_no_request_is_made(app, tg: FakeTelegram, db, clock, openai_api):
    alice, _ = await owner_with_planted_history(tg, db, clock, posts=120)

    await tg.send_text(alice, "/insights")

    assert openai_api.requests == []
    shown = tg.texts_to(alice)[-1]
    assert (
        "<b>Ideas from your own best posts</b> (worked out from this channel's history, no "
        in shown
    )
    assert FELL_BACK not in shown
