"""A story made on the desk from a wire item without one: a draft, or published at
once when the item was held; safe to click twice, refused to those it is not for,
and linked both ways (the item's page and the story's)."""

import io
import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse
from PIL import Image

from herald.accounts.models import User
from herald.accounts.tests.factories import make_user
from herald.core.roles import Role
from herald.core.tests.httpserver import Route, serve
from herald.core.timefmt import format_local
from herald.editions.models import Edition
from herald.ingest.models import Cluster, ItemState, Source, WireItem
from herald.ingest.sources import parse
from herald.ingest.sources.items import PubStatus, WireImage
from herald.ingest.storing import Context, ingest_item
from herald.ingest.tests.factories import BODY, ItemFactory, make_source
from herald.ingest.wire_to_story import Placement, make_story_from_item
from herald.stories.models import Provenance, Section, Story, StoryEvent
from herald.stories.workflow import Status

pytestmark = pytest.mark.django_db

REWRITE = (
    "<p>A strong earthquake of magnitude 6.8 hit off Aomori prefecture in northern "
    "Japan on Tuesday morning, the Japan Meteorological Agency said, issuing a "
    "tsunami advisory for the Pacific coast of Aomori and Iwate.</p><p>Bullet train "
    "services were halted while tracks were inspected.</p>"
)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_url(item: WireItem) -> str:
    return reverse("admin:ingest_wireitem_make_story", args=[item.pk])


def item_url(item: WireItem) -> str:
    return reverse("admin:ingest_wireitem_change", args=[item.pk])


def placed(edition: Edition, section: Section, **extra: Any) -> dict[str, Any]:
    return {
        "origin_edition": edition.pk,
        "editions": [edition.pk],
        "primary_section": section.pk,
        **extra,
    }


def texts(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def moderator(japan: Edition) -> User:
    return make_user("mod", Role.MODERATOR, [])


@pytest.fixture
def withheld(wire_source: Source, make_item: ItemFactory) -> WireItem:
    """An MPA item the source holds back, routed (by the source's defaults) to the
    Japan Herald's World section; its body carries a script to be sanitized."""
    ingest_item(
        Context.for_source(wire_source),
        make_item(
            "urn:mpa:held",
            standfirst="Bullet trains halted while tracks are inspected.",
            byline="Ken Sato",
            pubstatus=PubStatus.WITHHELD,
            body_html=BODY + "<script>alert(1)</script><p onclick='x()'>Trains "
            "stopped.</p>",
        ),
    )
    item = WireItem.objects.get(guid="urn:mpa:held")
    assert item.state == ItemState.WITHHELD and item.story_id is None
    return item


@pytest.fixture
def unrouted(make_item: ItemFactory) -> WireItem:
    """An item of a source with no default editions or sections and no rule: it
    waits unrouted, routed nowhere."""
    source = make_source("nws", agency="Northern Wire Service", auto_publish=False)
    ingest_item(
        Context.for_source(source),
        make_item(
            "nws-1",
            headline="Harbour plan approved after months of talks",
            body_html="<p>The council approved the harbour plan on Tuesday after "
            "months of talks with residents, the mayor said.</p>",
            dateline_city="Osaka",
        ),
    )
    item = WireItem.objects.get(guid="nws-1")
    assert item.state == ItemState.UNROUTED
    return item


# --- making a draft ------------------------------------------------------------------
def test_editor_makes_a_draft_with_the_items_text_dateline_and_credit(
    withheld: WireItem, japan_editor: User, japan: Edition, section: Section
) -> None:
    client = client_for(japan_editor)
    page = client.get(item_url(withheld)).content.decode()
    assert "Make a story" in page and "Publish to editions" in page
    assert "Withheld by the source." in page
    # One edition, and a section routing gives: nothing to choose, only buttons.
    assert "The story goes on <strong>Japan Herald, World</strong>" in page
    response = client.post(make_url(withheld), placed(japan, section, _make="1"))
    story = Story.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:stories_story_change", args=[story.pk]
    )
    assert "The story is made from the wire item, a draft." in texts(response)
    assert story.status == Status.DRAFT
    assert story.headline == withheld.headline
    assert story.standfirst == "Bullet trains halted while tracks are inspected."
    assert "<script" not in story.body and "onclick" not in story.body
    assert "Trains stopped." in story.body
    assert (story.dateline_city, story.dateline_country) == ("Tokyo", "Japan")
    assert story.provenance == Provenance.WIRE
    assert story.agency == "Meridian Press Agency"
    assert story.agency_credit == "(MPA)"
    assert story.origin_edition == japan and list(story.editions.all()) == [japan]
    assert story.primary_section == section
    assert [t.slug for t in story.tags.all()] == ["wire"]
    assert story.created_by == japan_editor
    revision = story.revisions.get()
    assert (revision.number, revision.created_by) == (1, japan_editor)
    event = StoryEvent.objects.get(story=story)
    assert (event.action, event.by) == ("create", japan_editor)
    withheld.refresh_from_db()
    assert withheld.story == story and withheld.state == ItemState.STORY
    assert "by jeditor" in withheld.note


def test_second_click_makes_no_second_story_and_points_to_the_first(
    withheld: WireItem, japan_editor: User, japan: Edition, section: Section
) -> None:
    client = client_for(japan_editor)
    client.post(make_url(withheld), placed(japan, section, _make="1"))
    again = client.post(make_url(withheld), placed(japan, section, _make="1"))
    story = Story.objects.get()
    assert again.status_code == 302 and again["Location"] == item_url(withheld)
    # The first click's message was not shown yet: it is there too.
    *_, message = texts(again)
    assert "has a story already, and nothing new was made" in message
    assert reverse("admin:stories_story_change", args=[story.pk]) in message
    assert story.revisions.count() == 1
    # The item's page now links the story instead of offering the button.
    page = client.get(item_url(withheld)).content.decode()
    assert reverse("admin:stories_story_change", args=[story.pk]) in page
    assert "Make a story" not in page


def test_get_shows_the_form_and_changes_nothing(
    withheld: WireItem, japan_editor: User
) -> None:
    response = client_for(japan_editor).get(make_url(withheld))
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert not Story.objects.exists()
    withheld.refresh_from_db()
    assert withheld.state == ItemState.WITHHELD and withheld.story_id is None


def test_a_post_without_the_csrf_token_is_refused(
    withheld: WireItem, japan_editor: User, japan: Edition, section: Section
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(japan_editor)
    response = client.post(make_url(withheld), placed(japan, section, _make="1"))
    assert response.status_code == 403
    assert not Story.objects.exists()


# --- who may ----------------------------------------------------------------------
# (user fixture, status of the POST, whether a story is made). The item is routed to
# the Japan Herald: the India Herald's editor answers 404, as for another edition's
# story; roles that make no stories from the wire answer 403.
MATRIX = [
    ("admin_user", 302, True),
    ("japan_editor", 302, True),
    ("india_editor", 404, False),
    ("japan_writer", 403, False),
    ("moderator", 403, False),
]


@pytest.mark.parametrize(("role", "status", "made"), MATRIX)
def test_who_may_make_a_story_from_an_item(
    role: str,
    status: int,
    made: bool,
    withheld: WireItem,
    japan: Edition,
    section: Section,
    request: pytest.FixtureRequest,
) -> None:
    user = request.getfixturevalue(role)
    client = client_for(user)
    response = client.post(make_url(withheld), placed(japan, section, _make="1"))
    assert response.status_code == status
    assert Story.objects.exists() is made
    withheld.refresh_from_db()
    assert (withheld.story_id is not None) is made
    if not made:
        assert withheld.state == ItemState.WITHHELD
        assert client.get(make_url(withheld)).status_code == status


def test_another_editions_editor_sees_the_item_but_no_button(
    withheld: WireItem, india_editor: User
) -> None:
    page = client_for(india_editor).get(item_url(withheld)).content.decode()
    assert "routed to editions you do not edit" in page
    assert make_url(withheld) not in page


def test_an_item_routed_nowhere_is_any_editors_to_place(
    unrouted: WireItem, india_editor: User, india: Edition, section: Section
) -> None:
    response = client_for(india_editor).post(
        make_url(unrouted), placed(india, section, _make="1")
    )
    assert response.status_code == 302
    assert Story.objects.get().origin_edition == india


def test_an_editor_cannot_place_a_story_on_another_editions_pages(
    unrouted: WireItem, india_editor: User, japan: Edition, section: Section
) -> None:
    response = client_for(india_editor).post(
        make_url(unrouted), placed(japan, section, _make="1")
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Story.objects.exists()


# --- publishing a held item --------------------------------------------------------
def test_publishing_a_withheld_item_needs_the_confirmation(
    withheld: WireItem, japan_editor: User, japan: Edition, section: Section
) -> None:
    client = client_for(japan_editor)
    refused = client.post(make_url(withheld), placed(japan, section, _publish="1"))
    assert refused.status_code == 200
    assert "Tick the confirmation" in refused.content.decode()
    assert not Story.objects.exists()
    withheld.refresh_from_db()
    assert withheld.state == ItemState.WITHHELD and withheld.note.startswith("Withheld")

    done = client.post(
        make_url(withheld),
        placed(japan, section, _publish="1", confirm_withheld="on"),
    )
    story = Story.objects.get()
    assert done.status_code == 302
    assert "The story is made from the wire item, published on its editions." in (
        texts(done)
    )
    assert story.status == Status.PUBLISHED
    assert Story.objects.public().filter(pk=story.pk).exists()
    actions = list(story.events.order_by("pk").values_list("action", "by"))
    assert actions == [("create", japan_editor.pk), ("publish", japan_editor.pk)]
    withheld.refresh_from_db()
    assert withheld.story == story and "made and published" in withheld.note


def test_admin_publishes_an_unrouted_item_on_editions_chosen_in_the_form(
    unrouted: WireItem,
    admin_user: User,
    japan: Edition,
    india: Edition,
    section: Section,
) -> None:
    client = client_for(admin_user)
    page = client.get(item_url(unrouted)).content.decode()
    # Several editions and no suggestion: the form asks.
    assert "Routing suggests no edition for this item" in page
    assert 'name="origin_edition"' in page and 'type="checkbox"' in page
    assert "Withheld by the source." not in page
    response = client.post(
        make_url(unrouted),
        {
            "origin_edition": india.pk,
            "editions": [japan.pk],
            "primary_section": section.pk,
            "_publish": "1",
        },
    )
    assert response.status_code == 302
    story = Story.objects.get()
    assert story.status == Status.PUBLISHED
    assert story.origin_edition == india
    assert set(story.editions.all()) == {india, japan}
    assert story.agency == "Northern Wire Service"


def test_a_canceled_item_cannot_become_a_story(
    wire_source: Source,
    make_item: ItemFactory,
    admin_user: User,
    japan: Edition,
    section: Section,
) -> None:
    ingest_item(
        Context.for_source(wire_source),
        make_item("urn:mpa:gone", pubstatus=PubStatus.CANCELED),
    )
    item = WireItem.objects.get(guid="urn:mpa:gone")
    client = client_for(admin_user)
    assert (
        "The source canceled this item" in client.get(item_url(item)).content.decode()
    )
    response = client.post(make_url(item), placed(japan, section, _make="1"))
    assert "The source canceled this item" in response.content.decode()
    assert not Story.objects.exists()


# --- clusters -------------------------------------------------------------------------
@pytest.fixture
def held_cluster(
    withheld: WireItem, other_source: Source, make_item: ItemFactory
) -> Cluster:
    """The withheld MPA item leads; another agency's rewrite joined it."""
    ingest_item(
        Context.for_source(other_source),
        make_item(
            "kpa-1", headline="Strong 6.8 quake hits off Aomori", body_html=REWRITE
        ),
    )
    copy = WireItem.objects.get(guid="kpa-1")
    assert copy.state == ItemState.DUPLICATE and copy.cluster_id == withheld.cluster_id
    return Cluster.objects.get(items=withheld)


def test_cluster_page_makes_a_story_from_the_lead(
    held_cluster: Cluster,
    withheld: WireItem,
    japan_editor: User,
    japan: Edition,
    section: Section,
) -> None:
    client = client_for(japan_editor)
    url = reverse("admin:ingest_cluster_change", args=[held_cluster.pk])
    page = client.get(url).content.decode()
    assert "Make a story from the lead" in page
    assert f'action="{make_url(withheld)}"' in page
    response = client.post(make_url(withheld), placed(japan, section, _make="1"))
    story = Story.objects.get()
    assert response["Location"] == reverse(
        "admin:stories_story_change", args=[story.pk]
    )
    page = client.get(url).content.decode()
    assert "Make a story from the lead" not in page
    assert reverse("admin:stories_story_change", args=[story.pk]) in page


def test_a_duplicate_becomes_a_draft_but_is_not_published_from_the_wire(
    held_cluster: Cluster, japan_editor: User, japan: Edition, section: Section
) -> None:
    copy = WireItem.objects.get(guid="kpa-1")
    client = client_for(japan_editor)
    page = client.get(item_url(copy)).content.decode()
    assert "Make a story" in page and "Publish to editions" not in page
    refused = client.post(make_url(copy), placed(japan, section, _publish="1"))
    assert "Only a held item" in refused.content.decode()
    assert not Story.objects.exists()
    made = client.post(make_url(copy), placed(japan, section, _make="1"))
    assert made.status_code == 302
    story = Story.objects.get()
    assert story.status == Status.DRAFT and story.agency == "Kestrel Press"
    copy.refresh_from_db()
    assert (copy.state, copy.story, copy.cluster_id) == (
        ItemState.STORY,
        story,
        held_cluster.pk,
    )


# --- the link both ways -----------------------------------------------------------
def test_story_page_says_which_wire_item_it_came_from(
    withheld: WireItem, japan_editor: User, japan: Edition, section: Section
) -> None:
    client = client_for(japan_editor)
    client.post(make_url(withheld), placed(japan, section, _make="1"))
    story = Story.objects.get()
    page = client.get(reverse("admin:stories_story_change", args=[story.pk]))
    text = page.content.decode()
    # In the desk's zone (the editor's edition's), with the offset.
    when = format_local(withheld.received_at, japan.time_zone)
    assert when.endswith("GMT+9")
    assert (
        f"From the wire: {withheld.source.name} item "
        f'<a href="{item_url(withheld)}">urn:mpa:held</a>, received {when}'
    ) in text


def test_a_staff_story_has_no_wire_panel(make_story: Any, admin_user: User) -> None:
    story = make_story(publish=False)
    page = client_for(admin_user).get(
        reverse("admin:stories_story_change", args=[story.pk])
    )
    assert "From the wire" not in page.content.decode()


# --- the items list ---------------------------------------------------------------
def test_list_action_makes_drafts_and_points_to_items_that_need_a_choice(
    withheld: WireItem, unrouted: WireItem, japan_editor: User
) -> None:
    client = client_for(japan_editor)
    changelist = reverse("admin:ingest_wireitem_changelist")
    assert "Make draft stories from the selected items" in (
        client.get(changelist).content.decode()
    )
    selected = {
        "action": "make_stories",
        "_selected_action": [withheld.pk, unrouted.pk],
    }
    response = client.post(changelist, selected)
    assert response.status_code == 302
    story = Story.objects.get()
    assert story.status == Status.DRAFT and story.wire_items.get() == withheld
    made, needs = texts(response)
    assert made.startswith("Made 1 draft:")
    assert "needs its editions and section chosen" in needs
    assert make_url(unrouted) in needs
    # Again: nothing new, and it says so.
    again = texts(client.post(changelist, selected))
    assert any("has a story already" in t for t in again)
    assert Story.objects.count() == 1


def test_list_action_is_not_offered_to_a_writer(japan_writer: User) -> None:
    response = client_for(japan_writer).get(reverse("admin:ingest_wireitem_changelist"))
    assert response.status_code == 403


# --- a real sample file, and pictures ------------------------------------------
def test_a_newsml_g2_sample_ingested_for_real_becomes_a_story(
    admin_user: User, japan: Edition, section: Section
) -> None:
    source = make_source("acme", agency="Acme News", format="newsml-g2")
    path = (
        Path(settings.BASE_DIR)
        / "tests/data/newsml-g2/LISTING_2_NewsML-G2_Text_Document.xml"
    )
    [parsed] = parse("newsml-g2", path.read_bytes()).items
    ingest_item(Context.for_source(source), parsed)
    item = WireItem.objects.get(source=source)
    assert item.state == ItemState.UNROUTED
    response = client_for(admin_user).post(
        make_url(item), placed(japan, section, _make="1")
    )
    assert response.status_code == 302
    story = Story.objects.get()
    assert story.headline == 'Fed to halt QE to avert "bubble"'
    assert (story.dateline_city, story.dateline_country) == (
        "New York",
        "United States",
    )
    assert story.agency == "Acme News"
    assert story.body.startswith("<p>Et, sent luptat luptat")


def png(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 160)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.loopback
def test_pictures_are_fetched_safely_and_attached_and_a_bad_one_is_named(
    settings: Any,
    wire_source: Source,
    make_item: ItemFactory,
    japan_editor: User,
    japan: Edition,
    section: Section,
) -> None:
    settings.HERALD_FETCH_ALLOWED_ADDRESSES = ["127.0.0.1"]
    settings.HERALD_FETCH_TIMEOUT = 3
    routes = {
        "/quake.png": Route(body=png(), content_type="image/png"),
        "/page.html": Route(body=b"<html>not a picture</html>"),
    }
    with serve(routes) as server:
        images = (
            WireImage(
                url=server.url("/quake.png"),
                caption="Commuters wait outside Sendai station.",
                photographer="Ken Sato",
            ),
            WireImage(url=server.url("/page.html")),
            WireImage(url=server.url("/missing.jpg")),
        )
        ingest_item(
            Context.for_source(wire_source),
            make_item("urn:mpa:pics", pubstatus=PubStatus.WITHHELD, images=images),
        )
        item = WireItem.objects.get(guid="urn:mpa:pics")
        response = client_for(japan_editor).post(
            make_url(item), placed(japan, section, _make="1")
        )
    assert response.status_code == 302
    story = Story.objects.get()
    image = story.images.get()
    assert image.caption == "Commuters wait outside Sendai station."
    assert image.credit == "Ken Sato/Meridian Press Agency"
    assert image.width == 640
    messages = texts(response)
    assert "The story is made from the wire item with 1 picture, a draft." in messages
    assert any(m.startswith("Picture 2: The file is not a readable") for m in messages)
    assert any(m.startswith("Picture 3 (") and "404" in m for m in messages)


# --- two clicks at once -----------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_editors_at_once_make_one_story(
    withheld: WireItem, japan_editor: User, admin_user: User, japan: Edition
) -> None:
    section = Section.objects.get(slug="world")
    placement = Placement(
        origin_edition=japan, editions=(japan,), primary_section=section
    )
    start = threading.Barrier(2)
    results: list[Any] = []

    def click(user: User) -> None:
        try:
            start.wait()
            item = WireItem.objects.get(pk=withheld.pk)
            results.append(make_story_from_item(item, by=user, placement=placement))
        except Exception as exc:  # the assertion below reports it
            results.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=click, args=(u,)) for u in (japan_editor, admin_user)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(r.created for r in results) == [False, True], results
    assert Story.objects.count() == 1
    assert {r.story.pk for r in results} == {Story.objects.get().pk}
