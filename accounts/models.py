from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who can log in. Guests are real users too, flagged and without a password."""

    is_guest = models.BooleanField(
        default=False, help_text="Joined with only a display name; has no email or password."
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
