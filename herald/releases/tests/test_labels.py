"""A published release says "News release" on its page, teasers, feeds and API,
stays out of the Google News sitemap, and its JSON-LD is an Article, not reporting."""

import json
import re

import pytest
from django.test import Client

from herald.editions.models import Edition
from herald.releases import actions
from herald.releases.tests.factories import make_moderator, make_release, make_submitter
from herald.stories.models import Section, Story
from herald.syndication.api.keys import issue_key
from herald.syndication.models import ApiPartner


@pytest.fixture
def published(japan: Edition, india: Edition, section: Section) -> Story:
    release = make_release(make_submitter(), [japan, india])
    return actions.approve_release(release, by=make_moderator(), section=section)


def _get(edition: Edition, path: str, **headers: str) -> str:
    response = Client().get(path, HTTP_HOST=edition.hosts[0], headers=headers)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.mark.django_db
def test_story_page_labels_the_release_and_its_json_ld_is_an_article(
    published: Story, japan: Edition
) -> None:
    page = _get(japan, published.get_absolute_url())
    assert '<span class="label label--release">News release</span>' in page
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["@type"] == "Article" and data["genre"] == "News release"


@pytest.mark.django_db
def test_teasers_on_home_and_section_label_the_release(
    published: Story, japan: Edition, section: Section
) -> None:
    for path in ("/", f"/section/{section.slug}/"):
        page = _get(japan, path)
        teaser = page[
            page.index(published.headline) - 600 : page.index(published.headline)
        ]
        assert "News release" in teaser, path


@pytest.mark.django_db
def test_feeds_label_the_release(published: Story, india: Edition) -> None:
    for path in ("/feeds/latest.rss", "/feeds/latest.atom"):
        feed = _get(india, path)
        entry = feed[feed.index(published.headline) :]
        entry = entry[: entry.index("</item>" if path.endswith("rss") else "</entry>")]
        assert "News release" in entry, path


@pytest.mark.django_db
def test_the_api_labels_the_release(published: Story, japan: Edition) -> None:
    partner = ApiPartner.objects.create(name="P", contact_email="p@example.org")
    key = issue_key(partner, by=None).raw
    response = Client().get(
        f"/api/ninjs/v2/items/{published.pk}",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200
    item = response.json()
    assert {"name": "News release", "literal": "news-release"} in item["genres"]
    assert item["infosources"][0]["literal"] == "release"


@pytest.mark.django_db
def test_the_news_sitemap_leaves_the_release_out_and_the_sitemap_keeps_it(
    published: Story,
) -> None:
    origin = published.origin_edition
    host = origin.hosts[0]
    assert published.get_absolute_url() not in _get(origin, "/news-sitemap.xml")
    pages = re.findall(r"<loc>([^<]+)</loc>", _get(origin, "/sitemap.xml"))
    stories = [loc.split(host, 1)[1] for loc in pages if "sitemap-stories" in loc]
    assert any(
        f"http://{host}{published.get_absolute_url()}" in _get(origin, path)
        for path in stories
    )
