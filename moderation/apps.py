from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        # The apps below ask accounts/restrictions.py whether someone is kept out; bans answer.
        from accounts.restrictions import restriction_register
        from moderation.http import ban_message

        restriction_register(ban_message)
