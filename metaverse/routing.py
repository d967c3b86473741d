"""Every app's WebSocket routes, joined."""

from django.urls import URLPattern, URLResolver

from chat.routing import websocket_urlpatterns as chat_routes
from signaling.routing import websocket_urlpatterns as signaling_routes
from world.routing import websocket_urlpatterns as world_routes

websocket_urlpatterns: list[URLPattern | URLResolver] = [*world_routes, *chat_routes, *signaling_routes]
