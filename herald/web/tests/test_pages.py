"""Reader pages: the edition from the Host header, the story page, lists, caching."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from herald.accounts.models import User
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import Author, Section, Story
from herald.stories.tests.factories import StoryFactory

pytestmark = pytest.mark.django_db
JAPAN = "japan-herald.localhost"


@pytest.fixture
def client() -> Client:
    return Client(HTTP_HOST=JAPAN)


def test_unknown_host_shows_the_network_index(japan: Edition, india: Edition) -> None:
    response = Client(HTTP_HOST="localhost").get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Japan Herald" in body and "India Herald" in body
    assert "http://japan-herald.localhost/" in body


def test_edition_answers_on_its_production_host(
    japan: Edition, make_story: StoryFactory
) -> None:
    story = make_story()
    response = Client(HTTP_HOST="japan-herald.example.com").get(
        story.get_absolute_url()
    )
    assert response.status_code == 200


def test_story_page_shows_dateline_time_in_edition_zone_and_byline(
    client: Client, make_story: StoryFactory, author: Author
) -> None:
    story = make_story(author=author)
    Story.objects.filter(pk=story.pk).update(
        published_at=datetime(2025, 4, 4, 16, 0, tzinfo=UTC)
    )
    body = client.get(story.get_absolute_url()).content.decode()
    assert '<p><span class="dateline">TOKYO, Japan:</span> Officials said' in body
    assert "05 Apr 2025, 01:00 GMT+9" in body
    assert 'datetime="2025-04-05T01:00:00+09:00"' in body
    assert "Aiko Tanaka" in body
    assert "Staff" in body  # provenance label


def test_same_story_shows_each_editions_own_time(
    make_story: StoryFactory, japan: Edition, india: Edition
) -> None:
    story = make_story(editions=[japan, india])
    Story.objects.filter(pk=story.pk).update(
        published_at=datetime(2025, 4, 4, 16, 0, tzinfo=UTC)
    )
    india_body = Client(HTTP_HOST="india-herald.localhost").get(
        story.get_absolute_url()
    )
    assert "04 Apr 2025, 21:30 GMT+5:30" in india_body.content.decode()


def test_wrong_slug_redirects_permanently(
    client: Client, make_story: StoryFactory
) -> None:
    story = make_story()
    response = client.get(f"/news/{story.pk}/wrong-slug/")
    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url()


def test_story_not_on_this_edition_is_404(
    make_story: StoryFactory, india: Edition
) -> None:
    story = make_story()
    response = Client(HTTP_HOST="india-herald.localhost").get(story.get_absolute_url())
    assert response.status_code == 404


def test_drafts_and_scheduled_stories_are_not_public(
    client: Client, make_story: StoryFactory, admin_user: User
) -> None:
    draft = make_story(publish=False)
    scheduled = make_story(publish=False)
    actions.schedule_story(
        scheduled, by=admin_user, at=timezone.now() + timedelta(hours=1)
    )
    for story in (draft, scheduled):
        assert client.get(story.get_absolute_url()).status_code == 404
    home = client.get("/").content.decode()
    assert draft.headline not in home and scheduled.headline not in home


def test_embargoed_story_appears_nowhere_before_the_embargo_lifts(
    client: Client, make_story: StoryFactory, section: Section
) -> None:
    visible = make_story(headline="Visible harbour story")
    embargoed = make_story(
        headline="Embargoed budget story",
        embargo_until=timezone.now() + timedelta(hours=2),
    )
    for url in (
        "/",
        f"/section/{section.slug}/",
        "/place/tokyo-japan/",
        visible.get_absolute_url(),
    ):
        body = client.get(url).content.decode()
        assert "Embargoed budget story" not in body, url
    assert client.get(embargoed.get_absolute_url()).status_code == 404
    # No one touches the story when its embargo lifts; the render cache keeps a page
    # for at most max-age, the same promise Cache-Control makes. Let that time pass.
    cache.clear()
    Story.objects.filter(pk=embargoed.pk).update(
        embargo_until=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(embargoed.get_absolute_url()).status_code == 200
    assert "Embargoed budget story" in client.get("/").content.decode()


def test_retracted_story_answers_410_with_the_reason(
    client: Client, make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story()
    actions.retract_story(story, by=admin_user, note="The source was not genuine.")
    response = client.get(story.get_absolute_url())
    assert response.status_code == 410
    body = response.content.decode()
    assert "The source was not genuine." in body and "Officials said" not in body
    assert story.headline not in client.get("/").content.decode()


def test_corrections_show_on_the_story(
    client: Client, make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story()
    actions.add_correction(story, by=admin_user, text="The bridge is 2 km long.")
    body = client.get(story.get_absolute_url()).content.decode()
    assert "Corrections" in body and "The bridge is 2 km long." in body
    assert "Updated" in body


def test_more_information_lists_teasers_never_the_story_itself_or_twice(
    client: Client, make_story: StoryFactory, japan: Edition, india: Edition
) -> None:
    stories = [
        make_story(ago=timedelta(minutes=i), editions=[japan, india]) for i in range(12)
    ]
    story = stories[3]
    body = client.get(story.get_absolute_url()).content.decode()
    related = body.split('id="related-title"')[1]
    links = [s.get_absolute_url() for s in stories]
    shown = [url for url in links if f'href="{url}"' in related]
    assert story.get_absolute_url() not in shown
    assert len(shown) == 8
    for url in shown:
        assert related.count(f'href="{url}"') == 1
    assert (
        '<span class="dateline">TOKYO, Japan:</span> Officials said on Monday'
        in related
    )
    assert "..." in related


def test_lists_paginate_by_keyset(
    client: Client, make_story: StoryFactory, section: Section
) -> None:
    stories = [make_story(ago=timedelta(minutes=i)) for i in range(25)]
    first = client.get(f"/section/{section.slug}/").content.decode()
    assert stories[0].headline in first and stories[24].headline not in first
    cursor = first.split('rel="next" href="?before=')[1].split('"')[0]
    second = client.get(f"/section/{section.slug}/?before={cursor}").content.decode()
    assert stories[24].headline in second and stories[0].headline not in second
    assert 'rel="next"' not in second


def test_a_broken_page_link_is_a_clear_400(client: Client, section: Section) -> None:
    response = client.get(f"/section/{section.slug}/?before=not-a-cursor")
    assert response.status_code == 400


def test_author_and_place_pages_list_their_stories(
    client: Client, make_story: StoryFactory, author: Author
) -> None:
    story = make_story(author=author)
    assert story.headline in client.get("/author/aiko-tanaka/").content.decode()
    assert story.headline in client.get("/place/tokyo-japan/").content.decode()
    assert client.get("/author/nobody/").status_code == 404


def test_every_page_carries_the_newsletter_box_and_release_link(
    client: Client, make_story: StoryFactory, section: Section
) -> None:
    story = make_story()
    for url in ("/", story.get_absolute_url(), f"/section/{section.slug}/"):
        body = client.get(url).content.decode()
        assert 'action="/newsletter/"' in body and 'for="newsletter-email"' in body
        assert 'href="/releases/submit/"' in body


def test_public_pages_are_cacheable_without_cookies_and_answer_304(
    client: Client, make_story: StoryFactory, section: Section
) -> None:
    story = make_story()
    for url in (
        "/",
        story.get_absolute_url(),
        f"/section/{section.slug}/",
        "/brand.css",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert (
            "public" in response["Cache-Control"]
            and "s-maxage" in response["Cache-Control"]
        )
        assert not response.cookies
        assert "Cookie" not in response.get("Vary", "")
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304


def test_pages_send_a_content_security_policy(client: Client, japan: Edition) -> None:
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy


def test_healthz_reports_database_and_queue(client: Client) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["database"] == "ok" and "ready" in data["queue"]


def test_post_to_a_public_page_is_refused(client: Client, japan: Edition) -> None:
    assert client.post("/").status_code in (403, 405)


def test_render_cache_serves_a_repeat_view_with_one_query(
    client: Client, make_story: StoryFactory
) -> None:
    story = make_story()
    first = client.get(story.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        second = client.get(story.get_absolute_url())
    assert second.content == first.content
    assert len(queries) == 1  # the content version


def test_a_change_in_the_desk_shows_at_once_despite_the_render_cache(
    client: Client, make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story()
    assert story.headline in client.get("/").content.decode()
    fresh = make_story(publish=False, headline="Late news from the port")
    actions.publish_story(fresh, by=admin_user)
    assert "Late news from the port" in client.get("/").content.decode()
    actions.update_story(story, by=admin_user, headline="A corrected headline")
    assert (
        "A corrected headline" in client.get(story.get_absolute_url()).content.decode()
    )
    actions.retract_story(fresh, by=admin_user, note="Not true.")
    assert "Late news from the port" not in client.get("/").content.decode()
