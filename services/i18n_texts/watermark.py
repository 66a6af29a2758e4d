"""Why an image, a logo, a mark's text or a preset name was refused (services/watermark*.py)."""

from services.i18n import Messages

# texts.NAME here, watermark_texts.NAME elsewhere: the message watermark-name, its English in
# services/locales/watermark.pot.
texts = Messages("watermark")
__getattr__ = texts.__getattr__
