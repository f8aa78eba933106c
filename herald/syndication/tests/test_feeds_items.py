"""RSS and Atom feeds: what each item carries, for every kind of feed and edition."""

from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from django.test import Client, override_settings

from herald.editions.models import Edition
from herald.editions.tests.factories import make_edition
from herald.stories.models import Author, Story, Tag
from herald.stories.tests.factories import StoryFactory
from herald.syndication.tests.feeds_support import (
    AT,
    ATOM,
    JAPAN,
    KINDS,
    ORIGIN,
    attach_photo,
    get_feed,
    instant,
    parse_feed,
    parse_xml,
    publish_at,
    terms_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    """On the Japan edition's host, not the API's client from conftest.py."""
    return Client(HTTP_HOST=JAPAN)


@pytest.mark.parametrize(("name", "kwargs"), KINDS)
def test_every_feed_kind_parses_cleanly_and_lists_the_story(
    client: Client,
    make_story: StoryFactory,
    author: Author,
    name: str,
    kwargs: dict[str, str],
) -> None:
    story = publish_at(make_story(author=author))
    attach_photo(story)
    parsed = parse_feed(get_feed(client, name, **kwargs))
    assert parsed.feed.title.startswith("Japan Herald")
    assert [e.link for e in parsed.entries] == [f"{ORIGIN}{story.get_absolute_url()}"]
    entry = parsed.entries[0]
    assert entry.title == story.headline
    assert entry.id == f"{ORIGIN}{story.get_absolute_url()}"
    assert instant(entry.published_parsed) == AT
    assert entry.author == "Aiko Tanaka"
    assert {"World", "Provenance: Staff"} <= set(terms_of(entry))


def test_rss_item_carries_full_text_guid_enclosure_and_media_credit(
    client: Client, make_story: StoryFactory, author: Author
) -> None:
    story = publish_at(make_story(author=author))
    image = attach_photo(story)
    entry = parse_feed(client.get("/feeds/latest.rss")).entries[0]
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
    story = publish_at(make_story(author=author))
    image = attach_photo(story)
    entry = parse_feed(client.get("/feeds/latest.atom")).entries[0]
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
    publish_at(make_story())
    rss = parse_feed(client.get("/feeds/latest.rss")).entries[0]
    assert rss.description.startswith("TOKYO, Japan: Officials said")
    assert "Second paragraph." not in rss.description
    atom = parse_feed(client.get("/feeds/latest.atom")).entries[0]
    assert "content" not in atom
    assert "Second paragraph." not in atom.summary


def test_atom_updated_is_the_update_time_and_rss_dates_are_rfc_822(
    client: Client, make_story: StoryFactory
) -> None:
    story = publish_at(make_story())
    later = AT + timedelta(hours=3)
    Story.objects.filter(pk=story.pk).update(updated_at=later)
    atom = parse_feed(client.get("/feeds/latest.atom"))
    assert instant(atom.entries[0].published_parsed) == AT
    assert instant(atom.entries[0].updated_parsed) == later
    assert instant(atom.feed.updated_parsed) == later
    root = parse_xml(client.get("/feeds/latest.rss").content)
    pub_date = root.findtext("channel/item/pubDate") or ""
    # In the edition's own zone, which names the same instant.
    assert pub_date.endswith("+0900")
    assert parsedate_to_datetime(pub_date) == AT


def test_news_release_is_labelled_in_categories(
    client: Client, make_story: StoryFactory
) -> None:
    release = make_story(
        headline="Harbour Co. opens a ferry line", provenance="release"
    )
    for url in ("/feeds/latest.rss", "/feeds/latest.atom"):
        entry = parse_feed(client.get(url)).entries[0]
        assert entry.title == release.headline  # labelled by category, not title
        assert {"News release", "Provenance: News release"} <= set(terms_of(entry))


def test_wire_copy_credits_the_agency_as_author_and_provenance(
    client: Client, make_story: StoryFactory
) -> None:
    tag = Tag.objects.create(name="Ferries", slug="ferries")
    make_story(provenance="wire", agency="Kyodo News", tags=[tag])
    for url in ("/feeds/latest.rss", "/feeds/latest.atom"):
        entry = parse_feed(client.get(url)).entries[0]
        assert entry.author == "Kyodo News"
        assert {"World", "Ferries", "Provenance: Wire: Kyodo News"} <= set(
            terms_of(entry)
        )


def test_hostile_headline_stays_well_formed_text(
    client: Client, make_story: StoryFactory
) -> None:
    hostile = "Ports & <script>alert(1)</script> ]]> close"
    make_story(headline=hostile, body="<p>A & B <script>x()</script>]]></p>")
    rss = client.get("/feeds/latest.rss")
    atom = client.get("/feeds/latest.atom")
    for response in (rss, atom):
        parse_xml(response.content)  # raises on broken XML
        assert b"<script>" not in response.content
    assert parse_xml(atom.content).findtext(f"{ATOM}entry/{ATOM}title") == hostile
    # RSS readers may treat a title as HTML, so its markup arrives escaped.
    assert (
        parse_xml(rss.content).findtext("channel/item/title")
        == "Ports &amp; &lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; close"
    )
    assert parse_feed(atom).entries[0].title == hostile


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
            parsed = parse_feed(Client(HTTP_HOST=host).get(url))
            [entry] = parsed.entries
            assert entry.link == f"http://{host}{path}"
            guids.add(entry.id)
        assert parsed.feed.title == edition.name
    assert guids == {f"{ORIGIN}{path}"}


def test_dates_read_in_each_editions_zone(
    make_story: StoryFactory, japan: Edition, india: Edition
) -> None:
    publish_at(make_story(editions=[japan, india]))
    response = Client(HTTP_HOST="india-herald.localhost").get("/feeds/latest.rss")
    pub_date = parse_xml(response.content).findtext("channel/item/pubDate") or ""
    assert pub_date == "Fri, 04 Apr 2025 21:30:00 +0530"


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
        entry = parse_feed(client.get(url)).entries[0]
        assert entry.title == "Portsclose"
        assert entry.author == "Kyodo News"


def test_story_whose_image_file_is_gone_is_listed_without_enclosure(
    client: Client, make_story: StoryFactory
) -> None:
    story = make_story()
    image = attach_photo(story)
    image.large.storage.delete(image.large.name)
    for url in ("/feeds/latest.rss", "/feeds/latest.atom"):
        [entry] = parse_feed(client.get(url)).entries
        assert entry.title == story.headline
        assert not entry.get("enclosures")
        assert "media_content" not in entry
