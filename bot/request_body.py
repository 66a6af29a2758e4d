"""Reading a request body within bounds: the web app's Stripe webhook and the REST API."""

import asyncio
import logging

from aiohttp import web

log = logging.getLogger(__name__)

BODY_TIMEOUT_KEY = web.AppKey("body_timeout", float)


async def read_body(request: web.Request, *, max_bytes: int) -> bytes:
    """The request's body: 413 when it announces or sends more than max_bytes, 408 when it takes
    longer than the app's body timeout (a client announcing 10 GB and sending 2 bytes)."""
    announced = request.content_length
    if announced is not None and announced > max_bytes:
        _refuse_body(request, f"it announces {announced} bytes, over {max_bytes}")
        raise web.HTTPRequestEntityTooLarge(max_size=max_bytes, actual_size=announced)
    body = bytearray()
    try:
        async with asyncio.timeout(request.app[BODY_TIMEOUT_KEY]):
            async for chunk in request.content.iter_any():
                body += chunk
                if len(body) > max_bytes:
                    _refuse_body(request, f"it sends over {max_bytes} bytes")
                    raise web.HTTPRequestEntityTooLarge(max_size=max_bytes, actual_size=len(body))
    except TimeoutError:
        _refuse_body(request, f"it took over {request.app[BODY_TIMEOUT_KEY]} s")
        raise web.HTTPRequestTimeout(text="The request body was not sent in time.") from None
    return bytes(body)


def _refuse_body(request: web.Request, reason: str) -> None:
    log.warning(
        "refused the body of %s %s from %s: %s",
        request.method,
        request.path,
        request.remote,
        reason,
    )
