"""The /compare chart's title and panels (services/charts.py, draw_comparison)."""

from services.i18n import Messages

# texts.NAME here, copies_texts.NAME elsewhere: the message copies-name, its English in
# services/locales/copies.pot.
texts = Messages("copies")
__getattr__ = texts.__getattr__
