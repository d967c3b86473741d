from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from accounts.forms import GuestJoinForm
from accounts.services import guest_create


@require_http_methods(["GET", "POST"])
def guest_join(request: HttpRequest) -> HttpResponse:
    if not settings.GUESTS_ENABLED:
        return render(request, "accounts/guest_disabled.html", status=403)
    form = GuestJoinForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        user = guest_create(display_name=form.cleaned_data["display_name"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        next_url = form.cleaned_data["next"]
        if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            return redirect(next_url)
        return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/guest_join.html", {"form": form}, status=status)
