"""The records and enums that bot, services and db pass to each other, one module per feature.

They import nothing of the project, so every room may use them.
"""
