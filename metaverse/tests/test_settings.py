import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from metaverse.env import DEVELOPMENT_SECRET_KEY, database_from_url, env_bool, env_float, env_int

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 60 + "-production-like-secret-Q9!",
    "ALLOWED_HOSTS": "meet.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://meet.example.org",
    "DATABASE_URL": "postgres://metaverse:secret@db:5432/metaverse",
    "REDIS_URL": "redis://redis:6379/0",
    "BEHIND_TLS_PROXY": "1",
    "TRUSTED_PROXIES": "10.222.0.0/29",
    "HEALTHZ_TOKEN": "3f0c" * 16,
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
}


def manage(*args: str, env: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    """manage.py in the development configuration (DEBUG=1) changed by `env` (None: unset)."""
    clean = {key: value for key, value in os.environ.items() if key not in PRODUCTION and not key.startswith("PYTEST")}
    clean["DEBUG"] = "1"
    for key, value in env.items():
        if value is None:
            clean.pop(key, None)
        else:
            clean[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120
    )


def test_env_readers(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    monkeypatch.setenv("COUNT", "12")
    monkeypatch.setenv("RATIO", "2.5")
    assert env_bool("FLAG", default=False) is True
    assert env_int("COUNT", 0) == 12
    assert env_float("RATIO", 0.0) == 2.5
    assert env_int("MISSING_VALUE", 7) == 7


@pytest.mark.parametrize(
    ("name", "value", "reader"),
    [("FLAG", "maybe", lambda: env_bool("FLAG", default=False)), ("COUNT", "twelve", lambda: env_int("COUNT", 0)),
     ("COUNT", "0", lambda: env_int("COUNT", 5, minimum=1)), ("RATIO", "nan", lambda: env_float("RATIO", 1.0))],
)  # fmt: skip
def test_env_readers_reject_bad_values(monkeypatch, name, value, reader):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        reader()


def test_database_urls():
    pg = database_from_url("postgres://u:p%40ss@db.example:5433/meta?sslmode=require", base_dir=BASE_DIR)
    assert pg == {
        "ENGINE": "django.db.backends.postgresql", "NAME": "meta", "USER": "u", "PASSWORD": "p@ss",
        "HOST": "db.example", "PORT": "5433", "OPTIONS": {"sslmode": "require"},
    }  # fmt: skip
    assert database_from_url("sqlite:///data/x.db", base_dir=BASE_DIR)["NAME"] == BASE_DIR / "data/x.db"
    assert database_from_url("sqlite:////tmp/x.db", base_dir=BASE_DIR)["NAME"] == Path("/tmp/x.db")
    for bad in ["mysql://db/x", "postgres://db", "postgres://db:port/x", "sqlite://"]:
        with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
            database_from_url(bad, base_dir=BASE_DIR)


def test_database_url_errors_never_show_the_password():
    with pytest.raises(ImproperlyConfigured) as error:
        database_from_url("mysql://user:hunter2@db/x", base_dir=BASE_DIR)
    assert "hunter2" not in str(error.value)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "0", "ALLOWED_HOSTS": "x.org"}, "SECRET_KEY must be set when DEBUG is off"),
        ({"DEBUG": "0", "SECRET_KEY": PRODUCTION["SECRET_KEY"]}, "ALLOWED_HOSTS must be set"),
        ({"DEBUG": "perhaps"}, "DEBUG='perhaps' is not a boolean"),
        ({"DATABASE_URL": "mongodb://db/x"}, "unsupported scheme 'mongodb'"),
        ({"REDIS_URL": "http://cache:6379"}, "REDIS_URL='http://cache:6379' must start with redis://"),
        ({"CSRF_TRUSTED_ORIGINS": "meet.example.org"}, "must be a full origin"),
        ({"WORLD_TICK_HZ": "fast"}, "WORLD_TICK_HZ='fast' is not a number"),
        ({"GUESTS_ENABLED": "sometimes"}, "GUESTS_ENABLED"),
        ({"ACCOUNT_EMAIL_VERIFICATION": "always"}, "ACCOUNT_EMAIL_VERIFICATION='always' is not one of"),
        ({"RESERVED_NAMES": "acme,--"}, "RESERVED_NAMES entry '--' must have a letter or digit"),
    ],
)
def test_bad_settings_stop_start_up_with_one_clear_line(env, message):
    result = manage("check", env=env)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ImproperlyConfigured: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("Vq3-x" * 9, "SECRET_KEY is 45 characters long (at least 50)"),
        ("abcd" * 20, "SECRET_KEY has 4 distinct characters (at least 5)"),
        ("django-insecure-" + "Vq3-x8Lp2" * 6, "SECRET_KEY starts with 'django-insecure-'"),
        (DEVELOPMENT_SECRET_KEY, "SECRET_KEY is the development key"),
    ],
)
def test_a_weak_secret_key_stops_start_up_when_debug_is_off(key, message):
    result = manage("check", env={"DEBUG": "0", "SECRET_KEY": key, "ALLOWED_HOSTS": "x.org"})
    assert result.returncode != 0
    assert result.stderr.strip() == (
        f"ImproperlyConfigured: {message}: make a strong one with "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )


def test_debug_is_off_unless_set():
    unset = manage("check", env={"DEBUG": None, "ALLOWED_HOSTS": "x.org"})
    assert "SECRET_KEY must be set when DEBUG is off" in unset.stderr
    env = {"DEBUG": None, "SECRET_KEY": PRODUCTION["SECRET_KEY"], "ALLOWED_HOSTS": "x.org"}
    show = ("shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG)")
    result = manage(*show, env=env)
    assert result.stdout.strip() == "False", result.stderr
    result = manage(*show, env={"DEBUG": "1"})
    assert result.stdout.strip() == "True", result.stderr


def test_makemigrations_runs_as_development_without_any_setting():
    """Writing migrations needs no SECRET_KEY: with nothing set it runs as development; an
    explicit DEBUG=0 still asks for the key."""
    result = manage("makemigrations", "--check", "--dry-run", env={"DEBUG": None, "SECRET_KEY": None})
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
    refused = manage("makemigrations", "--check", "--dry-run", env={"DEBUG": "0", "SECRET_KEY": None})
    assert "SECRET_KEY must be set when DEBUG is off" in refused.stderr


def test_bad_settings_stop_the_asgi_server_at_start_up():
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update({"DEBUG": "0", "ALLOWED_HOSTS": "x.org", "SECRET_KEY": ""})
    result = subprocess.run(
        [sys.executable, "-c", "import metaverse.asgi"], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off (for development, set DEBUG=1)"
    )


def test_check_deploy_with_production_variables_warns_only_of_what_deploy_md_explains():
    result = manage("check", "--deploy", "--fail-level", "ERROR", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    warnings = set(re.findall(r"\(([a-z_]+\.W\d+)\)", result.stdout + result.stderr))
    assert warnings == {"security.W021"}, result.stdout + result.stderr
    explained = (BASE_DIR / "docs" / "deploy.md").read_text()
    assert "`security.W021`" in explained
