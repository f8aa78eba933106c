"""More Information: computed in the task queue, stored, explained, never the story
itself, never twice, never the same news twice, only from the edition."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from herald.accounts.models import User
from herald.discovery.models import RelatedStory
from herald.discovery.related import choose_related, related_for_page, store_related
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import Place, Section
from herald.stories.tests.factories import StoryFactory

pytestmark = pytest.mark.django_db

TYPHOON = (
    "<p>Typhoon Kirin is forecast to reach Okinawa on Thursday with winds of 180 km/h, "
    "the meteorological agency said, urging residents to prepare for flooding.</p>"
)
TYPHOON_FLIGHTS = (
    "<p>Airlines cancelled 300 flights to Okinawa as Typhoon Kirin approached, "
    "and ferries stayed in port while the meteorological agency warned of flooding.</p>"
)
TYPHOON_COPY = (
    "<p>Typhoon Kirin is expected to reach Okinawa on Thursday with winds of 180 km/h, "
    "the meteorological agency said, and urged residents to prepare for floods.</p>"
)
BUDGET = (
    "<p>The city council of Sapporo approved a budget for new snow ploughs and "
    "heated pavements after a long debate about winter costs.</p>"
)


@pytest.fixture
def okinawa(db: None) -> Place:
    return Place.objects.create(
        name="Naha", slug="naha", country="Japan", country_code="JP"
    )


def test_similar_story_ranks_first_with_reasons(
    make_story: StoryFactory, japan: Edition, okinawa: Place
) -> None:
    story = make_story(
        headline="Typhoon Kirin heads for Okinawa",
        body=TYPHOON,
        dateline_place=okinawa,
        dateline_city="Naha",
    )
    flights = make_story(
        headline="Flights cancelled as Typhoon Kirin nears",
        ago=timedelta(hours=3),
        body=TYPHOON_FLIGHTS,
        dateline_place=okinawa,
        dateline_city="Naha",
    )
    make_story(
        headline="Sapporo approves winter budget", body=BUDGET, ago=timedelta(minutes=5)
    )
    chosen = choose_related(story, japan)
    assert chosen[0].story == flights
    reasons = "; ".join(chosen[0].reasons)
    assert "shares places: Naha" in reasons and "similar words:" in reasons
    assert "typhoon" in reasons or "kirin" in reasons


def test_list_never_holds_the_story_itself_a_duplicate_or_the_same_news(
    make_story: StoryFactory, japan: Edition, okinawa: Place
) -> None:
    story = make_story(
        headline="Typhoon Kirin heads for Okinawa", body=TYPHOON, dateline_place=okinawa
    )
    copy = make_story(
        headline="Typhoon Kirin heads for Okinawa",
        body=TYPHOON_COPY,
        dateline_place=okinawa,
        agency="Other Agency",
        provenance="wire",
    )
    flights = make_story(
        headline="Flights cancelled as Typhoon Kirin nears",
        body=TYPHOON_FLIGHTS,
        dateline_place=okinawa,
    )
    flights_copy = make_story(
        headline="Flights cancelled as Typhoon Kirin nears",
        body=TYPHOON_FLIGHTS,
        dateline_place=okinawa,
    )
    for i in range(10):
        make_story(headline=f"Council item {i}", body=BUDGET, ago=timedelta(minutes=i))
    chosen = [c.story.pk for c in choose_related(story, japan)]
    assert story.pk not in chosen
    assert copy.pk not in chosen  # the same news from another agency
    assert len(chosen) == len(set(chosen))
    assert (flights.pk in chosen) != (flights_copy.pk in chosen)  # one of the pair


def test_only_stories_on_the_edition_count(
    make_story: StoryFactory, japan: Edition, india: Edition, okinawa: Place
) -> None:
    story = make_story(
        headline="Typhoon Kirin heads for Okinawa",
        body=TYPHOON,
        editions=[japan, india],
    )
    other = make_story(
        headline="Flights cancelled as Typhoon Kirin nears",
        body=TYPHOON_FLIGHTS,
        editions=[india],
    )
    assert other.pk not in [c.story.pk for c in choose_related(story, japan)]
    assert other.pk in [c.story.pk for c in choose_related(story, india)]


def test_falls_back_to_latest_in_section(
    make_story: StoryFactory, japan: Edition, okinawa: Place
) -> None:
    story = make_story(
        headline="Typhoon Kirin heads for Okinawa", body=TYPHOON, dateline_place=okinawa
    )
    latest = make_story(headline="Sapporo approves winter budget", body=BUDGET)
    chosen = choose_related(story, japan)
    assert [c.story for c in chosen] == [latest]
    assert chosen[0].reasons == ["latest in the section"]


@pytest.mark.django_db(transaction=True)
def test_publishing_computes_and_stores_the_list_in_the_task_queue(
    make_story: StoryFactory, japan: Edition, admin_user: User, okinawa: Place
) -> None:
    flights = make_story(
        headline="Flights cancelled as Typhoon Kirin nears",
        body=TYPHOON_FLIGHTS,
        dateline_place=okinawa,
    )
    story = make_story(
        publish=False,
        headline="Typhoon Kirin heads for Okinawa",
        body=TYPHOON,
        dateline_place=okinawa,
    )
    actions.publish_story(story, by=admin_user)
    assert not RelatedStory.objects.filter(story=story).exists()  # not in the request
    call_command("worker", "--batch", verbosity=0)
    row = RelatedStory.objects.get(story=story, edition=japan, position=0)
    assert row.related == flights and row.reasons
    # The desk explains the choice.
    client = Client()
    client.force_login(admin_user)
    page = client.get(reverse("admin:stories_story_change", args=[story.pk])).content
    assert b"More Information, and why" in page and b"shares places: Naha" in page


def test_page_drops_a_retracted_story_from_the_stored_list_and_tops_up(
    make_story: StoryFactory, japan: Edition, admin_user: User, section: Section
) -> None:
    story = make_story(headline="Typhoon Kirin heads for Okinawa", body=TYPHOON)
    flights = make_story(
        headline="Flights cancelled as Typhoon Kirin nears", body=TYPHOON_FLIGHTS
    )
    store_related(story)
    assert related_for_page(story, japan) == [flights]
    actions.retract_story(flights, by=admin_user, note="Wrong airline.")
    later = make_story(headline="Sapporo approves winter budget", body=BUDGET)
    assert related_for_page(story, japan) == [later]
    body = (
        Client(HTTP_HOST="japan-herald.localhost").get(story.get_absolute_url()).content
    )
    assert b"Flights cancelled" not in body and b"Sapporo approves" in body


def test_an_older_story_counts_only_when_it_shares_a_place_and_only_once(
    make_story: StoryFactory, japan: Edition, okinawa: Place
) -> None:
    naha = {"dateline_place": okinawa, "dateline_city": "Naha"}
    story = make_story(headline="Typhoon Kirin heads for Okinawa", body=TYPHOON, **naha)
    recent = make_story(
        headline="Flights cancelled as Typhoon Kirin nears",
        body=TYPHOON_FLIGHTS,
        ago=timedelta(hours=3),
        **naha,
    )
    old_naha = make_story(
        headline="Naha harbour reopens", ago=timedelta(days=90), **naha
    )
    old_budget = make_story(
        headline="Sapporo approves winter budget", body=BUDGET, ago=timedelta(days=80)
    )
    chosen = choose_related(story, japan, count=4)
    scored = [c.story for c in chosen if c.score > 0]
    assert scored[:2] == [recent, old_naha]
    assert "shares places: Naha" in "; ".join(chosen[1].reasons)
    assert old_budget not in scored
    assert len({c.story.pk for c in chosen}) == len(chosen)
