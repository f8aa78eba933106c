"""`herald seed_demo` adds submitters and news releases in every state, and a second
run adds none."""

import pytest
from django.core.management import call_command

from herald.releases.models import NewsRelease, ReleaseStatus
from herald.stories.models import Provenance, Story


@pytest.mark.django_db(transaction=True)
def test_seed_demo_has_releases_in_every_state_with_a_queue_and_a_report() -> None:
    call_command("seed_demo", "--stories-per-edition", "6", verbosity=0)
    assert set(NewsRelease.objects.values_list("status", flat=True)) == set(
        ReleaseStatus.values
    )
    queue = list(NewsRelease.objects.queue())
    assert len(queue) == 3
    assert queue[0].submitted_at < queue[-1].submitted_at  # type: ignore[operator]
    assert any(r.flags for r in queue) and any(not r.flags for r in queue)
    published = NewsRelease.objects.filter(status=ReleaseStatus.PUBLISHED)
    assert published.filter(story__editions__slug="gulf-herald").exists()
    assert Story.objects.filter(provenance=Provenance.RELEASE).count() == 3
    count = NewsRelease.objects.count()
    call_command("seed_demo", "--stories-per-edition", "6", verbosity=0)
    assert NewsRelease.objects.count() == count
