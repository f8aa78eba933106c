"""The ninjs API: valid ninjs 2.2 items, filters, cursor pages, the changes feed,
embargo and retraction, partner keys and editions, rate limit, caching, OpenAPI,
and the desk page that makes keys."""

import hashlib
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import resolve
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from PIL import Image
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conftest import StoryFactory, make_edition, make_user
from herald.accounts.models import Role, User
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import LocalVersion, Place, Section, Story, Tag
from herald.syndication.api.keys import issue_key, revoke_key
from herald.syndication.api.openapi import document
from herald.syndication.api.views import ITEM_PARAMS, LIST_PARAMS
from herald.syndication.models import ApiKey, ApiPartner

pytestmark = pytest.mark.django_db

ITEMS = "/api/ninjs/v2/items"
SAMPLES = Path(settings.BASE_DIR).parent / "shared" / "samples" / "ninjs"
GEOJSON = "https://geojson.org/schema/GeoJSON.json"

# --- the official schema, offline ---------------------------------------------
formats = FormatChecker(formats=())


@formats.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return "T" in value and datetime.fromisoformat(value).tzinfo is not None


@formats.checks("uri", raises=ValueError)
def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    scheme = urlsplit(value).scheme
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme)) and " " not in value


def _validator() -> Draft202012Validator:
    schema = json.loads((SAMPLES / "ninjs-schema_2.2.json").read_text())
    # The schema refers to GeoJSON by URL for a place's geometry. Tests run without
    # network, and Herald sends no geometry, so that URL resolves to an empty schema.
    registry: Registry[Any] = Registry().with_resource(
        GEOJSON, Resource.from_contents({}, default_specification=DRAFT202012)
    )
    return Draft202012Validator(schema, registry=registry, format_checker=formats)


NINJS = _validator()


def assert_ninjs(item: dict[str, Any]) -> None:
    errors = [e.message for e in NINJS.iter_errors(item)]
    assert not errors, errors


# --- fixtures and helpers -----------------------------------------------------
@pytest.fixture
def partner(db: None) -> ApiPartner:
    return ApiPartner.objects.create(name="Wire Partner", contact_email="a@b.example")


@pytest.fixture
def key(partner: ApiPartner) -> str:
    return issue_key(partner, by=None).raw


@pytest.fixture
def client() -> Client:
    return Client()  # "testserver": an allowed host of no edition


def get(client: Client, path: str, key: str | None, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.get(path, params, headers=headers)


def items_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return list(response.json()["items"])


def ids(response: Any) -> list[int]:
    return [herald_id(i) for i in items_of(response)]


def herald_id(item: dict[str, Any]) -> int:
    return int(next(a["value"] for a in item["altids"] if a["role"] == "herald-id"))


def jpeg(width: int = 2000, height: int = 1000) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 150)).save(out, "JPEG")
    out.seek(0)
    return out


def set_times(story: Story, **times: datetime) -> None:
    Story.objects.filter(pk=story.pk).update(**times)
    story.refresh_from_db()


# --- ninjs validity -----------------------------------------------------------
def test_official_example_validates_and_a_broken_item_does_not() -> None:
    example = json.loads((SAMPLES / "2.2_004_simple_text_article.json").read_text())
    assert_ninjs(example)
    assert list(NINJS.iter_errors({**example, "pubstatus": "gone"}))
    assert list(NINJS.iter_errors({**example, "versioncreated": "2013-07-09"}))
    assert list(NINJS.iter_errors({**example, "provenance": "wire"}))
    assert list(NINJS.iter_errors({"type": "text"}))  # no uri


def test_every_served_item_is_valid_ninjs(
    client: Client,
    key: str,
    make_story: StoryFactory,
    author: Any,
    admin_user: User,
) -> None:
    staff = make_story(author=author, standfirst="What happened.")
    staff.tags.add(Tag.objects.create(name="Harbour", slug="harbour"))
    actions.attach_image(
        staff,
        by=None,
        upload=jpeg(),
        caption="The harbour at dawn.",
        credit="Photo: Aiko Tanaka",
        alt_text="Boats in a harbour",
    )
    wire = make_story(
        provenance="wire", agency="Meridian Press Agency", agency_credit="(MPA)"
    )
    release = make_story(provenance="release", dateline_city="", dateline_place=None)
    retracted = make_story()
    actions.retract_story(retracted, by=admin_user, note="The source withdrew.")
    since = (timezone.now() - timedelta(days=1)).isoformat()

    listed = items_of(get(client, ITEMS, key, updated_since=since))
    listed += items_of(get(client, ITEMS, key))
    singles = [
        get(client, f"{ITEMS}/{s.pk}", key).json()
        for s in (staff, wire, release, retracted)
    ]
    assert len(listed) == 4 + 3
    for item in listed + singles:
        assert_ninjs(item)
    assert {i["pubstatus"] for i in singles} == {"usable", "canceled"}


def test_story_with_image_carries_a_picture_with_absolute_renditions(
    client: Client, key: str, make_story: StoryFactory
) -> None:
    story = make_story()
    actions.attach_image(
        story,
        by=None,
        upload=jpeg(2000, 1000),
        caption="The harbour at dawn.",
        credit="Photo: Aiko Tanaka",
        alt_text="Boats in a harbour",
    )
    item = get(client, f"{ITEMS}/{story.pk}", key).json()
    assert item["profile"] == "text-photo"
    (picture,) = item["associations"]
    assert picture["type"] == "picture" and picture["name"] == "featureimage"
    assert picture["by"] == "Photo: Aiko Tanaka"
    assert {
        "role": "caption",
        "contenttype": "text/plain",
        "value": "The harbour at dawn.",
    } in picture["descriptions"]
    sizes = {r["name"]: (r["width"], r["height"]) for r in picture["renditions"]}
    assert sizes == {"large": (1600, 800), "medium": (800, 400), "small": (400, 200)}
    for rendition in picture["renditions"]:
        assert rendition["contenttype"] == "image/jpeg"
        assert rendition["href"].startswith("http://japan-herald.localhost/media/")


def test_item_maps_text_byline_dateline_sections_and_places(
    client: Client,
    key: str,
    make_story: StoryFactory,
    author: Any,
    tokyo: Place,
    section: Section,
) -> None:
    story = make_story(author=author, standfirst="What happened.")
    item = get(client, f"{ITEMS}/{story.pk}", key).json()
    assert item["uri"] == f"urn:herald:story:{story.pk}"
    assert item["headlines"] == [{"role": "main", "value": story.headline}]
    assert item["by"] == "By Aiko Tanaka"
    assert item["located"] == "Tokyo, Japan"
    assert item["language"] == "en"
    assert item["pubstatus"] == "usable"
    assert item["standard"]["version"] == "2.2"
    (body,) = item["bodies"]
    assert body["contenttype"] == "text/html"
    assert body["value"].startswith('<p><span class="dateline">TOKYO, Japan:</span>')
    assert {
        "role": "summary",
        "contenttype": "text/plain",
        "value": "What happened.",
    } in item["descriptions"]
    assert item["subjects"][0]["literal"] == "section:world"
    assert item["places"][0] == {
        "name": "Tokyo, Japan",
        "rel": "located",
        "literal": "place:tokyo-japan",
        "uri": "http://japan-herald.localhost/place/tokyo-japan/",
    }
    assert item["infosources"][0] == {
        "name": "Japan Herald",
        "uri": "http://japan-herald.localhost",
        "role": "originator",
        "literal": "staff",
    }
    assert item["copyrightholder"] == "Japan Herald"


def test_news_release_is_labelled_as_one(
    client: Client, key: str, make_story: StoryFactory
) -> None:
    story = make_story(provenance="release")
    item = get(client, f"{ITEMS}/{story.pk}", key).json()
    assert item["genres"] == [{"name": "News release", "literal": "news-release"}]
    assert item["infosources"][0]["literal"] == "release"
    assert item["infosources"][0]["name"] == "News release"
    assert item["ednote"].startswith("News release:")
    assert "copyrightholder" not in item


def test_wire_story_names_its_agency(
    client: Client, key: str, make_story: StoryFactory
) -> None:
    story = make_story(provenance="wire", agency="Meridian Press Agency")
    item = get(client, f"{ITEMS}/{story.pk}", key).json()
    assert item["infosources"][0] == {
        "name": "Meridian Press Agency",
        "role": "originator",
        "literal": "wire",
    }
    assert item["copyrightholder"] == "Meridian Press Agency"


# --- filters ------------------------------------------------------------------
def test_edition_filter_lists_only_that_editions_stories(
    client: Client, key: str, make_story: StoryFactory, india: Edition
) -> None:
    japan_story = make_story()
    india_story = make_story(editions=[india])
    assert ids(get(client, ITEMS, key, edition="india-herald")) == [india_story.pk]
    assert ids(get(client, ITEMS, key, edition="japan-herald")) == [japan_story.pk]
    response = get(client, ITEMS, key, edition="atlantis")
    assert response.status_code == 400 and "atlantis" in response.json()["error"]


def test_section_filter(
    client: Client, key: str, make_story: StoryFactory, section: Section
) -> None:
    sport = Section.objects.create(name="Sport", slug="sport")
    in_sport = make_story(primary_section=sport)
    make_story()
    assert ids(get(client, ITEMS, key, section="sport")) == [in_sport.pk]
    assert get(client, ITEMS, key, section="nope").status_code == 400


def test_place_filter(client: Client, key: str, make_story: StoryFactory) -> None:
    osaka = Place.objects.create(
        name="Osaka", slug="osaka-japan", country="Japan", country_code="JP"
    )
    in_osaka = make_story(dateline_city="Osaka", dateline_place=osaka)
    make_story()
    assert ids(get(client, ITEMS, key, place="osaka-japan")) == [in_osaka.pk]
    assert get(client, ITEMS, key, place="nope").status_code == 400


def test_provenance_filter(client: Client, key: str, make_story: StoryFactory) -> None:
    staff = make_story()
    wire = make_story(provenance="wire", agency="MPA")
    release = make_story(provenance="release")
    assert ids(get(client, ITEMS, key, provenance="staff")) == [staff.pk]
    assert ids(get(client, ITEMS, key, provenance="wire")) == [wire.pk]
    assert ids(get(client, ITEMS, key, provenance="release")) == [release.pk]
    assert get(client, ITEMS, key, provenance="blog").status_code == 400


def test_latest_listing_is_newest_first(
    client: Client, key: str, make_story: StoryFactory
) -> None:
    older = make_story(ago=timedelta(hours=3))
    newer = make_story(ago=timedelta(hours=1))
    assert ids(get(client, ITEMS, key)) == [newer.pk, older.pk]


def test_updated_since_lists_changes_oldest_first_with_retracted_as_canceled(
    client: Client, key: str, make_story: StoryFactory, admin_user: User
) -> None:
    now = timezone.now()
    old = make_story(ago=timedelta(days=3))
    set_times(old, modified_at=now - timedelta(days=3))
    edited = make_story(ago=timedelta(days=3))
    set_times(edited, modified_at=now - timedelta(hours=2))
    retracted = make_story(ago=timedelta(days=3))
    actions.retract_story(retracted, by=admin_user, note="Wrong figures.")

    since = (now - timedelta(days=1)).astimezone(timezone.get_fixed_timezone(9 * 60))
    listed = items_of(get(client, ITEMS, key, updated_since=since.isoformat()))
    assert [herald_id(i) for i in listed] == [edited.pk, retracted.pk]
    cancel = listed[1]
    assert cancel["pubstatus"] == "canceled"
    assert "bodies" not in cancel and "associations" not in cancel
    assert "Wrong figures." in cancel["ednote"]
    # Without updated_since, a retracted story is simply absent.
    assert retracted.pk not in ids(get(client, ITEMS, key))


def test_updated_since_needs_an_offset(client: Client, key: str) -> None:
    response = get(client, ITEMS, key, updated_since="2025-04-05T09:00:00")
    assert response.status_code == 400
    assert "offset" in response.json()["error"]
    assert get(client, ITEMS, key, updated_since="yesterday").status_code == 400
    assert (
        get(client, ITEMS, key, updated_since="2025-04-05T00:00:00Z").status_code == 200
    )


def test_unencoded_plus_in_updated_since_is_understood(
    client: Client, key: str, make_story: StoryFactory
) -> None:
    story = make_story()
    since = (timezone.now() - timedelta(days=1)).astimezone(
        timezone.get_fixed_timezone(9 * 60)
    )
    raw = since.isoformat(timespec="seconds")  # ...+09:00, sent without %2B
    response = client.get(
        f"{ITEMS}?updated_since={raw}", headers={"Authorization": f"Bearer {key}"}
    )
    assert ids(response) == [story.pk]


def test_unknown_parameter_and_bad_limit_are_refused(client: Client, key: str) -> None:
    response = get(client, ITEMS, key, sectoin="world")
    assert response.status_code == 400 and "sectoin" in response.json()["error"]
    for limit in ("0", "101", "ten", "-1"):
        assert get(client, ITEMS, key, limit=limit).status_code == 400


# --- pages --------------------------------------------------------------------
def _walk(client: Client, key: str, **params: Any) -> list[int]:
    seen: list[int] = []
    response = get(client, ITEMS, key, limit=3, **params)
    while True:
        seen += ids(response)
        next_url = response.json()["next"]
        if next_url is None:
            assert "Link" not in response
            return seen
        assert response["Link"] == f'<{next_url}>; rel="next"'
        response = client.get(next_url, headers={"Authorization": f"Bearer {key}"})


def test_cursor_pages_walk_every_item_exactly_once(
    client: Client, key: str, make_story: StoryFactory
) -> None:
    same_time = timezone.now() - timedelta(hours=2)
    stories = [make_story() for _ in range(10)]
    for story in stories[:5]:  # ties on the time are broken by id
        set_times(story, published_at=same_time, modified_at=same_time)
    walked = _walk(client, key)
    assert sorted(walked) == sorted(s.pk for s in stories)
    assert len(walked) == len(set(walked))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    changes = _walk(client, key, updated_since=since)
    assert sorted(changes) == sorted(s.pk for s in stories)
    assert len(changes) == len(set(changes))


def test_tampered_cursor_is_refused_with_400(
    client: Client, key: str, make_story: StoryFactory
) -> None:
    for _ in range(3):
        make_story()
    next_url = get(client, ITEMS, key, limit=1).json()["next"]
    cursor = re.search(r"cursor=([^&]+)", next_url)
    assert cursor is not None
    good = cursor.group(1)
    tampered = good[:5] + ("A" if good[5] != "A" else "B") + good[6:]
    for bad in (tampered, "not-a-cursor", "eyJtIjoibGF0ZXN0In0"):
        response = get(client, ITEMS, key, cursor=bad)
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert "cursor" in response.json()["error"]
    # A latest-first cursor does not fit the changes feed.
    since = (timezone.now() - timedelta(days=1)).isoformat()
    from urllib.parse import unquote

    response = get(client, ITEMS, key, cursor=unquote(good), updated_since=since)
    assert response.status_code == 400


# --- what is never served -----------------------------------------------------
def test_embargoed_story_is_never_served(
    client: Client, key: str, make_story: StoryFactory
) -> None:
    story = make_story(embargo_until=timezone.now() + timedelta(hours=2))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert story.pk not in ids(get(client, ITEMS, key))
    assert story.pk not in ids(get(client, ITEMS, key, updated_since=since))
    assert get(client, f"{ITEMS}/{story.pk}", key).status_code == 404
    # Once the embargo lifts, it is served and shows in the changes feed.
    lifted = timezone.now() - timedelta(minutes=1)
    set_times(story, embargo_until=lifted, modified_at=lifted - timedelta(hours=3))
    assert story.pk in ids(get(client, ITEMS, key))
    item = get(client, f"{ITEMS}/{story.pk}", key).json()
    assert item["embargoed"] == lifted.astimezone(UTC).isoformat(
        timespec="seconds"
    ).replace("+00:00", "Z")
    since = (lifted - timedelta(seconds=30)).isoformat()
    assert ids(get(client, ITEMS, key, updated_since=since)) == [story.pk]


def test_story_retracted_under_embargo_is_never_served(
    client: Client, key: str, make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story(embargo_until=timezone.now() + timedelta(hours=2))
    actions.retract_story(story, by=admin_user, note="Pulled before release.")
    # Later the embargo's time passes: the story was retracted before it.
    now = timezone.now()
    set_times(
        story,
        embargo_until=now - timedelta(minutes=1),
        retracted_at=now - timedelta(minutes=2),
    )
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert story.pk not in ids(get(client, ITEMS, key, updated_since=since))
    assert get(client, f"{ITEMS}/{story.pk}", key).status_code == 404


def test_drafts_and_scheduled_stories_answer_404(
    client: Client, key: str, make_story: StoryFactory, admin_user: User
) -> None:
    draft = make_story(publish=False)
    scheduled = make_story(publish=False)
    actions.schedule_story(
        scheduled, by=admin_user, at=timezone.now() + timedelta(hours=1)
    )
    for story in (draft, scheduled):
        response = get(client, f"{ITEMS}/{story.pk}", key)
        assert response.status_code == 404
        assert response.json()["error"]
    assert get(client, f"{ITEMS}/999999", key).status_code == 404
    assert ids(get(client, ITEMS, key)) == []


def test_retracted_story_answers_canceled_without_text(
    client: Client, key: str, make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story()
    actions.retract_story(story, by=admin_user, note="Wrong figures.")
    response = get(client, f"{ITEMS}/{story.pk}", key)
    assert response.status_code == 200
    item = response.json()
    assert item["pubstatus"] == "canceled"
    assert item["uri"] == f"urn:herald:story:{story.pk}"
    assert not {"bodies", "descriptions", "associations", "subjects"} & set(item)


# --- editions -----------------------------------------------------------------
def test_one_story_on_three_editions_is_listed_once_per_edition_with_one_uri(
    client: Client,
    key: str,
    make_story: StoryFactory,
    japan: Edition,
    india: Edition,
    admin_user: User,
) -> None:
    korea = make_edition("korea-herald", "Korea Herald", "Asia/Seoul")
    Edition.objects.filter(pk=india.pk).update(language="en-IN")
    story = make_story(editions=[japan, india, korea])
    LocalVersion.objects.create(story=story, edition=india, headline="India's view")
    uris = set()
    by_edition = {}
    for slug in ("japan-herald", "india-herald", "korea-herald"):
        (item,) = items_of(get(client, ITEMS, key, edition=slug))
        uris.add(item["uri"])
        by_edition[slug] = item
    assert uris == {f"urn:herald:story:{story.pk}"}
    assert ids(get(client, ITEMS, key)) == [story.pk]  # once without a filter too
    india_item = by_edition["india-herald"]
    assert india_item["language"] == "en-IN"
    assert india_item["headlines"][0]["value"] == "India's view"
    canonical = {a["role"]: a["value"] for a in india_item["altids"]}["canonical"]
    assert canonical.startswith("http://india-herald.localhost/news/")
    korea_links = {a["role"]: a["value"] for a in by_edition["korea-herald"]["altids"]}
    assert korea_links["canonical"].startswith("http://japan-herald.localhost/news/")
    assert korea_links["url"].startswith("http://korea-herald.localhost/news/")


def test_edition_host_defaults_the_edition_filter(
    key: str, make_story: StoryFactory, india: Edition
) -> None:
    make_story()
    india_story = make_story(editions=[india])
    on_india = Client(HTTP_HOST="india-herald.localhost")
    assert ids(get(on_india, ITEMS, key)) == [india_story.pk]
    assert ids(get(Client(), ITEMS, key, edition="india-herald")) == [india_story.pk]


def test_partner_limited_to_editions_gets_403_for_others(
    client: Client,
    partner: ApiPartner,
    key: str,
    make_story: StoryFactory,
    japan: Edition,
    india: Edition,
) -> None:
    partner.editions.set([india])
    japan_story = make_story()
    india_story = make_story(editions=[india])
    both = make_story(editions=[japan, india])
    response = get(client, ITEMS, key, edition="japan-herald")
    assert response.status_code == 403
    assert "Japan Herald" in response.json()["error"]
    assert sorted(ids(get(client, ITEMS, key))) == sorted([india_story.pk, both.pk])
    assert get(client, f"{ITEMS}/{japan_story.pk}", key).status_code == 404
    assert get(client, f"{ITEMS}/{india_story.pk}", key).status_code == 200
    on_japan = Client(HTTP_HOST="japan-herald.localhost")
    assert get(on_japan, ITEMS, key).status_code == 403
    # A story of another origin is shown as the partner's own edition shows it.
    item = get(client, f"{ITEMS}/{both.pk}", key).json()
    url = {a["role"]: a["value"] for a in item["altids"]}["url"]
    assert url.startswith("http://india-herald.localhost/")


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
    assert raw not in stored.secret_hash and raw.split("_")[2] not in stored.prefix
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
