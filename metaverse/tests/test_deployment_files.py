import ipaddress
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from metaverse.testing import need, self_signed_certificate

BASE_DIR = Path(__file__).resolve().parents[2]
NGINX = BASE_DIR / "docker" / "nginx"


def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def nginx_blocks(text: str, keyword: str) -> dict[str, str]:
    """The top-level `keyword ARGS { ... }` blocks of an nginx config, by ARGS, comments removed."""
    text = re.sub(r"#[^\n]*", "", text)
    blocks, depth, start, name = {}, 0, 0, ""
    for match in re.finditer(r"[{}]", text):
        if match.group() == "{":
            if depth == 0:
                head = text[text.rfind(";", 0, match.start()) + 1 : match.start()].split("}")[-1].split()
                name, start = (" ".join(head[1:]) if head[:1] == [keyword] else ""), match.end()
            depth += 1
        else:
            depth -= 1
            if depth == 0 and name:
                blocks[name] = text[start : match.start()]
    return blocks


def directives(body: str, name: str) -> list[str]:
    return [value.strip() for value in re.findall(rf"(?:^|[;{{}}\s]){name}\s+([^;]*);", body)]


def variables_settings_reads() -> set[str]:
    source = (BASE_DIR / "metaverse" / "settings.py").read_text()
    return set(re.findall(r'env_\w+\(\s*"([A-Z][A-Z0-9_]*)"', source))


def test_every_variable_the_web_service_sets_is_read_by_settings():
    web_env = compose()["services"]["web"]["environment"]
    unknown = set(web_env) - variables_settings_reads()
    assert not unknown, f"docker-compose sets variables settings.py never reads: {sorted(unknown)}"


def test_every_service_has_a_healthcheck():
    services = compose()["services"]
    assert {"postgres", "redis", "nginx", "web", "coturn"} <= set(services)
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_only_nginx_coturn_and_janus_media_can_be_reached_from_outside():
    services = compose()["services"]
    reachable = {name for name, service in services.items() if service.get("ports") or service.get("network_mode")}
    assert reachable == {"nginx", "coturn", "janus"}
    assert all(port.endswith("/udp") for port in services["janus"]["ports"])  # media only; its API via nginx
    assert services["janus"]["profiles"] == ["media"]
    assert services["coturn"]["network_mode"] == "host"
    assert "ports" not in services["web"]
    assert services["web"]["expose"] == ["8000"]


def test_web_believes_forwarded_headers_only_from_the_network_it_shares_with_nginx():
    spec = compose()
    web, nginx = spec["services"]["web"], spec["services"]["nginx"]
    edge = [ipaddress.ip_network(pool["subnet"]) for pool in spec["networks"]["edge"]["ipam"]["config"]]
    assert nginx["networks"] == ["edge", "media"]  # media: Janus's WebSocket, not web's
    assert set(web["networks"]) == {"default", "edge"}
    assert "edge" not in spec["services"]["janus"]["networks"]
    # Only nginx, web itself and Docker's gateway fit in the edge network.
    assert [ipaddress.ip_network(web["environment"]["TRUSTED_PROXIES"])] == edge
    assert edge[0].num_addresses <= 8
    assert web["environment"]["BEHIND_TLS_PROXY"] == "1"


def test_compose_keeps_the_https_protections_of_debug_off():
    """The HTTPS redirect and secure cookies are on whenever DEBUG is off: compose leaves them be."""
    web = compose()["services"]["web"]["environment"]
    assert web["DEBUG"] == "0"
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER"):
        assert name not in web


def test_nginx_sets_the_forwarded_headers_itself_on_every_proxied_location():
    site = (NGINX / "site.conf").read_text()
    assert "proxy_add_x_forwarded_for" not in site  # never the client's own list, appended to
    locations = nginx_blocks(site, "location")
    assert set(locations) == {"/static/", "/ws/", "/"}
    for path in ("/ws/", "/"):
        body = locations[path]
        assert directives(body, "proxy_pass") == ["$metaverse_app"], path
        headers = dict(value.split(None, 1) for value in directives(body, "proxy_set_header"))
        assert headers["X-Forwarded-For"] == "$remote_addr", path
        assert headers["X-Forwarded-Proto"] == "$scheme", path
        assert headers["Host"] == "$http_host", path  # with the port: the Origin check compares it
    sockets = dict(value.split(None, 1) for value in directives(locations["/ws/"], "proxy_set_header"))
    assert (sockets["Upgrade"], sockets["Connection"]) == ("$http_upgrade", '"upgrade"')
    assert directives(locations["/ws/"], "proxy_read_timeout") == ["1h"]
    assert "proxy_pass" not in locations["/static/"]


def test_the_compose_nginx_serves_tls_with_the_site_and_redirects_plain_http():
    servers = re.split(r"\bserver\s*{", re.sub(r"#[^\n]*", "", (NGINX / "default.conf").read_text()))[1:]
    plain, tls = servers
    assert "return 301 https://$host$request_uri;" in plain
    assert "listen 443 ssl;" in tls
    assert directives(tls, "root") == ["/srv"]
    assert directives(tls, "set") == ["$metaverse_app http://web:8000", "$metaverse_janus http://janus:8188"]
    assert directives(tls, "include") == ["/etc/nginx/metaverse/site.conf"]
    dockerfile = (BASE_DIR / "docker" / "Dockerfile").read_text()
    assert "COPY docker/nginx/site.conf /etc/nginx/metaverse/site.conf" in dockerfile
    assert "COPY docker/nginx/default.conf /etc/nginx/conf.d/default.conf" in dockerfile
    assert "COPY --from=app /app/staticfiles /srv/static" in dockerfile


def test_the_compose_nginx_config_is_valid(tmp_path):
    """`nginx -t` on default.conf as the nginx image reads it (inside its http block), with a
    certificate and the paths moved into a temporary directory."""
    need(shutil.which("nginx") is not None, "needs nginx installed (apt-get install nginx)")
    certificate, key = self_signed_certificate(tmp_path)
    default = (NGINX / "default.conf").read_text()
    default = default.replace("/etc/nginx/metaverse/site.conf", str(NGINX / "site.conf"))
    default = default.replace("/etc/nginx/tls/fullchain.pem", str(certificate))
    default = default.replace("/etc/nginx/tls/privkey.pem", str(key))
    (tmp_path / "default.conf").write_text(default)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ include /etc/nginx/mime.types; include {tmp_path}/default.conf; }}\n"
    )
    command = ["nginx", "-t", "-q", "-e", str(tmp_path / "error.log"), "-c", str(tmp_path / "nginx.conf")]
    result = subprocess.run([*command, "-p", str(tmp_path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr + (tmp_path / "error.log").read_text()


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
    grace = compose()["services"]["web"]["stop_grace_period"]
    assert grace.endswith("s")
    assert float(grace[:-1]) > EXIT_DEADLINE_SECONDS


def test_every_service_built_from_the_dockerfile_names_its_stage():
    """The Dockerfile has several stages (app, nginx, web); without a target a service gets whichever
    comes last, so each names the one it runs."""
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    for name, service in compose["services"].items():
        build = service.get("build")
        if isinstance(build, dict) and build.get("dockerfile") == "docker/Dockerfile":
            assert build.get("target"), f"{name} builds docker/Dockerfile without a target"
