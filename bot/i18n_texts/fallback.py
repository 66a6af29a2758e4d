"""Answers for what no other handler took: unknown commands, free text, stale buttons."""

from services.i18n import Messages

# texts.NAME here, fallback_texts.NAME elsewhere: the message fallback-name, its English in
# services/locales/fallback.pot.
texts = Messages("fallback")
__getattr__ = texts.__getattr__
