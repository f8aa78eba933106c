"""Fixtures of the discovery tests: a client on the Japan edition's host."""

import pytest
from django.test import Client

from herald.discovery.tests.search_support import JAPAN


@pytest.fixture
def client() -> Client:
    return Client(HTTP_HOST=JAPAN)
