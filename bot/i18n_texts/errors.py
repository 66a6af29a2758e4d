"""What the user hears when an answer fails: our bug, a database that gave up, a refusal."""

from services.i18n import Messages

# texts.NAME here, errors_texts.NAME elsewhere: the message errors-name, its English in
# services/locales/errors.pot.
texts = Messages("errors")
__getattr__ = texts.__getattr__
