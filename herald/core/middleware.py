"""The client's real address behind trusted proxies, and private caching by default."""

import ipaddress
from collections.abc import Callable
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"HERALD_TRUSTED_PROXIES holds addresses or networks, not {entry!r}."
            ) from exc
    return tuple(networks)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


def client_address(remote_addr: str, forwarded_for: str) -> str:
    """The first address, from the right, of `forwarded_for` that is not a trusted
    proxy, when the peer `remote_addr` is one; otherwise the peer itself.

    Each trusted proxy appends the address it was reached from, so the rightmost
    entries are ours and the first one we do not run is the client. Entries to the
    left of it were written by the client and are not believed."""
    networks = _networks(tuple(settings.HERALD_TRUSTED_PROXIES))
    if not networks or not _trusted(remote_addr, networks):
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote_addr  # a garbled header: fall back to the peer
    return hops[0] if hops else remote_addr


class ClientAddressMiddleware:
    """Set REMOTE_ADDR to the client's address when the request came through a proxy
    listed in HERALD_TRUSTED_PROXIES (rate limits then count the real client)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        _networks(tuple(settings.HERALD_TRUSTED_PROXIES))  # refuse bad config now

    def __call__(self, request: HttpRequest) -> HttpResponse:
        peer = request.META.get("REMOTE_ADDR", "")
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            request.META["REMOTE_ADDR"] = client_address(peer, forwarded)
        return self.get_response(request)


class PrivateByDefaultMiddleware:
    """A response that does not say how it may be cached is private and not stored:
    desk pages, forms, errors and redirects never land in a shared cache by
    accident. Public pages say so themselves (herald.edge.caching.public_page)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


class DeskTimeZoneMiddleware:
    """Show the desk in the signed-in user's zone (their editions' zone, or UTC).

    Reader pages show each edition's own zone through their template tags; this
    covers the desk's lists, forms and logs, whose times Django renders in the
    active zone. Every desk time also names its offset (`herald.formats`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only the desk: reading the user loads the session, and a reader page
        # that did so would vary by cookie and never be cached.
        if not request.path_info.startswith("/desk/"):
            return self.get_response(request)
        zone_of = getattr(getattr(request, "user", None), "desk_time_zone", None)
        if zone_of is None:
            return self.get_response(request)
        timezone.activate(ZoneInfo(zone_of()))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
