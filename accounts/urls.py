from django.urls import path

from accounts import views

urlpatterns = [
    path("guest/", views.guest_join, name="guest_join"),
]
