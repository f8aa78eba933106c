"""Syndication: feeds, sitemaps, structured data and the ninjs API."""

from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "herald.syndication"
    label = "syndication"
