"""ASGI entry point, for servers such as granian in ASGI mode."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herald.settings")
application = get_asgi_application()
