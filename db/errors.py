"""Errors raised by repositories and the migration runner."""

import asyncpg

# What a statement raises when the database gave up on it: the server's statement_timeout
# (QueryCanceledError), or the pool's acquire timeout and the client's command timeout.
TIMEOUT_ERRORS: tuple[type[Exception], ...] = (asyncpg.QueryCanceledError, TimeoutError)


class NotFound(Exception):
    """The row asked for does not exist."""


class MigrationError(Exception):
    """The migrations on disk and the ones applied to the database disagree."""
