"""The ingest desk: who sees what, source health, clusters, and the rule try-out."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from herald.accounts.models import User
from herald.editions.models import Edition
from herald.ingest.admin.clusters import word_diff
from herald.ingest.models import Cluster, ItemState, RoutingRule, Source, WireItem
from herald.ingest.storing import Context, ingest_item
from herald.ingest.tests.factories import ItemFactory
from herald.stories.models import Section, Story

pytestmark = pytest.mark.django_db

REWRITE = (
    "<p>A strong earthquake of magnitude 6.8 hit off Aomori prefecture in northern "
    "Japan on Tuesday morning, the Japan Meteorological Agency said, issuing a "
    "tsunami advisory for the Pacific coast of Aomori and Iwate.</p><p>Bullet train "
    "services were halted while tracks were inspected.</p>"
)


@pytest.fixture
def cluster(
    wire_source: Source, other_source: Source, make_item: ItemFactory
) -> Cluster:
    ingest_item(Context.for_source(wire_source), make_item())
    ingest_item(
        Context.for_source(other_source),
        make_item(
            "kpa-1", headline="Strong 6.8 quake hits off Aomori", body_html=REWRITE
        ),
    )
    return Cluster.objects.get()


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# (role fixture, url name, expected status) — the authorization matrix as data.
MATRIX = [
    ("admin_user", "admin:ingest_source_changelist", 200),
    ("japan_editor", "admin:ingest_source_changelist", 200),
    ("japan_writer", "admin:ingest_source_changelist", 403),
    ("admin_user", "admin:ingest_source_add", 200),
    ("japan_editor", "admin:ingest_source_add", 403),
    ("japan_writer", "admin:ingest_source_add", 403),
    ("admin_user", "admin:ingest_cluster_changelist", 200),
    ("japan_editor", "admin:ingest_cluster_changelist", 200),
    ("japan_writer", "admin:ingest_cluster_changelist", 403),
    ("japan_editor", "admin:ingest_wireitem_changelist", 200),
    ("japan_writer", "admin:ingest_wireitem_changelist", 403),
    ("japan_editor", "admin:ingest_routingrule_add", 200),
    ("japan_writer", "admin:ingest_routingrule_add", 403),
]


@pytest.mark.parametrize(("role", "url", "status"), MATRIX)
def test_desk_access_follows_the_role(
    role: str, url: str, status: int, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(role)
    assert client_for(user).get(reverse(url)).status_code == status


def test_source_page_shows_health_and_the_last_error(
    wire_source: Source, admin_user: User
) -> None:
    from django.utils import timezone

    from herald.ingest.polling import store

    store(wire_source, "HTTP 503 from the feed server", started=timezone.now())
    page = client_for(admin_user).get(
        reverse("admin:ingest_source_change", args=[wire_source.pk])
    )
    text = page.content.decode()
    assert "failing (1 in a row)" in text
    assert "HTTP 503 from the feed server" in text
    assert "Items in 24 h" in text
    listing = client_for(admin_user).get(reverse("admin:ingest_source_changelist"))
    assert "Failing (1×)" in listing.content.decode()


def test_cluster_page_shows_the_lead_the_copy_its_similarity_and_the_diff(
    cluster: Cluster, japan_editor: User
) -> None:
    page = client_for(japan_editor).get(
        reverse("admin:ingest_cluster_change", args=[cluster.pk])
    )
    text = page.content.decode()
    assert "Lead item" in text
    assert "Strong 6.8 quake hits off Aomori" in text
    assert "similarity <strong>0." in text
    assert "<ins>" in text and "<del>" in text


def test_split_makes_the_copy_a_story_of_its_own(
    cluster: Cluster, japan_editor: User
) -> None:
    copy = WireItem.objects.get(state=ItemState.DUPLICATE)
    url = reverse("admin:ingest_cluster_split", args=[cluster.pk, copy.pk])
    response = client_for(japan_editor).post(url)
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.cluster_id != cluster.pk
    assert copy.state == ItemState.STORY
    assert Story.objects.count() == 2


def test_merge_puts_two_clusters_together(
    cluster: Cluster,
    wire_source: Source,
    make_item: ItemFactory,
    japan_editor: User,
) -> None:
    ingest_item(
        Context.for_source(wire_source),
        make_item(
            "urn:mpa:2",
            headline="Sapporo snow festival opens",
            body_html="<p>The festival opened with 200 ice sculptures.</p>",
        ),
    )
    ids = list(Cluster.objects.values_list("pk", flat=True))
    response = client_for(japan_editor).post(
        reverse("admin:ingest_cluster_changelist"),
        {"action": "merge", "_selected_action": ids},
    )
    assert response.status_code == 302
    assert Cluster.objects.count() == 1
    assert WireItem.objects.filter(cluster=Cluster.objects.get()).count() == 3


def test_writer_cannot_split(cluster: Cluster, japan_writer: User) -> None:
    copy = WireItem.objects.get(state=ItemState.DUPLICATE)
    url = reverse("admin:ingest_cluster_split", args=[cluster.pk, copy.pk])
    assert client_for(japan_writer).post(url).status_code == 403


def rule_data(japan: Edition, section: Section, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Quakes to Japan",
        "position": "0",
        "is_active": "on",
        "country": "",
        "subject": "",
        "keywords": "tsunami",
        "editions": [japan.pk],
        "sections": [section.pk],
        "action": "review",
        **extra,
    }


def test_trying_a_rule_shows_where_items_would_go_and_saves_nothing(
    cluster: Cluster, japan_editor: User, japan: Edition, section: Section
) -> None:
    response = client_for(japan_editor).post(
        reverse("admin:ingest_routingrule_add"),
        {**rule_data(japan, section), "_try": "Try"},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "matches 2 of the last 2 wire items" in text
    assert "queue for review" in text
    assert "Japan Herald" in text
    assert not RoutingRule.objects.exists()


def test_saving_a_rule_after_trying_it(
    japan_editor: User, japan: Edition, section: Section
) -> None:
    response = client_for(japan_editor).post(
        reverse("admin:ingest_routingrule_add"), rule_data(japan, section)
    )
    assert response.status_code == 302
    assert RoutingRule.objects.get().keywords == "tsunami"


def test_a_rule_without_criteria_is_refused_in_the_try_out(
    japan_editor: User, japan: Edition, section: Section
) -> None:
    response = client_for(japan_editor).post(
        reverse("admin:ingest_routingrule_add"),
        {**rule_data(japan, section, keywords=""), "_try": "Try"},
    )
    assert "Match on at least one of" in response.content.decode()


def test_word_diff_marks_what_each_side_alone_has() -> None:
    assert word_diff("a quake hit Tokyo", "a strong quake hit Osaka") == [
        ("same", "a"),
        ("ins", "strong"),
        ("same", "quake hit"),
        ("del", "Tokyo"),
        ("ins", "Osaka"),
    ]
