from django import forms

from players.models import DISPLAY_NAME_MAX_LENGTH


class GuestJoinForm(forms.Form):
    display_name = forms.CharField(
        max_length=DISPLAY_NAME_MAX_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "nickname"}),
        help_text="How others will see you. You can change it later.",
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
