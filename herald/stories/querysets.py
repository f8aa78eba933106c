"""Named, chainable reads of stories. Views, feeds and tasks reuse these."""

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone

from herald.stories.workflow import Status

if TYPE_CHECKING:
    from herald.accounts.models import User
    from herald.editions.models import Edition


# mypy loses the TYPE_CHECKING import of Story inside the models <-> querysets cycle.
class StoryQuerySet(models.QuerySet["Story"]):  # type: ignore[name-defined,unused-ignore]
    def public(self, now: datetime | None = None) -> "StoryQuerySet":
        """Published, and past any embargo: what a reader may see."""
        now = now or timezone.now()
        return self.filter(status=Status.PUBLISHED, published_at__lte=now).filter(
            Q(embargo_until__isnull=True) | Q(embargo_until__lte=now)
        )

    def for_edition(self, edition: "Edition") -> "StoryQuerySet":
        return self.filter(editions=edition)

    def latest_first(self) -> "StoryQuerySet":
        return self.order_by("-published_at", "-id")

    def before(self, cursor: tuple[datetime, int] | None) -> "StoryQuerySet":
        """Keyset page: stories older than the (published_at, id) cursor."""
        if cursor is None:
            return self
        at, pk = cursor
        return self.filter(Q(published_at__lt=at) | Q(published_at=at, id__lt=pk))

    def for_teasers(self) -> "StoryQuerySet":
        """Load what teasers show, in a fixed number of queries."""
        return self.select_related("primary_section").prefetch_related(
            models.Prefetch("images", to_attr="image_list")
        )

    def for_page(self) -> "StoryQuerySet":
        return self.select_related(
            "primary_section", "origin_edition", "dateline_place"
        ).prefetch_related(
            "authors",
            "corrections",
            "places",
            "tags",
            "local_versions",
            models.Prefetch("images", to_attr="image_list"),
        )

    def due(self, now: datetime | None = None) -> "StoryQuerySet":
        """Scheduled stories whose time has come."""
        return self.filter(
            status=Status.SCHEDULED, scheduled_for__lte=now or timezone.now()
        )

    def editable_by(self, user: "User") -> "StoryQuerySet":
        """Stories `user` may open in the desk; others answer 404."""
        if not user.is_active or not user.is_contributor:
            return self.none()
        if user.is_admin:
            return self
        scoped = self.filter(origin_edition__in=user.edition_ids())
        if user.is_editor:
            return scoped
        return scoped.filter(created_by=user)
