from django.urls import path

from world import api, views

urlpatterns = [
    path("maps/<slug:slug>/<str:version>/<path:path>", views.map_file, name="map_file"),
]

api_urlpatterns = [
    path("worlds/", api.WorldListApi.as_view(), name="api_worlds"),
    path("worlds/<slug:slug>/", api.WorldDetailApi.as_view(), name="api_world"),
]
