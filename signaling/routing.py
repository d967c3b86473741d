from django.urls import re_path

from signaling.consumers import SignalingConsumer

websocket_urlpatterns = [
    re_path(r"^ws/signal/(?P<slug>[-a-zA-Z0-9_]+)/$", SignalingConsumer.as_asgi()),
]
