"""Sitemaps: the index, story pages, the Google News sitemap and robots.txt, checked
against the sitemaps.org schemas and Google's required news elements."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from conftest import StoryFactory, make_edition
from herald.accounts.models import User
from herald.editions.middleware import forget_hosts
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import LocalVersion, Provenance, Story
from herald.syndication import sitemaps

pytestmark = pytest.mark.django_db

JAPAN = "japan-herald.localhost"
INDIA = "india-herald.localhost"
SAMPLES = settings.BASE_DIR.parent / "shared" / "samples" / "sitemaps"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NEWS = "{" + NEWS_NS + "}"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True)


def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(Path(SAMPLES) / name), _parser()))


def _xml(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return etree.fromstring(response.content, _parser())


def _assert_valid(schema: str, root: Any) -> None:
    xsd = _schema(schema)
    assert xsd.validate(root), xsd.error_log


def _locs(root: Any) -> list[str]:
    return [loc.text for loc in root.iter(f"{SM}loc")]


def _story_locs(client: Client, host: str) -> list[str]:
    """Every story URL across all pages the index lists."""
    index = _xml(client, "/sitemap.xml")
    found: list[str] = []
    for loc in _locs(index):
        if "/sitemap-stories-" in loc:
            found += _locs(_xml(client, loc.removeprefix(f"http://{host}")))
    return found


def _url(story: Story, host: str = JAPAN) -> str:
    return f"http://{host}/news/{story.pk}/{story.slug}/"


@pytest.fixture
def client(japan: Edition) -> Client:
    return Client(HTTP_HOST=JAPAN)


def _news_items(root: Any) -> list[dict[str, str]]:
    items = []
    for url in root.iter(f"{SM}url"):
        news = url.find(f"{NEWS}news")
        assert news is not None
        publication = news.find(f"{NEWS}publication")
        assert publication is not None
        items.append(
            {
                "loc": url.findtext(f"{SM}loc"),
                "name": publication.findtext(f"{NEWS}name"),
                "language": publication.findtext(f"{NEWS}language"),
                "date": news.findtext(f"{NEWS}publication_date"),
                "title": news.findtext(f"{NEWS}title"),
            }
        )
    return items


# --- index and story pages ---------------------------------------------------------


def test_index_and_story_page_validate_against_the_sitemap_schemas(
    client: Client, make_story: StoryFactory
) -> None:
    stories = [make_story(headline=f"Tom & Jerry's <harbour> {n}") for n in range(3)]
    index = _xml(client, "/sitemap.xml")
    _assert_valid("siteindex.xsd", index)
    assert _locs(index) == [
        f"http://{JAPAN}/sitemap-pages.xml",
        f"http://{JAPAN}/sitemap-stories-1.xml",
    ]
    page = _xml(client, "/sitemap-stories-1.xml")
    _assert_valid("sitemap.xsd", page)
    assert _locs(page) == [_url(s) for s in stories]
    pages = _xml(client, "/sitemap-pages.xml")
    _assert_valid("sitemap.xsd", pages)
    assert _locs(pages) == [f"http://{JAPAN}/", f"http://{JAPAN}/section/world/"]


def test_index_of_an_edition_without_stories_lists_only_the_pages_sitemap(
    client: Client,
) -> None:
    index = _xml(client, "/sitemap.xml")
    _assert_valid("siteindex.xsd", index)
    assert _locs(index) == [f"http://{JAPAN}/sitemap-pages.xml"]
    assert client.get("/sitemap-stories-1.xml").status_code == 404


def test_pages_of_two_list_five_stories_on_three_pages_once_each(
    client: Client, make_story: StoryFactory, settings: Any
) -> None:
    settings.HERALD_SITEMAP_PAGE_SIZE = 2
    stories = [make_story() for _ in range(5)]
    index = _xml(client, "/sitemap.xml")
    assert [loc for loc in _locs(index) if "stories" in loc] == [
        f"http://{JAPAN}/sitemap-stories-{n}.xml" for n in (1, 2, 3)
    ]
    listed = _story_locs(client, JAPAN)
    assert sorted(listed) == sorted(_url(s) for s in stories)
    assert len(listed) == len(set(listed)) == 5
    assert len(_locs(_xml(client, "/sitemap-stories-3.xml"))) == 1
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
    page = _xml(client, "/sitemap-stories-1.xml")
    assert [e.text for e in page.iter(f"{SM}lastmod")] == [
        "2025-04-05T01:00:00+09:00",
        "2025-04-06T12:30:00+09:00",
    ]
    page = _xml(client, "/sitemap-stories-2.xml")
    assert [e.text for e in page.iter(f"{SM}lastmod")] == ["2025-05-02T09:00:00+09:00"]
    # The index gives each page the latest change on it.
    index = _xml(client, "/sitemap.xml")
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
    assert _story_locs(client, JAPAN) == [_url(shown)]
    assert [item["loc"] for item in _news_items(_xml(client, "/news-sitemap.xml"))] == [
        _url(shown)
    ]


def test_shared_story_is_listed_only_by_its_origin_edition(
    make_story: StoryFactory, japan: Edition, india: Edition
) -> None:
    forget_hosts()
    korea = make_edition("korea-herald", "Korea Herald", "Asia/Seoul")
    story = make_story(editions=[japan, india, korea])
    hosts = {JAPAN: True, INDIA: False, "korea-herald.localhost": False}
    for host, listed in hosts.items():
        client = Client(HTTP_HOST=host)
        assert (_url(story, host) in _story_locs(client, host)) is listed, host
        news = _news_items(_xml(client, "/news-sitemap.xml"))
        assert (_url(story, host) in [i["loc"] for i in news]) is listed, host


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
        assert _story_locs(Client(HTTP_HOST=host), host) == [_url(story, host)]
    news = _news_items(_xml(Client(HTTP_HOST=INDIA), "/news-sitemap.xml"))
    assert [(i["loc"], i["title"], i["name"]) for i in news] == [
        (_url(story, INDIA), "Mumbai watches Tokyo's harbour plan", "India Herald")
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
    pages = [_locs(_xml(client, f"/sitemap-stories-{n}.xml")) for n in (1, 2)]
    assert pages == [
        [_url(first, INDIA), _url(versioned, INDIA)],
        [_url(third, INDIA), _url(fourth, INDIA)],
    ]
    index = _xml(client, "/sitemap.xml")
    assert [e.text for e in index.iter(f"{SM}lastmod")] == [
        "2025-04-09T05:30:00+05:30",
        "2025-04-04T05:30:00+05:30",
    ]


def test_local_version_of_an_edition_the_story_is_not_on_lists_nothing(
    make_story: StoryFactory, japan: Edition, india: Edition
) -> None:
    story = make_story(editions=[japan])
    LocalVersion.objects.create(story=story, edition=india, headline="Elsewhere")
    assert _story_locs(Client(HTTP_HOST=INDIA), INDIA) == []


def test_sitemaps_use_the_editions_production_host(
    japan: Edition, make_story: StoryFactory
) -> None:
    story = make_story()
    client = Client(HTTP_HOST="japan-herald.example.com")
    index = _xml(client, "/sitemap.xml")
    assert "http://japan-herald.example.com/sitemap-stories-1.xml" in _locs(index)
    page = _xml(client, "/sitemap-stories-1.xml")
    assert _locs(page) == [f"http://japan-herald.example.com{story.get_absolute_url()}"]


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
            assert len(_locs(_xml(client, "/sitemap-stories-1.xml"))) == size
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
            index = _xml(client, "/sitemap.xml")
        assert len(_locs(index)) == pages + 1


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
    root = _xml(client, "/news-sitemap.xml")
    assert root.nsmap["news"] == NEWS_NS
    assert _news_items(root) == [
        {
            "loc": _url(story),
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
    _assert_valid("sitemap.xsd", root)


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
    locs = [i["loc"] for i in _news_items(_xml(client, "/news-sitemap.xml"))]
    assert locs == [_url(newest), _url(lifted), _url(older)]
    assert _url(old) in _story_locs(client, JAPAN)


def test_news_sitemap_leaves_out_news_releases(
    client: Client, make_story: StoryFactory
) -> None:
    staff = make_story()
    wire = make_story(provenance=Provenance.WIRE, agency="Kyodo")
    release = make_story(provenance=Provenance.RELEASE)
    locs = [i["loc"] for i in _news_items(_xml(client, "/news-sitemap.xml"))]
    assert sorted(locs) == sorted([_url(staff), _url(wire)])
    # The ordinary sitemap still lists the release's page.
    assert _url(release) in _story_locs(client, JAPAN)


def test_news_sitemap_stops_at_its_cap_keeping_the_newest(
    client: Client, make_story: StoryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sitemaps.NEWS_MAX_URLS == 1000  # Google reads no more
    monkeypatch.setattr(sitemaps, "NEWS_MAX_URLS", 3)
    stories = [make_story(ago=timedelta(hours=n + 1)) for n in range(4)]
    locs = [i["loc"] for i in _news_items(_xml(client, "/news-sitemap.xml"))]
    assert locs == [_url(s) for s in stories[:3]]


def test_news_title_drops_characters_xml_cannot_carry(
    client: Client, make_story: StoryFactory
) -> None:
    story = make_story()
    # Wire copy arrives with stray control characters; saving bypasses the desk.
    Story.objects.filter(pk=story.pk).update(headline="Quake\x0b hits \x1fcoast")
    items = _news_items(_xml(client, "/news-sitemap.xml"))
    assert [i["title"] for i in items] == ["Quake hits coast"]


def test_empty_news_sitemap_is_well_formed(client: Client) -> None:
    root = _xml(client, "/news-sitemap.xml")
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
