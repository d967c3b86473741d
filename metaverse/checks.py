"""Deployment checks of this project's own settings (`manage.py check --deploy`), beside
Django's security.* ones. docs/deploy.md lists them with what to do about each."""

import ipaddress
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

from metaverse.env import MAKE_A_SECRET_KEY, secret_key_weakness

HEALTHZ_TOKEN_MIN_LENGTH = 32


@register(Tags.security, deploy=True)
def check_forwarded_headers(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    trusted = [ipaddress.ip_network(value, strict=False) for value in settings.TRUSTED_PROXIES]
    if settings.BEHIND_TLS_PROXY and not trusted:
        messages.append(
            Warning(
                "BEHIND_TLS_PROXY is on but TRUSTED_PROXIES is empty: the proxy's X-Forwarded-Proto and "
                "X-Forwarded-For are ignored, so every request looks like plain HTTP from the proxy's address.",
                hint="Set TRUSTED_PROXIES to the proxy's address or network (docker-compose sets nginx's).",
                id="metaverse.W001",
            )
        )
    broad = [str(network) for network in trusted if not network.is_private and network.num_addresses > 256]
    if broad:
        messages.append(
            Warning(
                f"TRUSTED_PROXIES includes public networks larger than a /24 ({', '.join(broad)}): anyone "
                "connecting from them can claim any address and get past an address ban.",
                hint="List only your proxies' own addresses.",
                id="metaverse.W004",
            )
        )
    return messages


@register(Tags.security, deploy=True)
def check_secrets(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    # With DEBUG off settings.py refuses such a key; this catches a DEBUG=1 configuration.
    if weakness := secret_key_weakness(settings.SECRET_KEY):
        messages.append(
            Warning(
                f"SECRET_KEY {weakness}: sessions signed with it can be forged.",
                hint=f"Make one with {MAKE_A_SECRET_KEY}",
                id="metaverse.W002",
            )
        )
    token = settings.HEALTHZ_TOKEN
    if token and len(token) < HEALTHZ_TOKEN_MIN_LENGTH:
        messages.append(
            Warning(
                f"HEALTHZ_TOKEN is {len(token)} characters long: short enough to guess, and it shows "
                "/healthz's details (internal hosts in errors).",
                hint=f"Use at least {HEALTHZ_TOKEN_MIN_LENGTH} random characters: openssl rand -hex 32",
                id="metaverse.W003",
            )
        )
    return messages


@register(Tags.security, deploy=True)
def check_trusted_origins(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    plain = [origin for origin in settings.CSRF_TRUSTED_ORIGINS if origin.lower().startswith("http://")]
    if plain and not settings.DEBUG:
        return [
            Warning(
                f"CSRF_TRUSTED_ORIGINS lists plain-HTTP origins ({', '.join(plain)}): pages anyone on the "
                "network can rewrite may post forms and open WebSockets as your users.",
                hint="List https:// origins only.",
                id="metaverse.W005",
            )
        ]
    return []
