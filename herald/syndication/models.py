"""API partners and their keys: who may read the ninjs API, and for which editions."""

from django.db import models
from django.utils import timezone


class ApiPartner(models.Model):
    """An organisation that takes our stories through the ninjs API."""

    name = models.CharField(max_length=120, unique=True)
    contact_email = models.EmailField()
    is_active = models.BooleanField(
        default=True, help_text="Off: every key of this partner answers 401."
    )
    editions = models.ManyToManyField(
        "editions.Edition",
        blank=True,
        related_name="+",
        help_text="The editions this partner may read. None chosen: all editions.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "API partner"

    def __str__(self) -> str:
        return self.name


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def usable(self) -> "ApiKeyQuerySet":
        """Keys that open the API: not revoked, and their partner active."""
        return self.filter(revoked_at__isnull=True, partner__is_active=True)


class ApiKey(models.Model):
    """One key of a partner. Only the SHA-256 of the key is stored; the desk shows
    the key itself once, when it is made."""

    partner = models.ForeignKey(
        ApiPartner, on_delete=models.CASCADE, related_name="keys"
    )
    prefix = models.CharField(
        max_length=16,
        editable=False,
        help_text="The start of the key, to tell keys apart.",
    )
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.partner})"
