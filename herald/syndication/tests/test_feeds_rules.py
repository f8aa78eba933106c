"""RSS and Atom feeds: the validator's structural rules, what never appears, caching."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from herald.accounts.models import User
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import Author, Place, Section, Tag
from herald.stories.tests.factories import StoryFactory
from herald.syndication.tests.feeds_support import (
    ATOM,
    JAPAN,
    KINDS,
    MEDIA,
    ORIGIN,
    attach_photo,
    get_feed,
    parse_feed,
    parse_xml,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    """On the Japan edition's host, not the API's client from conftest.py."""
    return Client(HTTP_HOST=JAPAN)


def _check_rss(root: ET.Element) -> None:
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    for name in ("title", "link", "description", "language", "lastBuildDate"):
        assert (channel.findtext(name) or "").strip(), name
    assert channel.findtext("link", "").startswith("http://")
    parsedate_to_datetime(channel.findtext("lastBuildDate", ""))
    [self_link] = channel.findall(f"{ATOM}link")
    assert self_link.get("rel") == "self"
    assert self_link.get("href", "").startswith("http://")
    items = channel.findall("item")
    assert items
    for item in items:
        assert item.findtext("title")
        assert item.findtext("link", "").startswith("http://")
        guid = item.find("guid")
        assert guid is not None and guid.get("isPermaLink") == "true"
        assert (guid.text or "").startswith("http://")
        assert parsedate_to_datetime(item.findtext("pubDate", "")).tzinfo
        enclosure = item.find("enclosure")
        assert enclosure is not None
        assert enclosure.get("url", "").startswith("http://")
        assert int(enclosure.get("length", "")) > 0
        assert enclosure.get("type") == "image/jpeg"
        media = item.find(f"{MEDIA}content")
        assert media is not None and media.findtext(f"{MEDIA}credit")


def _check_atom(root: ET.Element) -> None:
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{name}") or "").strip(), name
    datetime.fromisoformat(root.findtext(f"{ATOM}updated", ""))
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Japan Herald"
    links = {
        link.get("rel"): link.get("href", "") for link in root.findall(f"{ATOM}link")
    }
    assert links["self"].startswith("http://") and links["self"].endswith(".atom")
    assert links["alternate"].startswith("http://")
    entries = root.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        for name in ("id", "title", "updated", "published", "summary"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        assert entry.findtext(f"{ATOM}id", "").startswith("http://")
        assert datetime.fromisoformat(entry.findtext(f"{ATOM}updated", "")).tzinfo
        rels = {link.get("rel"): link for link in entry.findall(f"{ATOM}link")}
        assert rels["alternate"].get("href", "").startswith("http://")
        assert rels["enclosure"].get("href", "").startswith("http://")
        assert int(rels["enclosure"].get("length", "")) > 0


@pytest.mark.parametrize(("name", "kwargs"), KINDS)
def test_feeds_meet_the_validators_structural_rules(
    client: Client, make_story: StoryFactory, name: str, kwargs: dict[str, str]
) -> None:
    attach_photo(make_story())  # no author: the Atom feed's own author covers it
    response = get_feed(client, name, **kwargs)
    root = parse_xml(response.content)
    if name.endswith("_rss"):
        assert response["Content-Type"].startswith("application/rss+xml")
        _check_rss(root)
    else:
        assert response["Content-Type"].startswith("application/atom+xml")
        _check_atom(root)


def test_section_feed_is_titled_and_linked_to_its_section(
    client: Client, make_story: StoryFactory
) -> None:
    make_story()
    parsed = parse_feed(client.get("/feeds/section/world.atom"))
    assert parsed.feed.title == "Japan Herald: World"
    assert parsed.feed.link == f"{ORIGIN}/section/world/"
    assert parsed.feed.language == "en"
    place = parse_feed(client.get("/feeds/place/tokyo-japan.rss"))
    assert place.feed.title == "Japan Herald: Tokyo, Japan"
    assert place.feed.link == f"{ORIGIN}/place/tokyo-japan/"


def test_unpublished_embargoed_and_retracted_stories_are_absent(
    client: Client, make_story: StoryFactory, admin_user: User
) -> None:
    shown = make_story(headline="Shown")
    make_story(headline="Draft", publish=False)
    scheduled = make_story(headline="Scheduled", publish=False)
    actions.schedule_story(
        scheduled, by=admin_user, at=timezone.now() + timedelta(hours=2)
    )
    make_story(headline="Embargoed", embargo_until=timezone.now() + timedelta(hours=2))
    retracted = make_story(headline="Retracted")
    actions.retract_story(retracted, by=admin_user, note="Wrong facts.")
    for url in ("/feeds/latest.rss", "/feeds/latest.atom"):
        parsed = parse_feed(client.get(url))
        assert [e.title for e in parsed.entries] == [shown.headline]


def test_story_of_another_edition_is_absent(
    client: Client, make_story: StoryFactory, india: Edition
) -> None:
    make_story(headline="Only in India", editions=[india])
    assert parse_feed(client.get("/feeds/latest.rss")).entries == []
    india_feed = parse_feed(
        Client(HTTP_HOST="india-herald.localhost").get("/feeds/latest.rss")
    )
    assert [e.title for e in india_feed.entries] == ["Only in India"]


def test_section_and_place_feeds_hold_only_their_stories(
    client: Client, make_story: StoryFactory, section: Section
) -> None:
    business = Section.objects.create(name="Business", slug="business")
    osaka = Place.objects.create(
        name="Osaka", slug="osaka-japan", country="Japan", country_code="JP"
    )
    world_tokyo = make_story(headline="World in Tokyo")
    business_osaka = make_story(
        headline="Business in Osaka",
        primary_section=business,
        dateline_city="Osaka",
        dateline_place=osaka,
    )
    also_world = make_story(headline="Business and world", sections=[section])

    def titles(url: str) -> set[str]:
        return {e.title for e in parse_feed(client.get(url)).entries}

    assert titles("/feeds/section/world.rss") == {
        world_tokyo.headline,
        also_world.headline,
    }
    assert titles("/feeds/section/business.atom") == {business_osaka.headline}
    assert titles("/feeds/place/osaka-japan.rss") == {business_osaka.headline}
    assert business_osaka.headline not in titles("/feeds/place/tokyo-japan.atom")


@pytest.mark.parametrize(
    "url",
    ["/feeds/section/nope.rss", "/feeds/section/nope.atom", "/feeds/place/nope.rss"],
)
def test_unknown_section_or_place_answers_404(
    client: Client, section: Section, url: str
) -> None:
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/feeds/latest.rss", "/feeds/section/world.atom"])
def test_unknown_host_answers_404(japan: Edition, section: Section, url: str) -> None:
    assert Client(HTTP_HOST="localhost").get(url).status_code == 404


def test_feed_is_a_cacheable_public_response_with_304(
    client: Client, make_story: StoryFactory
) -> None:
    make_story()
    response = client.get("/feeds/latest.atom")
    assert "public" in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]
    assert not response.cookies and not response.has_header("Set-Cookie")
    again = client.get("/feeds/latest.atom", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert not again.cookies


def test_feeds_answer_only_safe_methods(client: Client, japan: Edition) -> None:
    assert client.post("/feeds/latest.rss").status_code == 405


@override_settings(HERALD_FEED_ITEMS=2)
def test_feed_holds_the_newest_stories_up_to_the_setting(
    client: Client, make_story: StoryFactory
) -> None:
    old = make_story(ago=timedelta(hours=3))
    middle = make_story(ago=timedelta(hours=2))
    new = make_story(ago=timedelta(hours=1))
    titles = [e.title for e in parse_feed(client.get("/feeds/latest.rss")).entries]
    assert titles == [new.headline, middle.headline]
    assert old.headline not in titles


@override_settings(HERALD_RENDER_CACHE=False)
@pytest.mark.parametrize("url", ["/feeds/latest.rss", "/feeds/section/world.atom"])
def test_feed_queries_do_not_grow_with_items(
    client: Client, make_story: StoryFactory, author: Author, url: str
) -> None:
    tag = Tag.objects.create(name="Ferries", slug="ferries")

    def add_story() -> None:
        attach_photo(make_story(author=author, tags=[tag]))

    add_story()
    client.get(url)  # the edition middleware loads its host map once
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(4):
        add_story()
    with CaptureQueriesContext(connection) as five:
        assert len(parse_feed(client.get(url)).entries) == 5
    assert len(five) == len(one)
