"""WSGI entry point for gunicorn: `gunicorn herald.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herald.settings")
application = get_wsgi_application()
