"""The reader's pages of the daily email: sign up, confirm, preferences, unsubscribe.

None of them sets a cookie or needs a CSRF token. The sign-up form sits on cached
public pages, and double opt-in makes a forged sign-up harmless. On the other pages
the signed token in the URL is the proof. Unsubscribing must also work from a mail
provider's RFC 8058 one-click POST, which carries no cookie.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from herald.core import ratelimit
from herald.edge.caching import public_page
from herald.editions.links import edition_origin
from herald.editions.models import Edition
from herald.newsletter import limits
from herald.newsletter.actions import (
    ConfirmRefused,
    Via,
    confirm,
    set_sections,
    subscribe,
    unsubscribe,
)
from herald.newsletter.forms import PreferencesForm, SubscribeForm
from herald.newsletter.models import Subscription, SubscriptionStatus
from herald.newsletter.tokens import (
    BadToken,
    manage_token,
    read_confirm_token,
    read_manage_token,
)
from herald.stories.models import Section

logger = logging.getLogger(__name__)
methods = require_http_methods(["GET", "HEAD", "POST"])


def _edition(request: HttpRequest) -> Edition:
    edition: Edition | None = getattr(request, "edition", None)
    if edition is None:
        raise Http404("No edition answers on this host.")
    return edition


def _page(
    request: HttpRequest, template: str, *, status: int = 200, **context: Any
) -> HttpResponse:
    """A page that answers a POST or shows a token: never stored by a cache, and
    never sending its URL (which holds the token) on as a Referer."""
    context.setdefault("sections", list(Section.objects.all()))
    context.setdefault("days", settings.HERALD_NEWSLETTER_CONFIRM_DAYS)
    response = render(request, f"newsletter/{template}", context, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


def _subscription(
    request: HttpRequest, token: str, read: Callable[[str], Subscription]
) -> Subscription:
    """The subscription a link is for; BadToken unless it is this edition's."""
    edition = _edition(request)
    subscription = read(token)
    if subscription.edition_id != edition.pk:
        raise BadToken("This link is for another edition.")
    return subscription


@csrf_exempt
@methods
@public_page
def subscribe_page(request: HttpRequest) -> HttpResponse:
    """GET: the sign-up form. POST: sign up; every address gets the same answer."""
    edition = _edition(request)
    if request.method != "POST":
        sections = list(Section.objects.all())
        return render(
            request,
            "newsletter/subscribe.html",
            {"form": SubscribeForm(), "sections": sections},
        )
    client = ratelimit.client_key(request.META.get("REMOTE_ADDR", ""))
    verdict = ratelimit.hit(limits.SIGNUPS_PER_IP, client)
    if not verdict.allowed:
        logger.warning(
            "Newsletter sign-ups over the per-client limit.",
            extra={"edition_id": edition.pk},
        )
        response = _page(request, "subscribe_limited.html", status=429)
        response["Retry-After"] = str(verdict.retry_after)
        return response
    form = SubscribeForm(request.POST)
    if form.caught_a_bot():
        logger.info("Newsletter sign-up caught by the honeypot.")
        return _page(request, "subscribe_sent.html")
    if not form.is_valid():
        return _page(request, "subscribe.html", status=400, form=form)
    subscribe(
        form.cleaned_data["email"],
        edition=edition,
        sections=form.cleaned_data["sections"],
        origin=edition_origin(edition, request),
    )
    return _page(request, "subscribe_sent.html")


@csrf_exempt
@methods
def confirm_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a button that confirms, so a mail scanner following the link confirms
    nothing. POST: confirm, and welcome."""
    try:
        subscription = _subscription(request, token, read_confirm_token)
        if request.method == "POST":
            confirm(subscription)
    except BadToken as exc:
        return _page(request, "confirm_invalid.html", status=400, message=str(exc))
    except ConfirmRefused:
        return _page(request, "confirm_invalid.html", status=400, left=True)
    if subscription.status == SubscriptionStatus.UNSUBSCRIBED:
        return _page(request, "confirm_invalid.html", status=400, left=True)
    if subscription.status == SubscriptionStatus.CONFIRMED:
        return _page(
            request,
            "confirm_done.html",
            subscription=subscription,
            manage=manage_token(subscription),
        )
    return _page(request, "confirm.html", subscription=subscription)


@csrf_exempt
@methods
def preferences_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the sections as checkboxes and a button to leave. POST: save or leave."""
    try:
        subscription = _subscription(request, token, read_manage_token)
    except BadToken as exc:
        return _page(request, "preferences_invalid.html", status=400, message=str(exc))
    context: dict[str, Any] = {"subscription": subscription, "token": token}
    if request.method == "POST" and request.POST.get("action") == "leave":
        unsubscribe(subscription, how=Via.PREFERENCES)
        return _page(request, "unsubscribe_done.html", **context)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if not form.is_valid():
            return _page(request, "preferences.html", status=400, form=form, **context)
        set_sections(subscription, form.cleaned_data["sections"])
        context["saved"] = True
    chosen = list(subscription.sections.all())
    form = PreferencesForm(initial={"sections": [s.pk for s in chosen]})
    return _page(request, "preferences.html", form=form, chosen=chosen, **context)


@csrf_exempt
@methods
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with a button, and nothing changes. POST, with any body and no
    cookie (RFC 8058 one-click included): unsubscribe, and answer 200."""
    try:
        subscription = _subscription(request, token, read_manage_token)
    except BadToken as exc:
        return _page(request, "preferences_invalid.html", status=400, message=str(exc))
    context: dict[str, Any] = {"subscription": subscription, "token": token}
    if request.method == "POST":
        unsubscribe(subscription, how=_how(request))
        return _page(request, "unsubscribe_done.html", **context)
    if subscription.status == SubscriptionStatus.UNSUBSCRIBED:
        return _page(request, "unsubscribe_done.html", **context)
    return _page(request, "unsubscribe.html", **context)


def _how(request: HttpRequest) -> Via:
    # Whatever the body holds, the POST unsubscribes; it only names the way.
    try:
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    except MultiPartParserError:
        one_click = False
    return Via.ONE_CLICK if one_click else Via.LINK
