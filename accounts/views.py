from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from accounts.services import SignupLimited


def signup_limited(request: HttpRequest, error: SignupLimited) -> HttpResponse:
    """429 with Retry-After: a page saying so, or JSON for a client that asks for it."""
    response: HttpResponse
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        response = JsonResponse({"detail": error.message, "retry_after": error.retry_after}, status=429)
    else:
        response = render(request, "accounts/signup_limited.html", {"error": error}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response
