"""Errors raised by repositories and the migration runner."""


class NotFound(Exception):
    """The row asked for does not exist."""


class MigrationError(Exception):
    """The migrations on disk and the ones applied to the database disagree."""
