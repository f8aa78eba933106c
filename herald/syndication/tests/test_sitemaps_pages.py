"""Sitemaps: the index and story pages against the sitemaps.org schemas, and caching."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from herald.accounts.models import User
from herald.editions.middleware import forget_hosts
from herald.editions.models import Edition
from herald.editions.tests.factories import make_edition
from herald.stories import actions
from herald.stories.models import LocalVersion, Story
from herald.stories.tests.factories import StoryFactory
from herald.syndication.tests.sitemaps_support import (
    INDIA,
    JAPAN,
    SM,
    assert_valid,
    get_xml,
    locs_of,
    news_items,
    story_locs,
    story_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(japan: Edition) -> Client:
    """On the Japan edition's host, not the API's client from conftest.py."""
    return Client(HTTP_HOST=JAPAN)


# --- index and story pages ---------------------------------------------------------


def test_index_and_story_page_validate_against_the_sitemap_schemas(
    client: Client, make_story: StoryFactory
) -> None:
    stories = [make_story(headline=f"Tom & Jerry's <harbour> {n}") for n in range(3)]
    index = get_xml(client, "/sitemap.xml")
    assert_valid("siteindex.xsd", index)
    assert locs_of(index) == [
        f"http://{JAPAN}/sitemap-pages.xml",
        f"http://{JAPAN}/sitemap-stories-1.xml",
    ]
    page = get_xml(client, "/sitemap-stories-1.xml")
    assert_valid("sitemap.xsd", page)
    assert locs_of(page) == [story_url(s) for s in stories]
    pages = get_xml(client, "/sitemap-pages.xml")
    assert_valid("sitemap.xsd", pages)
    assert locs_of(pages) == [f"http://{JAPAN}/", f"http://{JAPAN}/section/world/"]


def test_index_of_an_edition_without_stories_lists_only_the_pages_sitemap(
    client: Client,
) -> None:
    index = get_xml(client, "/sitemap.xml")
    assert_valid("siteindex.xsd", index)
    assert locs_of(index) == [f"http://{JAPAN}/sitemap-pages.xml"]
    assert client.get("/sitemap-stories-1.xml").status_code == 404


def test_pages_of_two_list_five_stories_on_three_pages_once_each(
    client: Client, make_story: StoryFactory, settings: Any
) -> None:
    settings.HERALD_SITEMAP_PAGE_SIZE = 2
    stories = [make_story() for _ in range(5)]
    index = get_xml(client, "/sitemap.xml")
    assert [loc for loc in locs_of(index) if "stories" in loc] == [
        f"http://{JAPAN}/sitemap-stories-{n}.xml" for n in (1, 2, 3)
    ]
    listed = story_locs(client, JAPAN)
    assert sorted(listed) == sorted(story_url(s) for s in stories)
    assert len(listed) == len(set(listed)) == 5
    assert len(locs_of(get_xml(client, "/sitemap-stories-3.xml"))) == 1
    assert client.get("/sitemap-stories-4.xml").status_code == 404
    assert client.get("/sitemap-stories-0.xml").status_code == 404
    assert client.get("/sitemap-stories-x.xml").status_code == 404


def test_lastmod_is_the_update_or_publication_time_with_the_editions_offset(
    client: Client, make_story: StoryFactory, settings: Any
) -> None:
    settings.HERALD_SITEMAP_PAGE_SIZE = 2
    first, second, third = make_story(), make_story(), make_story()
    Story.objects.filter(pk=first.pk).update(
        published_at=datetime(2025, 4, 4, 16, 0, tzinfo=UTC)
    )
    Story.objects.filter(pk=second.pk).update(
        published_at=datetime(2025, 4, 4, 16, 0, tzinfo=UTC),
        updated_at=datetime(2025, 4, 6, 3, 30, tzinfo=UTC),
    )
    Story.objects.filter(pk=third.pk).update(
        published_at=datetime(2025, 5, 1, 0, 0, tzinfo=UTC),
        embargo_until=datetime(2025, 5, 2, 0, 0, tzinfo=UTC),
    )
    page = get_xml(client, "/sitemap-stories-1.xml")
    assert [e.text for e in page.iter(f"{SM}lastmod")] == [
        "2025-04-05T01:00:00+09:00",
        "2025-04-06T12:30:00+09:00",
    ]
    page = get_xml(client, "/sitemap-stories-2.xml")
    assert [e.text for e in page.iter(f"{SM}lastmod")] == ["2025-05-02T09:00:00+09:00"]
    # The index gives each page the latest change on it.
    index = get_xml(client, "/sitemap.xml")
    assert [e.text for e in index.iter(f"{SM}lastmod")] == [
        "2025-04-06T12:30:00+09:00",
        "2025-05-02T09:00:00+09:00",
    ]


def test_embargoed_retracted_and_draft_stories_are_absent(
    client: Client, make_story: StoryFactory, admin_user: User
) -> None:
    shown = make_story()
    make_story(embargo_until=timezone.now() + timedelta(hours=2))
    make_story(publish=False)
    retracted = make_story()
    actions.retract_story(retracted, by=admin_user, note="Wrong figures.")
    assert story_locs(client, JAPAN) == [story_url(shown)]
    assert [
        item["loc"] for item in news_items(get_xml(client, "/news-sitemap.xml"))
    ] == [story_url(shown)]


def test_shared_story_is_listed_only_by_its_origin_edition(
    make_story: StoryFactory, japan: Edition, india: Edition
) -> None:
    forget_hosts()
    korea = make_edition("korea-herald", "Korea Herald", "Asia/Seoul")
    story = make_story(editions=[japan, india, korea])
    hosts = {JAPAN: True, INDIA: False, "korea-herald.localhost": False}
    for host, listed in hosts.items():
        client = Client(HTTP_HOST=host)
        assert (story_url(story, host) in story_locs(client, host)) is listed, host
        news = news_items(get_xml(client, "/news-sitemap.xml"))
        assert (story_url(story, host) in [i["loc"] for i in news]) is listed, host


def test_local_version_puts_the_story_in_that_editions_sitemaps_too(
    make_story: StoryFactory, japan: Edition, india: Edition
) -> None:
    forget_hosts()
    korea = make_edition("korea-herald", "Korea Herald", "Asia/Seoul")
    story = make_story(editions=[japan, india, korea])
    LocalVersion.objects.create(
        story=story, edition=india, headline="Mumbai watches Tokyo's harbour plan"
    )
    LocalVersion.objects.create(story=story, edition=korea, headline="In Korean")
    for host in (JAPAN, INDIA, "korea-herald.localhost"):
        # Listed once, although the story has two local versions.
        assert story_locs(Client(HTTP_HOST=host), host) == [story_url(story, host)]
    news = news_items(get_xml(Client(HTTP_HOST=INDIA), "/news-sitemap.xml"))
    assert [(i["loc"], i["title"], i["name"]) for i in news] == [
        (story_url(story, INDIA), "Mumbai watches Tokyo's harbour plan", "India Herald")
    ]


def test_pages_mix_own_and_locally_versioned_stories_in_id_order(
    make_story: StoryFactory, japan: Edition, india: Edition, settings: Any
) -> None:
    settings.HERALD_SITEMAP_PAGE_SIZE = 2
    forget_hosts()
    first = make_story(editions=[india])
    versioned = make_story(editions=[japan, india])  # from Japan, localized below
    make_story(editions=[japan, india])  # from Japan, no local version: not listed
    third = make_story(editions=[india])
    fourth = make_story(editions=[india])
    LocalVersion.objects.create(story=versioned, edition=india, headline="Local")
    for story, day in ((first, 1), (versioned, 9), (third, 3), (fourth, 4)):
        Story.objects.filter(pk=story.pk).update(
            published_at=datetime(2025, 4, day, 0, 0, tzinfo=UTC)
        )
    client = Client(HTTP_HOST=INDIA)
    pages = [locs_of(get_xml(client, f"/sitemap-stories-{n}.xml")) for n in (1, 2)]
    assert pages == [
        [story_url(first, INDIA), story_url(versioned, INDIA)],
        [story_url(third, INDIA), story_url(fourth, INDIA)],
    ]
    index = get_xml(client, "/sitemap.xml")
    assert [e.text for e in index.iter(f"{SM}lastmod")] == [
        "2025-04-09T05:30:00+05:30",
        "2025-04-04T05:30:00+05:30",
    ]


def test_local_version_of_an_edition_the_story_is_not_on_lists_nothing(
    make_story: StoryFactory, japan: Edition, india: Edition
) -> None:
    story = make_story(editions=[japan])
    LocalVersion.objects.create(story=story, edition=india, headline="Elsewhere")
    assert story_locs(Client(HTTP_HOST=INDIA), INDIA) == []


def test_sitemaps_use_the_editions_production_host(
    japan: Edition, make_story: StoryFactory
) -> None:
    story = make_story()
    client = Client(HTTP_HOST="japan-herald.example.com")
    index = get_xml(client, "/sitemap.xml")
    assert "http://japan-herald.example.com/sitemap-stories-1.xml" in locs_of(index)
    page = get_xml(client, "/sitemap-stories-1.xml")
    assert locs_of(page) == [
        f"http://japan-herald.example.com{story.get_absolute_url()}"
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/sitemap.xml",
        "/sitemap-pages.xml",
        "/sitemap-stories-1.xml",
        "/news-sitemap.xml",
    ],
)
def test_sitemaps_answer_404_on_a_host_of_no_edition(
    make_story: StoryFactory, path: str
) -> None:
    make_story()
    assert Client(HTTP_HOST="localhost").get(path).status_code == 404


def test_story_page_makes_the_same_few_queries_whatever_its_size(
    client: Client,
    make_story: StoryFactory,
    settings: Any,
    django_assert_max_num_queries: Any,
) -> None:
    settings.HERALD_RENDER_CACHE = False
    for _ in range(12):
        make_story()
    client.get("/robots.txt")  # the host → edition map is now loaded
    counts = []
    for size in (2, 12):
        settings.HERALD_SITEMAP_PAGE_SIZE = size
        with (
            django_assert_max_num_queries(1),
            CaptureQueriesContext(connection) as queries,
        ):
            assert len(locs_of(get_xml(client, "/sitemap-stories-1.xml"))) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_index_makes_the_same_few_queries_whatever_the_number_of_pages(
    client: Client,
    make_story: StoryFactory,
    settings: Any,
    django_assert_max_num_queries: Any,
) -> None:
    settings.HERALD_RENDER_CACHE = False
    for _ in range(12):
        make_story()
    client.get("/robots.txt")  # the host → edition map is now loaded
    for size, pages in ((12, 1), (2, 6)):
        settings.HERALD_SITEMAP_PAGE_SIZE = size
        with django_assert_max_num_queries(2):
            index = get_xml(client, "/sitemap.xml")
        assert len(locs_of(index)) == pages + 1


def test_unchanged_sitemap_answers_304_to_its_etag(
    client: Client, make_story: StoryFactory
) -> None:
    make_story()
    for path in ("/sitemap.xml", "/sitemap-stories-1.xml", "/news-sitemap.xml"):
        first = client.get(path)
        assert "public" in first["Cache-Control"]
        again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, path
        assert not again.cookies
