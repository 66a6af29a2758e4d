"""What any service's failure may mean, whatever its feature, told apart without knowing db."""

from collections.abc import Iterator
from contextlib import contextmanager

from db.errors import TIMEOUT_ERRORS, UNREACHABLE_ERRORS, NotFound


def database_gave_up(error: BaseException) -> bool:
    """Whether the database gave up on a request (a statement ran too long, or no connection
    was free in time): a smaller request, or the same one later, may get through."""
    return isinstance(error, TIMEOUT_ERRORS)


def database_unreachable(error: BaseException) -> bool:
    """Whether the database could not be reached (down, restarting, or the connection broke):
    the same request in a minute will likely get through."""
    return isinstance(error, UNREACHABLE_ERRORS)


@contextmanager
def not_found_as(error: Exception) -> Iterator[None]:
    """Raise the service's own `error` where a repository raises NotFound inside the block."""
    try:
        yield
    except NotFound as cause:
        raise error from cause
