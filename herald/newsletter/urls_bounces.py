"""URL of the newsletter's bounce endpoint (joined in herald/newsletter/urls.py)."""

from django.urls import URLPattern, path

from herald.newsletter import views_bounces

urlpatterns: list[URLPattern] = [
    path("bounces/", views_bounces.bounces, name="bounces"),
]
