"""Every app's WebSocket routes, joined."""

from django.urls import URLPattern, URLResolver

from signaling.routing import websocket_urlpatterns as signaling_routes
from world.routing import websocket_urlpatterns as world_routes

websocket_urlpatterns: list[URLPattern | URLResolver] = [*world_routes, *signaling_routes]
