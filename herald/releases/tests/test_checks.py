"""Each automated check fires on what it looks for, with a reason, and a clean
release raises no flag."""

from datetime import timedelta

import pytest
from django.utils import timezone

from herald.editions.models import Edition
from herald.releases import actions
from herald.releases.checks import near_duplicates, run_checks
from herald.releases.models import NewsRelease
from herald.releases.tests.factories import BODY, make_release, make_submitter, png
from herald.stories.tests.factories import StoryFactory


def _codes(release: NewsRelease) -> list[str]:
    return [f.code for f in run_checks(release)]


@pytest.mark.django_db
def test_a_clean_release_raises_no_flag(japan: Edition) -> None:
    release = make_release(make_submitter(), [japan], images=1)
    assert release.flags == []


@pytest.mark.parametrize(
    ("overrides", "code", "reason_part"),
    [
        ({"headline": "ROWING CLUB OPENS BOATHOUSE TODAY"}, "capitals", "capital"),
        ({"headline": "Rowing club opens a boathouse!"}, "exclamations", "headline"),
        ({"body": BODY + "\n\nGreat! Come! Now!"}, "exclamations", "3 exclamation"),
        (
            {"body": BODY + "\n\nA revolutionary, world-class boathouse."},
            "hype",
            "revolutionary, world-class",
        ),
        ({"summary": "Your club needs you."}, "direct_address", "you, your"),
        ({"contact_name": ""}, "no_contact", "media contact"),
        ({"contact_email": "", "contact_phone": ""}, "no_contact", "media contact"),
        (
            {
                "body": BODY
                + "".join(f"\n\n[l{i}](https://e{i}.example.org)" for i in range(6))
            },
            "links",
            "6 links",
        ),
        (
            {"body": BODY + "\n\n[Tickets](https://bit.ly/abc) [x](http://www.t.co/y)"},
            "shortener",
            "bit.ly, www.t.co",
        ),
        ({"body": "Too short to be news."}, "too_short", "5 words"),
        ({"body": "word " * 2100}, "too_long", "2100 words"),
        (
            {"release_at": timezone.now() - timedelta(hours=3)},
            "past_time",
            "in the past",
        ),
    ],
)
@pytest.mark.django_db
def test_each_check_flags_what_it_looks_for_with_a_reason(
    japan: Edition, overrides: dict, code: str, reason_part: str
) -> None:
    release = make_release(make_submitter(), [japan], submit=False, **overrides)
    flags = {f.code: f.reason for f in run_checks(release)}
    assert code in flags
    assert reason_part in flags[code]


@pytest.mark.django_db
def test_small_images_are_flagged_with_their_size(japan: Edition) -> None:
    release = make_release(make_submitter(), [japan], submit=False)
    actions.add_image(
        release, upload=png(320, 240), caption="Tiny", credit="K", rights=True
    )
    flags = {f.code: f.reason for f in run_checks(release)}
    assert "#1 (320×240)" in flags["small_images"]


@pytest.mark.django_db
def test_a_near_duplicate_of_an_earlier_release_is_flagged(
    japan: Edition,
) -> None:
    first = make_release(make_submitter(), [japan])
    other = make_submitter("copy@example.org")
    second = make_release(other, [japan], body=BODY.replace("Saturday", "Sunday"))
    assert [f["code"] for f in second.flags] == ["duplicate"]
    assert f"news release #{first.pk}" in second.flags[0]["reason"]


@pytest.mark.django_db
def test_a_near_duplicate_of_a_published_story_is_flagged(
    japan: Edition, make_story: StoryFactory
) -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY.split("\n\n"))
    story = make_story(
        headline="Rowing club opens a boathouse on the Yodo River", body=paragraphs
    )
    release = make_release(make_submitter(), [japan])
    assert f"story #{story.pk}" in release.flags[0]["reason"]


def test_near_duplicates_ignores_different_texts_and_ranks_by_similarity() -> None:
    base = BODY
    close = BODY.replace("forty", "fifty")
    far = "The city council voted on a new budget for roads and parks " * 5
    found = near_duplicates(base, [("far", far), ("close", close), ("same", base)])
    assert [label for label, _ in found] == ["same", "close"]
    assert found[0][1] == 1.0
