"""Branded error pages (400, 403, 404, 500 and the CSRF failure) for each edition,
the network index and the desk.

Each page says what went wrong in one sentence, gives the way back and its status
code, and nothing else: no exception text, no request data, no settings. An error
page is never cached by a shared cache ("private, no-store"), so a 404 served on a
story's address is never stored as that story's page.

An error page must not fail itself: the cause of the error may be the database
that the navigation is read from. Whatever goes wrong while rendering one is
logged, and a plain page built from what is already in memory (the edition's name
and colours, the desk's title) goes out instead, with the same status code.
"""

import base64
import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

from herald.editions.models import Edition
from herald.web.views import _nav_sections  # the navigation every reader page has

logger = logging.getLogger(__name__)

DESK_PREFIX = "/desk/"
NO_STORE = "private, no-store"
# The network's colours, as in site.css; an edition's own replace them.
NETWORK_COLOURS = ("#1d3557", "#b5172b")
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")


@dataclass(frozen=True)
class ErrorPage:
    """What one error page says: to readers, and in the desk."""

    status: int
    heading: str
    message: str
    desk_message: str


BAD_REQUEST = ErrorPage(
    400,
    "Bad request",
    "We could not make sense of that request: check the address, or go back and "
    "try again.",
    "The desk could not make sense of that request: go back and try again.",
)
FORBIDDEN = ErrorPage(
    403,
    "You may not see this page",
    "This page is not open to your account; if you think it should be, contact "
    "the newsroom.",
    "Your role in the newsroom does not open this page; ask a desk admin if you "
    "need it.",
)
CSRF_FAILED = ErrorPage(
    403,
    "Your form could not be sent",
    "The form had expired or your browser did not send its cookie: go back, "
    "reload the page and send it again.",
    "The form had expired or your browser did not send its cookie: go back, "
    "reload the page and send it again.",
)
NOT_FOUND = ErrorPage(
    404,
    "Page not found",
    "There is no page at this address: it may have moved, or the address may be "
    "mistyped.",
    "There is no desk page at this address; it may have moved, or the item may "
    "have been deleted.",
)
SERVER_ERROR = ErrorPage(
    500,
    "Something went wrong on our side",
    "We could not show this page just now; please try again in a few minutes.",
    "The desk could not finish this request; check whether your last change was "
    "saved, and try again in a few minutes.",
)


def bad_request(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return error_response(request, BAD_REQUEST)


def permission_denied(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return error_response(request, FORBIDDEN)


def page_not_found(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return error_response(request, NOT_FOUND)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response(request, SERVER_ERROR)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW. Django's CSRF middleware logs the reason; the
    page does not show it."""
    return error_response(request, CSRF_FAILED)


def error_response(request: HttpRequest, page: ErrorPage) -> HttpResponse:
    """`page` in the desk's look under /desk/, else in the look of the request's
    edition (or the network's); the plain page if rendering it fails."""
    in_desk = request.path_info.startswith(DESK_PREFIX)
    try:
        body = _desk_page(request, page) if in_desk else _reader_page(request, page)
        response = HttpResponse(body, status=page.status)
    except Exception:  # the error page must answer, whatever broke
        logger.exception(
            "Error page failed to render; sent the plain one.",
            extra={"status_code": page.status},
        )
        response = _plain_response(request, page, in_desk=in_desk)
    response["Cache-Control"] = NO_STORE
    return response


def _reader_page(request: HttpRequest, page: ErrorPage) -> str:
    edition: Edition | None = getattr(request, "edition", None)
    context: dict[str, Any] = {
        "edition": edition,
        "error": page,
        "message": page.message,
        # Read now, not while rendering, so that a failing read is caught here.
        "sections": _nav_sections() if edition is not None else [],
    }
    return render_to_string("web/error.html", context, request=request)


def _desk_page(request: HttpRequest, page: ErrorPage) -> str:
    site = admin.site
    # No sidebar: its list of apps costs queries and the page links to the index.
    context: dict[str, Any] = {
        "site_title": site.site_title,
        "site_header": site.site_header,
        "site_url": site.site_url,
        # Without a user (the request failed before authentication) no user tools.
        "has_permission": hasattr(request, "user") and site.has_permission(request),
        "is_nav_sidebar_enabled": False,
        "is_popup": False,
        "title": page.heading,
        "error": page,
        "message": page.desk_message,
    }
    return render_to_string("desk/error.html", context, request=request)


def _plain_response(
    request: HttpRequest, page: ErrorPage, *, in_desk: bool
) -> HttpResponse:
    """The page from memory alone: no database, no template engine."""
    edition: Edition | None = None if in_desk else getattr(request, "edition", None)
    colours = NETWORK_COLOURS
    if edition is not None:
        colours = (
            _colour(edition.primary_colour, NETWORK_COLOURS[0]),
            _colour(edition.accent_colour, NETWORK_COLOURS[1]),
        )
    # CSP allows no inline style but one it knows by its hash (CSP Level 2).
    style = f":root{{--brand:{colours[0]};--accent:{colours[1]};}}"
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    if in_desk:
        name, home, home_label = admin.site.site_header, DESK_PREFIX, "Back to the desk"
        message = page.desk_message
    elif edition is not None:
        name, home, message = edition.name, "/", page.message
        home_label = f"{edition.name} home page"
    else:
        name, home, home_label = "Herald network", "/", "All editions"
        message = page.message
    search_link = search_box = ""
    if edition is not None:
        search_link = format_html(
            '<li><a class="button button--ghost" href="/search/">Search {}</a></li>',
            edition.name,
        )
        search_box = format_html(
            '<form class="masthead__search" role="search" method="get" '
            'action="/search/"><label class="visually-hidden" for="masthead-q">'
            'Search {}</label><input id="masthead-q" type="search" name="q" '
            'placeholder="Search" maxlength="200"><button type="submit">Search'
            "</button></form>",
            edition.name,
        )
    body = format_html(
        '<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex"><title>{heading} | {name}</title>'
        "{stylesheet}<style>{style}</style></head><body>"
        '<a class="skip-link" href="#main">Skip to content</a>'
        '<header class="masthead"><div class="wrap masthead__inner">'
        '<a class="masthead__logo" href="{home}">{logo}</a>{search_box}</div></header>'
        '<main id="main" class="wrap"><section class="error-page" '
        'aria-labelledby="error-title"><p class="error-page__code">Error {status}</p>'
        '<h1 id="error-title">{heading}</h1><p class="standfirst">{message}</p>'
        '<ul class="error-page__links"><li><a class="button" href="{home}">'
        "{home_label}</a></li>{search_link}</ul></section></main>"
        '<footer class="site-footer"><div class="wrap site-footer__inner">'
        "<p><strong>{name}</strong></p></div></footer></body></html>\n",
        lang=edition.language if edition is not None else "en",
        heading=page.heading,
        name=name,
        stylesheet=_stylesheet(),
        style=SafeString(style),  # built from checked colours only
        home=home,
        logo=(edition.logo_text or edition.name) if edition is not None else name,
        status=page.status,
        message=message,
        home_label=home_label,
        search_link=search_link,
        search_box=search_box,
    )
    response = HttpResponse(body, status=page.status)
    response._csp_update = {  # type: ignore[attr-defined]  # django-csp's per-response update
        "style-src": [f"'sha256-{digest}'"]
    }
    return response


def _colour(value: str, default: str) -> str:
    return value if _HEX_COLOUR.fullmatch(value or "") else default


def _stylesheet() -> str:
    """The reader stylesheet's link; none if even the static storage fails."""
    try:
        href = static("herald/site.css")
    except Exception:  # a missing manifest entry must not take the page down
        return ""
    return format_html('<link rel="stylesheet" href="{}">', href)
