from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Chat"

    def ready(self) -> None:
        from chat.selectors import blocked_ids, blocked_ids_expression
        from world.avoidance import avoidance_register

        avoidance_register(expression=blocked_ids_expression, reader=lambda user_id: blocked_ids(user_id=user_id))
