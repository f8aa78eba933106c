"""The ninjs API: partner keys, rate limit, caching, methods, OpenAPI, the desk page."""

import hashlib
import re
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import resolve

from herald.accounts.models import User
from herald.accounts.tests.factories import make_user
from herald.core.roles import Role
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import Tag
from herald.stories.tests.factories import StoryFactory
from herald.syndication.api.keys import issue_key, revoke_key
from herald.syndication.api.openapi import document
from herald.syndication.api.views import ITEM_PARAMS, LIST_PARAMS
from herald.syndication.models import ApiKey, ApiPartner
from herald.syndication.tests.api_support import (
    ITEMS,
    get,
    items_of,
    jpeg,
)

pytestmark = pytest.mark.django_db


# --- keys and limits ----------------------------------------------------------
def test_missing_invalid_or_revoked_key_answers_401(
    client: Client, partner: ApiPartner, key: str
) -> None:
    stored = ApiKey.objects.get()
    other = issue_key(partner, by=None)
    revoke_key(other.key, by=None)
    for used in (None, "hrld_00000000_nope", other.raw):
        response = get(client, ITEMS, used)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["error"]
    assert get(client, ITEMS, key).status_code == 200
    assert client.get(ITEMS, headers={"X-Api-Key": key}).status_code == 200
    stored.refresh_from_db()
    partner.refresh_from_db()
    assert stored.last_used_at is not None and partner.last_used_at is not None
    ApiPartner.objects.filter(pk=partner.pk).update(is_active=False)
    assert get(client, ITEMS, key).status_code == 401


@override_settings(HERALD_API_RATE_LIMIT=3)
def test_rate_limit_answers_429_with_retry_after(client: Client, key: str) -> None:
    remaining = []
    for _ in range(3):
        response = get(client, ITEMS, key)
        assert response.status_code == 200
        assert response["X-RateLimit-Limit"] == "3"
        remaining.append(response["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    response = get(client, ITEMS, key)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert response["X-RateLimit-Remaining"] == "0"
    assert "rate limit" in response.json()["error"]
    # Another key of the same partner has its own allowance.
    other = issue_key(ApiKey.objects.get().partner, by=None).raw
    assert get(client, ITEMS, other).status_code == 200


# --- HTTP ---------------------------------------------------------------------
def test_etag_and_last_modified_answer_304(
    client: Client, key: str, make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story()
    auth = {"Authorization": f"Bearer {key}"}
    for path in (ITEMS, f"{ITEMS}/{story.pk}"):
        first = client.get(path, headers=auth)
        assert (
            first["Cache-Control"] == f"private, max-age={settings.HERALD_PAGE_MAX_AGE}"
        )
        assert "Authorization" in first["Vary"] and "X-Api-Key" in first["Vary"]
        by_etag = client.get(path, headers={**auth, "If-None-Match": first["ETag"]})
        assert by_etag.status_code == 304 and by_etag["ETag"] == first["ETag"]
        assert "X-RateLimit-Remaining" in by_etag
        by_date = client.get(
            path, headers={**auth, "If-Modified-Since": first["Last-Modified"]}
        )
        assert by_date.status_code == 304
    first = client.get(ITEMS, headers=auth)
    actions.update_story(story, by=admin_user, headline="A new headline")
    again = client.get(ITEMS, headers={**auth, "If-None-Match": first["ETag"]})
    assert again.status_code == 200


def test_only_get_and_head_are_allowed(client: Client, key: str) -> None:
    auth = {"Authorization": f"Bearer {key}"}
    for path in (ITEMS, f"{ITEMS}/1", "/api/ninjs/v2/openapi.json"):
        for method in (client.post, client.put, client.delete, client.patch):
            response = method(path, headers=auth)
            assert response.status_code == 405
            assert response["Allow"] == "GET, HEAD"
            assert response.json()["error"]
    assert client.head(ITEMS, headers=auth).status_code == 200


def test_unknown_api_path_answers_json_404(client: Client) -> None:
    response = client.get("/api/ninjs/v2/things")
    assert response.status_code == 404
    assert response.json()["error"]


@pytest.mark.parametrize("limited", [False, True])
def test_query_count_does_not_grow_with_the_page(
    limited: bool,
    client: Client,
    partner: ApiPartner,
    key: str,
    make_story: StoryFactory,
    author: Any,
    japan: Edition,
    india: Edition,
) -> None:
    Edition.objects.filter(pk=japan.pk).update(language="ja")
    tag = Tag.objects.create(name="Harbour", slug="harbour")
    for n in range(8):
        story = make_story(author=author, editions=[india, japan])  # from India
        story.tags.add(tag)
        actions.attach_image(
            story,
            by=None,
            upload=jpeg(40, 30),
            caption=f"Image {n}",
            credit="Photo",
            alt_text="A picture",
        )
    if limited:  # each item is then shown as the partner's edition shows it
        partner.editions.set([japan])
    get(client, ITEMS, key)  # records the key's first use
    counts = []
    for limit in (2, 8):
        with CaptureQueriesContext(connection) as queries:
            page = items_of(get(client, ITEMS, key, limit=limit))
        assert len(page) == limit
        assert {i["language"] for i in page} == {"ja" if limited else "en"}
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- OpenAPI ------------------------------------------------------------------
def test_openapi_lists_every_path_and_parameter(client: Client) -> None:
    response = client.get("/api/ninjs/v2/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    assert doc["servers"] == [{"url": "http://testserver"}]
    paths = doc["paths"]
    for path in paths:
        match = resolve(path.replace("{id}", "1"))
        assert match.url_name in {"items", "item", "openapi"}
    assert {resolve(p.replace("{id}", "1")).url_name for p in paths} == {
        "items",
        "item",
        "openapi",
    }

    def params(path: str, where: str) -> set[str]:
        return {p["name"] for p in paths[path]["get"]["parameters"] if p["in"] == where}

    assert params("/api/ninjs/v2/items", "query") == LIST_PARAMS
    assert params("/api/ninjs/v2/items/{id}", "query") == ITEM_PARAMS
    assert params("/api/ninjs/v2/items/{id}", "path") == {"id"}
    enum = next(
        p
        for p in paths["/api/ninjs/v2/items"]["get"]["parameters"]
        if p["name"] == "provenance"
    )["schema"]["enum"]
    assert enum == ["staff", "wire", "release"]
    assert document("http://x")["components"]["schemas"]["NinjsItem"]["$ref"] == (
        "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json"
    )


# --- the desk -----------------------------------------------------------------
def test_editor_makes_a_key_that_is_shown_once_and_stored_as_a_hash(
    client: Client, partner: ApiPartner, japan_editor: User, make_story: StoryFactory
) -> None:
    make_story()
    desk = Client()
    desk.force_login(japan_editor)
    changelist = "/desk/syndication/apipartner/"
    response = desk.post(
        changelist, {"action": "create_key", "_selected_action": [partner.pk]}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    found = re.findall(r"hrld_[0-9a-f]{8}_[A-Za-z0-9_-]+", response.content.decode())
    assert len(found) == 1
    raw = found[0]
    stored = ApiKey.objects.get(partner=partner)
    assert stored.secret_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in stored.secret_hash and raw.split("_", 2)[2] not in stored.prefix
    assert raw.startswith(f"hrld_{stored.prefix}_")
    # The key works, and no desk page shows it again.
    assert get(client, ITEMS, raw).status_code == 200
    for page in (
        changelist,
        f"{changelist}{partner.pk}/change/",
        "/desk/syndication/apikey/",
    ):
        shown = desk.get(page)
        assert shown.status_code == 200
        assert raw not in shown.content.decode()
    # Revoking it in the desk closes the API to it.
    desk.post(
        "/desk/syndication/apikey/",
        {"action": "revoke", "_selected_action": [stored.pk]},
    )
    assert get(client, ITEMS, raw).status_code == 401


@pytest.mark.parametrize(
    ("role", "status"),
    [("reader", 302), ("contributor", 403), ("editor", 200), ("admin", 200)],
)
def test_only_editors_and_admins_see_partners(
    role: str, status: int, partner: ApiPartner, japan: Edition
) -> None:
    user = make_user(f"u-{role}", role, [japan])
    desk = Client()
    desk.force_login(user)
    for page in ("/desk/syndication/apipartner/", "/desk/syndication/apikey/"):
        assert desk.get(page).status_code == status
    if role == Role.CONTRIBUTOR:
        desk.post(
            "/desk/syndication/apipartner/",
            {"action": "create_key", "_selected_action": [partner.pk]},
        )
        assert not ApiKey.objects.exists()
