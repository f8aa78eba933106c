"""The Host header picks the edition: its host names, `<slug>.localhost` in
development, nothing for other allowed hosts, and a refusal for the rest."""

from collections.abc import Iterator

import pytest
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from herald.editions.middleware import EditionMiddleware, edition_for_host, forget_hosts
from herald.editions.models import Edition
from herald.editions.tests.factories import EditionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_host_map() -> Iterator[None]:
    forget_hosts()
    yield
    forget_hosts()


@pytest.fixture
def japan() -> Edition:
    return EditionFactory.create(
        name="Japan Herald",
        slug="japan-herald",
        host_names="japanherald.com\nwww.japanherald.com",
    )


def _edition_of(host: str) -> Edition | None:
    seen: list[Edition | None] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.edition)  # type: ignore[attr-defined]
        return HttpResponse("ok")

    response = EditionMiddleware(view)(RequestFactory().get("/", HTTP_HOST=host))
    assert response.status_code == 200
    return seen[0]


@pytest.mark.parametrize(
    "host", ["japanherald.com", "www.japanherald.com", "JAPANHERALD.COM:443"]
)
def test_each_host_name_of_an_edition_finds_it(japan: Edition, host: str) -> None:
    assert _edition_of(host) == japan


def test_the_development_host_finds_the_edition_by_slug(japan: Edition) -> None:
    assert _edition_of("japan-herald.localhost:8000") == japan


def test_an_allowed_host_of_no_edition_gets_no_edition(japan: Edition) -> None:
    assert _edition_of("localhost:8000") is None
    assert _edition_of("testserver") is None


def test_a_host_of_no_edition_and_not_allowed_is_refused(japan: Edition) -> None:
    with pytest.raises(DisallowedHost, match="neither an edition's host"):
        _edition_of("evil.example.net")


def test_a_switched_off_edition_answers_on_none_of_its_hosts(japan: Edition) -> None:
    japan.is_active = False
    japan.save()
    assert edition_for_host("japanherald.com") is None
    with pytest.raises(DisallowedHost):
        _edition_of("japanherald.com")


def test_a_trailing_dot_is_the_same_host(japan: Edition) -> None:
    assert edition_for_host("japanherald.com.") == japan


def test_a_saved_edition_answers_on_its_new_host_at_once(japan: Edition) -> None:
    assert edition_for_host("japanherald.com") == japan
    japan.host_names = "japan-herald.example.org"
    japan.save()
    assert edition_for_host("japan-herald.example.org") == japan
    assert edition_for_host("japanherald.com") is None


def test_a_deleted_edition_answers_no_more(japan: Edition) -> None:
    assert edition_for_host("japanherald.com") == japan
    japan.delete()
    assert edition_for_host("japanherald.com") is None
