import base64
import hashlib
import hmac

from signaling.services import ice_servers, turn_credentials

NOW = 1_700_000_000


def test_turn_credentials_follow_coturns_rest_scheme_with_a_fixed_vector(settings):
    settings.TURN_SECRET, settings.TURN_TTL = "north", 3600
    credentials = turn_credentials(user_id=42, now=NOW)
    # coturn (use-auth-secret): username "<expiry>:<user>", password base64(HMAC-SHA1(secret, username)).
    assert credentials == {
        "username": "1700003600:42",
        "credential": "WO3ZFttCQxBYtA2Ohz7jjGcQStA=",
        "expires": 1700003600,
    }
    digest = hmac.new(b"north", b"1700003600:42", hashlib.sha1).digest()
    assert base64.b64encode(digest).decode() == "WO3ZFttCQxBYtA2Ohz7jjGcQStA="


def test_turn_credentials_expire_after_the_configured_lifetime(settings):
    settings.TURN_SECRET, settings.TURN_TTL = "north", 600
    assert turn_credentials(user_id=7, now=NOW + 0.9)["username"] == f"{NOW + 600}:7"


def test_no_ice_servers_unless_configured(settings):
    settings.STUN_URLS, settings.TURN_URLS, settings.TURN_SECRET = [], [], ""
    assert ice_servers(user_id=1) == []


def test_stun_and_turn_servers_with_credentials(settings):
    settings.STUN_URLS = ["stun:turn.example.org:3478"]
    settings.TURN_URLS = ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:443?transport=tcp"]
    settings.TURN_SECRET, settings.TURN_TTL = "north", 3600
    assert ice_servers(user_id=42, now=NOW) == [
        {"urls": ["stun:turn.example.org:3478"]},
        {
            "urls": ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:443?transport=tcp"],
            "username": "1700003600:42",
            "credential": "WO3ZFttCQxBYtA2Ohz7jjGcQStA=",
        },
    ]
