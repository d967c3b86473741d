from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from players.serializers import PlayerSerializer
from players.services import player_for_user
from world.models import World
from world.selectors import worlds_with_online_counts


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/home.html", {"worlds": worlds_with_online_counts(viewer=request.user)})


@login_required
@require_GET
def world_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The world itself: a canvas and the ES modules that connect it to the three sockets."""
    world = get_object_or_404(World.objects.only("slug", "name"), slug=slug)
    player = player_for_user(user=request.user)  # type: ignore[arg-type]
    config = {
        "slug": world.slug,
        "name": world.name,
        "entry": request.GET.get("entry", "")[:100],
        "csrfToken": get_token(request),
        "me": PlayerSerializer(player).data,
        "urls": {
            "home": reverse("home"),
            "avatars": reverse("api_avatars"),
            "me": reverse("api_player_me"),
            "iceServers": reverse("api_ice_servers"),
            "reports": reverse("api_reports"),
            "blocks": reverse("api_blocks"),
        },
    }
    return render(request, "frontend/world.html", {"world": world, "config": config})
