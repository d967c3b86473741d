from django import forms

from players.models import DISPLAY_NAME_MAX_LENGTH, Avatar, Status


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=DISPLAY_NAME_MAX_LENGTH, strip=True)
    avatar = forms.ModelChoiceField(
        queryset=Avatar.objects.active(), to_field_name="slug", widget=forms.RadioSelect, empty_label=None
    )
    status = forms.ChoiceField(choices=Status.choices)
