"""`herald ingest --once` on the demo sources: ingest, clusters and routing offline."""

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from herald.demo.wire import seed_sources
from herald.editions.models import Edition
from herald.editions.tests.factories import EditionFactory
from herald.ingest.models import Cluster, ItemState, Source, WireItem
from herald.stories.models import Place, Section, Story
from herald.stories.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(
    settings: Any, japan: Edition, india: Edition, section: Section, tokyo: Place
) -> None:
    # The demo's picture is at img.meridian.example, which no test may reach.
    settings.HERALD_WIRE_PICTURES = False
    # Places tell the rules that "Japan" is "JP" and "India" is "IN".
    Place.objects.create(
        name="Mumbai", slug="mumbai", country="India", country_code="IN"
    )
    EditionFactory.create(
        slug="gulf-herald", name="Gulf Herald", time_zone="Asia/Dubai"
    )
    seed_sources()


def run(*args: str, fails: str = "") -> str:
    """The command's output; with `fails`, it must end in that error (exit 1)."""
    out = io.StringIO()
    if not fails:
        call_command("ingest", *args, stdout=out, stderr=io.StringIO())
        return out.getvalue()
    with pytest.raises(CommandError, match=fails) as failure:
        call_command("ingest", *args, stdout=out, stderr=io.StringIO())
    assert failure.value.returncode == 1
    return out.getvalue()


def test_demo_sources_cover_every_format(demo: None) -> None:
    assert set(Source.objects.values_list("format", flat=True)) == {
        "rss",
        "atom",
        "newsml-g2",
        "ninjs",
    }


def test_ingest_once_takes_in_clusters_and_routes_the_demo_feeds(demo: None) -> None:
    out = run("--once")
    assert "13 new (3 duplicates), 2 updated, 0 ignored" in out
    assert "0 sources with errors" in out
    # Near-duplicates across agencies are shown in a cluster, not made stories.
    assert WireItem.objects.filter(state=ItemState.DUPLICATE).count() == 3
    quake = Cluster.objects.get(items__guid="mpa-2026-0311-quake")
    assert quake.items.count() == 2
    # The ninjs update replaced version 1 of the Aramco story, with a revision.
    aramco = Story.objects.get(wire_items__guid="urn:gulfwire:2026:aramco-q2")
    assert "3.4 percent" in aramco.headline
    assert aramco.revisions.count() == 2
    # Routing: a Japanese dateline goes to Japan Herald, the Indian ones to India.
    typhoon = Story.objects.get(wire_items__guid__endswith="typhoon-shanshan")
    assert [e.slug for e in typhoon.editions.all()] == ["japan-herald"]
    assert typhoon.status == Status.PUBLISHED
    assert typhoon.agency_credit == "(Kestrel)"
    rbi = Story.objects.get(wire_items__guid="mpa-2026-0311-rbi")
    assert [e.slug for e in rbi.editions.all()] == ["india-herald"]


def test_a_second_run_creates_nothing(demo: None) -> None:
    run("--once")
    counts = (WireItem.objects.count(), Story.objects.count())
    out = run("--once")
    assert "0 new (0 duplicates), 0 updated, 15 ignored" in out
    assert counts == (WireItem.objects.count(), Story.objects.count())


def test_one_source_by_slug(demo: None) -> None:
    out = run("--once", "--source", "kestrel")
    assert "[1/1] kestrel: 3 new" in out
    assert set(WireItem.objects.values_list("source__slug", flat=True)) == {"kestrel"}


def test_an_unknown_slug_is_a_clear_error(demo: None) -> None:
    with pytest.raises(CommandError, match="No source has the slug 'nope'"):
        run("--once", "--source", "nope")


def test_a_missing_drop_folder_is_an_error_on_that_source_only(demo: None) -> None:
    Source.objects.filter(slug="kestrel").update(drop_folder="/nonexistent/feeds")
    out = run("--once", fails="1 of 4 sources had errors: kestrel")
    assert "kestrel: ERROR The drop folder /nonexistent/feeds does not exist." in out
    assert "meridian: 4 new" in out
    kestrel = Source.objects.get(slug="kestrel")
    assert "does not exist" in kestrel.last_error
    assert kestrel.fetches.get().outcome == "error"
