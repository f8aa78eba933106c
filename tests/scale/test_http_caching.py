"""Every public URL of the contract is cacheable by a shared cache and names its
keys; desk and form pages are private. Runs on both databases, no servers."""

import pytest
from django.test import Client

from herald.accounts.tests.factories import PASSWORD
from herald.editions.models import Edition
from herald.stories.models import Author, Place, Section
from herald.stories.tests.factories import StoryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def urls(
    japan: Edition,
    india: Edition,
    make_story: StoryFactory,
    section: Section,
    tokyo: Place,
    author: Author,
) -> dict[str, tuple[str, set[str]]]:
    """Public URL → (what it is, keys its xkey header must name)."""
    story = make_story(editions=[japan, india], author=author)
    other = make_story(headline="Second story on the list")
    ed = f"ed-{japan.pk}"
    s, o = f"story-{story.pk}", f"story-{other.pk}"
    return {
        "/": ("home", {ed, f"{ed}-home", s, o}),
        # The story, and the related stories it shows as teasers.
        f"/news/{story.pk}/{story.slug}/": ("story", {ed, s, o}),
        f"/section/{section.slug}/": ("section", {ed, f"{ed}-section-world", s, o}),
        f"/place/{tokyo.slug}/": ("place", {ed, f"{ed}-place-tokyo-japan", s}),
        f"/author/{author.slug}/": ("author", {ed, f"{ed}-author-aiko-tanaka", s}),
        "/search/?q=harbour": ("search", {ed, f"{ed}-search"}),
        "/feeds/latest.rss": ("feed", {ed, f"{ed}-feed"}),
        "/feeds/latest.atom": ("feed", {ed, f"{ed}-feed"}),
        f"/feeds/section/{section.slug}.rss": ("feed", {ed, f"{ed}-feed"}),
        "/sitemap.xml": ("sitemap", {ed, f"{ed}-sitemap"}),
        "/sitemap-pages.xml": ("sitemap", {ed, f"{ed}-sitemap"}),
        "/sitemap-stories-1.xml": ("sitemap", {ed, f"{ed}-sitemap"}),
        "/news-sitemap.xml": ("sitemap", {ed, f"{ed}-sitemap"}),
        "/robots.txt": ("sitemap", {ed, f"{ed}-sitemap"}),
        "/newsletter/": ("sign-up form", {ed}),
        "/newsletter/archive/": ("newsletter archive", {ed}),
    }


def test_every_public_url_is_shared_cacheable_with_keys_and_answers_304(
    urls: dict[str, tuple[str, set[str]]], japan: Edition
) -> None:
    host = japan.hosts[0]
    for url, (what, keys) in urls.items():
        client = Client()
        response = client.get(url, HTTP_HOST=host)
        assert response.status_code == 200, (url, response.status_code)
        control = response["Cache-Control"]
        assert "public" in control and "s-maxage=" in control, (url, control)
        assert "stale-while-revalidate=" in control, (url, control)
        assert not response.cookies, (url, what)
        assert "cookie" not in response.get("Vary", "").lower(), (url, what)
        assert keys <= set(response["xkey"].split()), (url, response["xkey"])
        validator = response.get("ETag")
        assert validator or response.get("Last-Modified"), url
        again = client.get(url, HTTP_HOST=host, HTTP_IF_NONE_MATCH=validator)
        assert again.status_code == 304, (url, what)
        assert not again.content


def test_desk_forms_and_errors_are_private_and_never_stored(
    japan: Edition, admin_user: object
) -> None:
    client = Client()
    host = japan.hosts[0]
    private = {
        "/desk/login/": client.get("/desk/login/"),
        "/newsletter/confirm/x/": client.get("/newsletter/confirm/x/", HTTP_HOST=host),
        "/news/999999/missing/": client.get("/news/999999/missing/", HTTP_HOST=host),
    }
    client.login(username="chief", password=PASSWORD)
    private["/desk/"] = client.get("/desk/")
    for url, response in private.items():
        control = response["Cache-Control"]
        assert "private" in control or "no-store" in control, (url, control)
        assert "public" not in control and "s-maxage" not in control, (url, control)
        assert "xkey" not in response, url
