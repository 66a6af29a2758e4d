"""The charts' titles, axis labels, legends and "no data" panels (services/charts.py)."""

from datetime import date

from services.i18n import Message, Messages, Translator

# texts.NAME here, charts_texts.NAME elsewhere: the message charts-name, its English in
# services/locales/charts.pot.
texts = Messages("charts")
__getattr__ = texts.__getattr__


# Babel patterns: the first day without its year, the last with it (25 Oct – 31 Oct 2026).
DAY_MONTH = "dd MMM"
DAY_MONTH_YEAR = "dd MMM y"


def heading(t: Translator, title: Message, first_day: date, last_day: date, **values: str) -> str:
    return t(
        texts.HEADING,
        title=t(title, **values),
        first_day=t.date(first_day, DAY_MONTH),
        last_day=t.date(last_day, DAY_MONTH_YEAR),
    )


def hour_tick(t: Translator, hour: int) -> str:
    return t(texts.HOUR_TICK, hour=f"{hour:02d}")


MEDIA_KINDS = texts.each(
    "MEDIA",
    """photo video animation audio voice video_note round_video document sticker poll
    location contact mixed""".split(),  # noqa: SIM905 (names, as words)
)


def untitled_post(t: Translator, media_kind: str | None) -> str:
    return t(texts.UNTITLED_POST, media=t(MEDIA_KINDS.get(media_kind or "", texts.ANY_MEDIA)))
