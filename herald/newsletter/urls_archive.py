"""URL patterns of the newsletter's web archive (joined in newsletter/urls.py)."""

from django.urls import URLPattern, path

from herald.newsletter import views_archive

urlpatterns: list[URLPattern] = [
    path("archive/", views_archive.archive, name="archive"),
    path(
        "archive/<int:year>-<int:month>-<int:day>/",
        views_archive.archive_issue,
        name="archive_issue",
    ),
]
