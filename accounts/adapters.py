from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from players.services import display_name_for, player_create


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            player_create(user=user, display_name=display_name_for(user=user, wanted=user.email.split("@")[0]))
        return user
