"""Fixtures of the syndication tests: an API partner, its key, a client on no host."""

import pytest
from django.test import Client

from herald.syndication.api.keys import issue_key
from herald.syndication.models import ApiPartner


@pytest.fixture
def partner(db: None) -> ApiPartner:
    return ApiPartner.objects.create(name="Wire Partner", contact_email="a@b.example")


@pytest.fixture
def key(partner: ApiPartner) -> str:
    return issue_key(partner, by=None).raw


@pytest.fixture
def client() -> Client:
    """The ninjs API's client. The feed and sitemap modules override it with one
    on the Japan edition's host."""
    return Client()  # "testserver": an allowed host of no edition
