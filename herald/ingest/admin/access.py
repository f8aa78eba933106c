"""Who may see and change the ingest desk, and the user behind a desk request."""

from django.http import HttpRequest

from herald.accounts.models import User
from herald.core.roles import Role

EDITORS = frozenset({Role.EDITOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})


def request_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user
