"""Web: the reader-facing pages of every edition."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "herald.web"
    label = "web"
