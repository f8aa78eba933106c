"""Structured data and the canonical policy, read from real story pages."""

import io
import json
import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from PIL import Image

from herald.accounts.models import User
from herald.discovery.related import store_related
from herald.editions.models import Edition
from herald.editions.tests.factories import make_edition
from herald.stories import actions
from herald.stories.models import LocalVersion, Story
from herald.stories.tests.factories import StoryFactory

pytestmark = pytest.mark.django_db
LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _page(host: str, story: Story) -> str:
    response = Client(HTTP_HOST=host).get(story.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _json_ld(body: str) -> dict:
    found = LD.findall(body)
    assert len(found) == 1
    return json.loads(found[0])


def _meta(body: str, name: str) -> str:
    match = re.search(
        rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', body
    )
    assert match, name
    return match.group(1)


def test_news_article_json_ld_from_a_real_page(
    make_story: StoryFactory, japan: Edition, admin_user: User
) -> None:
    story = make_story(provenance="wire", agency="Meridian Press Agency")
    Story.objects.filter(pk=story.pk).update(
        published_at=datetime(2025, 4, 4, 16, 0, tzinfo=UTC)
    )
    png = io.BytesIO()
    Image.new("RGB", (800, 600), (10, 80, 160)).save(png, "PNG")
    png.seek(0)
    actions.attach_image(
        story,
        by=admin_user,
        upload=png,
        caption="The harbour.",
        credit="MPA/K. Sato",
        alt_text="Cranes over a harbour",
    )
    data = _json_ld(_page("japan-herald.localhost", story))
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == story.headline
    assert data["datePublished"] == "2025-04-05T01:00:00+09:00"
    assert data["publisher"] == {
        "@type": "NewsMediaOrganization",
        "name": "Japan Herald",
        "url": "http://japan-herald.localhost/",
    }
    assert data["dateline"] == "TOKYO, Japan"
    assert data["locationCreated"]["name"] == "Tokyo"
    assert data["locationCreated"]["address"]["addressCountry"] == "JP"
    assert data["isAccessibleForFree"] is True
    assert data["sourceOrganization"]["name"] == "Meridian Press Agency"
    assert data["isBasedOn"]["publisher"]["name"] == "Meridian Press Agency"
    image = data["image"][0]
    assert (
        image["creditText"] == "MPA/K. Sato"
        and image["copyrightNotice"] == "MPA/K. Sato"
    )
    assert image["url"].startswith("http://japan-herald.localhost/media/")


def test_a_news_release_does_not_claim_to_be_reporting(
    make_story: StoryFactory,
) -> None:
    story = make_story(provenance="release")
    data = _json_ld(_page("japan-herald.localhost", story))
    assert data["@type"] == "Article" and data["genre"] == "News release"
    assert "dateline" not in data and "locationCreated" not in data


def test_no_story_text_can_end_the_json_ld_script(make_story: StoryFactory) -> None:
    hostile = 'Rates </script><script>alert(1)</script> <!-- rise & "fall"'
    story = make_story(headline=hostile, standfirst="</SCRIPT>\u2028<!--")
    body = _page("japan-herald.localhost", story)
    data = _json_ld(body)  # exactly one ld+json element, and it parses
    assert data["headline"] == hostile
    assert data["description"] == "</SCRIPT>\u2028<!--"
    assert "<script>alert(1)</script>" not in body


def test_open_graph_and_twitter_tags(make_story: StoryFactory) -> None:
    story = make_story()
    body = _page("japan-herald.localhost", story)
    assert _meta(body, "og:type") == "article"
    assert _meta(body, "og:title") == story.headline
    assert _meta(body, "og:site_name") == "Japan Herald"
    assert (
        _meta(body, "og:url")
        == f"http://japan-herald.localhost{story.get_absolute_url()}"
    )
    assert _meta(body, "twitter:card") == "summary"


def test_one_story_on_three_editions_has_one_canonical_url_and_no_duplicates(
    make_story: StoryFactory, japan: Edition, india: Edition
) -> None:
    gulf = make_edition("gulf-herald", "Gulf Herald", "Asia/Dubai")
    editions = [japan, india, gulf]
    story = make_story(headline="Port strike ends", editions=editions)
    others = [
        make_story(headline=f"Port news {i}", editions=editions) for i in range(12)
    ]
    for item in [story, *others]:
        store_related(item)
    canonical = f"http://japan-herald.localhost{story.get_absolute_url()}"
    for edition in editions:
        body = _page(f"{edition.slug}.localhost", story)
        assert f'<link rel="canonical" href="{canonical}">' in body
        assert _json_ld(body)["mainEntityOfPage"] == canonical
        related = body.split('id="related-title"')[1]
        links = re.findall(r'href="(/news/\d+/[^"]+/)"', related)
        assert len(links) == len(set(links)) == 8
        assert story.get_absolute_url() not in links


def test_a_local_version_makes_that_edition_its_own_canonical(
    make_story: StoryFactory, japan: Edition, india: Edition
) -> None:
    story = make_story(headline="Port strike ends", editions=[japan, india])
    LocalVersion.objects.create(
        story=story,
        edition=india,
        headline="Japanese port strike ends, Indian exporters relieved",
    )
    india_body = _page("india-herald.localhost", story)
    own = f"http://india-herald.localhost{story.get_absolute_url()}"
    assert f'<link rel="canonical" href="{own}">' in india_body
    assert "Indian exporters relieved" in india_body
    japan_body = _page("japan-herald.localhost", story)
    assert "Indian exporters relieved" not in japan_body
    assert (
        f'href="http://japan-herald.localhost{story.get_absolute_url()}"' in japan_body
    )
