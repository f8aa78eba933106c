"""Named reads of news releases, already filtered by who may see them."""

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from herald.accounts.models import User


class ReleaseQuerySet(models.QuerySet["NewsRelease"]):  # type: ignore[name-defined]
    def owned_by(self, user: "User") -> "ReleaseQuerySet":
        """The submitter's own releases; anyone else's id then answers 404."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(submitter__user=user)

    def moderatable_by(self, user: "User") -> "ReleaseQuerySet":
        """Releases `user` may see in the moderation queue: all of them for
        moderators and admins, those aimed at their editions for editors."""
        if not user.is_active or not user.is_moderator:
            return self.none()
        if user.is_admin or user.role == "moderator":
            return self
        return self.filter(editions__in=user.edition_ids()).distinct()

    def queue(self) -> "ReleaseQuerySet":
        """Awaiting a decision, oldest submission first."""
        return self.filter(status="pending").order_by("submitted_at", "id")
