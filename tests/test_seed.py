"""`herald seed_demo` builds a believable network, and running it again adds nothing."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from herald.accounts.models import User
from herald.core.roles import Role
from herald.editions.models import Edition
from herald.newsletter.models import Subscription, SubscriptionStatus
from herald.stories.models import Story
from herald.stories.workflow import Status


@pytest.mark.django_db(transaction=True)
def test_seed_demo_builds_the_network_and_is_safe_to_run_again() -> None:
    call_command("seed_demo", "--stories-per-edition", "12", verbosity=0)
    japan = Edition.objects.get(slug="japan-herald")
    assert japan.name == "Japan Herald" and japan.time_zone == "Asia/Tokyo"
    assert Edition.objects.count() == 6
    assert {u.role for u in User.objects.all()} == {
        Role.ADMIN,
        Role.EDITOR,
        Role.CONTRIBUTOR,
        Role.MODERATOR,
        Role.SUBMITTER,
    }
    first = Story.objects.count()
    # 12 stories on each of 6 editions, and the approved demo news releases.
    assert Story.objects.exclude(provenance="release").count() == 72
    statuses = set(Story.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert Story.objects.filter(provenance="wire").exists()
    assert Story.objects.filter(images__isnull=False).exists()
    assert Story.objects.filter(corrections__isnull=False).exists()
    confirmed = Subscription.objects.filter(status=SubscriptionStatus.CONFIRMED)
    assert confirmed.count() == 6 * 20
    assert confirmed.filter(subscriber__email__endswith="@example.org").count() == 120
    call_command("seed_demo", "--stories-per-edition", "12", verbosity=0)
    assert Story.objects.count() == first
    assert Edition.objects.count() == 6


def test_seed_demo_refuses_a_tiny_network() -> None:
    with pytest.raises(CommandError, match="at least 6"):
        call_command("seed_demo", "--stories-per-edition", "2")
