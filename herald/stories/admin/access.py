"""Who works the story desk: the staff roles, and the signed-in user as a User."""

from django.http import HttpRequest

from herald.accounts.models import User
from herald.core.roles import Role

STAFF = frozenset({Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN})


def desk_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user
