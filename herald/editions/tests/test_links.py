"""An edition's origin: its first host name in public, its `<slug>.localhost` host
(with the port) when the request came to a development host."""

import pytest
from django.test import RequestFactory

from herald.editions.links import edition_origin
from herald.editions.models import Edition
from herald.editions.tests.factories import EditionFactory


@pytest.fixture
def japan() -> Edition:
    return EditionFactory.build(
        slug="japan-herald", host_names="japanherald.com\nwww.japanherald.com"
    )


def test_without_a_request_the_origin_is_the_first_host(japan: Edition) -> None:
    assert edition_origin(japan) == "http://japanherald.com"


def test_the_public_scheme_comes_from_settings(
    japan: Edition, settings: object
) -> None:
    settings.HERALD_PUBLIC_SCHEME = "https"  # type: ignore[attr-defined]
    assert edition_origin(japan) == "https://japanherald.com"


@pytest.mark.parametrize(
    ("host", "origin"),
    [
        ("india-herald.localhost:8000", "http://japan-herald.localhost:8000"),
        ("localhost:8000", "http://japan-herald.localhost:8000"),
        ("127.0.0.1:8000", "http://japan-herald.localhost:8000"),
        ("testserver", "http://japan-herald.localhost"),
    ],
)
def test_a_development_request_keeps_links_on_development_hosts(
    japan: Edition, host: str, origin: str
) -> None:
    request = RequestFactory().get("/", HTTP_HOST=host)
    assert edition_origin(japan, request) == origin


def test_a_public_request_gets_the_public_origin(japan: Edition) -> None:
    request = RequestFactory().get("/", HTTP_HOST="indiaherald.com")
    assert edition_origin(japan, request) == "http://japanherald.com"


def test_without_development_hosts_no_request_is_development(
    japan: Edition, settings: object
) -> None:
    settings.HERALD_DEV_HOST_SUFFIX = ""  # type: ignore[attr-defined]
    request = RequestFactory().get("/", HTTP_HOST="localhost:8000")
    assert edition_origin(japan, request) == "http://japanherald.com"


def test_an_edition_without_hosts_falls_back_to_its_development_host() -> None:
    edition = EditionFactory.build(slug="gulf-herald", host_names="")
    assert edition_origin(edition) == "http://gulf-herald.localhost"
