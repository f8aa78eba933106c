"""The newsletter's URLs, under the "newsletter" namespace."""

from django.urls import URLPattern

from herald.newsletter import urls_archive, urls_bounces, urls_subscribe

app_name = "newsletter"
urlpatterns: list[URLPattern] = [
    *urls_subscribe.urlpatterns,
    *urls_archive.urlpatterns,
    *urls_bounces.urlpatterns,
]
