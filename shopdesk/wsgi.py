import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopdesk.settings")
application = get_wsgi_application()

# Import the URL conf, and with it every view and the API, while the worker boots rather than
# in its first request: about a second that the first scan after each start would wait.
get_resolver().url_patterns  # noqa: B018 (the import is the point)
