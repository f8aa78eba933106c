"""Stories: the shared pool of journalism and its workflow."""

from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "herald.stories"
    label = "stories"
