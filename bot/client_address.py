"""The client's address behind a reverse proxy: from X-Forwarded-For, only as far as the hops
are proxies of ours (TRUSTED_PROXIES); anyone can write that header, so nothing else is taken."""

from collections.abc import Awaitable, Callable, Collection
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any

from aiohttp import web

Network = IPv4Network | IPv6Network
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def client_address(
    remote: str | None, forwarded_for: str, trusted: Collection[Network]
) -> str | None:
    """The rightmost hop that is not a trusted proxy, walking from the peer (`remote`) back
    through X-Forwarded-For; the leftmost hop if every one is trusted."""
    address = remote
    for hop in [remote or "", *reversed([part.strip() for part in forwarded_for.split(",")])]:
        try:
            parsed = ip_address(hop)
        except ValueError:
            return address  # not an address a proxy of ours wrote: stop at the last good one
        address = hop
        if not any(parsed in network for network in trusted):
            return address
    return address


def forwarded_client(trusted: Collection[Network]) -> Any:
    """A middleware giving every handler request.remote as the client's address."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        forwarded_for = ",".join(request.headers.getall("X-Forwarded-For", []))
        remote = client_address(request.remote, forwarded_for, trusted)
        return await handler(request.clone(remote=remote) if remote != request.remote else request)

    return middleware
