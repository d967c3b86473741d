import re
from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parents[2]


def variables_settings_reads() -> set[str]:
    source = (BASE_DIR / "metaverse" / "settings.py").read_text()
    return set(re.findall(r'env_\w+\(\s*"([A-Z][A-Z0-9_]*)"', source))


def test_every_variable_the_web_service_sets_is_read_by_settings():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    web_env = compose["services"]["web"]["environment"]
    unknown = set(web_env) - variables_settings_reads()
    assert not unknown, f"docker-compose sets variables settings.py never reads: {sorted(unknown)}"


def test_every_service_has_a_healthcheck():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    assert {"postgres", "redis", "web", "coturn"} <= set(compose["services"])
    for name, service in compose["services"].items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_env_example_lists_every_variable_settings_reads():
    example = (BASE_DIR / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    missing = variables_settings_reads() - listed
    assert not missing, f".env.example does not list: {sorted(missing)}"


def test_readme_documents_every_variable_settings_reads():
    readme = (BASE_DIR / "README.md").read_text()
    missing = {name for name in variables_settings_reads() if f"`{name}`" not in readme}
    assert not missing, f"README does not document: {sorted(missing)}"


def test_every_way_of_serving_drains_on_sigterm_within_the_grace_period():
    """The image, `make run` and the tests' servers all run `manage.py serve`, whose SIGTERM drain
    ends before docker compose's grace period does."""
    from metaverse.serving import EXIT_DEADLINE_SECONDS

    assert "exec python manage.py serve " in (BASE_DIR / "docker" / "Dockerfile").read_text()
    assert "manage.py serve " in (BASE_DIR / "Makefile").read_text()
    assert '"manage.py", "serve"' in (BASE_DIR / "metaverse" / "testing.py").read_text()
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    grace = compose["services"]["web"]["stop_grace_period"]
    assert grace.endswith("s")
    assert float(grace[:-1]) > EXIT_DEADLINE_SECONDS
