"""User, with a role and, for editors and contributors, the editions they work on."""

from typing import ClassVar

from django.apps import apps
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from herald.core.roles import DESK_ROLES, MODERATING_ROLES, STAFF_ROLES, Role


class HeraldUserManager(UserManager["User"]):
    def create_superuser(  # type: ignore[override]
        self,
        username: str,
        email: str | None = None,
        password: str | None = None,
        **extra_fields: object,
    ) -> "User":
        extra_fields["role"] = Role.ADMIN
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.READER)
    editions = models.ManyToManyField(
        "editions.Edition",
        blank=True,
        related_name="staff",
        help_text="Editors publish, and contributors write, only for these editions.",
    )

    email_verified_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the owner proved the address by following the signed link.",
    )

    objects: ClassVar[HeraldUserManager] = HeraldUserManager()  # type: ignore[assignment]

    def save(self, *args: object, **kwargs: object) -> None:
        # The role decides access to the desk; keep Django's flags in step with it.
        self.is_staff = self.role in DESK_ROLES
        self.is_superuser = self.role == Role.ADMIN
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def is_admin(self) -> bool:
        return self.is_active and self.role == Role.ADMIN

    @property
    def is_editor(self) -> bool:
        return self.is_active and self.role in {Role.EDITOR, Role.ADMIN}

    @property
    def is_contributor(self) -> bool:
        return self.is_active and self.role in STAFF_ROLES

    @property
    def is_moderator(self) -> bool:
        """May decide on news releases (editors only for their own editions)."""
        return self.is_active and self.role in MODERATING_ROLES

    @property
    def is_submitter(self) -> bool:
        return self.is_active and self.role == Role.SUBMITTER

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def desk_time_zone(self) -> str:
        """The zone the desk shows this user's times in: their editions' one zone,
        or UTC when they work across zones (each time still names its offset)."""
        if not hasattr(self, "_desk_time_zone"):
            if self.is_admin:
                edition_model = apps.get_model("editions", "Edition")
                rows = edition_model._default_manager.values_list("time_zone")
            else:
                rows = self.editions.values_list("time_zone")
            zones = set(rows.distinct()[:2])
            self._desk_time_zone = zones.pop()[0] if len(zones) == 1 else "UTC"
        return self._desk_time_zone

    def edition_ids(self) -> set[int]:
        """The editions this user may work on (every edition for an admin)."""
        if self.is_admin:
            # By its label, as the `editions` field names it: accounts imports no
            # editions code (the layers in pyproject.toml).
            edition_model = apps.get_model("editions", "Edition")
            return set(edition_model._default_manager.values_list("pk", flat=True))
        if not hasattr(self, "_edition_ids"):
            self._edition_ids = set(self.editions.values_list("pk", flat=True))
        return self._edition_ids

    def may_work_on(self, edition: models.Model) -> bool:
        return edition.pk in self.edition_ids()
