"""The desk's story search: what it finds, and that the database answers it from
the search indexes (migration 0008), not by reading every story."""

import importlib

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory

from herald.stories.models import Story

pytestmark = pytest.mark.django_db

indexes = importlib.import_module("herald.stories.migrations.0008_desk_search_indexes")


def search(user, term):
    story_admin = admin.site._registry[Story]
    request = RequestFactory().get("/desk/stories/story/", {"q": term})
    request.user = user
    queryset, _ = story_admin.get_search_results(
        request, story_admin.get_queryset(request), term
    )
    return queryset


def test_the_indexes_cover_exactly_the_searched_columns():
    assert tuple(admin.site._registry[Story].search_fields) == indexes.SEARCHED


def test_search_finds_a_word_inside_any_searched_column_whatever_its_case(
    make_story, admin_user
):
    plain = {"headline": "Rice harvest ends early", "publish": False}
    found = {
        make_story(**plain | {"headline": "Harbour reopens after the storm"}).pk,
        make_story(**plain, standfirst="Boats return to the HARBOUR at dawn").pk,
        make_story(**plain, dateline_city="Harbourton").pk,
        make_story(**plain, agency="Harbour Wire Service").pk,
    }
    make_story(**plain, standfirst="Farmers are glad")
    assert set(search(admin_user, "harbour").values_list("pk", flat=True)) == found


def test_the_search_count_reads_the_search_indexes(make_story, admin_user):
    make_story()
    # As the changelist counts it: no ordering, one column.
    queryset = search(admin_user, "harbour").order_by().values("pk")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A handful of rows is cheaper to scan; forbid that to see the index used.
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = queryset.explain()
        for column in indexes.SEARCHED:
            assert f"story_desk_search_{column}" in plan, plan
    else:
        plan = queryset.explain()
        assert "COVERING INDEX story_desk_search" in plan, plan
