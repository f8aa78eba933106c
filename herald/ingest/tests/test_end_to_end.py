"""Real feeds over loopback HTTP, hostile ones among them, and two ingest processes
at once: every failure ends as a clear error on its own source."""

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from herald.core.tests.httpserver import Route, guard_connections, serve
from herald.editions.models import Edition
from herald.ingest.models import FetchLog, ItemState, Outcome, Source, WireItem
from herald.ingest.polling import poll_sources
from herald.ingest.tests.factories import make_source
from herald.stories.models import Section, Story

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "herald" / "demo" / "feeds"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Loopback wire</title>
<item><title>Harbour plan approved after months of talks</title>
<guid isPermaLink="false">loop-1</guid>
<pubDate>Tue, 10 Mar 2026 23:30:00 +0200</pubDate>
<description><![CDATA[<p>BERLIN, Germany: The council approved the harbour plan
on Tuesday after months of talks with residents.</p>]]></description></item>
<item><title>Second &lt;b&gt;item&lt;/b&gt; with markup</title>
<guid isPermaLink="false">loop-2</guid>
<pubDate>Tue, 10 Mar 2026 10:00:00 +0200</pubDate>
<description><![CDATA[<p>Rail workers voted to accept a new pay offer.</p>
<script>alert(1)</script><p onclick="x()">Trains run normally.</p>]]></description>
</item></channel></rss>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>&lol3;</title></channel></rss>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&x;</title><guid>x</guid></item>
</channel></rss>"""

pytestmark = [pytest.mark.loopback, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _loopback(settings: Any) -> None:
    settings.HERALD_FETCH_ALLOWED_ADDRESSES = ["127.0.0.1"]
    settings.HERALD_FETCH_TIMEOUT = 3
    settings.HERALD_FETCH_MAX_BYTES = 1024 * 1024


@pytest.fixture
def placed(japan: Edition, section: Section) -> tuple[Edition, Section]:
    return japan, section


def http_source(slug: str, url: str, placed: tuple[Edition, Section]) -> Source:
    source = make_source(slug, url=url, drop_folder="", format="rss")
    source.default_editions.set([placed[0]])
    source.default_sections.set([placed[1]])
    return source


def test_feed_over_http_is_ingested_and_a_conditional_get_changes_nothing(
    placed: tuple[Edition, Section],
) -> None:
    with serve({"/feed.rss": Route(body=RSS, etag='"v1"')}) as server:
        source = http_source("loop", server.url("/feed.rss"), placed)
        with guard_connections(["127.0.0.1"]):
            first = poll_sources([source])[0]
            source.refresh_from_db()
            second = poll_sources([source])[0]
        assert (first.outcome, first.new) == ("ok", 2)
        assert second.outcome == "not_modified"
        assert server.requests[-1].headers.get("If-None-Match") == '"v1"'
    source.refresh_from_db()
    assert source.etag == '"v1"'
    assert source.last_success_at is not None
    item = WireItem.objects.get(guid="loop-1")
    # 23:30 at +02:00 is 21:30 UTC, the same day.
    assert item.source_updated_at is not None
    assert item.source_updated_at.isoformat() == "2026-03-10T21:30:00+00:00"
    markup = Story.objects.get(wire_items__guid="loop-2")
    assert "<b>" not in markup.headline
    assert "<script" not in markup.body
    assert "onclick" not in markup.body


def test_repolling_without_validators_fifty_times_creates_nothing(
    placed: tuple[Edition, Section],
) -> None:
    with serve({"/feed.rss": Route(body=RSS)}) as server:
        source = http_source("loop", server.url("/feed.rss"), placed)
        poll_sources([source])
        counts = (WireItem.objects.count(), Story.objects.count())
        for _ in range(50):
            summary = poll_sources([source])[0]
            assert (summary.new, summary.updated, summary.ignored) == (0, 0, 2)
    assert counts == (WireItem.objects.count(), Story.objects.count())


HOSTILE: dict[str, Route] = {
    "/laughs.xml": Route(body=LAUGHS),
    "/xxe.xml": Route(body=XXE),
    "/huge": Route(body=b"<rss>" + b"x" * 65536, repeat=True),
    "/slow.rss": Route(body=RSS, trickle=1.0, chunk_size=1),
    "/truncated.xml": Route(body=RSS[: len(RSS) // 2]),
    "/encoding.xml": Route(
        body=RSS.replace(b"utf-8", b"utf-16").replace(b"Harbour", b"Harb\xff\xfeour")
    ),
    "/private": Route.redirect("http://10.11.12.13/feed.rss"),
    "/garbage": Route(body=b"\x00\x01not a feed at all\xff" * 100),
    "/status": Route(body=b"oops", status=500),
}


def test_hostile_feeds_each_end_as_an_error_while_a_good_source_ingests(
    placed: tuple[Edition, Section],
) -> None:
    routes = {**HOSTILE, "/good.rss": Route(body=RSS)}
    with serve(routes) as server:
        sources = [
            http_source(path.strip("/").replace(".", "-"), server.url(path), placed)
            for path in routes
        ]
        tracemalloc.start()
        with guard_connections(["127.0.0.1"]):
            summaries = {s.source: s for s in poll_sources(sources)}
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert summaries["good-rss"].outcome == "ok"
    assert summaries["good-rss"].new == 2
    for source in Source.objects.exclude(slug__in=["good-rss", "encoding-xml"]):
        log = FetchLog.objects.get(source=source)
        assert log.outcome == Outcome.ERROR, (source.slug, log.message)
        assert log.message and "\n" not in log.message, source.slug
        assert source.last_error == log.message
        assert source.failures_in_row == 1
    ingested = set(WireItem.objects.values_list("source__slug", flat=True))
    assert ingested <= {"good-rss", "encoding-xml"}
    # A wrong declared encoding is repaired, and the source says so.
    encoding = Source.objects.get(slug="encoding-xml")
    assert FetchLog.objects.get(source=encoding).outcome == Outcome.WARNING
    assert "not valid utf-16" in encoding.last_error
    # The slow source did not hold back the good one.
    good = FetchLog.objects.get(source__slug="good-rss")
    slow = FetchLog.objects.get(source__slug="slow-rss")
    assert good.finished_at and slow.finished_at and good.finished_at < slow.finished_at
    assert "deadline" in slow.message.lower() or "time" in slow.message.lower()
    # Endless bodies are cut at the cap: memory stays within a few caps.
    assert peak < 40 * settings.HERALD_FETCH_MAX_BYTES


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{db.get('USER') or 'postgres'}@{host}:{port}/{db['NAME']}"


def test_two_ingest_processes_at_once_create_nothing_twice(
    placed: tuple[Edition, Section],
) -> None:
    for fmt in ("rss", "atom", "newsml-g2", "ninjs"):
        source = make_source(f"demo-{fmt}", format=fmt, drop_folder=str(DEMO / fmt))
        source.default_editions.set([placed[0]])
        source.default_sections.set([placed[1]])
    env = {
        **os.environ,
        "HERALD_DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "herald.settings",
    }
    command = [sys.executable, "-m", "herald", "ingest", "--once"]
    procs = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    # 15 items in the demo feeds, 13 distinct (source, guid) pairs.
    assert WireItem.objects.count() == 13
    stories = Story.objects.count()
    assert stories == WireItem.objects.filter(state=ItemState.STORY).count()
    assert stories == WireItem.objects.exclude(story=None).count()
    # Each source was polled by one process and skipped, or polled twice in turn
    # (the second time everything is ignored); never fetched by both at once.
    for source in Source.objects.all():
        logs = list(FetchLog.objects.filter(source=source).order_by("started_at"))
        assert 1 <= len(logs) <= 2
        if len(logs) == 2:
            assert logs[1].items_new == 0
            first, second = logs[0].finished_at, logs[1].finished_at
            assert first and second and first <= second
