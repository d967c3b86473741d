from django import forms

from metaverse.errors import AppError
from players.models import DISPLAY_NAME_MAX_LENGTH, Avatar, Status
from players.services import clean_display_name


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=DISPLAY_NAME_MAX_LENGTH, strip=True)
    avatar = forms.ModelChoiceField(
        queryset=Avatar.objects.active(), to_field_name="slug", widget=forms.RadioSelect, empty_label=None
    )
    status = forms.ChoiceField(choices=Status.choices)


class GuestJoinForm(forms.Form):
    display_name = forms.CharField(
        max_length=DISPLAY_NAME_MAX_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "nickname"}),
        help_text="How others will see you. You can change it later.",
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_display_name(self) -> str:
        try:
            return clean_display_name(self.cleaned_data["display_name"])  # guests are never staff
        except AppError as error:
            raise forms.ValidationError(error.message) from error
