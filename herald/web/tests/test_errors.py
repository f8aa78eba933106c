"""Branded error pages: 400, 403, 404, 500 and the CSRF failure, on an edition, on
the network host and in the desk; never cached, never telling secrets, and a plain
page when the database itself is the fault."""

import base64
import hashlib
import logging
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver

from herald.accounts.models import User
from herald.editions.models import Edition
from herald.stories.models import Section
from herald.stories.tests.factories import StoryFactory
from herald.web import errors
from herald.web.tests.faulty_urls import SECRET_DETAIL

pytestmark = pytest.mark.django_db
JAPAN = "japan-herald.localhost"
NETWORK = "localhost"
FAULTY_URLS = "herald.web.tests.faulty_urls"
# Names an error page must never show: settings, and the key itself.
SETTING_NAMES = ("SECRET_KEY", "DATABASES", "INSTALLED_APPS", "ROOT_URLCONF")


@pytest.fixture
def faulty_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = FAULTY_URLS


def _body(response: Any, status: int, heading: str, *hidden: str) -> str:
    """The page (a test client response), after checking what every error page
    promises."""
    assert response.status_code == status
    body = response.content.decode()
    assert heading in body
    assert f"Error {status}" in body
    assert "Traceback" not in body
    for secret in (*SETTING_NAMES, settings.SECRET_KEY, *hidden):
        assert secret not in body
    assert response["Cache-Control"] == "private, no-store"
    assert not response.has_header("xkey")
    return body


def _edition_page(body: str, edition: Edition, section: Section) -> None:
    assert f'<a class="masthead__logo" href="/">{edition.logo_text}</a>' in body
    assert 'href="/brand.css"' in body  # the edition's colours
    assert '<nav class="sections" aria-label="Sections">' in body
    assert f'href="/section/{section.slug}/"' in body
    assert '<form class="masthead__search" role="search"' in body
    assert f'href="/">{edition.name} home page</a>' in body
    assert f'href="/search/">Search {edition.name}</a>' in body


def _network_page(body: str) -> None:
    assert '<a class="masthead__logo" href="/">Herald</a>' in body
    assert 'href="/">All editions</a>' in body
    assert 'role="search"' not in body  # search belongs to an edition


def _desk_page(body: str) -> None:
    assert '<div id="site-name"><a href="/desk/">Herald newsroom</a></div>' in body
    assert 'href="/desk/">Back to the desk index</a>' in body
    assert "masthead" not in body


@pytest.fixture
def editor_client(japan_editor: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(japan_editor)
    return client


# --- Wiring ---------------------------------------------------------------------


def test_root_urlconf_and_csrf_send_errors_to_the_branded_pages() -> None:
    resolver = get_resolver("herald.urls")
    assert resolver.resolve_error_handler(400) is errors.bad_request
    assert resolver.resolve_error_handler(403) is errors.permission_denied
    assert resolver.resolve_error_handler(404) is errors.page_not_found
    assert resolver.resolve_error_handler(500) is errors.server_error
    assert settings.CSRF_FAILURE_VIEW == "herald.web.errors.csrf_failure"
    # The test URLconf names the same handlers.
    faulty = get_resolver(FAULTY_URLS)
    for status in (400, 403, 404, 500):
        assert faulty.resolve_error_handler(status) is resolver.resolve_error_handler(
            status
        )


# --- 404 --------------------------------------------------------------------------


def test_unknown_address_on_an_edition_is_its_own_404(
    japan: Edition, section: Section
) -> None:
    response = Client(HTTP_HOST=JAPAN).get("/no/such/page/")
    body = _body(response, 404, "Page not found", "/no/such/page/")
    _edition_page(body, japan, section)
    assert "<title>Page not found | Japan Herald</title>" in body


def test_unknown_story_is_a_404_never_cached_under_a_story_key(
    japan: Edition, india: Edition, section: Section, make_story: StoryFactory
) -> None:
    elsewhere = make_story(editions=[india])  # public, but not on Japan Herald
    client = Client(HTTP_HOST=JAPAN)
    for url in (elsewhere.get_absolute_url(), "/news/999999/no-such-story/"):
        for _ in range(2):  # the second answer is not a cached page either
            body = _body(client.get(url), 404, "Page not found", elsewhere.headline)
            _edition_page(body, japan, section)
    # The story still has its own page where it is published.
    india_page = Client(HTTP_HOST="india-herald.localhost").get(
        elsewhere.get_absolute_url()
    )
    assert india_page.status_code == 200
    assert "public" in india_page["Cache-Control"]


def test_unknown_address_on_the_network_host_has_the_network_look(
    japan: Edition,
) -> None:
    response = Client(HTTP_HOST=NETWORK).get("/no/such/page/")
    _network_page(_body(response, 404, "Page not found"))


def test_unknown_desk_address_is_the_desks_404_for_an_editor(
    editor_client: Client,
) -> None:
    response = editor_client.get("/desk/no/such/page/")
    body = _body(response, 404, "Page not found")
    _desk_page(body)
    assert "There is no desk page at this address" in body
    assert 'id="logout-form"' in body  # the desk's own user tools


def test_unknown_desk_address_sends_a_stranger_to_sign_in(japan: Edition) -> None:
    # The desk tells strangers nothing about its addresses.
    response = Client().get("/desk/no/such/page/")
    assert response.status_code == 302
    assert response["Location"].startswith("/desk/login/")


# --- 403 --------------------------------------------------------------------------


def test_page_closed_to_the_account_is_the_editions_403(
    editor_client: Client, japan: Edition, section: Section
) -> None:
    # News release pages are for submitter accounts; the exception says so.
    response = editor_client.get("/releases/", HTTP_HOST=JAPAN)
    body = _body(response, 403, "You may not see this page", "submitter accounts")
    _edition_page(body, japan, section)


def test_page_closed_to_the_account_on_the_network_host(
    editor_client: Client,
) -> None:
    response = editor_client.get("/releases/", HTTP_HOST=NETWORK)
    body = _body(response, 403, "You may not see this page", "submitter accounts")
    _network_page(body)


def test_desk_page_beyond_the_role_is_the_desks_403(editor_client: Client) -> None:
    # Only admins add editions.
    response = editor_client.get("/desk/editions/edition/add/")
    body = _body(response, 403, "You may not see this page")
    _desk_page(body)
    assert "Your role in the newsroom does not open this page" in body


# --- 400 --------------------------------------------------------------------------


def test_garbled_page_link_is_the_editions_400(
    japan: Edition, section: Section
) -> None:
    response = Client(HTTP_HOST=JAPAN).get(f"/section/{section.slug}/?before=nonsense")
    body = _body(response, 400, "Bad request", "nonsense", "not valid")
    _edition_page(body, japan, section)


def test_unknown_host_is_a_400_in_the_network_or_desk_look(japan: Edition) -> None:
    client = Client(HTTP_HOST="intruder.example.net")
    body = _body(client.get("/"), 400, "Bad request", "intruder.example.net")
    _network_page(body)
    # Refused before sign-in was looked at: the desk's look, without user tools.
    body = _body(client.get("/desk/"), 400, "Bad request", "intruder.example.net")
    _desk_page(body)
    assert 'id="logout-form"' not in body


# --- CSRF -------------------------------------------------------------------------


def test_form_without_csrf_token_on_an_edition_is_its_own_403(
    japan: Edition, section: Section
) -> None:
    client = Client(HTTP_HOST=JAPAN, enforce_csrf_checks=True)
    response = client.post("/account/login/", {"username": "x", "password": "y"})
    body = _body(response, 403, "Your form could not be sent", "CSRF cookie")
    _edition_page(body, japan, section)


def test_form_without_csrf_token_on_the_network_host(japan: Edition) -> None:
    client = Client(HTTP_HOST=NETWORK, enforce_csrf_checks=True)
    response = client.post("/account/login/", {"username": "x", "password": "y"})
    _network_page(_body(response, 403, "Your form could not be sent", "CSRF"))


def test_desk_sign_in_without_csrf_token_is_the_desks_403(japan: Edition) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/desk/login/", {"username": "x", "password": "y"})
    body = _body(response, 403, "Your form could not be sent", "CSRF")
    _desk_page(body)
    assert 'id="logout-form"' not in body


# --- 500 --------------------------------------------------------------------------


def test_fault_on_an_edition_is_its_own_500(
    faulty_urls: None, japan: Edition, section: Section
) -> None:
    client = Client(HTTP_HOST=JAPAN, raise_request_exception=False)
    response = client.get("/fails/")
    body = _body(
        response, 500, "Something went wrong on our side", SECRET_DETAIL, "Runtime"
    )
    _edition_page(body, japan, section)


def test_fault_on_the_network_host_is_a_500_in_the_network_look(
    faulty_urls: None, japan: Edition
) -> None:
    client = Client(HTTP_HOST=NETWORK, raise_request_exception=False)
    body = _body(client.get("/fails/"), 500, "Something went wrong", SECRET_DETAIL)
    _network_page(body)


def test_fault_in_the_desk_is_the_desks_500(
    faulty_urls: None, editor_client: Client
) -> None:
    response = editor_client.get("/desk/fails/")
    body = _body(response, 500, "Something went wrong on our side", SECRET_DETAIL)
    _desk_page(body)
    assert "check whether your last change was saved" in body
    assert 'id="logout-form"' in body


def test_fault_in_the_desk_for_a_stranger(faulty_urls: None, japan: Edition) -> None:
    response = Client(raise_request_exception=False).get("/desk/fails/")
    body = _body(response, 500, "Something went wrong on our side", SECRET_DETAIL)
    _desk_page(body)
    assert 'id="logout-form"' not in body


def test_broken_database_gives_the_plain_500_in_the_editions_colours(
    faulty_urls: None,
    japan: Edition,
    section: Section,
    caplog: pytest.LogCaptureFixture,
) -> None:
    japan.primary_colour, japan.accent_colour = "#7a1f3d", "#0b5e3a"
    japan.save()
    client = Client(HTTP_HOST=JAPAN, raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="herald.web.errors"):
        response = client.get("/broken-database/")
    body = _body(
        response, 500, "Something went wrong on our side", "gone_for_this_test"
    )
    # The navigation could not be read, so the plain page went out instead ...
    assert '<nav class="sections"' not in body
    assert f'<a class="masthead__logo" href="/">{japan.logo_text}</a>' in body
    assert 'href="/search/">Search Japan Herald</a>' in body
    assert '<form class="masthead__search" role="search"' in body
    assert "<title>Something went wrong on our side | Japan Herald</title>" in body
    # ... in the edition's colours, by an inline style the CSP allows by its hash.
    style = re.search(r"<style>(.*?)</style>", body)
    assert style is not None
    assert style.group(1) == ":root{--brand:#7a1f3d;--accent:#0b5e3a;}"
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest())
    policy = response["Content-Security-Policy"]
    assert f"'sha256-{digest.decode()}'" in policy.split("style-src")[1].split(";")[0]
    # ... and why is in the log, with the trace.
    fell_back = [r for r in caplog.records if r.name == "herald.web.errors"]
    assert len(fell_back) == 1 and fell_back[0].exc_info is not None
    assert fell_back[0].status_code == 500  # type: ignore[attr-defined]
