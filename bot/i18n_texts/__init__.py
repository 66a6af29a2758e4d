"""The chat texts of each feature, one module per feature, each the source of one catalog domain.

A module declares `Message`/`PluralMessage` constants whose key starts with the module's name, and
small functions that fill them for a `Translator`; handlers receive the user's translator as `t`.
See "Texts and translations" in the README.
"""
