"""The demo network (`herald seed_demo`): editions, staff, stories, pictures, wire
sources, news releases and subscribers, made through each app's own actions."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "herald.demo"
    label = "demo"
