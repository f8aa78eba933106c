"""The moderation queue in the desk: pending releases oldest first with their flags,
and one page per release to approve (with edits), request changes or reject."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from herald.accounts.access import signed_in_user
from herald.accounts.models import User
from herald.core.desk import RoleAdmin
from herald.core.roles import MODERATING_ROLES, Role
from herald.editions.models import Edition
from herald.releases import actions
from herald.releases.checks import FLAG_LABELS
from herald.releases.forms import DecisionForm
from herald.releases.models import NewsRelease, ReleaseStatus
from herald.releases.preview import render_preview, section_for
from herald.releases.text import render_body

DECIDERS = frozenset(MODERATING_ROLES)


@admin.register(NewsRelease)
class NewsReleaseAdmin(RoleAdmin):
    view_roles = DECIDERS
    change_roles = DECIDERS
    delete_roles = frozenset({Role.ADMIN})
    # The headline and its flags share one column, so the queue reads without
    # scrolling sideways.
    list_display = ("release_and_flags", "organisation", "submitted_at")
    list_display_links = None
    list_filter = ("status", "category")
    ordering = ("submitted_at", "id")
    search_fields = ("headline", "submitter__organisation")
    list_select_related = ("submitter",)
    list_per_page = 50

    class Media:
        css = {"all": ("desk/desk.css",)}

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # releases come from submitters only

    def get_queryset(self, request: HttpRequest) -> QuerySet[NewsRelease]:
        return (
            NewsRelease.objects.moderatable_by(signed_in_user(request))
            .exclude(status=ReleaseStatus.DRAFT)
            .select_related("submitter")
        )

    @admin.display(description="Organisation", ordering="submitter__organisation")
    def organisation(self, obj: NewsRelease) -> str:
        return obj.submitter.organisation

    @admin.display(description="Release and flags", ordering="headline")
    def release_and_flags(self, obj: NewsRelease) -> str:
        link = format_html(
            '<a class="desk-release-link" href="{}">{}</a> '
            '<span class="desk-status desk-status--{}">{}</span>',
            reverse("admin:releases_newsrelease_change", args=[obj.pk]),
            obj.headline,
            obj.status,
            obj.get_status_display(),
        )
        flags = obj.flag_list()
        if not flags:
            return format_html('{}<p class="desk-noflags">{}</p>', link, "No flags")
        items = format_html_join(
            "",
            "<li><strong>{}</strong>: {}</li>",
            (
                (
                    FLAG_LABELS.get(f.get("code", ""), f.get("code", "")),
                    f.get("reason", ""),
                )
                for f in flags
            ),
        )
        return format_html('{}<ul class="desk-flags">{}</ul>', link, items)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> Any:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied  # before the redirect, as on every other page
        if not request.GET:
            # The queue: what awaits a decision, oldest first.
            return HttpResponseRedirect(f"{request.path}?status__exact=pending")
        return super().changelist_view(
            request, {**(extra_context or {}), "title": "News release queue"}
        )

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/change/",
                wrap(self.moderate_view),
                name="releases_newsrelease_change",
            ),
            path(
                "<int:pk>/preview/<slug:edition>/",
                wrap(self.preview_view),
                name="releases_newsrelease_preview",
            ),
            *super().get_urls(),
        ]

    def _release(self, request: HttpRequest, pk: int) -> NewsRelease:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _editions(self, user: User) -> QuerySet[Edition]:
        scope = Edition.objects.active()
        if user.is_admin or user.role == Role.MODERATOR:
            return scope
        return scope.filter(pk__in=user.edition_ids())

    def moderate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        release = self._release(request, pk)
        user = signed_in_user(request)
        initial = {
            "headline": release.headline,
            "summary": release.summary,
            "body": render_body(release.body),
            "dateline_city": release.dateline_city,
            "dateline_country": release.dateline_country,
            "section": section_for(release).pk,
            "editions": list(release.editions.all()),
        }
        pending = release.status == ReleaseStatus.PENDING
        if request.method == "POST" and not pending:
            # A decision from a stale page (another moderator decided first) must
            # not pass in silence: say so, and show the release as it is now.
            self.message_user(
                request,
                f"Release #{release.pk} is {release.get_status_display().lower()}: "
                "there is nothing to decide, and nothing was changed.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)
        form = DecisionForm(
            request.POST if request.method == "POST" else None,
            initial=initial,
            editions=self._editions(user),
        )
        if request.method == "POST" and pending and form.is_valid():
            done = self._decide(request, release, form)
            if done:
                return HttpResponseRedirect(
                    reverse("admin:releases_newsrelease_changelist")
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "release": release,
            "submitter": release.submitter,
            "images": release.images.all(),
            "decisions": release.decisions.select_related("by"),
            "form": form,
            "pending": pending,
            "title": f"News release #{release.pk}",
            "flags": [
                (
                    FLAG_LABELS.get(f.get("code", ""), f.get("code", "")),
                    f.get("reason", ""),
                )
                for f in release.flag_list()
            ],
            "previews": [
                (e, reverse("admin:releases_newsrelease_preview", args=[pk, e.slug]))
                for e in release.editions.all()
            ],
        }
        return TemplateResponse(request, "desk/release_moderate.html", context)

    def _decide(
        self, request: HttpRequest, release: NewsRelease, form: DecisionForm
    ) -> bool:
        data = form.cleaned_data
        user = signed_in_user(request)
        try:
            if data["decision"] == "approve":
                story = actions.approve_release(
                    release,
                    by=user,
                    section=data["section"],
                    editions=list(data["editions"]),
                    message=data["message"],
                    headline=data["headline"],
                    summary=data["summary"],
                    body_html=data["body"],
                    dateline_city=data["dateline_city"],
                    dateline_country=data["dateline_country"],
                )
                self.message_user(
                    request,
                    f"Release #{release.pk} approved: the story is "
                    f"{story.get_status_display().lower()}.",
                )
            elif data["decision"] == "changes":
                actions.request_changes(release, by=user, message=data["message"])
                self.message_user(request, f"Changes requested on #{release.pk}.")
            else:
                actions.reject_release(
                    release, by=user, reason=data["reason"], message=data["message"]
                )
                self.message_user(request, f"Release #{release.pk} rejected.")
        except ValidationError as exc:
            form.add_error(None, exc)
            return False
        except (PermissionDenied, actions.MoveNotAllowed) as exc:
            form.add_error(None, str(exc) or "You may not do that.")
            return False
        return True

    def preview_view(self, request: HttpRequest, pk: int, edition: str) -> HttpResponse:
        release = self._release(request, pk)
        target = release.editions.filter(slug=edition).first()
        if target is None:
            raise Http404("The release does not aim at that edition.")
        return render_preview(request, release, target)
