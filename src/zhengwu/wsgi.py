"""WSGI entry point used by ``zhengwu serve`` (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
application = get_wsgi_application()
