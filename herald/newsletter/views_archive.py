"""The newsletter's web archive: every issue an edition sent, one public page each."""

from datetime import date

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from herald.edge.caching import public_page
from herald.editions.models import Edition
from herald.newsletter.building import date_in_words
from herald.newsletter.models import Issue, IssueStatus
from herald.newsletter.rendering.contents import archive_issue_path, issue_contents
from herald.stories.models import Section


def _edition(request: HttpRequest) -> Edition:
    edition = getattr(request, "edition", None)
    if edition is None:
        raise Http404("No edition answers on this host.")
    return edition


@require_safe
@public_page
def archive(request: HttpRequest) -> HttpResponse:
    """The edition's issues, newest first, paginated with ?page=N."""
    edition = _edition(request)
    issues = (
        Issue.objects.filter(edition=edition)
        .exclude(status=IssueStatus.SKIPPED)
        .order_by("-local_date")
        .only("local_date", "subject", "edition_id")
    )
    paginator = Paginator(issues, settings.HERALD_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage as exc:
        raise Http404("No such page of the archive.") from exc
    rows = [
        (issue, date_in_words(issue.local_date), archive_issue_path(issue.local_date))
        for issue in page.object_list
    ]
    return render(
        request,
        "newsletter/archive.html",
        {"page": page, "rows": rows, "sections": list(Section.objects.all())},
    )


@require_safe
@public_page
def archive_issue(
    request: HttpRequest, year: int, month: int, day: int
) -> HttpResponse:
    """One issue's full content (every section, no personal links)."""
    edition = _edition(request)
    try:
        local_date = date(year, month, day)
    except ValueError as exc:
        raise Http404("No such date.") from exc
    path = archive_issue_path(local_date)
    if request.path != path:
        return HttpResponsePermanentRedirect(path)
    issue = get_object_or_404(
        Issue.objects.exclude(status=IssueStatus.SKIPPED).select_related("edition"),
        edition=edition,
        local_date=local_date,
    )
    contents = issue_contents(issue)
    return render(
        request,
        "newsletter/archive_issue.html",
        {
            "issue": issue,
            "date_words": date_in_words(local_date),
            "contents": contents,
            "sections": list(Section.objects.all()),
        },
    )
