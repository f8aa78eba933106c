"""Find the edition a request is for from its Host header."""

import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port, validate_host

from herald.editions.models import Edition

_CACHE_SECONDS = 30
_hosts: dict[str, int] = {}
_loaded_at = 0.0


def _host_map() -> dict[str, int]:
    global _hosts, _loaded_at
    if time.monotonic() - _loaded_at > _CACHE_SECONDS:
        mapping: dict[str, int] = {}
        suffix = settings.HERALD_DEV_HOST_SUFFIX
        for edition in Edition.objects.active().only("pk", "slug", "host_names"):
            for host in edition.hosts:
                mapping[host] = edition.pk
            if suffix:
                mapping.setdefault(f"{edition.slug}{suffix}", edition.pk)
        _hosts, _loaded_at = mapping, time.monotonic()
    return _hosts


def forget_hosts(**kwargs: object) -> None:
    """Drop this process's host map, after an edition changed."""
    global _loaded_at
    _loaded_at = 0.0


_editions: dict[int, tuple[float, Edition]] = {}


def edition_for_host(host: str) -> Edition | None:
    """The active edition that answers on `host` (without port), or None."""
    pk = _host_map().get(host.lower().rstrip("."))
    if pk is None:
        return None
    cached = _editions.get(pk)
    if cached and cached[0] == _loaded_at:
        return cached[1]
    edition = Edition.objects.filter(pk=pk).first()
    if edition is not None:
        _editions[pk] = (_loaded_at, edition)
    return edition


class EditionMiddleware:
    """Set `request.edition` to the edition of the Host header, or None."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        host, _port = split_domain_port(request.get_host())
        edition = edition_for_host(host) if host else None
        if edition is None and not validate_host(host, settings.HERALD_ALLOWED_HOSTS):
            raise DisallowedHost(
                f"{request.get_host()!r} is neither an edition's host nor in "
                "HERALD_ALLOWED_HOSTS."
            )
        request.edition = edition  # type: ignore[attr-defined]
        return self.get_response(request)
