"""Herald's own URLs plus views that fail for real, for the error page tests
(`override_settings(ROOT_URLCONF=...)`); never part of the running site."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from herald.stories.models import Section

SECRET_DETAIL = "the press at plant 7 jammed"


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"Unexpected fault: {SECRET_DETAIL}.")


def loses_the_sections_table(request: HttpRequest) -> HttpResponse:
    """The sections table goes missing (as after a half-applied migration), and
    this page reads it like every reader page does: the database is the fault.
    Inside the test's transaction, so the rename is rolled back after the test."""
    table = connection.ops.quote_name(Section._meta.db_table)
    gone = connection.ops.quote_name("gone_for_this_test")
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {gone}")
    list(Section.objects.all())
    return HttpResponse("unreachable")


urlpatterns = [
    path("fails/", fails),
    path("desk/fails/", fails),
    path("broken-database/", loses_the_sections_table),
    path("", include("herald.urls")),
]

# The root URLconf names the handlers; these are the same as herald.urls's (its
# own test checks that), named by string because web may not import herald.urls.
handler400 = "herald.web.errors.bad_request"
handler403 = "herald.web.errors.permission_denied"
handler404 = "herald.web.errors.page_not_found"
handler500 = "herald.web.errors.server_error"
