"""The public web archive of issues."""

from datetime import date
from typing import Any

import pytest
from django.test import Client

from herald.editions.models import Edition
from herald.newsletter.models import Issue, IssueStatus
from herald.newsletter.tests.factories import deliver, make_issue
from herald.newsletter.tests.readers import JAPAN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_blocks")]


@pytest.fixture
def client() -> Client:
    return Client(HTTP_HOST=JAPAN)


def test_archive_lists_built_issues_newest_first_without_skipped_ones(
    client: Client, issue: Issue, japan: Edition
) -> None:
    make_issue(japan, local_date=date(2025, 4, 6), subject="Sunday's issue")
    make_issue(
        japan,
        local_date=date(2025, 4, 7),
        subject="Nothing new",
        status=IssueStatus.SKIPPED,
    )
    response = client.get("/newsletter/archive/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing new" not in body
    assert body.index("Sunday 6 April 2025") < body.index("Saturday 5 April 2025")
    assert 'href="/newsletter/archive/2025-04-05/"' in body


def test_archive_issue_page_shows_every_section_and_no_personal_links(
    client: Client, issue: Issue
) -> None:
    deliver(issue)
    response = client.get("/newsletter/archive/2025-04-05/")
    assert response.status_code == 200
    body = response.content.decode()
    for headline in (
        "Harbour plan goes ahead",
        "Typhoon season starts early",
        "Exports rise again",
        "Company opens plant",
    ):
        assert headline in body
    assert "News release" in body
    assert "/newsletter/unsubscribe/" not in body
    assert "/newsletter/preferences/" not in body
    assert "Set-Cookie" not in response.headers and not response.cookies
    assert "csrfmiddlewaretoken" not in body


def test_archive_pages_are_cacheable_and_answer_conditional_gets(
    client: Client, issue: Issue
) -> None:
    for path in ("/newsletter/archive/", "/newsletter/archive/2025-04-05/"):
        response = client.get(path)
        control = response["Cache-Control"]
        assert "public" in control and "max-age=" in control
        assert response.has_header("ETag")
        again = client.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/newsletter/archive/2025-04-04/",  # no issue that day
        "/newsletter/archive/2025-02-30/",  # no such date
        "/newsletter/archive/2025-04-07/",  # skipped: nothing new
        "/newsletter/archive/?page=9",
    ],
)
def test_unknown_archive_pages_answer_404(
    client: Client, issue: Issue, japan: Edition, path: str
) -> None:
    make_issue(japan, local_date=date(2025, 4, 7), status=IssueStatus.SKIPPED)
    assert client.get(path).status_code == 404


def test_another_editions_issue_is_not_in_this_archive(
    issue: Issue, india: Edition
) -> None:
    india_client = Client(HTTP_HOST="india-herald.localhost")
    assert india_client.get("/newsletter/archive/2025-04-05/").status_code == 404
    assert (
        "Harbour plan" not in india_client.get("/newsletter/archive/").content.decode()
    )
    assert Client(HTTP_HOST="localhost").get("/newsletter/archive/").status_code == 404


def test_unpadded_archive_date_redirects_to_the_one_spelling(
    client: Client, issue: Issue
) -> None:
    response = client.get("/newsletter/archive/2025-4-5/")
    assert response.status_code == 301
    assert response["Location"] == "/newsletter/archive/2025-04-05/"


def test_archive_is_paginated(
    client: Client, issue: Issue, japan: Edition, settings: Any
) -> None:
    settings.HERALD_PAGE_SIZE = 1
    make_issue(japan, local_date=date(2025, 4, 6), subject="Sunday's issue")
    first = client.get("/newsletter/archive/").content.decode()
    assert "Sunday 6 April 2025" in first and "Saturday 5 April 2025" not in first
    assert 'href="?page=2"' in first
    second = client.get("/newsletter/archive/?page=2").content.decode()
    assert "Saturday 5 April 2025" in second
