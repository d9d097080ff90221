"""The one switch for network use, and the address rules every web request follows.

Every part of the app that could touch the network (web import, web search, model downloads)
asks a NetworkPolicy first. With web access off, `check` raises before any socket is opened
or any name is resolved, so "off" means no connection at all, not "no connection that
succeeded".
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from evidence.errors import NetworkDisabled, WebError
from evidence.settings import Settings


class NetworkPolicy:
    """May the app connect, and to which addresses.

    Addresses on this computer or the local network (127.0.0.1, 10.x, 192.168.x, fe80::...)
    are refused unless allowed: a page must not make the app probe a router or a local
    service. Tests allow loopback explicitly; a team's own SearXNG on the LAN needs it too.
    """

    def __init__(self, enabled: bool = False, allow_private: bool = False) -> None:
        self._enabled, self._allow_private = enabled, allow_private

    @property
    def enabled(self) -> bool:
        return self._enabled

    @property
    def allow_private(self) -> bool:
        return self._allow_private

    @classmethod
    def from_settings(cls, settings: Settings) -> NetworkPolicy:
        """A policy that follows `settings` as it changes: switching web access off stops
        the next request of work already running, not only of work started later."""
        return _SettingsPolicy(settings)

    def __repr__(self) -> str:
        return f"NetworkPolicy(enabled={self.enabled}, allow_private={self.allow_private})"

    def check(self, action: str) -> None:
        """Raise NetworkDisabled when web access is off; `action` says what was not done."""
        if not self.enabled:
            hint = "(turn on web access to allow it)"
            raise NetworkDisabled(f"web access is off, so {action} was not attempted {hint}")

    def check_url(self, url: str, action: str) -> str:
        """The host of an http(s) URL that this policy lets the app connect to.

        Resolves the host name (only after the switch check) and refuses private, loopback,
        link-local, multicast and reserved addresses unless `allow_private` is set.
        """
        self.check(action)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise WebError(f"only http:// and https:// addresses can be fetched, not {url!r}")
        host = parts.hostname
        if not host:
            raise WebError(f"{url!r} has no host name")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:  # a port out of range
            raise WebError(f"{url!r} is not a valid address: {exc}") from exc
        self.allowed_addresses(host, port, action)
        return host

    def allowed_addresses(self, host: str, port: int, action: str) -> list[str]:
        """The addresses of `host` this policy lets the app connect to (all of them must be
        allowed: one private address among public ones is refused too).

        The web transport (evidence/web/transport.py) connects to exactly these, so a name
        that resolves to a public address when checked and to 127.0.0.1 a moment later (DNS
        rebinding) cannot reach this computer or the local network.
        """
        self.check(action)
        try:
            infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError) as exc:
            raise WebError(f"cannot find the server {host!r} (offline, or a typo?): {exc}") from exc
        addresses: list[str] = []
        for info in infos:
            text = str(info[4][0])
            address = ipaddress.ip_address(text.split("%", 1)[0])
            if not self.allow_private and not is_public(address):
                raise WebError(
                    f"{host} is a private or local address ({address}); refused "
                    "(allow local addresses in Settings to fetch from your own network)"
                )
            if text not in addresses:
                addresses.append(text)
        return addresses


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


class _SettingsPolicy(NetworkPolicy):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @property
    def enabled(self) -> bool:
        return self._settings.web_access

    @property
    def allow_private(self) -> bool:
        return self._settings.web_allow_private
