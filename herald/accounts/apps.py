"""Accounts: users, their roles and the editions they may work on."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "herald.accounts"
    label = "accounts"
