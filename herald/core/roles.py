"""The roles a user can have, and which roles may do what: the access vocabulary
the desk and every app check against (the User model itself is herald.accounts)."""

from django.db import models


class Role(models.TextChoices):
    READER = "reader", "Reader"
    SUBMITTER = "submitter", "Submitter"
    MODERATOR = "moderator", "Moderator"
    CONTRIBUTOR = "contributor", "Contributor"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Admin"


STAFF_ROLES = frozenset({Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN})
# Who may sign in to the desk. Moderators work only on the news release queue; they
# write no stories, so they are not in STAFF_ROLES.
DESK_ROLES = frozenset({*STAFF_ROLES, Role.MODERATOR})
# Who may decide on news releases: editors for their editions, moderators and admins
# for the whole network.
MODERATING_ROLES = frozenset({Role.MODERATOR, Role.EDITOR, Role.ADMIN})
