"""The stories the API serves, and how it loads a page of them in a fixed number of
queries."""

from datetime import datetime

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

from herald.stories.models import Story, StoryEvent
from herald.stories.querysets import StoryQuerySet
from herald.stories.workflow import Status


def changed_at() -> Greatest:
    """When a story last changed for a consumer: its last modification, or the
    moment it became public (publication, or the end of its embargo) if later."""
    return Greatest(
        "modified_at", "published_at", Coalesce("embargo_until", "published_at")
    )


def cancelled(now: datetime) -> StoryQuerySet:
    """Retracted stories that had been public: consumers may hold them. A story
    retracted while still under embargo was never served, so it is left out."""
    return Story.objects.filter(
        status=Status.RETRACTED, published_at__lte=now, retracted_at__lte=now
    ).filter(Q(embargo_until__isnull=True) | Q(embargo_until__lte=F("retracted_at")))


def served(now: datetime, *, with_cancelled: bool) -> StoryQuerySet:
    """Usable stories, and with `with_cancelled` the retracted ones as well."""
    usable = Story.objects.public(now)
    return usable | cancelled(now) if with_cancelled else usable


def for_ninjs(stories: QuerySet[Story], *, with_editions: bool) -> QuerySet[Story]:
    """Everything a ninjs item shows, loaded in a fixed number of queries. With
    `with_editions`, also each story's editions (to pick the one it is shown as)."""
    events = (
        StoryEvent.objects.filter(story=OuterRef("pk"))
        .order_by()
        .values("story")
        .annotate(n=Count("pk"))
        .values("n")
    )
    if with_editions:
        stories = stories.prefetch_related("editions")
    return (
        stories.select_related("origin_edition", "primary_section", "dateline_place")
        .prefetch_related(
            "authors",
            "sections",
            "tags",
            "places",
            Prefetch("images", to_attr="image_list"),
            Prefetch("local_versions", to_attr="local_version_list"),
        )
        .annotate(
            changed_at=changed_at(),
            version=Coalesce(Subquery(events, output_field=IntegerField()), Value(0)),
        )
    )
