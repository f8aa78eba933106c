"""The story desk's own views beside the change page: workflow moves, corrections,
the preview per edition, revision history, autosave and presence."""

import difflib
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from herald.accounts.access import signed_in_user
from herald.core.sanitize import html_to_text
from herald.core.timefmt import format_local, local_to_utc
from herald.stories import actions, desk_hooks
from herald.stories.admin import presence
from herald.stories.admin.forms import (
    CorrectionForm,
    MoveForm,
    story_changes,
)
from herald.stories.models import Story
from herald.stories.workflow import Status, TransitionNotAllowed, can_edit


class StoryDeskViews(admin.ModelAdmin):
    """The StoryAdmin's extra views, each behind the admin site's login and the
    admin's own queryset (another edition's story answers 404)."""

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/move/", wrap(self.move_view), name="stories_story_move"),
            path(
                "<int:pk>/correct/",
                wrap(self.correct_view),
                name="stories_story_correct",
            ),
            path(
                "<int:pk>/preview/<slug:edition>/",
                wrap(self.preview_view),
                name="stories_story_preview",
            ),
            path(
                "<int:pk>/revisions/",
                wrap(self.revisions_view),
                name="stories_story_history_detail",
            ),
            path(
                "<int:pk>/autosave/",
                wrap(self.autosave_view),
                name="stories_story_autosave",
            ),
            path(
                "<int:pk>/presence/",
                wrap(self.presence_view),
                name="stories_story_presence",
            ),
            *super().get_urls(),
        ]

    def _story(self, request: HttpRequest, pk: int) -> Story:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _back(self, story: Story) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse("admin:stories_story_change", args=[story.pk])
        )

    def move_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        story = self._story(request, pk)
        if request.method != "POST":
            return self._back(story)
        form = MoveForm(request.POST)
        if not form.is_valid():
            self.message_user(
                request, "That move is not one the desk knows.", messages.ERROR
            )
            return self._back(story)
        move, note = form.cleaned_data["move"], form.cleaned_data["note"]
        user = signed_in_user(request)
        try:
            if move == Status.IN_REVIEW:
                actions.submit_for_review(story, by=user)
            elif move == Status.DRAFT:
                actions.return_to_draft(story, by=user, note=note)
            elif move == Status.PUBLISHED:
                actions.publish_story(story, by=user, note=note)
            elif move == Status.RETRACTED:
                actions.retract_story(story, by=user, note=note)
            elif move == Status.SCHEDULED:
                local = form.cleaned_data["scheduled_for"]
                if local is None:
                    raise ValidationError("Choose when the story goes live.")
                at = local_to_utc(local, story.origin_edition.time_zone)
                actions.schedule_story(story, by=user, at=at)
        except (ValidationError, TransitionNotAllowed, PermissionDenied) as exc:
            text = (
                " ".join(getattr(exc, "messages", []))
                or str(exc)
                or "You may not do that."
            )
            self.message_user(request, text, messages.ERROR)
            return self._back(story)
        text = f"The story is now {story.get_status_display().lower()}."
        if story.status == Status.SCHEDULED and story.scheduled_for:
            zone = story.origin_edition.time_zone
            text += f" It goes live {format_local(story.scheduled_for, zone)}."
        self.message_user(request, text)
        return self._back(story)

    def correct_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        story = self._story(request, pk)
        form = CorrectionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                actions.add_correction(
                    story, by=signed_in_user(request), text=form.cleaned_data["text"]
                )
            except (ValidationError, TransitionNotAllowed, PermissionDenied) as exc:
                text = " ".join(getattr(exc, "messages", [])) or str(exc)
                self.message_user(request, text, messages.ERROR)
            else:
                self.message_user(request, "The correction is on the story.")
        elif request.method == "POST":
            self.message_user(request, "Write the correction.", messages.ERROR)
        return self._back(story)

    def preview_view(self, request: HttpRequest, pk: int, edition: str) -> HttpResponse:
        story = self._story(request, pk)
        target = story.editions.filter(slug=edition).first()
        if target is None:
            raise Http404("The story is not on that edition.")
        item = Story.objects.for_page().get(pk=story.pk)
        # The reader pages render it (registered in their AppConfig.ready()).
        return desk_hooks.render_preview(request, item, target)

    def revisions_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        story = self._story(request, pk)
        revisions = list(story.revisions.select_related("created_by"))
        rows = []
        for i, rev in enumerate(revisions):
            older = revisions[i + 1] if i + 1 < len(revisions) else None
            rows.append((rev, _diff(older, rev) if older else []))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "story": story,
            "zone": story.origin_edition.time_zone,
            "rows": rows,
            "events": story.events.select_related("by"),
            "title": f"Revision history: {story.headline}",
        }
        return TemplateResponse(request, "desk/story_revisions.html", context)

    def autosave_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Save a draft's form as it stands (the change page's script posts it
        every half minute while someone types). Answers JSON: the new version, or
        why nothing was saved; a newer version saved by someone else is 409."""
        story = self._story(request, pk)
        if request.method != "POST":
            return JsonResponse({"error": "Post the form."}, status=405)
        user = signed_in_user(request)
        if story.status != Status.DRAFT or not can_edit(user, story):
            return JsonResponse(
                {"error": "Only a draft you may edit saves by itself."}, status=409
            )
        form = self.get_form(request, story, change=True)(request.POST, instance=story)
        if not form.is_valid():
            stale = any(e.code == "stale" for e in form.non_field_errors().as_data())
            return JsonResponse(
                {
                    "error": " ".join(map(str, form.non_field_errors()))
                    if stale
                    else "Not saved: the form has errors. Save it to see them.",
                    "stale": stale,
                },
                status=409 if stale else 400,
            )
        try:
            actions.update_story(
                story,
                by=user,
                base_version=form.opened_version,  # type: ignore[attr-defined]
                note="Autosaved",
                **story_changes(form.cleaned_data),
            )
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(getattr(exc, "messages", [])) or "You may not edit this."
            return JsonResponse({"error": text, "stale": True}, status=409)
        return JsonResponse(
            {
                "version": story.modified_at.isoformat(),
                "saved": format_local(
                    story.modified_at, story.origin_edition.time_zone
                ),
                "others": _names(presence.mark_open(pk, user.pk, user.get_username())),
            }
        )

    def presence_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The change page's heartbeat: who else has the story open. A post with
        `closed` says the page was left."""
        story = self._story(request, pk)
        if request.method != "POST":
            return JsonResponse({"error": "Post to say the page is open."}, status=405)
        user = signed_in_user(request)
        if request.POST.get("closed"):
            presence.mark_closed(story.pk, user.pk)
            return JsonResponse({"others": []})
        others = presence.mark_open(story.pk, user.pk, user.get_username())
        return JsonResponse({"others": _names(others)})


def _names(viewers: list[presence.Viewer]) -> list[str]:
    return [v.name for v in viewers]


def _diff(older: Any, newer: Any) -> list[str]:
    def text(rev: Any) -> list[str]:
        return [
            rev.headline,
            rev.standfirst,
            *html_to_text(rev.body.replace("</p>", "</p>\n")).split(". "),
        ]

    return list(
        difflib.unified_diff(
            text(older),
            text(newer),
            f"r{older.number}",
            f"r{newer.number}",
            lineterm="",
            n=1,
        )
    )
