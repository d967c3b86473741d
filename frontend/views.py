from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from players.serializers import PlayerSerializer
from players.services import player_for_user
from signaling.services import echo_bot_id
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
        "echoBot": echo_bot_id(),  # Me's "Test with the echo bot" walks to it, when it stands in this world
        # Areas' websites from these origins (and this site) show in a frame beside the map; others as a link.
        "embedOrigins": list(settings.EMBED_ALLOWED_ORIGINS),
        "urls": {
            "home": reverse("home"),
            "avatars": reverse("api_avatars"),
            "me": reverse("api_player_me"),
            "iceServers": reverse("api_ice_servers"),
            "reports": reverse("api_reports"),
            "blocks": reverse("api_blocks"),
            "setLanguage": reverse("set_language"),
        },
    }
    response = render(request, "frontend/world.html", {"world": world, "config": config})
    # Frames (areas' websites, docs/maps.md) only from this site and the origins the operator allows.
    response["Content-Security-Policy"] = " ".join(["frame-src 'self'", *settings.EMBED_ALLOWED_ORIGINS])
    return response


@xframe_options_sameorigin  # a map's notice board shows it beside the map (docs/maps.md)
@require_GET
def world_about(request: HttpRequest, slug: str) -> HttpResponse:
    """A world's own "about" page: what it is, who is here, how to get around, what its areas do.
    Open to anyone: the framed page is sandboxed, so it carries no session."""
    world = get_object_or_404(worlds_with_online_counts(viewer=request.user), slug=slug)
    areas = []
    for area in world.areas.exclude(website_url="", sound_url="", focusable=False, stage_role="").order_by("name"):
        if area.stage_role == "speaker":
            areas.append(gettext("%(area)s: a stage; whoever stands there is heard in its audience.") % {"area": area})
        elif area.focusable:
            areas.append(gettext("%(area)s: the view frames it while you are inside.") % {"area": area})
        elif area.website_url:
            areas.append(gettext("%(area)s: opens a page beside the map.") % {"area": area})
        elif area.sound_url:
            areas.append(gettext("%(area)s: has its own sound.") % {"area": area})
    online = getattr(world, "online", None)  # None: a members-only world's count is not for everyone
    return render(request, "frontend/world_about.html", {"world": world, "online": online, "areas": areas})
