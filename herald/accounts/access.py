"""The signed-in user behind a request, as Herald's User: for the desk and the
submitter's pages, which only a signed-in user reaches."""

from django.http import HttpRequest

from herald.accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user
