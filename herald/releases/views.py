"""The submitter's pages: the organisation profile, the release form with drafts and
preview, the list of their releases, and each release's status and report."""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from herald.accounts.access import signed_in_user
from herald.accounts.models import User
from herald.core import ratelimit
from herald.core.roles import Role
from herald.editions.models import Edition
from herald.releases import actions, limits
from herald.releases.forms import ProfileForm, ReleaseForm, image_slots
from herald.releases.models import NewsRelease, Submitter
from herald.releases.preview import render_preview
from herald.releases.report import distribution_report

logger = logging.getLogger(__name__)
View = Callable[..., HttpResponse]


def submitter_page(view: View) -> View:
    """Log in first (then come back); only submitter accounts; never cached."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            login = reverse("accounts:login")
            return HttpResponseRedirect(f"{login}?next={request.path}")
        assert isinstance(user, User)
        if not user.is_active or user.role != Role.SUBMITTER:
            raise PermissionDenied("Only submitter accounts have news release pages.")
        return view(request, *args, **kwargs)

    return never_cache(wrapped)


def _zone(user: User) -> str:
    """The submitter's own time zone: their pages show times in it."""
    submitter = Submitter.objects.filter(user=user).first()
    return submitter.time_zone if submitter else "UTC"


def _release(request: HttpRequest, pk: int) -> NewsRelease:
    """The caller's own release; anyone else's id answers 404."""
    return get_object_or_404(
        NewsRelease.objects.owned_by(signed_in_user(request)), pk=pk
    )


@submitter_page
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    instance = Submitter.objects.filter(user=user).first()
    form = ProfileForm(
        request.POST or None,
        instance=instance or Submitter(user=user, contact_person=user.get_full_name()),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        target = request.GET.get("next", "")
        if not target.startswith("/releases/"):
            target = reverse("releases:list")
        return HttpResponseRedirect(target)
    return render(request, "releases/profile.html", {"form": form, "new": not instance})


@submitter_page
@require_safe
def release_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    releases = NewsRelease.objects.owned_by(user).prefetch_related("editions")
    return render(
        request,
        "releases/list.html",
        {
            "releases": releases,
            "has_profile": Submitter.objects.filter(user=user).exists(),
            "verified": user.email_verified,
            "zone": _zone(user),
        },
    )


@submitter_page
@require_http_methods(["GET", "HEAD", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    return _form(request, None)


@submitter_page
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    release = _release(request, pk)
    if not release.is_editable:
        return HttpResponseRedirect(release.get_absolute_url())
    return _form(request, release)


def _form(request: HttpRequest, release: NewsRelease | None) -> HttpResponse:
    user = signed_in_user(request)
    submitter = Submitter.objects.filter(user=user).first()
    if submitter is None:
        return HttpResponseRedirect(
            f"{reverse('releases:profile')}?next={request.path}"
        )
    if not user.email_verified:
        return render(request, "releases/verify_first.html", {"email": user.email})
    instance = release or NewsRelease(submitter=submitter)
    initial: dict[str, Any] = {
        "time_zone": instance.time_zone if release else submitter.time_zone
    }
    if release is None:
        edition = getattr(request, "edition", None)
        initial.update(
            contact_name=submitter.contact_person,
            contact_email=user.email,
            contact_phone=submitter.phone,
            editions=[edition] if edition else [],
        )
    post = request.POST if request.method == "POST" else None
    form = ReleaseForm(post, instance=instance, initial=initial)
    existing = list(release.images.all()) if release else []
    slots = image_slots(post, request.FILES or None, actions.MAX_IMAGES - len(existing))
    if post is None:
        return _render_form(request, form, slots, release, existing)
    if form.is_bot:
        return HttpResponseRedirect(reverse("releases:list"))
    if not (form.is_valid() and all(s.is_valid() for s in slots)):
        return _render_form(request, form, slots, release, existing)
    step = post.get("step", "save")
    remove = [int(i) for i in post.getlist("remove_image") if i.isdigit()]
    new_images = [
        (
            s.cleaned_data["image"],
            s.cleaned_data["caption"],
            s.cleaned_data["credit"],
            s.cleaned_data["rights"],
            s.cleaned_data["alt_text"],
        )
        for s in slots
        if s.cleaned_data.get("image")
    ]
    try:
        saved = actions.save_draft(
            submitter,
            release=release,
            editions=form.cleaned_data["editions"],
            new_images=new_images,
            remove_image_ids=remove,
            **form.release_fields(),
        )
        if step == "submit":
            if not _may_submit_now(request, user):
                form.add_error(
                    None,
                    "You have submitted many releases today. Your draft is saved "
                    "but not sent; try again tomorrow.",
                )
                images = list(saved.images.all())
                return _render_form(request, form, [], saved, images, status=429)
            actions.submit_release(saved, by=user)
    except ValidationError as exc:
        _attach(form, exc)
        return _render_form(request, form, slots, release, existing)
    except actions.MoveNotAllowed as exc:
        form.add_error(None, str(exc))
        return _render_form(request, form, slots, release, existing)
    if step == "preview":
        return HttpResponseRedirect(reverse("releases:preview", args=[saved.pk]))
    if step == "submit":
        return HttpResponseRedirect(saved.get_absolute_url() + "?submitted=1")
    return HttpResponseRedirect(reverse("releases:edit", args=[saved.pk]) + "?saved=1")


def _may_submit_now(request: HttpRequest, user: User) -> bool:
    """Count a submission against the account's and the client's daily limits."""
    client = ratelimit.client_key(request.META.get("REMOTE_ADDR", ""))
    return ratelimit.hit_all(
        [
            (limits.SUBMIT_ACCOUNT, str(user.pk)),
            (limits.SUBMIT_IP, client),
        ]
    ).allowed


def _attach(form: ReleaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _render_form(
    request: HttpRequest,
    form: ReleaseForm,
    slots: list[Any],
    release: NewsRelease | None,
    existing: list[Any],
    *,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "releases/form.html",
        {
            "form": form,
            "slots": slots,
            "release": release,
            "existing": existing,
            "saved": request.GET.get("saved") == "1",
            "max_mb": settings.HERALD_RELEASE_IMAGE_MAX_BYTES // (1024 * 1024),
            "last_changes": release.decisions.filter(kind="changes").last()
            if release
            else None,
        },
        status=status,
    )


@submitter_page
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    release = _release(request, pk)
    return render(
        request,
        "releases/detail.html",
        {
            "release": release,
            "decisions": release.decisions.select_related("by"),
            "images": release.images.all(),
            "editions": release.editions.all(),
            "report": distribution_report(release, request),
            "submitted": request.GET.get("submitted") == "1",
            "zone": release.submitter.time_zone,
        },
    )


@submitter_page
@require_safe
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    release = _release(request, pk)
    editions = list(release.editions.all())
    slug = request.GET.get("edition")
    edition = next((e for e in editions if e.slug == slug), None) if slug else None
    if slug and edition is None:
        raise Http404("The release does not aim at that edition.")
    here = getattr(request, "edition", None)
    target = (
        edition
        or (here if here in editions else None)
        or (editions[0] if editions else here or Edition.objects.active().first())
    )
    if target is None:
        raise Http404("No edition to preview on.")
    return render_preview(request, release, target)
