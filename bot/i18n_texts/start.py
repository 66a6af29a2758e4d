"""/start and /help."""

from services.i18n import Messages

# texts.NAME here, start_texts.NAME elsewhere: the message start-name, its English in
# services/locales/start.pot.
texts = Messages("start")
__getattr__ = texts.__getattr__
