from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from chat.urls import api_urlpatterns as chat_api
from metaverse.health import healthz
from moderation.urls import api_urlpatterns as moderation_api
from players.urls import api_urlpatterns as players_api
from signaling.urls import api_urlpatterns as signaling_api
from world.urls import api_urlpatterns as world_api

api_urlpatterns = [*players_api, *world_api, *chat_api, *signaling_api, *moderation_api]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include(api_urlpatterns)),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the language picker posts here
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript_catalog"),
    path("", include("players.urls")),
    path("", include("world.urls")),
    path("", include("frontend.urls")),
]
