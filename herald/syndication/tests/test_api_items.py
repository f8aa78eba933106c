"""The ninjs API's items: valid ninjs 2.2, each field's content, filters, changes."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from herald.accounts.models import User
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import Place, Section, Tag
from herald.stories.tests.factories import StoryFactory
from herald.syndication.tests.api_support import (
    ITEMS,
    NINJS,
    SAMPLES,
    assert_ninjs,
    get,
    herald_id,
    ids,
    items_of,
    jpeg,
    set_times,
)

pytestmark = pytest.mark.django_db


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
