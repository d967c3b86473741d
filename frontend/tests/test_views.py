"""The landing page and the world page, as Django serves them (the browser tests drive them)."""

import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from world.models import Presence, World

pytestmark = pytest.mark.django_db


def test_landing_page_lists_the_worlds_with_how_many_are_online(client, demo_worlds, alice):
    now = timezone.now()
    demo = demo_worlds["demo"]
    Presence.objects.create(user=alice, world=demo, server="test", connected_at=now, last_seen=now)
    page = client.get(reverse("home")).content.decode()
    assert 'href="/w/demo/"' in page
    assert 'href="/w/annex/"' in page
    demo_card = page[page.index('data-slug="demo"') :]
    assert '<span class="online-count" data-online>1</span> online' in demo_card[: demo_card.index("</li>")]


def test_landing_page_offers_sign_in_sign_up_and_guests(client, avatars):
    page = client.get(reverse("home")).content.decode()
    for url in (reverse("account_login"), reverse("account_signup"), reverse("guest_join")):
        assert f'href="{url}"' in page


def test_world_page_sends_strangers_to_log_in_and_back(client, demo_worlds):
    response = client.get("/w/demo/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/w/demo/"
    login = client.get(response["Location"]).content.decode()
    assert 'href="/accounts/guest/?next=/w/demo/"' in login  # join as guest, then come back


def test_world_page_for_an_unknown_world_is_404(client, alice):
    client.force_login(alice)
    assert client.get("/w/atlantis/").status_code == 404


def test_world_page_loads_the_modules_with_its_config(client, demo_worlds, alice):
    client.force_login(alice)
    response = client.get("/w/demo/?entry=from-annex")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<script type="module" src="/static/frontend/js/main.js"></script>' in page
    config = json.loads(page.split('<script id="world-config" type="application/json">')[1].split("</script>")[0])
    assert config["slug"] == "demo"
    assert config["name"] == World.objects.get(slug="demo").name
    assert config["entry"] == "from-annex"
    assert config["me"]["display_name"] == "Alice"
    assert config["urls"]["me"] == "/api/players/me/"
    assert len(config["csrfToken"]) == 64  # for the X-CSRFToken header of PATCH /api/players/me/


def test_world_page_frames_only_this_site_and_the_allowed_origins(client, demo_worlds, alice, settings):
    """Areas' websites: the page embeds this site and EMBED_ALLOWED_ORIGINS (its config says which,
    its Content-Security-Policy holds the browser to them); any other opens as a link."""
    client.force_login(alice)
    settings.EMBED_ALLOWED_ORIGINS = ["https://board.example.org", "http://localhost:8080"]
    response = client.get("/w/demo/")
    assert response["Content-Security-Policy"] == "frame-src 'self' https://board.example.org http://localhost:8080"
    page = response.content.decode()
    config = json.loads(page.split('<script id="world-config" type="application/json">')[1].split("</script>")[0])
    assert config["embedOrigins"] == ["https://board.example.org", "http://localhost:8080"]
    settings.EMBED_ALLOWED_ORIGINS = []
    response = client.get("/w/demo/")
    assert response["Content-Security-Policy"] == "frame-src 'self'"


HOSTILE_NAME = '<img src=x onerror="alert(1)">'


def test_a_display_name_is_text_on_the_home_page_and_in_the_world_page_config(client, demo_worlds, alice):
    from players.models import Player

    Player.objects.filter(user=alice).update(display_name=HOSTILE_NAME)  # as if a check had let it through
    client.force_login(alice)
    home = client.get(reverse("home")).content.decode()
    assert "<img src=x" not in home
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in home
    page = client.get("/w/demo/").content.decode()
    assert "<img src=x" not in page  # the config's JSON escapes < and >
    config = json.loads(page.split('<script id="world-config" type="application/json">')[1].split("</script>")[0])
    assert config["me"]["display_name"] == HOSTILE_NAME


def test_every_module_the_page_imports_is_served(client, demo_worlds, alice):
    """No build step: the ES modules are static files, and every relative import resolves."""
    import re

    from django.contrib.staticfiles import finders

    pending, seen = ["frontend/js/main.js"], set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        found = finders.find(path)
        assert found, f"{path} is imported but missing"
        with open(found, encoding="utf-8") as module:
            source = module.read()
        for target in re.findall(r'^import .* from "(\.{1,2}/[^"]+)";$', source, flags=re.M):
            parts = path.split("/")[:-1]
            for piece in target.split("/"):
                if piece == "..":
                    parts.pop()
                elif piece != ".":
                    parts.append(piece)
            pending.append("/".join(parts))
    assert {"frontend/js/store.js", "frontend/js/services/WebRTCManager.js", "frontend/js/lib/tiled.js"} <= seen


def test_collected_modules_import_each_other_by_hashed_name(settings, tmp_path):
    """In production every module is cached for good, so main.<hash>.js must import the hashed
    names of the modules it needs, or a deploy could mix old and new modules."""
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "frontend.storage.StaticStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    main = (tmp_path / manifest["frontend/js/main.js"]).read_text()
    store = manifest["frontend/js/store.js"].rsplit("/", 1)[-1]
    assert f'from "./{store}";' in main
    assert 'from "./store.js";' not in main


def test_a_worlds_about_page_is_open_to_anyone_and_may_be_framed_by_this_site(client, tmp_path, avatars):
    from django.core.management import call_command

    from world.tests.maps import interactive_map, write_map

    call_command("import_map", str(write_map(tmp_path, interactive_map())), "--slug", "room", stdout=io.StringIO())
    response = client.get("/w/room/about/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # its own notice boards frame it, nobody else
    page = response.content.decode()
    assert "About Room" in page
    assert "0 people are here now." in page
    assert "Stage: a stage; whoever stands there is heard in its audience." in page
    assert "Notice board: opens a page beside the map." in page
    assert "Kitchen: has its own sound." in page
    assert "Hall" not in page  # a plain zone does nothing to list
    assert client.get("/w/atlantis/about/").status_code == 404
