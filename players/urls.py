from django.urls import path

from players import api, views

urlpatterns = [
    path("accounts/guest/", views.guest_join, name="guest_join"),
    path("profile/", views.profile, name="profile"),
    path("avatars/<slug:slug>.png", views.avatar_sprite, name="avatar_sprite"),
]

api_urlpatterns = [
    path("players/me/", api.PlayerMeApi.as_view(), name="api_player_me"),
    path("avatars/", api.AvatarListApi.as_view(), name="api_avatars"),
]
