from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from accounts.forms import GuestJoinForm
from accounts.services import SignupLimited, guest_create


@require_http_methods(["GET", "POST"])
def guest_join(request: HttpRequest) -> HttpResponse:
    if not settings.GUESTS_ENABLED:
        return render(request, "accounts/guest_disabled.html", status=403)
    form = GuestJoinForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        try:
            user = guest_create(display_name=form.cleaned_data["display_name"], address=request.META.get("REMOTE_ADDR"))
        except SignupLimited as error:
            return signup_limited(request, error)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        next_url = form.cleaned_data["next"]
        if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            return redirect(next_url)
        return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/guest_join.html", {"form": form}, status=status)


def signup_limited(request: HttpRequest, error: SignupLimited) -> HttpResponse:
    """429 with Retry-After: a page saying so, or JSON for a client that asks for it."""
    response: HttpResponse
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        response = JsonResponse({"detail": error.message, "retry_after": error.retry_after}, status=429)
    else:
        response = render(request, "accounts/signup_limited.html", {"error": error}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response
