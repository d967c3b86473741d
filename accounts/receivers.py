"""Where Django and allauth say a user's session ended or changed; the services decide what follows."""

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import User
from accounts.services import user_after_delete, user_after_logout, user_after_save


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None or not user.pk:
        return
    # Sent before the session is flushed: its key is still the one the sockets were opened with.
    session = getattr(request, "session", None)
    user_after_logout(user_id=user.pk, session_key=getattr(session, "session_key", None))


@receiver(post_save, sender=User)
def _saved(sender: Any, instance: User, created: bool, update_fields: frozenset[str] | None, **kwargs: Any) -> None:
    user_after_save(user=instance, created=created, update_fields=update_fields)


@receiver(post_delete, sender=User)
def _deleted(sender: Any, instance: User, **kwargs: Any) -> None:
    user_after_delete(user_id=instance.pk)
