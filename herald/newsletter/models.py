"""Subscribers and their per-edition subscriptions, suppressions, the daily issue
and one delivery row per (issue, subscriber)."""

from django.db import models
from django.utils import timezone

from herald.newsletter.querysets import DeliveryQuerySet, SubscriptionQuerySet


class Subscriber(models.Model):
    """One email address. Its subscriptions are per edition."""

    email = models.EmailField(max_length=254, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    soft_bounces = models.PositiveIntegerField(default=0)
    last_bounce_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.email

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


def normalize_email(address: str) -> str:
    """One spelling per address: trimmed, and lower case (mailbox names are case
    insensitive at every provider we send to)."""
    return address.strip().lower()


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"


class Subscription(models.Model):
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    edition = models.ForeignKey(
        "editions.Edition", on_delete=models.CASCADE, related_name="subscriptions"
    )
    sections = models.ManyToManyField(
        "stories.Section", blank=True, help_text="None chosen means every section."
    )
    status = models.CharField(
        max_length=14,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.PENDING,
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "edition"], name="one_subscription"
            )
        ]
        indexes = [
            models.Index(fields=["edition", "status"], name="subscription_active")
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} → {self.edition}"


class SuppressionReason(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", "Hard bounce"
    SOFT_BOUNCES = "soft_bounces", "Too many soft bounces"
    COMPLAINT = "complaint", "Complaint"
    MANUAL = "manual", "Suppressed by staff"


class Suppression(models.Model):
    """An address Herald must not mail, whatever its subscriptions say."""

    email = models.EmailField(max_length=254, unique=True)
    reason = models.CharField(max_length=20, choices=SuppressionReason.choices)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.email} ({self.reason})"


class IssueStatus(models.TextChoices):
    BUILT = "built", "Built"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped (nothing new)"


class Issue(models.Model):
    """One edition's daily email for one local date."""

    edition = models.ForeignKey(
        "editions.Edition", on_delete=models.PROTECT, related_name="issues"
    )
    local_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=IssueStatus.choices, default=IssueStatus.BUILT
    )
    subject = models.CharField(max_length=200)
    # Story ids in order: {"top": [...], "sections": {"<section id>": [...]},
    # "releases": [...]}. Each delivery renders from these and its sections.
    contents = models.JSONField(default=dict)
    built_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-local_date", "edition"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "local_date"], name="one_issue_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.edition} {self.local_date}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DEFERRED = "deferred", "Deferred (will retry)"
    FAILED = "failed", "Failed"
    BOUNCED = "bounced", "Bounced"
    SUPPRESSED = "suppressed", "Suppressed"
    UNKNOWN = "unknown", "Unknown (lease expired while sending)"


OPEN_DELIVERY_STATES = (
    DeliveryStatus.QUEUED,
    DeliveryStatus.SENDING,
    DeliveryStatus.DEFERRED,
    DeliveryStatus.UNKNOWN,
)


class Delivery(models.Model):
    """One issue to one subscriber. The Message-ID is fixed when the row is made, so
    a message sent twice can be recognised and reconciled."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    email = models.EmailField(max_length=254)
    message_id = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    # Not a column: the subscription's chosen section ids when leases.claim loaded
    # them for its whole batch at once; None when not loaded.
    chosen_sections: frozenset[int] | None = None

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscription"], name="one_delivery_per_subscriber"
            )
        ]
        indexes = [
            models.Index(fields=["issue", "status", "id"], name="delivery_claim"),
            models.Index(fields=["status", "lease_expires_at"], name="delivery_lease"),
        ]

    def __str__(self) -> str:
        return f"{self.issue_id} → {self.email}: {self.status}"
