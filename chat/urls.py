from django.urls import path

from chat import api

api_urlpatterns = [
    path("worlds/<slug:slug>/messages/", api.MessageHistoryApi.as_view(), name="api_world_messages"),
    path("blocks/", api.BlockListApi.as_view(), name="api_blocks"),
    path("blocks/<int:user_id>/", api.BlockDetailApi.as_view(), name="api_block"),
]
