"""The HTTP transport every web request uses: it connects only to addresses the network
policy allowed, resolved once, at connect time.

Checking a URL's host and then letting httpx look the name up again leaves a gap: a name can
resolve to a public address for the check and to 127.0.0.1 for the connection (DNS
rebinding). Here the name is resolved and checked in the same step that connects, for every
connection (redirect hops and retries included). TLS still verifies the certificate against
the host name, not the address.
"""

from __future__ import annotations

from collections.abc import Iterable

import httpcore
import httpx

from evidence.errors import WebError
from evidence.network import NetworkPolicy


class _PolicyBackend(httpcore.SyncBackend):
    def __init__(self, policy: NetworkPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self.policy.allowed_addresses(host, port, f"connecting to {host}")
        except WebError as exc:  # httpx maps ConnectError to its own; keep our reason
            raise httpcore.ConnectError(str(exc)) from exc
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None  # getaddrinfo never returns an empty list
        raise last


def policy_transport(policy: NetworkPolicy) -> httpx.HTTPTransport:
    """An httpx transport bound to `policy` (no proxies: a proxy would resolve names itself)."""
    transport = httpx.HTTPTransport(trust_env=False)
    transport._pool = httpcore.ConnectionPool(  # httpx has no public hook for the backend
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=10,
        max_keepalive_connections=10,
        keepalive_expiry=5.0,
        network_backend=_PolicyBackend(policy),
    )
    return transport
