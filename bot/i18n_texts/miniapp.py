"""The dashboard Mini App (/app): its menu button, its button under /stats, and the page's texts."""

from bot.i18n_texts import alerts as alert_texts
from services.analytics import STANDARD_PERIODS
from services.domain.alerts import AlertKind
from services.i18n import Messages, Translator
from services.i18n_texts import insights as insight_texts
from services.i18n_texts.insights import feature_label
from services.insights.features import structured_names

# texts.NAME here, miniapp_texts.NAME elsewhere: the message miniapp-name, its English in
# services/locales/miniapp.pot.
texts = Messages("miniapp")
__getattr__ = texts.__getattr__


# What the page shows, by the name its script uses.
PAGE_TEXTS = texts.each(
    "",
    """loading reopen_title reopen_body error plan_limit channel_not_found rule_not_found
    share_not_found rate_limited unavailable read_only invalid_period invalid_request
    my_channels no_channels subscribers growth joins leaves posts views_per_post err
    engagement vs_previous growth_chart views_chart best_time best_time_hint best_slot
    no_best_time top_posts no_posts no_text views reactions views_pending views_private
    views_failing alerts no_alerts alert_within paused pause resume share_links
    no_share_links create_share_link share_link_created revoke opened expires no_expiry
    share_period insights insights_not_yet insights_not_trained insights_quality
    insights_effects insights_effect insights_no_effects insights_best_slots
    insights_slot""".split(),  # noqa: SIM905 (names, as words)
)


def page_texts(t: Translator) -> dict[str, str]:
    """The page's texts in one language; placeholders stay for the script to fill."""
    page = {name: t.unfilled(message) for name, message in PAGE_TEXTS.items()}
    page.update({f"days_{n}": t.plural(texts.PERIOD_DAYS, n) for n in STANDARD_PERIODS})
    page.update({f"alert_kind_{kind.value}": alert_texts.kind_name(t, kind) for kind in AlertKind})
    page.update({f"feature_{name}": feature_label(t, name) for name in structured_names()})
    page["feature_word"] = t(insight_texts.WORD, word="{word}")
    return page
