from django.urls import path

from moderation import api

api_urlpatterns = [
    path("reports/", api.ReportCreateApi.as_view(), name="api_reports"),
]
