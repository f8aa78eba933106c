"""Purges, the sweep lease and the client address behind proxies, against a real
HTTP server on loopback standing in for a proxy. Runs on both databases."""

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from herald.core import leases, purge
from herald.core.middleware import ClientAddressMiddleware
from herald.core.models import Lease
from herald.core.tasks import purge_keys_task
from herald.edge import keys as edge_keys
from herald.edge.tasks import purge_story_task
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import Story
from herald.stories.tests.factories import StoryFactory
from tests.scale.cluster import free_port

# The fake proxy listens on loopback.
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.loopback]


class FakeProxy(ThreadingHTTPServer):
    """Answers PURGE with 200 and records each request's xkey-purge keys."""

    def __init__(self, port: int) -> None:
        self.purges: list[list[str]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_PURGE(self) -> None:
                proxy.purges.append(self.headers.get("xkey-purge", "").split())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        super().__init__(("127.0.0.1", port), Handler)


@pytest.fixture
def proxy() -> Iterator[FakeProxy]:
    server = FakeProxy(free_port())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_a_story_change_purges_its_page_and_each_editions_lists_in_one_request(
    settings: Any,
    proxy: FakeProxy,
    japan: Edition,
    india: Edition,
    make_story: StoryFactory,
    admin_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens here
    up = f"http://127.0.0.1:{proxy.server_address[1]}"
    settings.HERALD_PURGE_URLS = [up, down]
    story = make_story(editions=[japan, india])
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_correction(story, by=admin_user, text="A date was wrong.")
    queued = DBTaskResult.objects.filter(task_path__endswith="purge_story_task")
    assert queued.count() >= 1
    keys = purge_story_task.call(story_ids=[story.pk])
    for edition in (japan, india):
        assert {
            f"ed-{edition.pk}-home",
            f"ed-{edition.pk}-feed",
            f"ed-{edition.pk}-sitemap",
            f"ed-{edition.pk}-section-world",
            f"ed-{edition.pk}-place-tokyo-japan",
        } <= set(keys)
    assert f"story-{story.pk}" in keys
    per_target = DBTaskResult.objects.filter(task_path__endswith="purge_keys_task")
    assert sorted(r.args_kwargs["kwargs"]["target"] for r in per_target) == sorted(
        [up, down]
    )
    for result in per_target:
        purge_keys_task.call(**result.args_kwargs["kwargs"])
    assert proxy.purges == [keys]  # one request, every key
    # The proxy that is down: a retry is queued for later, nothing raised.
    retries = [
        r
        for r in DBTaskResult.objects.filter(task_path__endswith="purge_keys_task")
        if r.args_kwargs["kwargs"]["attempt"] > 1
    ]
    assert [r.args_kwargs["kwargs"]["target"] for r in retries] == [down]
    assert retries[0].run_after > timezone.now()


def test_the_keys_of_an_edition_left_are_its_lists_feeds_and_home_not_the_others(
    japan: Edition, india: Edition, make_story: StoryFactory
) -> None:
    story = make_story(editions=[japan, india])
    keys = edge_keys.editions_left_keys({story.pk: [india.pk]})
    assert keys == sorted(
        [
            f"story-{story.pk}",
            f"ed-{india.pk}-home",
            f"ed-{india.pk}-feed",
            f"ed-{india.pk}-sitemap",
            f"ed-{india.pk}-search",
            f"ed-{india.pk}-section-world",
            f"ed-{india.pk}-place-tokyo-japan",
        ]
    )
    assert edge_keys.editions_left_keys({story.pk: []}) == []


def _purged_keys(proxy: FakeProxy) -> set[str]:
    """Run the queued per-proxy purge jobs; the keys the proxy was sent."""
    for result in DBTaskResult.objects.filter(task_path__endswith="purge_keys_task"):
        purge_keys_task.call(**result.args_kwargs["kwargs"])
    return {key for keys in proxy.purges for key in keys}


def test_taking_a_story_off_an_edition_purges_the_pages_of_the_edition_it_left(
    settings: Any,
    proxy: FakeProxy,
    japan: Edition,
    india: Edition,
    make_story: StoryFactory,
    admin_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.HERALD_PURGE_URLS = [f"http://127.0.0.1:{proxy.server_address[1]}"]
    story = make_story(editions=[japan, india])
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_story(story, by=admin_user, editions=[japan])
    # The story's own purge, read after commit, knows only Japan now.
    assert not any(
        key.startswith(f"ed-{india.pk}-")
        for key in purge_story_task.call(story_ids=[story.pk])
    )
    purged = _purged_keys(proxy)
    assert {
        f"ed-{india.pk}-home",
        f"ed-{india.pk}-feed",
        f"ed-{india.pk}-sitemap",
        f"ed-{india.pk}-search",
        f"ed-{india.pk}-section-world",
        f"ed-{india.pk}-place-tokyo-japan",
    } <= purged


def test_removing_stories_from_the_editions_side_purges_that_edition_too(
    settings: Any,
    proxy: FakeProxy,
    japan: Edition,
    india: Edition,
    make_story: StoryFactory,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.HERALD_PURGE_URLS = [f"http://127.0.0.1:{proxy.server_address[1]}"]
    first = make_story(editions=[japan, india])
    second = make_story(editions=[japan, india])
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        india.stories.remove(first)
    assert {f"story-{first.pk}", f"ed-{india.pk}-feed"} <= _purged_keys(proxy)
    assert f"story-{second.pk}" not in _purged_keys(proxy)
    proxy.purges.clear()
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        india.stories.clear()
    purged = _purged_keys(proxy)
    assert {f"story-{second.pk}", f"ed-{india.pk}-sitemap"} <= purged
    assert not any(key.startswith(f"ed-{japan.pk}-") for key in purged)


def test_no_purge_is_queued_for_an_edition_left_without_proxies(
    settings: Any,
    japan: Edition,
    india: Edition,
    make_story: StoryFactory,
    admin_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.HERALD_PURGE_URLS = []
    story = make_story(editions=[japan, india])
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_story(story, by=admin_user, editions=[japan])
    assert not DBTaskResult.objects.filter(task_path__endswith="purge_keys_task")


def test_a_purge_is_given_up_after_the_last_attempt_and_logged(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.HERALD_PURGE_ATTEMPTS = 3
    down = f"http://127.0.0.1:{free_port()}"
    assert purge_keys_task.call(target=down, keys=["story-1"], attempt=3) is False
    assert "Purge given up" in caplog.text
    assert not DBTaskResult.objects.filter(task_path__endswith="purge_keys_task")


def test_the_editors_action_succeeds_when_no_proxy_answers(
    settings: Any,
    make_story: StoryFactory,
    admin_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.HERALD_PURGE_URLS = [f"http://127.0.0.1:{free_port()}"]
    story = make_story(publish=False)
    with django_capture_on_commit_callbacks(execute=True):
        actions.publish_story(story, by=admin_user)
    assert Story.objects.get(pk=story.pk).status == "published"


def test_retry_waits_grow_and_are_capped() -> None:
    assert [purge.retry_delay(n) for n in (1, 2, 3, 9, 20)] == [2, 4, 8, 300, 300]


def test_the_sweep_lease_has_one_holder_until_it_expires_or_is_given_back() -> None:
    assert leases.acquire("sweep", "a", 30)
    assert not leases.acquire("sweep", "b", 30)
    assert leases.acquire("sweep", "a", 30)  # renewal
    Lease.objects.filter(name="sweep").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert leases.acquire("sweep", "b", 30)  # a's lease ran out: a died
    assert not leases.acquire("sweep", "a", 30)
    leases.release("sweep", "b")
    assert leases.acquire("sweep", "a", 30)


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        ("127.0.0.1", "127.0.0.1", "203.0.113.7", "203.0.113.7"),
        ("127.0.0.1", "127.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        ("10.0.0.0/8", "10.0.0.2", "203.0.113.7, 10.0.0.9", "203.0.113.7"),
        ("127.0.0.1", "198.51.100.1", "203.0.113.7", "198.51.100.1"),
        ("", "127.0.0.1", "203.0.113.7", "127.0.0.1"),
        ("127.0.0.1", "127.0.0.1", "not-an-address", "127.0.0.1"),
    ],
)
def test_the_client_address_comes_from_forwarded_for_only_behind_trusted_proxies(
    settings: Any, trusted: str, peer: str, forwarded: str, client: str
) -> None:
    settings.HERALD_TRUSTED_PROXIES = [trusted] if trusted else []
    seen: list[str] = []

    def view(request: Any) -> Any:
        seen.append(request.META["REMOTE_ADDR"])
        return None

    request = RequestFactory().get(
        "/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded
    )
    ClientAddressMiddleware(view)(request)
    assert seen == [client]
