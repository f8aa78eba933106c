"""News releases in Debian's Chromium (Playwright, never a downloaded browser): a
submission and its approval through the real pages, and 121 hostile inputs through
every field of the form and the moderator's edit that never run anywhere."""

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from herald.accounts.tests.factories import PASSWORD
from herald.editions.models import Edition
from herald.releases.models import NewsRelease, ReleaseStatus
from herald.releases.tests.factories import (
    BODY,
    decision_data,
    make_moderator,
    make_submitter,
    png,
)
from herald.releases.tests.xss_vectors import VECTORS
from herald.stories.models import Section
from herald.stories.workflow import Status

# The root conftest's `browser` skips these where Debian's chromium is missing.
pytestmark = pytest.mark.browser
# Recorded in every frame before any page script: a vector that runs calls one of
# these (or opens a dialog, which is counted too).
HOOK = """
window.__hits = [];
const __hit = (v) => { (window.top.__hits || window.__hits).push(String(v)); };
window.alert = __hit; window.confirm = __hit; window.prompt = __hit;
"""
# What the page must not hold at all once it is rendered: event-handler attributes
# and URLs that run script, on any element.
AUDIT = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const v = a.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (a.name.startsWith('on')) bad.push(el.tagName + ' ' + a.name);
      if (/^(javascript|vbscript|data):/.test(v) &&
          /^(href|src|action|formaction|xlink:href|data|srcdoc)$/.test(a.name))
        bad.push(el.tagName + ' ' + a.name + '=' + a.value.slice(0, 40));
      if (a.name === 'srcdoc') bad.push(el.tagName + ' srcdoc');
    }
  }
  for (const s of document.querySelectorAll('script:not([src])')) {
    if (s.type !== 'application/ld+json') bad.push('inline script');
  }
  return bad;
}"""


class Watched:
    """A page whose script runs are counted, with CSP off so that only Herald's
    escaping and sanitizing stand between a vector and the browser."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(
            bypass_csp=True, viewport={"width": 1280, "height": 900}
        )
        self.context.add_init_script(HOOK)
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def visit(self, url: str, *, links_in: str = "") -> list[str]:
        """Open `url`, give handlers a moment, click the links inside `links_in`,
        and return everything that ran or should not be there."""
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, url
        return self.inspect(links_in=links_in)

    def show(self, html: str) -> None:
        """Put `html` in a fresh page (a fresh window, so no count carries over)."""
        self.page.goto("about:blank")
        self.page.set_content(html)

    def inspect(self, *, links_in: str = "") -> list[str]:
        self.page.wait_for_timeout(40)
        if links_in:
            for link in self.page.locator(f"{links_in} a").all():
                try:
                    link.click(timeout=300, no_wait_after=True, modifiers=["Alt"])
                except Exception:  # noqa: S112 - hidden links cannot be clicked
                    continue
        ran = list(self.page.evaluate("window.__hits || []"))
        found = [f"ran {v}" for v in ran] + [f"dialog {d}" for d in self.dialogs]
        found += self.page.evaluate(AUDIT)
        self.dialogs.clear()
        return found

    def close(self) -> None:
        self.context.close()


def _live(watched: Watched, html: str) -> bool:
    """Does `html` run script when put in a page as it is, in element content or in
    a quoted attribute?"""
    for wrapped in (html, f'<input value="{html}">', f"<input value='{html}'>"):
        watched.show(f"<div id=root>{wrapped}</div>")
        found = watched.inspect(links_in="#root")
        if any(p.startswith(("ran ", "dialog ")) for p in found):
            return True
    return False


def _host(live_server: Any, edition: Edition) -> str:
    port = live_server.url.rsplit(":", 1)[1]
    return f"http://{edition.slug}.localhost:{port}"


def _login(watched: Watched, origin: str, path: str, user: str) -> None:
    page = watched.page
    page.goto(origin + path)
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form[method=post] [type=submit]").first.click()
    assert "/login/" not in page.url, page.url


@pytest.mark.django_db(transaction=True)
def test_a_submitter_submits_and_a_moderator_approves_through_the_real_pages(
    browser: Any, live_server: Any, japan: Edition, india: Edition, section: Section
) -> None:
    submitter = make_submitter()
    make_moderator()
    origin = _host(live_server, japan)
    submitting = Watched(browser)
    page = submitting.page
    _login(submitting, origin, reverse("accounts:login"), submitter.user.email)
    page.goto(origin + reverse("releases:submit"))
    page.get_by_label("Headline").fill(
        "Rowing club opens a boathouse on the Yodo River"
    )
    page.get_by_label("Summary").fill("The new building holds forty boats.")
    page.get_by_label("Body").fill(BODY)
    page.get_by_label("Category").select_option("sports")
    page.get_by_label("Dateline city").fill("Osaka")
    page.get_by_label("Dateline country").fill("Japan")
    # The edition the form was opened on comes ticked.
    assert page.get_by_role("checkbox", name="Japan Herald").is_checked()
    page.get_by_role("checkbox", name="India Herald").check()
    page.get_by_label("At a later time").check()
    page.get_by_label("Date and time").fill("2031-05-01T09:30")
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.locator("summary", has_text="Add an image").first.click()
    photo = png()
    page.locator("input[name=image1-image]").set_input_files(
        {"name": "boathouse.png", "mimeType": "image/png", "buffer": photo.getvalue()}
    )
    page.locator("input[name=image1-caption]").fill("The new boathouse")
    page.locator("input[name=image1-credit]").fill("Ken Mori")
    page.locator("input[name=image1-alt_text]").fill("The boathouse on the bank")
    page.locator("input[name=image1-rights]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Preview").click()
    assert page.locator(".preview-banner").is_visible()
    label = page.locator(".story__header .label--release").text_content()
    assert label == "News release"
    assert "Japan Herald" in page.locator(".preview-banner").inner_text()
    release = NewsRelease.objects.get()
    page.goto(origin + reverse("releases:edit", args=[release.pk]))
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for moderation").click()
    assert "Awaiting moderation" in page.locator("main").inner_text()
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PENDING
    assert release.release_at is not None
    assert release.release_at.isoformat() == "2031-05-01T00:30:00+00:00"

    moderating = Watched(browser)
    mod = moderating.page
    _login(moderating, origin, "/desk/login/", "mod")
    mod.goto(origin + reverse("admin:releases_newsrelease_changelist"))
    with mod.expect_navigation():
        mod.get_by_role("link", name=release.headline).click()
    mod.get_by_label("Headline").fill("Rowing club opens boathouse on the Yodo")
    with mod.expect_navigation():
        mod.get_by_role("button", name="Approve").click()
    assert "approved" in mod.locator(".messagelist").inner_text()
    release.refresh_from_db()
    assert release.status == ReleaseStatus.SCHEDULED
    assert release.story is not None and release.story.status == Status.SCHEDULED
    page.goto(origin + release.get_absolute_url())
    text = page.locator("main").inner_text()
    assert "Edited and approved" in text and "this report fills in then" in text
    assert submitting.inspect() == [] and moderating.inspect() == []
    submitting.close()
    moderating.close()


def _cut(value: str, cap: int) -> str:
    return value[:cap]


def _hostile_form(i: int, vector: str, editions: list[Edition]) -> dict[str, Any]:
    return {
        "headline": _cut(f"{i:03d} {vector}", 200),
        "summary": _cut(f"Summary {vector}", 400),
        "body": f"{BODY}\n\n{vector}\n\nAfter {vector} the end.",
        "category": "community",
        "dateline_city": _cut(vector, 80),
        "dateline_country": _cut(vector, 80),
        "contact_name": _cut(vector, 120),
        "contact_email": "press@rowing.example.org",
        "contact_phone": _cut(vector, 40),
        "editions": [e.pk for e in editions],
        "when": "now",
        "release_local": "",
        "time_zone": "Asia/Tokyo",
        "nickname": "",
        "image1-image": png(900, 600),
        "image1-caption": _cut(vector, 400),
        "image1-credit": _cut(vector, 160),
        "image1-alt_text": _cut(vector, 250),
        "image1-rights": "on",
        "step": "submit",
    }


@pytest.mark.django_db(transaction=True)
def test_no_hostile_input_runs_in_the_queue_preview_published_page_or_feed(
    browser: Any, live_server: Any, japan: Edition, section: Section, settings: Any
) -> None:
    settings.HERALD_FEED_ITEMS = 500
    watched = Watched(browser)
    # Positive control: without Herald in between, many vectors are live here.
    live = [v for v in VECTORS if _live(watched, v)]
    assert len(live) >= 40, f"only {len(live)} vectors ran raw"

    submitter = make_submitter()
    moderator = make_moderator()
    client = Client()
    client.force_login(submitter.user)
    echoes = []
    for i, vector in enumerate(VECTORS):
        cache.clear()  # the submission limit is tested elsewhere
        sent = client.post(
            reverse("releases:submit"), _hostile_form(i, vector, [japan])
        )
        assert sent.status_code == 302, (vector, sent.content.decode()[:3000])
        # Refused input comes back in the form: the email field takes the vector.
        echo = client.post(
            reverse("releases:submit"),
            {**_hostile_form(i, vector, [japan]), "contact_email": vector[:254]},
        )
        assert echo.status_code == 200
        echoes.append(echo.content.decode())
    releases = list(NewsRelease.objects.order_by("pk"))
    assert len(releases) == len(VECTORS)
    assert all(r.status == ReleaseStatus.PENDING for r in releases)

    origin = _host(live_server, japan)
    problems: dict[str, list[str]] = {}

    def record(where: str, found: list[str]) -> None:
        if found:
            problems[where] = found

    for i, html in enumerate(echoes):
        watched.show(html)
        record(f"refused form {i}", watched.inspect(links_in="main"))

    _login(watched, origin, reverse("accounts:login"), submitter.user.email)
    for r in releases:
        record(
            f"preview {r.pk}",
            watched.visit(
                origin + reverse("releases:preview", args=[r.pk]), links_in="main"
            ),
        )
    moderating = Watched(browser)
    _login(moderating, origin, "/desk/login/", "mod")
    queue = origin + reverse("admin:releases_newsrelease_changelist")
    for p in range(0, 3):
        record(f"queue {p}", moderating.visit(f"{queue}?status__exact=pending&p={p}"))
    for r in releases:
        record(
            f"moderate {r.pk}",
            moderating.visit(
                origin + reverse("admin:releases_newsrelease_change", args=[r.pk])
            ),
        )

    # The moderator's edit carries the vectors too, and the message to the submitter.
    mod_client = Client()
    mod_client.force_login(moderator)
    for i, (r, vector) in enumerate(zip(releases, VECTORS, strict=True)):
        decided = mod_client.post(
            reverse("admin:releases_newsrelease_change", args=[r.pk]),
            decision_data(
                r,
                section.pk,
                headline=_cut(f"{i:03d} edited {vector}", 200),
                summary=_cut(f"Edited {vector}", 400),
                body=f"{r.body}\n\nEdited: {vector}",
                dateline_city=_cut(vector, 80),
                message=vector,
            ),
        )
        assert decided.status_code == 302, vector

    for r in NewsRelease.objects.select_related("story").order_by("pk"):
        assert r.story is not None and r.story.status == Status.PUBLISHED
        record(
            f"story {r.story.pk}",
            watched.visit(origin + r.story.get_absolute_url(), links_in=".story__body"),
        )
        ld = watched.page.locator('script[type="application/ld+json"]')
        data = json.loads(ld.first.text_content() or "")
        assert data["@type"] == "Article" and data["headline"] == r.story.headline[:110]
        record(f"status {r.pk}", watched.visit(origin + r.get_absolute_url()))
    for path in ("/", "/feeds/latest.rss", "/feeds/latest.atom"):
        record(path, watched.visit(origin + path))
    assert problems == {}, f"{len(problems)} pages: {list(problems.items())[:5]}"
    watched.close()
    moderating.close()
