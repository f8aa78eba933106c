"""Fixtures of the safe fetcher's tests: the loopback guard, a stand-in public host."""

from collections.abc import Iterator
from typing import Any

import pytest

from herald.core.tests.httpserver import guard_connections

LOOPBACK = ["127.0.0.1", "127.0.0.2", "::1"]


@pytest.fixture
def connections(settings: Any) -> Iterator[list[str]]:
    """Allow the test servers' address; fail on any connection beyond loopback.

    Yields the addresses connected to, in order. The fetcher's test modules use it
    in every test: `pytest.mark.usefixtures("connections")`."""
    settings.HERALD_FETCH_ALLOWED_ADDRESSES = ["127.0.0.1"]
    settings.HERALD_FETCH_MAX_REDIRECTS = 5
    with guard_connections(LOOPBACK) as connected:
        yield connected


@pytest.fixture
def public_host(settings: Any) -> str:
    """Allow 127.0.0.2, which stands in for a public IP, and name the host that tests
    resolve to it: `feeds.example.com`."""
    settings.HERALD_FETCH_ALLOWED_ADDRESSES = ["127.0.0.2"]
    return "feeds.example.com"
