from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from metaverse.errors import AppError
from players.models import DISPLAY_NAME_MAX_LENGTH, Avatar, Status
from players.services import clean_display_name


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=DISPLAY_NAME_MAX_LENGTH, strip=True)
    avatar = forms.ModelChoiceField(
        queryset=Avatar.objects.active(), to_field_name="slug", widget=forms.RadioSelect, empty_label=None,
        label=_("Look"),
    )  # fmt: skip
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)


def _display_name_field(**widget: str) -> forms.CharField:
    return forms.CharField(
        max_length=DISPLAY_NAME_MAX_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "nickname", **widget}),
        label=_("Display name"),
        help_text=_("How others will see you. You can change it later."),
    )


def _clean_name(value: str) -> str:
    try:
        return clean_display_name(value)  # a new account or a guest is never staff
    except AppError as error:
        raise forms.ValidationError(error.message) from error


class GuestJoinForm(forms.Form):
    display_name = _display_name_field(autofocus="autofocus")
    avatar = forms.ModelChoiceField(
        queryset=Avatar.objects.active(), to_field_name="slug", widget=forms.RadioSelect, required=False,
        empty_label=None, label=_("Look"), help_text=_("Pick one, or walk in and get one at random."),
    )  # fmt: skip
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_display_name(self) -> str:
        return _clean_name(self.cleaned_data["display_name"])


class SignupDetailsForm(forms.Form):
    """What sign-up asks besides email and password (allauth's ACCOUNT_SIGNUP_FORM_CLASS): the
    name others see, so that an email's local part never becomes public."""

    display_name = _display_name_field()

    def clean_display_name(self) -> str:
        return _clean_name(self.cleaned_data["display_name"])

    def signup(self, request: Any, user: Any) -> None:
        """allauth calls this once the account exists; the adapter made its player already."""
