"""The one routing root: HTTP goes to Django, WebSockets to each app's consumers."""

import os
import sys

from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metaverse.settings")

try:
    django_asgi_app = get_asgi_application()
except ImproperlyConfigured as error:
    # One clear line at start-up rather than a traceback (or, worse, at the first request).
    sys.stderr.write(f"ImproperlyConfigured: {error}\n")
    sys.exit(2)

# Imported after Django is set up: consumers import models.
from channels.routing import ProtocolTypeRouter, URLRouter

from metaverse.origins import OriginValidator
from metaverse.proxies import TrustedProxyMiddleware
from metaverse.routing import websocket_urlpatterns
from metaverse.sockets import socket_auth_stack

# Outermost: Django, the Origin check and the consumers all see the client's address and scheme
# as a trusted proxy gave them, and never a forwarded header from anyone else.
application = TrustedProxyMiddleware(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": OriginValidator(socket_auth_stack(URLRouter(websocket_urlpatterns))),
        }
    )
)
