"""The search page of an edition: /search/?q= with filters and numbered pages."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.html import escape
from django.views.decorators.http import require_safe

from herald.discovery.search import SearchHit, SearchPage, get_backend
from herald.discovery.search.forms import EARLIEST, LATEST, SearchForm
from herald.edge.caching import public_page
from herald.editions.models import Edition
from herald.stories.models import LocalVersion, Section

TEMPLATE = "discovery/search.html"


@require_safe
@public_page(kind="search")
def search(request: HttpRequest) -> HttpResponse:
    edition: Edition | None = getattr(request, "edition", None)
    if edition is None:
        raise Http404("No edition answers on this host.")
    sections = list(Section.objects.all())
    form = SearchForm(request.GET, sections=sections)
    context: dict[str, Any] = {
        "edition": edition,
        "form": form,
        "sections": sections,
        "earliest": EARLIEST,
        "latest": LATEST,
    }
    if not form.is_valid():
        return render(request, TEMPLATE, context, status=400)
    query = form.search_query(edition)
    context.update(query_text=query.text, has_filters=form.has_filters)
    if not query.terms:
        return render(request, TEMPLATE, context)
    results = get_backend().search(query)
    _use_local_headlines(results.hits, edition)
    context.update(
        results=results,
        first_number=(query.page - 1) * query.size + 1,
        pages=_page_links(request.GET, results),
        last_page_url=_page_url(request.GET, results.num_pages),
        previous_url=_page_url(request.GET, query.page - 1)
        if 1 < query.page <= results.num_pages
        else None,
        next_url=_page_url(request.GET, query.page + 1)
        if query.page < results.num_pages
        else None,
    )
    return render(request, TEMPLATE, context)


def _use_local_headlines(hits: list[SearchHit], edition: Edition) -> None:
    """Show this edition's own headline where it gave a story one."""
    local = dict(
        LocalVersion.objects.filter(
            edition=edition, story_id__in=[h.story_id for h in hits]
        ).values_list("story_id", "headline")
    )
    for hit in hits:
        if hit.story_id in local:
            hit.headline_html = escape(local[hit.story_id])


def _page_url(params: QueryDict, number: int) -> str:
    query = params.copy()
    query.pop("page", None)
    if number > 1:
        query["page"] = str(number)
    return "?" + query.urlencode()


def _page_links(params: QueryDict, results: SearchPage) -> list[dict[str, Any]]:
    """First, last, and two either side of the current page; None marks a gap."""
    last, current = results.num_pages, results.page
    if last <= 1:
        return []
    shown = sorted({1, last, *range(max(current - 2, 1), min(current + 2, last) + 1)})
    links: list[dict[str, Any]] = []
    for number in shown:
        if links and number - links[-1]["number"] > 1:
            links.append({"number": None})
        links.append(
            {
                "number": number,
                "url": _page_url(params, number),
                "current": number == current,
            }
        )
    return links
