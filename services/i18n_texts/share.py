"""The key numbers of a shared report, named for whoever reads it: the page, its JSON, the chat."""

from services.i18n import Messages

# texts.NAME here, share_texts.NAME elsewhere: the message share-name, its English in
# services/locales/share.pot.
texts = Messages("share")
__getattr__ = texts.__getattr__
