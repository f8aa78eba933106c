"""RSS and Atom feeds: what each item carries, what never appears, the W3C
validator's structural rules, and caching."""

import calendar
import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from conftest import StoryFactory, make_edition
from herald.accounts.models import User
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import Author, Place, Section, Story, StoryImage, Tag

pytestmark = pytest.mark.django_db

JAPAN = "japan-herald.localhost"
ORIGIN = f"http://{JAPAN}"
ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
AT = datetime(2025, 4, 4, 16, 0, tzinfo=UTC)

KINDS = [
    ("feeds:latest_rss", {}),
    ("feeds:latest_atom", {}),
    ("feeds:section_rss", {"slug": "world"}),
    ("feeds:section_atom", {"slug": "world"}),
    ("feeds:place_rss", {"slug": "tokyo-japan"}),
    ("feeds:place_atom", {"slug": "tokyo-japan"}),
]


@pytest.fixture
def client() -> Client:
    return Client(HTTP_HOST=JAPAN)


def _parse(response: Any) -> Any:
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def _get(client: Client, name: str, **kwargs: str) -> Any:
    return client.get(reverse(name, kwargs=kwargs or None))


def _at(story: Story, moment: datetime = AT) -> Story:
    Story.objects.filter(pk=story.pk).update(published_at=moment)
    story.refresh_from_db()
    return story


def _attach(story: Story, credit: str = "Kyodo / Ken Sato") -> StoryImage:
    upload = io.BytesIO()
    Image.new("RGB", (120, 80), (20, 90, 160)).save(upload, "JPEG")
    upload.seek(0)
    return actions.attach_image(
        story,
        by=None,
        upload=upload,
        caption="Ferries <b>wait</b> & rest",
        credit=credit,
        alt_text="Ferries at the pier",
    )


def _xml(content: bytes) -> ET.Element:
    """Parse a feed of our own, which must carry no DTD (defusedxml's rule)."""
    assert b"<!DOCTYPE" not in content.upper()
    return ET.fromstring(content)  # noqa: S314 - our own output, without a DTD


def _instant(parsed_time: Any) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(parsed_time), tz=UTC)


def _terms(entry: Any) -> list[str]:
    return [tag["term"] for tag in entry.get("tags", [])]


@pytest.mark.parametrize(("name", "kwargs"), KINDS)
def test_every_feed_kind_parses_cleanly_and_lists_the_story(
    client: Client,
    make_story: StoryFactory,
    author: Author,
    name: str,
    kwargs: dict[str, str],
) -> None:
    story = _at(make_story(author=author))
    _attach(story)
    parsed = _parse(_get(client, name, **kwargs))
    assert parsed.feed.title.startswith("Japan Herald")
    assert [e.link for e in parsed.entries] == [f"{ORIGIN}{story.get_absolute_url()}"]
    entry = parsed.entries[0]
    assert entry.title == story.headline
    assert entry.id == f"{ORIGIN}{story.get_absolute_url()}"
    assert _instant(entry.published_parsed) == AT
    assert entry.author == "Aiko Tanaka"
    assert {"World", "Provenance: Staff"} <= set(_terms(entry))


def test_rss_item_carries_full_text_guid_enclosure_and_media_credit(
    client: Client, make_story: StoryFactory, author: Author
) -> None:
    story = _at(make_story(author=author))
    image = _attach(story)
    entry = _parse(client.get("/feeds/latest.rss")).entries[0]
    assert entry.guidislink is False  # an explicit permalink guid, not the <link>
    assert '<span class="dateline">TOKYO, Japan:</span> Officials said' in (
        entry.description
    )
    assert "Second paragraph." in entry.description
    large = f"{ORIGIN}{image.large.url}"
    [enclosure] = entry.enclosures
    assert enclosure.href == large
    assert enclosure.type == "image/jpeg"
    assert int(enclosure.length) == image.large.size > 0
    [media] = entry.media_content
    assert media["url"] == large and media["medium"] == "image"
    assert media["filesize"] == str(image.large.size)
    assert entry.media_credit[0]["content"] == "Kyodo / Ken Sato"


def test_atom_entry_has_teaser_summary_and_full_text_content(
    client: Client, make_story: StoryFactory, author: Author
) -> None:
    story = _at(make_story(author=author))
    image = _attach(story)
    entry = _parse(client.get("/feeds/latest.atom")).entries[0]
    assert entry.summary.startswith("TOKYO, Japan: Officials said")
    assert entry.summary.endswith("...")
    [content] = entry.content
    assert content.type == "text/html"
    assert "Second paragraph." in content.value
    [enclosure] = [link for link in entry.links if link.rel == "enclosure"]
    assert enclosure.href == f"{ORIGIN}{image.large.url}"
    assert int(enclosure.length) == image.large.size
    assert entry.media_credit[0]["content"] == "Kyodo / Ken Sato"


@override_settings(HERALD_FEED_FULL_TEXT=False)
def test_excerpt_setting_sends_only_the_teaser(
    client: Client, make_story: StoryFactory
) -> None:
    _at(make_story())
    rss = _parse(client.get("/feeds/latest.rss")).entries[0]
    assert rss.description.startswith("TOKYO, Japan: Officials said")
    assert "Second paragraph." not in rss.description
    atom = _parse(client.get("/feeds/latest.atom")).entries[0]
    assert "content" not in atom
    assert "Second paragraph." not in atom.summary


def test_atom_updated_is_the_update_time_and_rss_dates_are_rfc_822(
    client: Client, make_story: StoryFactory
) -> None:
    story = _at(make_story())
    later = AT + timedelta(hours=3)
    Story.objects.filter(pk=story.pk).update(updated_at=later)
    atom = _parse(client.get("/feeds/latest.atom"))
    assert _instant(atom.entries[0].published_parsed) == AT
    assert _instant(atom.entries[0].updated_parsed) == later
    assert _instant(atom.feed.updated_parsed) == later
    root = _xml(client.get("/feeds/latest.rss").content)
    pub_date = root.findtext("channel/item/pubDate") or ""
    # In the edition's own zone, which names the same instant.
    assert pub_date.endswith("+0900")
    assert parsedate_to_datetime(pub_date) == AT


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
    _attach(make_story())  # no author: the Atom feed's own author covers it
    response = _get(client, name, **kwargs)
    root = _xml(response.content)
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
    parsed = _parse(client.get("/feeds/section/world.atom"))
    assert parsed.feed.title == "Japan Herald: World"
    assert parsed.feed.link == f"{ORIGIN}/section/world/"
    assert parsed.feed.language == "en"
    place = _parse(client.get("/feeds/place/tokyo-japan.rss"))
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
        parsed = _parse(client.get(url))
        assert [e.title for e in parsed.entries] == [shown.headline]


def test_story_of_another_edition_is_absent(
    client: Client, make_story: StoryFactory, india: Edition
) -> None:
    make_story(headline="Only in India", editions=[india])
    assert _parse(client.get("/feeds/latest.rss")).entries == []
    india_feed = _parse(
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
        return {e.title for e in _parse(client.get(url)).entries}

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


def test_news_release_is_labelled_in_categories(
    client: Client, make_story: StoryFactory
) -> None:
    release = make_story(
        headline="Harbour Co. opens a ferry line", provenance="release"
    )
    for url in ("/feeds/latest.rss", "/feeds/latest.atom"):
        entry = _parse(client.get(url)).entries[0]
        assert entry.title == release.headline  # labelled by category, not title
        assert {"News release", "Provenance: News release"} <= set(_terms(entry))


def test_wire_copy_credits_the_agency_as_author_and_provenance(
    client: Client, make_story: StoryFactory
) -> None:
    tag = Tag.objects.create(name="Ferries", slug="ferries")
    make_story(provenance="wire", agency="Kyodo News", tags=[tag])
    for url in ("/feeds/latest.rss", "/feeds/latest.atom"):
        entry = _parse(client.get(url)).entries[0]
        assert entry.author == "Kyodo News"
        assert {"World", "Ferries", "Provenance: Wire: Kyodo News"} <= set(
            _terms(entry)
        )


def test_hostile_headline_stays_well_formed_text(
    client: Client, make_story: StoryFactory
) -> None:
    hostile = "Ports & <script>alert(1)</script> ]]> close"
    make_story(headline=hostile, body="<p>A & B <script>x()</script>]]></p>")
    rss = client.get("/feeds/latest.rss")
    atom = client.get("/feeds/latest.atom")
    for response in (rss, atom):
        _xml(response.content)  # raises on broken XML
        assert b"<script>" not in response.content
    assert _xml(atom.content).findtext(f"{ATOM}entry/{ATOM}title") == hostile
    # RSS readers may treat a title as HTML, so its markup arrives escaped.
    assert (
        _xml(rss.content).findtext("channel/item/title")
        == "Ports &amp; &lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; close"
    )
    assert _parse(atom).entries[0].title == hostile


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


def test_one_story_on_three_editions_links_each_edition_with_one_guid(
    make_story: StoryFactory, japan: Edition, india: Edition
) -> None:
    asia = make_edition("asia-herald", "Asia Herald", "Asia/Singapore")
    story = make_story(editions=[japan, india, asia])
    path = story.get_absolute_url()
    guids = set()
    for edition in (japan, india, asia):
        host = f"{edition.slug}.localhost"
        for url in ("/feeds/latest.rss", "/feeds/latest.atom"):
            parsed = _parse(Client(HTTP_HOST=host).get(url))
            [entry] = parsed.entries
            assert entry.link == f"http://{host}{path}"
            guids.add(entry.id)
        assert parsed.feed.title == edition.name
    assert guids == {f"{ORIGIN}{path}"}


def test_dates_read_in_each_editions_zone(
    make_story: StoryFactory, japan: Edition, india: Edition
) -> None:
    _at(make_story(editions=[japan, india]))
    response = Client(HTTP_HOST="india-herald.localhost").get("/feeds/latest.rss")
    pub_date = _xml(response.content).findtext("channel/item/pubDate") or ""
    assert pub_date == "Fri, 04 Apr 2025 21:30:00 +0530"


@override_settings(HERALD_FEED_ITEMS=2)
def test_feed_holds_the_newest_stories_up_to_the_setting(
    client: Client, make_story: StoryFactory
) -> None:
    old = make_story(ago=timedelta(hours=3))
    middle = make_story(ago=timedelta(hours=2))
    new = make_story(ago=timedelta(hours=1))
    titles = [e.title for e in _parse(client.get("/feeds/latest.rss")).entries]
    assert titles == [new.headline, middle.headline]
    assert old.headline not in titles


@override_settings(HERALD_RENDER_CACHE=False)
@pytest.mark.parametrize("url", ["/feeds/latest.rss", "/feeds/section/world.atom"])
def test_feed_queries_do_not_grow_with_items(
    client: Client, make_story: StoryFactory, author: Author, url: str
) -> None:
    tag = Tag.objects.create(name="Ferries", slug="ferries")

    def add_story() -> None:
        _attach(make_story(author=author, tags=[tag]))

    add_story()
    client.get(url)  # the edition middleware loads its host map once
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(4):
        add_story()
    with CaptureQueriesContext(connection) as five:
        assert len(_parse(client.get(url)).entries) == 5
    assert len(five) == len(one)


def test_control_characters_in_wire_copy_do_not_break_the_feed(
    client: Client, make_story: StoryFactory
) -> None:
    make_story(
        headline="Ports\x0bclose",
        body="<p>Ferries\x0c stop.</p>",
        provenance="wire",
        agency="Kyodo\x1b News",
    )
    for url in ("/feeds/latest.rss", "/feeds/latest.atom"):
        entry = _parse(client.get(url)).entries[0]
        assert entry.title == "Portsclose"
        assert entry.author == "Kyodo News"


def test_story_whose_image_file_is_gone_is_listed_without_enclosure(
    client: Client, make_story: StoryFactory
) -> None:
    story = make_story()
    image = _attach(story)
    image.large.storage.delete(image.large.name)
    for url in ("/feeds/latest.rss", "/feeds/latest.atom"):
        [entry] = _parse(client.get(url)).entries
        assert entry.title == story.headline
        assert not entry.get("enclosures")
        assert "media_content" not in entry
