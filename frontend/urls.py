from django.urls import path

from frontend import views

urlpatterns = [
    path("", views.home, name="home"),
    path("w/<slug:slug>/", views.world_page, name="world_page"),
    path("w/<slug:slug>/about/", views.world_about, name="world_about"),
]
