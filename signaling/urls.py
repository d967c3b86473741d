from django.urls import path

from signaling import api

api_urlpatterns = [
    path("rtc/ice-servers/", api.IceServersApi.as_view(), name="api_ice_servers"),
]
