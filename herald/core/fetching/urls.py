"""Parsing a URL to fetch into the parts a request is made of, refusing bad ones."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from herald.core.fetching.errors import BadURL


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str  # ASCII (IDNA), without brackets
    port: int
    path: str  # path and query, as sent in the request line


_PATH_SAFE = "/?&=%:@!$'()*+,;~-._[]"


def parse_url(url: str) -> Target:
    if not isinstance(url, str) or not url.strip():
        raise BadURL("empty URL")
    url = url.strip()
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        raise BadURL(f"URL contains spaces or control characters: {url!r}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise BadURL(f"not a valid URL: {url!r} ({error})") from error
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise BadURL(f"only http and https URLs can be fetched, not {url!r}")
    if parts.username is not None or parts.password is not None:
        raise BadURL(f"URLs with a user name or password are not fetched: {url!r}")
    hostname = parts.hostname
    if not hostname:
        raise BadURL(f"URL has no host: {url!r}")
    try:
        host = hostname.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise BadURL(f"host name is not valid: {hostname!r}") from error
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=_PATH_SAFE)
    default_port = 443 if scheme == "https" else 80
    return Target(
        url=url, scheme=scheme, host=host, port=port or default_port, path=path
    )
