"""The newsletter in the desk: subscribers, suppressions, and each issue's sending
progress (counts per state, rate, ETA), with the decisions only a person can make."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from herald.core.desk import RoleAdmin
from herald.core.roles import Role
from herald.newsletter import reconciliation, sending
from herald.newsletter.models import (
    OPEN_DELIVERY_STATES,
    Delivery,
    DeliveryStatus,
    Issue,
    Subscriber,
    Subscription,
    Suppression,
)

EDITORS = frozenset({Role.EDITOR, Role.ADMIN})


@admin.register(Issue)
class IssueAdmin(RoleAdmin):
    view_roles = EDITORS
    change_roles = frozenset()  # issues change only by building and sending
    list_display = ("edition", "local_date", "status", "subject", "progress_summary")
    list_filter = ("status", "edition")
    date_hierarchy = "local_date"
    readonly_fields = (
        "edition",
        "local_date",
        "status",
        "subject",
        "built_at",
        "started_at",
        "finished_at",
        "progress",
    )
    fields = readonly_fields
    actions = ["resend_unknown", "mark_unknown_sent"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Read-only pages, but the actions below need the change view's permission.
        return self.has_view_permission(request, obj)

    @admin.display(description="Deliveries")
    def progress_summary(self, issue: Issue) -> str:
        counts = sending.counts(issue)
        return ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "none yet"

    @admin.display(description="Progress")
    def progress(self, issue: Issue) -> str:
        counts = sending.counts(issue)
        total = sum(counts.values())
        open_rows = sum(counts.get(s, 0) for s in OPEN_DELIVERY_STATES)
        sent = counts.get(DeliveryStatus.SENT, 0)
        rate = eta = ""
        if issue.started_at and sent:
            end = issue.finished_at or timezone.now()
            seconds = max((end - issue.started_at).total_seconds(), 1)
            per_minute = sent / seconds * 60
            rate = f"{per_minute:,.0f} a minute"
            if open_rows and not issue.finished_at:
                eta = f"about {open_rows / per_minute:,.1f} minutes left"
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td></tr>",
            (
                (DeliveryStatus(s).label, counts.get(s, 0))
                for s in DeliveryStatus.values
            ),
        )
        return format_html(
            "<table><tbody>{}</tbody></table>"
            "<p>{} deliveries; {} still open. {} {}</p>",
            rows,
            total,
            open_rows,
            rate,
            eta,
        )

    @admin.action(description="Send unknown deliveries again (may duplicate)")
    def resend_unknown(self, request: HttpRequest, queryset: QuerySet[Issue]) -> None:
        from herald.newsletter.tasks import send_issue_task

        for issue in queryset:
            n = reconciliation.resend_unknown(issue)
            if n:
                send_issue_task.enqueue(issue_id=issue.pk)
            self.message_user(request, f"{issue}: {n} deliveries queued again.")

    @admin.action(
        description="Mark unknown deliveries as sent (the mail server has them)"
    )
    def mark_unknown_sent(
        self, request: HttpRequest, queryset: QuerySet[Issue]
    ) -> None:
        for issue in queryset:
            result = reconciliation.reconcile_unknown(issue, lambda message_id: True)
            self.message_user(
                request,
                f"{issue}: {result['sent']} deliveries marked sent.",
                messages.INFO,
            )


@admin.register(Subscriber)
class SubscriberAdmin(RoleAdmin):
    view_roles = EDITORS
    change_roles = frozenset({Role.ADMIN})
    list_display = ("email", "created_at", "soft_bounces")
    search_fields = ("email",)


@admin.register(Subscription)
class SubscriptionAdmin(RoleAdmin):
    view_roles = EDITORS
    change_roles = frozenset({Role.ADMIN})
    list_display = ("subscriber", "edition", "status", "confirmed_at")
    list_filter = ("status", "edition")
    search_fields = ("subscriber__email",)
    raw_id_fields = ("subscriber",)


@admin.register(Suppression)
class SuppressionAdmin(RoleAdmin):
    view_roles = EDITORS
    change_roles = EDITORS
    list_display = ("email", "reason", "created_at")
    list_filter = ("reason",)
    search_fields = ("email",)


@admin.register(Delivery)
class DeliveryAdmin(RoleAdmin):
    view_roles = EDITORS
    change_roles = frozenset()
    list_display = ("email", "issue", "status", "attempts", "sent_at")
    list_filter = ("status", "issue__edition")
    search_fields = ("email", "message_id")
    list_select_related = ("issue__edition",)
