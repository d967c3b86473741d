from django.urls import re_path

from world.consumers import WorldConsumer

websocket_urlpatterns = [
    re_path(r"^ws/world/(?P<slug>[-a-zA-Z0-9_]+)/$", WorldConsumer.as_asgi()),
]
