"""allauth's adapter: a new account is counted against its address's sign-ups and gets its player."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from django.http import HttpRequest

from accounts.services import SignupKind, SignupLimited, signup_count
from accounts.views import signup_limited
from players.services import player_create


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        # Counted only once the form is valid and the account is about to be made: a mistyped
        # password costs nothing. allauth's middleware answers with the response.
        try:
            signup_count(kind=SignupKind.ACCOUNT, address=request.META.get("REMOTE_ADDR"))
        except SignupLimited as error:
            raise ImmediateHttpResponse(signup_limited(request, error)) from error
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            chosen = form.cleaned_data.get("display_name") if hasattr(form, "cleaned_data") else None
            # The name asked at sign-up; an account made another way (a script) gets a neutral one.
            player_create(user=user, display_name=chosen or f"Player {user.pk}")
        return user
