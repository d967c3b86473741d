from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"guests_enabled": settings.GUESTS_ENABLED}
