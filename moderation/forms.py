"""The admin's forms for a new ban and a new mute. Saving them calls the services."""

from datetime import timedelta
from typing import Any, ClassVar

from django import forms
from django.utils import timezone

from accounts.models import User
from chat.models import Mute
from metaverse.errors import AppError
from moderation.models import Ban
from moderation.services import ban_replace_check, clean_address, target_check

HOUR, DAY, WEEK = timedelta(hours=1), timedelta(days=1), timedelta(weeks=1)
FOR_GOOD, UNTIL = "for_good", "until"
LENGTHS = {"1h": HOUR, "1d": DAY, "1w": WEEK}


class ModeratedForm(forms.ModelForm[Any]):
    """Knows who is acting (the admin sets `moderator`), so that it can refuse what the service would."""

    moderator: ClassVar[User | None] = None
    verb = "act on"

    def clean_user(self) -> User:
        user: User = self.cleaned_data["user"]
        try:
            target_check(user=user, by=self.moderator, verb=self.verb)
        except AppError as error:
            raise forms.ValidationError(error.message) from error
        return user

    def length(self) -> timedelta | None:
        """How long it lasts, from the choice made (None: for good)."""
        choice = self.cleaned_data["duration"]
        if choice == FOR_GOOD:
            return None
        if choice == UNTIL:
            return self.cleaned_data["until"] - timezone.now()
        return LENGTHS[choice]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("duration") == UNTIL:
            until = data.get("until")
            if until is None:
                self.add_error("until", "Give the time it ends, or pick a length.")
            elif until <= timezone.now():
                self.add_error("until", "That time has passed.")
        return data


class BanForm(ModeratedForm):
    verb = "ban"
    duration = forms.ChoiceField(
        choices=[("1h", "1 hour"), ("1d", "1 day"), ("1w", "1 week"), (FOR_GOOD, "For good"), (UNTIL, "Until…")],
        initial="1d",
    )

    class Meta:
        model = Ban
        fields = ("user", "duration", "until", "reason", "ip")
        help_texts = {"until": "Only with “Until…”."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = True
        self.fields["reason"].help_text = "The player is shown it when refused."

    def clean_user(self) -> User:
        user = super().clean_user()
        try:
            ban_replace_check(user=user, by=self.moderator)
        except AppError as error:
            raise forms.ValidationError(error.message) from error
        return user

    def clean_ip(self) -> str | None:
        ip = self.cleaned_data.get("ip")
        if not ip:
            return None
        try:
            return clean_address(str(ip))
        except AppError as error:
            raise forms.ValidationError(error.message) from error


class MuteForm(ModeratedForm):
    verb = "mute"
    duration = forms.ChoiceField(
        choices=[("1h", "1 hour"), ("1d", "1 day"), ("1w", "1 week"), (FOR_GOOD, "Until lifted"), (UNTIL, "Until…")],
        initial="1h",
    )

    class Meta:
        model = Mute
        fields = ("user", "duration", "until", "reason")
        help_texts = {"until": "Only with “Until…”."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = True
