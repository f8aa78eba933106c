"""Writing in the desk: the body editor's input, defaults for a new story, times
in the origin edition's zone, and two people on one story (a stale save refused
with a diff, autosave, who else has it open)."""

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from herald.accounts.models import User
from herald.accounts.tests.factories import make_user
from herald.core.roles import Role
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import Section, Story
from herald.stories.tests.desk_forms import form_values
from herald.stories.workflow import Status

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _change_url(story: Story) -> str:
    return reverse("admin:stories_story_change", args=[story.pk])


@pytest.fixture(autouse=True)
def _no_presence_between_tests() -> None:
    cache.clear()


def test_a_new_story_for_an_editor_of_one_edition_needs_no_placement_choices(
    japan: Edition, japan_editor: User, section: Section
) -> None:
    client = _client(japan_editor)
    url = reverse("admin:stories_story_add")
    values = form_values(client, url)
    assert values["origin_edition"] == str(japan.pk)
    assert values["editions"] == str(japan.pk)
    values.update(
        headline="Ferry timetable changes",
        primary_section=str(section.pk),
        body="Sailings start in June.\n\n"
        "The last boat leaves at ten.\nOn Sundays at nine.",
    )
    response = client.post(url, values)
    assert response.status_code == 302, response.content.decode()[:3000]
    story = Story.objects.get(headline="Ferry timetable changes")
    assert list(story.editions.all()) == [japan]
    # Plain text: a blank line parts paragraphs, a single break stays in one.
    assert story.body == (
        "<p>Sailings start in June.</p>"
        "<p>The last boat leaves at ten.<br>On Sundays at nine.</p>"
    )
    # The next story starts in the section used last.
    assert form_values(client, url)["primary_section"] == str(section.pk)


def test_an_editor_of_two_editions_chooses(
    japan: Edition, india: Edition, section: Section
) -> None:
    both = make_user("both", Role.EDITOR, [japan, india])
    values = form_values(_client(both), reverse("admin:stories_story_add"))
    assert not values.get("origin_edition")
    assert values.get("editions", []) == []


def test_the_dateline_joins_the_first_paragraph_of_a_plain_text_body(
    make_story: object, japan_editor: User
) -> None:
    story = make_story(body="x")  # type: ignore[operator]
    client = _client(japan_editor)
    values = form_values(client, _change_url(story))
    values["body"] = "Crowds gathered early.\n\nThe rain held off."
    assert client.post(_change_url(story), values).status_code == 302
    story.refresh_from_db()
    assert story.body_with_dateline().startswith(
        '<p><span class="dateline">TOKYO, Japan:</span> Crowds gathered early.</p>'
    )


def test_rich_html_is_sanitized_with_the_one_allowlist(
    make_story: object, japan_editor: User
) -> None:
    story = make_story()  # type: ignore[operator]
    client = _client(japan_editor)
    values = form_values(client, _change_url(story))
    values["body"] = (
        '<h2 style="color:red">Rates</h2><ul><li onclick="x()">One</li></ul>'
        '<p><a href="javascript:alert(1)">bad</a> <a href="https://example.org">ok</a>'
        "</p><script>alert(1)</script>"
    )
    assert client.post(_change_url(story), values).status_code == 302
    story.refresh_from_db()
    assert story.body == (
        '<h2>Rates</h2><ul><li>One</li></ul><p><a rel="noopener noreferrer '
        'nofollow">bad</a> <a href="https://example.org" rel="noopener noreferrer '
        'nofollow">ok</a></p>'
    )


def test_the_change_page_offers_the_editor_and_shows_times_in_the_edition_zone(
    make_story: object, japan_editor: User
) -> None:
    story = make_story(publish=False)  # type: ignore[operator]
    at = datetime(2026, 12, 7, 13, 10, tzinfo=UTC)
    client = _client(japan_editor)
    response = client.post(
        reverse("admin:stories_story_move", args=[story.pk]),
        {"move": Status.SCHEDULED, "scheduled_for": "2030-12-07T22:10"},
        follow=True,
    )
    page = response.content.decode()
    assert "It goes live 07 Dec 2030, 22:10 GMT+9." in page
    assert "goes live 07 Dec 2030, 22:10 GMT+9" in page
    assert 'data-herald-editor="body"' in page and "desk/body_editor.js" in page
    assert "Embargo until (Asia/Tokyo, GMT+9)" in page
    Story.objects.filter(pk=story.pk).update(modified_at=at)
    listing = client.get(reverse("admin:stories_story_changelist")).content.decode()
    assert "07 Dec 2026, 22:10 GMT+9" in listing
    assert "UTC" not in listing


def test_the_embargo_is_read_in_the_origin_edition_zone(
    make_story: object, japan_editor: User
) -> None:
    story = make_story(publish=False)  # type: ignore[operator]
    client = _client(japan_editor)
    values = form_values(client, _change_url(story))
    values["embargo_until"] = "2030-01-02T09:30"
    assert client.post(_change_url(story), values).status_code == 302
    story.refresh_from_db()
    assert story.embargo_until == datetime(2030, 1, 2, 0, 30, tzinfo=UTC)
    assert form_values(client, _change_url(story))["embargo_until"] == (
        "2030-01-02T09:30"
    )


def test_a_save_over_a_newer_version_is_refused_with_the_differences(
    make_story: object, japan_editor: User, admin_user: User
) -> None:
    story = make_story(publish=False)  # type: ignore[operator]
    mine = _client(japan_editor)
    values = form_values(mine, _change_url(story))
    # Someone else saves first.
    actions.update_story(story, by=admin_user, headline="Their headline")
    values["headline"] = "My headline"
    response = mine.post(_change_url(story), values)
    assert response.status_code == 200  # the form again, with my text in it
    page = response.content.decode()
    assert "Someone saved this story after you opened it" in page
    assert "-Their headline" in page and "+My headline" in page
    assert 'value="My headline"' in page
    story.refresh_from_db()
    assert story.headline == "Their headline"
    # Having read the differences, saving again keeps mine.
    again = form_values(mine, _change_url(story))
    again["headline"] = "My headline"
    again["base_version"] = response.context["adminform"].form.data["base_version"]
    assert mine.post(_change_url(story), again).status_code == 302
    story.refresh_from_db()
    assert story.headline == "My headline"


def test_a_draft_autosaves_and_a_stale_autosave_is_refused(
    make_story: object, japan_editor: User, admin_user: User
) -> None:
    story = make_story(publish=False)  # type: ignore[operator]
    client = _client(japan_editor)
    values = form_values(client, _change_url(story))
    url = reverse("admin:stories_story_autosave", args=[story.pk])
    assert client.get(url).status_code == 405
    values["headline"] = "Autosaved headline"
    response = client.post(url, values)
    assert response.status_code == 200, response.content
    story.refresh_from_db()
    assert story.headline == "Autosaved headline"
    assert response.json()["version"] == story.modified_at.isoformat()
    assert story.revisions.first().note == "Autosaved"
    # Another save happens; the next autosave from the old version is refused.
    actions.update_story(story, by=admin_user, standfirst="Theirs")
    values["base_version"] = response.json()["version"]
    values["headline"] = "Lost?"
    refused = client.post(url, values)
    assert refused.status_code == 409 and refused.json()["stale"] is True
    story.refresh_from_db()
    assert story.headline == "Autosaved headline" and story.standfirst == "Theirs"


def test_only_drafts_autosave(make_story: object, japan_editor: User) -> None:
    story = make_story()  # type: ignore[operator]
    client = _client(japan_editor)
    values = form_values(client, _change_url(story))
    values["headline"] = "Not live yet"
    url = reverse("admin:stories_story_autosave", args=[story.pk])
    assert client.post(url, values).status_code == 409
    story.refresh_from_db()
    assert story.headline != "Not live yet"


def test_the_second_editor_sees_who_else_has_the_story_open(
    make_story: object, japan_editor: User, admin_user: User
) -> None:
    story = make_story(publish=False)  # type: ignore[operator]
    first = _client(japan_editor)
    assert "Also open by" not in first.get(_change_url(story)).content.decode()
    second = _client(admin_user)
    page = second.get(_change_url(story)).content.decode()
    assert f"Also open by <strong>{japan_editor.get_username()}</strong>" in page
    beat = reverse("admin:stories_story_presence", args=[story.pk])
    assert first.post(beat).json() == {"others": [admin_user.get_username()]}
    assert second.post(beat, {"closed": "1"}).json() == {"others": []}
    assert first.post(beat).json() == {"others": []}


def test_another_editions_story_has_no_autosave_or_presence(
    make_story: object, india_editor: User
) -> None:
    story = make_story(publish=False)  # type: ignore[operator]
    client = _client(india_editor)
    before = Story.objects.get(pk=story.pk).modified_at
    for name in ("autosave", "presence"):
        url = reverse(f"admin:stories_story_{name}", args=[story.pk])
        assert client.post(url, {"headline": "x"}).status_code == 404
    assert Story.objects.get(pk=story.pk).modified_at == before
    assert timezone.now() > before
