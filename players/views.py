from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.restrictions import request_restriction
from metaverse.errors import AppError
from players.forms import ProfileForm
from players.models import Avatar
from players.services import player_for_user, player_update


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    player = player_for_user(user=request.user)  # type: ignore[arg-type]
    initial = {"display_name": player.display_name, "avatar": player.avatar, "status": player.status}
    form = ProfileForm(request.POST or None, initial=initial)
    banned = request_restriction(request, user=request.user) if request.method == "POST" else None
    if banned is not None:
        form.add_error(None, banned)  # as the API answers PATCH /api/players/me/: 403
        return render(request, "players/profile.html", {"form": form, "player": player}, status=403)
    if request.method == "POST" and form.is_valid():
        try:
            player_update(
                player=player,
                display_name=form.cleaned_data["display_name"],
                avatar_slug=form.cleaned_data["avatar"].slug,
                status=form.cleaned_data["status"],
            )
        except AppError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, "Profile saved.")
            return redirect("profile")
    status = 400 if request.method == "POST" else 200
    return render(request, "players/profile.html", {"form": form, "player": player}, status=status)


@require_GET
def avatar_sprite(request: HttpRequest, slug: str) -> HttpResponse:
    avatar = get_object_or_404(Avatar, slug=slug)
    etag = f'"{avatar.sprite_hash}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    response = HttpResponse(bytes(avatar.sprite), content_type="image/png")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=86400"
    return response
