"""What the user hears while the database is away (down, restarting, unreachable)."""

from services.i18n import Messages

# texts.NAME here, outage_texts.NAME elsewhere: the message outage-name, its English in
# services/locales/outage.pot.
texts = Messages("outage")
__getattr__ = texts.__getattr__
