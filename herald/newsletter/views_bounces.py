"""The bounce endpoint: a mail server or provider posts DSN and ARF reports here."""

import hmac
import re

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from herald.newsletter.bounce_reports import MalformedReport
from herald.newsletter.bounces import events_json, process_report

MAX_REPORT_BYTES = 1024 * 1024
CONTENT_TYPES = frozenset({"message/rfc822", "multipart/report"})
_HEADER_LINE = re.compile(rb"[!-9;-~]+:")


@csrf_exempt  # a machine posts here, authenticated by its bearer token
@never_cache
def bounces(request: HttpRequest) -> HttpResponse:
    """POST one raw RFC 822 report (Content-Type message/rfc822, or multipart/report
    with the report's own MIME body). Answers {"processed": n, "events": [...]}.
    Without HERALD_BOUNCE_TOKEN the endpoint does not exist (404)."""
    token = settings.HERALD_BOUNCE_TOKEN
    if not token:
        raise Http404("The bounce endpoint is off.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not _authorized(request, token):
        response = _error(401, "A valid bearer token is required.")
        response["WWW-Authenticate"] = 'Bearer realm="herald-bounces"'
        return response
    if request.content_type not in CONTENT_TYPES:
        return _error(415, "Send message/rfc822 or multipart/report.")
    raw = _read_capped(request)
    if raw is None:
        return _error(413, f"A report may hold at most {MAX_REPORT_BYTES} bytes.")
    try:
        results = process_report(_as_message(request, raw))
    except MalformedReport as exc:
        return _error(400, str(exc))
    return JsonResponse({"processed": len(results), "events": events_json(results)})


def _authorized(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def _read_capped(request: HttpRequest) -> bytes | None:
    """The body, or None when it is over the cap (checked before reading it)."""
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_REPORT_BYTES:
        return None
    raw = request.read(MAX_REPORT_BYTES + 1)
    return None if len(raw) > MAX_REPORT_BYTES else raw


def _as_message(request: HttpRequest, raw: bytes) -> bytes:
    """A multipart/report posted as a MIME body (its boundary in the request's
    Content-Type) becomes a whole message; a whole message stays as it is."""
    if request.content_type != "multipart/report":
        return raw
    if _HEADER_LINE.match(raw):
        return raw  # starts with headers of its own
    content_type = request.headers.get("Content-Type", "")
    return (
        b"MIME-Version: 1.0\r\nContent-Type: "
        + content_type.encode("latin-1", "replace")
        + b"\r\n\r\n"
        + raw
    )


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)
