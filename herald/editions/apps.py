"""Editions: the mastheads of the network."""

from django.apps import AppConfig


class EditionsConfig(AppConfig):
    name = "herald.editions"
    label = "editions"
