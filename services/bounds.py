"""The bounds typed input is parsed into, whichever room parses it.

Python's int() and str.isdigit() take any script's digits ("²", "٣") and any length; the
database takes bigints and no NUL. These helpers take ASCII digits within stated bounds.
"""

import re

# PostgreSQL's bigint, which holds every Telegram id and every serial id.
INT64_MAX = 2**63 - 1
# Longer than any identifier Telegram or Stripe issues (charge ids, payloads).
MAX_TOKEN_LENGTH = 256

_INTEGER = re.compile(r"-?[0-9]{1,19}", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def bounded_int(text: str, *, minimum: int = -INT64_MAX, maximum: int = INT64_MAX) -> int | None:
    """The integer written in ASCII digits, if it lies within [minimum, maximum]; else None."""
    if not _INTEGER.fullmatch(text):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def is_token(text: str) -> bool:
    """Whether the text can be an identifier: not empty, short, no spaces or control characters."""
    return 0 < len(text) <= MAX_TOKEN_LENGTH and not _CONTROL.search(text) and " " not in text
