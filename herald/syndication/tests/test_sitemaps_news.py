"""The Google News sitemap with Google's required elements, and robots.txt."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from herald.editions.models import Edition
from herald.stories.models import Provenance, Story
from herald.stories.tests.factories import StoryFactory
from herald.syndication import sitemaps
from herald.syndication.tests.sitemaps_support import (
    INDIA,
    JAPAN,
    NEWS,
    NEWS_NS,
    SM,
    assert_valid,
    get_xml,
    news_items,
    story_locs,
    story_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(japan: Edition) -> Client:
    """On the Japan edition's host, not the API's client from conftest.py."""
    return Client(HTTP_HOST=JAPAN)


# --- Google News sitemap ------------------------------------------------------------


def test_news_sitemap_validates_and_carries_googles_required_elements(
    client: Client, make_story: StoryFactory, japan: Edition
) -> None:
    japan.language = "en-JP"
    japan.save()
    story = make_story(headline="Harbour plan <approved> & funded")
    Story.objects.filter(pk=story.pk).update(
        published_at=timezone.now().replace(microsecond=0) - timedelta(hours=3)
    )
    story.refresh_from_db()
    assert story.published_at is not None
    root = get_xml(client, "/news-sitemap.xml")
    assert root.nsmap["news"] == NEWS_NS
    assert news_items(root) == [
        {
            "loc": story_url(story),
            "name": "Japan Herald",
            "language": "en",
            "date": story.published_at.astimezone(
                timezone.get_fixed_timezone(9 * 60)
            ).isoformat(),
            "title": "Harbour plan <approved> & funded",
        }
    ]
    # The sitemaps.org schema checks the rest once Google's elements are removed.
    for element in list(root.iter(f"{NEWS}news")):
        element.getparent().remove(element)
    assert_valid("sitemap.xsd", root)


def test_news_sitemap_holds_the_last_48_hours_newest_first(
    client: Client, make_story: StoryFactory
) -> None:
    old = make_story(ago=timedelta(hours=49))
    older = make_story(ago=timedelta(hours=47))
    newest = make_story(ago=timedelta(minutes=5))
    # Published days ago under an embargo that lifted an hour ago: new to readers.
    lifted = make_story(ago=timedelta(days=3))
    Story.objects.filter(pk=lifted.pk).update(
        embargo_until=timezone.now() - timedelta(hours=1)
    )
    locs = [i["loc"] for i in news_items(get_xml(client, "/news-sitemap.xml"))]
    assert locs == [story_url(newest), story_url(lifted), story_url(older)]
    assert story_url(old) in story_locs(client, JAPAN)


def test_news_sitemap_leaves_out_news_releases(
    client: Client, make_story: StoryFactory
) -> None:
    staff = make_story()
    wire = make_story(provenance=Provenance.WIRE, agency="Kyodo")
    release = make_story(provenance=Provenance.RELEASE)
    locs = [i["loc"] for i in news_items(get_xml(client, "/news-sitemap.xml"))]
    assert sorted(locs) == sorted([story_url(staff), story_url(wire)])
    # The ordinary sitemap still lists the release's page.
    assert story_url(release) in story_locs(client, JAPAN)


def test_news_sitemap_stops_at_its_cap_keeping_the_newest(
    client: Client, make_story: StoryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sitemaps.NEWS_MAX_URLS == 1000  # Google reads no more
    monkeypatch.setattr(sitemaps, "NEWS_MAX_URLS", 3)
    stories = [make_story(ago=timedelta(hours=n + 1)) for n in range(4)]
    locs = [i["loc"] for i in news_items(get_xml(client, "/news-sitemap.xml"))]
    assert locs == [story_url(s) for s in stories[:3]]


def test_news_title_drops_characters_xml_cannot_carry(
    client: Client, make_story: StoryFactory
) -> None:
    story = make_story()
    # Wire copy arrives with stray control characters; saving bypasses the desk.
    Story.objects.filter(pk=story.pk).update(headline="Quake\x0b hits \x1fcoast")
    items = news_items(get_xml(client, "/news-sitemap.xml"))
    assert [i["title"] for i in items] == ["Quake hits coast"]


def test_empty_news_sitemap_is_well_formed(client: Client) -> None:
    root = get_xml(client, "/news-sitemap.xml")
    assert root.tag == f"{SM}urlset" and len(root) == 0


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("en", "en"),
        ("en-IN", "en"),
        ("hi-IN", "hi"),
        ("ja", "ja"),
        ("zh-CN", "zh-cn"),
        ("zh-TW", "zh-tw"),
        ("zh-Hans", "zh-cn"),
        ("zh-Hant-HK", "zh-tw"),
        ("zh", "zh-cn"),
        ("fil", "fil"),
    ],
)
def test_news_language_is_the_iso_639_code_google_wants(
    language: str, code: str
) -> None:
    assert sitemaps.news_language(language) == code


# --- robots.txt ---------------------------------------------------------------------


def test_robots_txt_names_the_editions_own_sitemaps(
    japan: Edition, india: Edition
) -> None:
    for host in (JAPAN, INDIA):
        response = Client(HTTP_HOST=host).get("/robots.txt")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        lines = response.content.decode().splitlines()
        assert "User-agent: *" in lines
        assert "Disallow: /desk/" in lines
        assert [line for line in lines if line.startswith("Sitemap:")] == [
            f"Sitemap: http://{host}/sitemap.xml",
            f"Sitemap: http://{host}/news-sitemap.xml",
        ]


def test_robots_txt_on_the_production_host_names_that_host(japan: Edition) -> None:
    body = Client(HTTP_HOST="japan-herald.example.com").get("/robots.txt")
    assert "Sitemap: http://japan-herald.example.com/sitemap.xml" in (
        body.content.decode()
    )


def test_robots_txt_of_the_network_index_names_no_sitemap(japan: Edition) -> None:
    response = Client(HTTP_HOST="localhost").get("/robots.txt")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Disallow: /desk/" in body
    assert "Sitemap:" not in body
