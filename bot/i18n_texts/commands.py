"""The commands menu: one description per command, set in Telegram for each language."""

from services.config import Settings
from services.i18n import Messages

# texts.NAME here, commands_texts.NAME elsewhere: the message commands-name, its English in
# services/locales/commands.pot.
texts = Messages("commands")
__getattr__ = texts.__getattr__

COMMANDS = texts.each(
    "",
    """start channels add remove stats export links share shares insights score plan alerts
    settings watermark subscribe cancel billing webhooks watch check compare api help""".split(),  # noqa: SIM905 (names, as words)
)
# Commands listed in Telegram's menu only while their feature flag (a Settings field) is on.
FEATURE_COMMANDS = {
    "feature_analytics": frozenset({"stats", "export", "links"}),
    "feature_share_links": frozenset({"share", "shares"}),
    "feature_billing": frozenset({"subscribe", "cancel", "billing"}),
    "feature_alerts": frozenset({"alerts"}),
    "feature_insights": frozenset({"insights", "score"}),
    "feature_watermark": frozenset({"watermark"}),
    "feature_copies": frozenset({"watch", "check", "compare"}),
    "feature_api": frozenset({"api"}),
    "feature_webhooks": frozenset({"webhooks"}),
}


def switched_off_commands(settings: Settings) -> frozenset[str]:
    """The commands of the features switched off: neither the menu nor /help shows them."""
    return frozenset(
        command for flag in settings.features_off() for command in FEATURE_COMMANDS.get(flag, ())
    )
