"""Errors raised by repositories and the migration runner."""

import asyncpg

# What a statement raises when the database gave up on it: the server's statement_timeout
# (QueryCanceledError), or the pool's acquire timeout and the client's command timeout.
TIMEOUT_ERRORS: tuple[type[Exception], ...] = (asyncpg.QueryCanceledError, TimeoutError)

# What a statement raises when the server cannot be reached or went away under it: refused or
# broken connections (OSError), a server starting up or shutting down, a connection it ended.
UNREACHABLE_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)


class NotFound(Exception):
    """The row asked for does not exist."""


class MigrationError(Exception):
    """The migrations on disk and the ones applied to the database disagree."""
