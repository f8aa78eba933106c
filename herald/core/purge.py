"""The purge transport: send "drop what carries these keys" to the caching proxies
(Varnish with xkey; one small interface so that a hosted CDN's API can be added beside
it). It sees keys only; what a key means is `herald.edge.keys`."""

import abc
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)


class PurgeError(Exception):
    """A proxy did not confirm the purge; try again later."""


@dataclass(frozen=True)
class PurgeBackend(abc.ABC):
    """Where purges go. `targets` are the endpoints tried independently (one
    request each per change), so one that is down delays only its own purge."""

    @abc.abstractmethod
    def targets(self) -> Sequence[str]: ...

    @abc.abstractmethod
    def purge(self, target: str, keys: Sequence[str]) -> None:
        """Drop every cached object carrying any of `keys`, or raise PurgeError."""


@dataclass(frozen=True)
class VarnishBackend(PurgeBackend):
    """Varnish with the xkey vmod and deploy/varnish/herald.vcl: one `PURGE` request
    a proxy whose `xkey-purge` header lists every key."""

    urls: tuple[str, ...]
    timeout: float

    def targets(self) -> Sequence[str]:
        return self.urls

    def purge(self, target: str, keys: Sequence[str]) -> None:
        request = urllib.request.Request(  # noqa: S310 (http(s) checked in settings)
            target.rstrip("/") + "/",
            method="PURGE",
            headers={"xkey-purge": " ".join(keys)},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise PurgeError(f"{target} answered {exc.code} to PURGE.") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise PurgeError(f"{target} could not be reached: {exc}") from exc
        if status != 200:
            raise PurgeError(f"{target} answered {status} to PURGE.")


def get_backend() -> PurgeBackend:
    return VarnishBackend(
        urls=tuple(settings.HERALD_PURGE_URLS), timeout=settings.HERALD_PURGE_TIMEOUT
    )


def retry_delay(attempt: int) -> int:
    """Seconds to wait after failed attempt number `attempt` (1, 2, …)."""
    return int(min(2**attempt, 300))


def purge_now(target: str, keys: Iterable[str]) -> None:
    """Purge `keys` on one target now; raises PurgeError when it fails."""
    keys = sorted(set(keys))
    if keys:
        get_backend().purge(target, keys)
