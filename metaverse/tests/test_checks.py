"""The deployment checks of metaverse/checks.py: each misconfiguration gets its warning, the
documented production values none."""

import re

import pytest

from metaverse.checks import check_forwarded_headers, check_secrets, check_trusted_origins
from metaverse.env import DEVELOPMENT_SECRET_KEY
from metaverse.tests.test_settings import BASE_DIR, PRODUCTION, manage

STRONG_KEY = PRODUCTION["SECRET_KEY"]


def ids(messages) -> list[str]:
    return [message.id for message in messages]


@pytest.fixture
def production(settings):
    """The settings of the README's production values, as check --deploy sees them."""
    settings.DEBUG = False
    settings.SECRET_KEY = STRONG_KEY
    settings.BEHIND_TLS_PROXY = True
    settings.TRUSTED_PROXIES = ["10.222.0.0/29"]
    settings.HEALTHZ_TOKEN = "f" * 64
    settings.CSRF_TRUSTED_ORIGINS = ["https://meet.example.org"]
    return settings


def test_production_values_raise_no_warning(production):
    assert ids([*check_forwarded_headers(), *check_secrets(), *check_trusted_origins()]) == []


def test_a_tls_proxy_without_trusted_proxies_is_flagged(production):
    production.TRUSTED_PROXIES = []
    [warning] = check_forwarded_headers()
    assert warning.id == "metaverse.W001"
    assert "TRUSTED_PROXIES" in warning.hint


@pytest.mark.parametrize(
    ("networks", "flagged"),
    [(["0.0.0.0/0"], True), (["::/0"], True), (["1.0.0.0/8", "10.0.0.0/8"], True), (["203.0.113.7"], False),
     (["10.0.0.0/8", "172.16.0.0/12", "fd00::/8"], False), (["198.51.100.0/24"], False)],
)  # fmt: skip
def test_trusting_public_networks_is_flagged(production, networks, flagged):
    production.TRUSTED_PROXIES = networks
    assert ids(check_forwarded_headers()) == (["metaverse.W004"] if flagged else [])


@pytest.mark.parametrize("key", [DEVELOPMENT_SECRET_KEY, "short-key", "django-insecure-" + STRONG_KEY, "ab" * 40])
def test_a_weak_secret_key_is_flagged(production, key):
    production.SECRET_KEY = key
    [warning] = check_secrets()
    assert warning.id == "metaverse.W002"
    assert "secrets.token_urlsafe(50)" in warning.hint


def test_a_short_healthz_token_is_flagged(production):
    production.HEALTHZ_TOKEN = "x" * 31
    assert ids(check_secrets()) == ["metaverse.W003"]
    production.HEALTHZ_TOKEN = ""  # no token: only staff see the details
    assert ids(check_secrets()) == []


def test_plain_http_trusted_origins_are_flagged_in_production(production):
    production.CSRF_TRUSTED_ORIGINS = ["https://meet.example.org", "http://meet.example.org"]
    [warning] = check_trusted_origins()
    assert warning.id == "metaverse.W005"
    assert "http://meet.example.org" in warning.msg
    production.DEBUG = True
    assert check_trusted_origins() == []


def test_check_deploy_runs_the_checks_and_plain_check_does_not():
    env = {**PRODUCTION, "TRUSTED_PROXIES": "", "HEALTHZ_TOKEN": "short"}
    deploy = manage("check", "--deploy", env=env)
    assert "(metaverse.W001)" in deploy.stderr
    assert "(metaverse.W003)" in deploy.stderr
    plain = manage("check", env=env)
    assert plain.returncode == 0
    assert "metaverse.W" not in plain.stdout + plain.stderr


def test_every_check_is_documented():
    deploy = (BASE_DIR / "docs" / "deploy.md").read_text()
    source = (BASE_DIR / "metaverse" / "checks.py").read_text()
    for check_id in sorted(set(re.findall(r'id="(metaverse\.W\d+)"', source))):
        assert f"`{check_id}`" in deploy, check_id
