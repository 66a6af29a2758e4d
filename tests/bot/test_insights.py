"""/insights and Score a draft through the fake Telegram, on a history with planted effects.

The model's own checks (planted effects without a chat, the view curve): tests/services/
test_insights_model.py; the language model: test_insights_language_model.py; the weekly
digest: test_insights_digest.py.
"""

import re

import pytest
from fake_telegram import FakeTelegram
from helpers import background, encode
from insights_history import PLANTED, generate, write_generated
from stories import owner_with_channel, owner_with_planted_history

# A story here sends more updates in a row than a person types: no throttling in the way.
pytestmark = pytest.mark.settings(throttle_burst=30)

# How /insights names each planted effect, in English.
PLANTED_LABELS = {
    "media:photo": "Posts with a photo",
    "hours:6": "Posts published 18–20 h",
    "word:розыгрыш": "Posts with the word «розыгрыш»",
    "long_text": "Texts over 1,000 characters",
}
NOISE_LABELS = ("hashtag", "question", "emoji", "mentioning", "link", "published on")
EFFECT_LINE = re.compile(r"^• (?P<feature>.+?): ×(?P<size>[\d.]+) views", re.MULTILINE)


def effects_named(text: str) -> dict[str, float]:
    return {m["feature"]: float(m["size"]) for m in EFFECT_LINE.finditer(text)}


async def test_insights_name_each_planted_effect_and_no_noise(app, tg: FakeTelegram, db, clock):
    alice, _ = await owner_with_planted_history(tg, db, clock)

    await tg.send_text(alice, "/insights")

    shown = tg.texts_to(alice)[-1]
    named = effects_named(shown)
    for feature, label in PLANTED_LABELS.items():
        assert label in named, f"{label} missing from:\n{shown}"
        assert abs(named[label] / PLANTED[feature] - 1) <= 0.25, (label, named[label])
    drivers = shown.split("<b>What drives views</b>")[1].split("<b>Best times")[0]
    for noise in NOISE_LABELS:
        assert noise not in drivers, f"noise {noise!r} claimed:\n{drivers}"
    # Each claim names its evidence: the posts on each side.
    assert re.search(
        r"Posts with a photo: ×1\.\d views \(×[\d.]+–[\d.]+\), \d+ posts against \d+", shown
    )
    assert "Learnt from 600 posts" in shown and "held out" in shown
    assert "<b>Best times in the next 7 days</b>" in shown
    assert "<b>Ideas from your own best posts</b>" in shown


async def test_learning_shows_progress_and_is_not_repeated(app, tg: FakeTelegram, db, clock):
    alice, channel = await owner_with_planted_history(tg, db, clock, posts=200)

    await tg.send_text(alice, "/insights")

    status = tg.sent("sendMessage", chat_id=alice)[-1]
    assert status.text.startswith(
        "⏳ Learning what drives views in @cookingdaily from its 200 posts"
    )
    typing = tg.sent("sendChatAction", chat_id=alice)[0]
    assert typing.params["action"] == "typing" and typing.index < status.index
    shown = tg.message(alice, status.message_id)["text"]
    assert shown.startswith("💡 Insights: @cookingdaily")

    # Asked again with nothing new: the stored model answers, no learning.
    await tg.send_text(alice, "/insights")
    assert tg.texts_to(alice)[-1].startswith("💡 <b>Insights: @cookingdaily</b>")
    assert not tg.texts_to(alice)[-2].startswith("⏳")
    # A restart keeps the model: still no learning.
    await app.restart()
    await tg.send_text(alice, "/insights")
    assert tg.texts_to(alice)[-1].startswith("💡 <b>Insights")
    # Enough new posts with views: it learns again.
    newer = [p for p in generate(230, end=clock.now()) if p.history.message_id > 200]
    await write_generated(db, channel.id, newer)
    await tg.send_text(alice, "/insights")
    assert "from its 230 posts" in tg.texts_to(alice)[-2]


@pytest.mark.parametrize(
    "stored_change",
    ["other scikit-learn", "no version", "does not load"],
)
async def test_a_stored_model_another_version_made_or_that_fails_to_load_is_learnt_anew(
    app, tg: FakeTelegram, db, clock, stored_change
):
    alice, _ = await owner_with_planted_history(tg, db, clock, posts=200)
    await tg.send_text(alice, "/insights")
    if stored_change == "other scikit-learn":
        await db.execute(
            "UPDATE insight_models"
            " SET summary = jsonb_set(summary, '{sklearn_version}', '\"0.20.0\"')"
        )
    elif stored_change == "no version":  # stored before versions were kept
        await db.execute("UPDATE insight_models SET summary = summary - 'sklearn_version'")
    else:
        await db.execute("UPDATE insight_models SET model = 'not a pickle'::bytea")

    await tg.send_text(alice, "/insights")

    assert "⏳ Learning what drives views in @cookingdaily" in tg.texts_to(alice)[-2]
    assert tg.texts_to(alice)[-1].startswith("💡 <b>Insights: @cookingdaily</b>")
    # Stored again with this version: the next /insights uses it.
    await tg.send_text(alice, "/insights")
    assert not tg.texts_to(alice)[-2].startswith("⏳")


async def test_too_few_posts_say_how_many_more(app, tg: FakeTelegram, db, clock):
    alice, _ = await owner_with_planted_history(tg, db, clock, posts=25)

    await tg.send_text(alice, "/insights")

    assert tg.texts_to(alice)[-1] == (
        "📉 @cookingdaily has 25 posts with views so far; insights need 15 more posts with views "
        "(a post's views count once it is a day old)."
    )
    # Nothing learnt, nothing counted.
    assert "AI insights a month: 0 of 10" in await tg.ask(alice, "/plan")


async def test_insights_button_under_stats(app, tg: FakeTelegram, db, clock):
    alice, _ = await owner_with_planted_history(tg, db, clock, posts=120)
    await tg.send_text(alice, "/stats")

    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Insights")

    assert (
        "💡 Insights: @cookingdaily"
        in tg.message(alice, tg.sent("sendMessage", chat_id=alice)[-1].message_id)["text"]
    )


async def test_insights_need_a_channel(app, tg: FakeTelegram):
    alice = tg.user("Alice")
    await tg.send_text(alice, "/start")
    assert "/add" in await tg.ask(alice, "/insights")


SCORE = re.compile(
    r"Draft score: (?P<score>\d+)/100.*≈(?P<views>[\d,]+) \((?P<low>[\d,]+)–(?P<high>[\d,]+)\)",
    re.DOTALL,
)


def scored(text: str) -> dict[str, int]:
    match = SCORE.search(text)
    assert match, text
    return {key: int(value.replace(",", "")) for key, value in match.groupdict().items()}


async def test_score_a_draft_answers_with_a_score_and_a_range(app, tg: FakeTelegram, db, clock):
    alice, _ = await owner_with_planted_history(tg, db, clock)
    await tg.send_text(alice, "/insights")
    await tg.press_button(alice, tg.last_to(alice), "Score a draft")
    assert "Send or forward the draft to score for @cookingdaily" in tg.texts_to(alice)[-1]

    await tg.send_text(alice, "Рецепт ужина на неделю")

    plain = scored(tg.texts_to(alice)[-1])
    assert 0 <= plain["score"] <= 100 and plain["low"] <= plain["views"] <= plain["high"]
    assert "the best time in the next 7 days" in tg.texts_to(alice)[-1]

    # The planted word and a photo lift the same text: the photo is scored from its caption.
    await tg.press_button(alice, tg.last_to(alice), "Score another draft")
    await tg.send_photo(alice, encode(background()), caption="Розыгрыш: рецепт ужина на неделю")
    reply = tg.texts_to(alice)[-1]
    lifted = scored(reply)
    assert lifted["views"] > plain["views"] * 1.5 and lifted["score"] > plain["score"]
    assert "<b>Pushes it up</b>" in reply and "Posts with a photo: ×1.6" in reply


async def test_score_a_forwarded_post(app, tg: FakeTelegram, db, clock):
    alice, channel = await owner_with_planted_history(tg, db, clock, posts=120)
    post = await tg.post(channel, "Розыгрыш книги недели", date=clock.now())
    await tg.send_text(alice, "/score")

    await tg.forward(alice, channel, post)

    assert "Draft score:" in tg.texts_to(alice)[-1]


@pytest.mark.parametrize(
    ("send", "reply"),
    [
        pytest.param(
            lambda tg, user: tg.send_photo(user, encode(background())),
            "⚠️ There is no text to score",
            id="photo-without-caption",
        ),
        pytest.param(
            lambda tg, user: tg.send_text(user, "   "), "⚠️ There is no text to score", id="blank"
        ),
        pytest.param(
            lambda tg, user: tg.send_sticker(user), "⚠️ A sticker can't be scored", id="sticker"
        ),
        pytest.param(
            lambda tg, user: tg.send_text(user, "слово " * 2000),
            "⚠️ That draft has 12,000 characters; a Telegram post holds at most 4,096.",
            id="10000-characters",
        ),
    ],
)
async def test_what_is_no_draft_gets_a_clear_reply(app, tg: FakeTelegram, db, clock, send, reply):
    alice, _ = await owner_with_channel(tg)
    await tg.send_text(alice, "/score")

    await send(tg, alice)

    assert tg.texts_to(alice)[-1].startswith(reply)
    # Still waiting for a draft: a proper one is scored (here: too few posts to score with).
    assert "insights need 40 more posts" in await tg.ask(alice, "A proper draft")


async def test_plan_counts_insights_and_enforces_the_limit(app, tg: FakeTelegram, db, clock):
    alice, _ = await owner_with_planted_history(tg, db, clock, posts=120)
    assert "AI insights a month: 0 of 10" in await tg.ask(alice, "/plan")

    for _ in range(10):
        await tg.send_text(alice, "/insights")
    assert "AI insights a month: 10 of 10" in await tg.ask(alice, "/plan")

    refusal = await tg.reply_to(alice, "/insights")
    assert refusal.text == "🔒 Your Free plan allows 10 AI insights a month. Upgrade to get more."
    refusal.button("Upgrade")
    # The Insights button under /stats is refused the same way.
    await tg.press_button(alice, await tg.reply_to(alice, "/stats"), "Insights")
    assert tg.texts_to(alice)[-1] == refusal.text


@pytest.mark.settings(feature_insights=False)
async def test_insights_can_be_switched_off(app, tg: FakeTelegram, db, clock):
    alice, _ = await owner_with_planted_history(tg, db, clock, posts=60)
    for command in ("/insights", "/score"):
        assert f"I don't know the command {command}" in await tg.ask(alice, command)
    await tg.send_text(alice, "/stats")
    assert "Insights" not in str(tg.last_to(alice, "sendMessage").buttons())
    assert "digest" not in await tg.ask(alice, "/settings")
    assert app.app.scheduler.get_job("insights_digest") is None


@pytest.mark.settings(feature_alerts=False)
async def test_settings_stay_without_alerts(app, tg: FakeTelegram):
    alice, _ = await owner_with_channel(tg)
    settings = await tg.reply_to(alice, "/settings")
    assert "📬 Weekly digest: <b>off</b>" in settings.text
    await tg.press_button(alice, settings, "Русский")
    assert tg.texts_to(alice)[-1].startswith("✅")


async def test_insights_speak_russian(app, tg: FakeTelegram, db, clock):
    olga, _ = await owner_with_planted_history(tg, db, clock, posts=300, language_code="ru")

    await tg.send_text(olga, "/insights")

    shown = tg.texts_to(olga)[-1]
    assert shown.startswith("💡 <b>Аналитика: @cookingdaily</b>\nИзучено постов: 300.")
    assert "<b>Что движет просмотрами</b>" in shown
    assert re.search(r"Посты с фото: ×1,\d просмотров \(×[\d,]+–[\d,]+\), \d+ постов против", shown)
    assert "<b>Идеи из ваших лучших постов</b>" in shown
    await tg.press_button(olga, tg.last_to(olga), "Оценить черновик")
    await tg.send_text(olga, "Розыгрыш: рецепт ужина")
    assert tg.texts_to(olga)[-1].startswith("✍️ <b>Оценка черновика: ")
