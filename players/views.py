from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.restrictions import request_restriction
from accounts.services import SignupLimited
from accounts.views import signup_limited
from metaverse.errors import AppError
from players.forms import GuestJoinForm, ProfileForm
from players.models import Avatar
from players.services import guest_create, player_for_user, player_update


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
            messages.success(request, gettext("Profile saved."))
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


@require_http_methods(["GET", "POST"])
def guest_join(request: HttpRequest) -> HttpResponse:
    if not settings.GUESTS_ENABLED:
        return render(request, "players/guest_disabled.html", status=403)
    form = GuestJoinForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        try:
            user = guest_create(
                display_name=form.cleaned_data["display_name"], address=request.META.get("REMOTE_ADDR"),
                avatar=form.cleaned_data.get("avatar"),
            )  # fmt: skip
        except SignupLimited as error:
            return signup_limited(request, error)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        next_url = form.cleaned_data["next"]
        if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            return redirect(next_url)
        return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "players/guest_join.html", {"form": form}, status=status)
