"""Every REST endpoint that reads a body answers a body it cannot use with a 4xx and JSON, never a 500."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from metaverse.rest import MAX_BODY_BYTES
from world.services import world_import_map
from world.tests.maps import room_map, write_map

pytestmark = pytest.mark.django_db

NESTED_ARRAYS = b"[" * 3000 + b"]" * 3000
NESTED_OBJECTS = b'{"a":' * 3000 + b"1" + b"}" * 3000
DIGITS_400 = b"9" * 400

# Bodies that are not JSON as the API reads it: each gets 400 {"detail": ...}.
UNREADABLE = {
    "nested arrays": NESTED_ARRAYS,
    "nested objects": NESTED_OBJECTS,
    "nested in a field": b'{"user": ' + NESTED_ARRAYS + b', "reason": "x"}',
    "NaN": b"NaN",
    "NaN in a field": b'{"user": NaN, "reason": "x", "status": "busy"}',
    "Infinity in a field": b'{"user": -Infinity, "reason": "x"}',
    "1e400": b"1e400",
    "1e400 in a field": b'{"user": 1e400, "reason": "x"}',
    "400 digits": DIGITS_400,
    "400 digits in a field": b'{"user": ' + DIGITS_400 + b', "message": 1, "reason": "x"}',
    "a whole number past 2^53": b'{"user": 9007199254740993, "reason": "x"}',
    "a number past 2^53": b'{"user": 1e300, "reason": "x"}',
    "unpaired surrogate": b'{"reason": "\\ud800", "display_name": "\\udfff"}',
    "not UTF-8": b'{"reason": "\xff\xfe", "display_name": "\xc3"}',
    "cut short": b'{"user": 1, "reason": "x"',
    "trailing garbage": b'{"user": 1} {"user": 2}',
    "single quotes": b"{'user': 1}",
    "over the limit": b'{"reason": "' + b"x" * MAX_BODY_BYTES + b'"}',
}
# JSON, but not an object: the serializer says so, by field or as a whole.
NOT_OBJECTS = {"array": b"[]", "string": b'"x"', "number": b"5", "null": b"null", "true": b"true"}

WRITES = [("patch", "/api/players/me/"), ("post", "/api/blocks/"), ("post", "/api/reports/")]


@pytest.fixture(autouse=True)
def _quick_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(alice: Any) -> APIClient:
    client = APIClient()
    client.force_login(alice)
    return client


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def send(client: APIClient, method: str, path: str, body: bytes, content_type: str = "application/json") -> Any:
    return client.generic(method.upper(), path, body, content_type=content_type)


@pytest.mark.parametrize(("method", "path"), WRITES)
@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_an_unreadable_body_is_a_400_with_a_detail(api, method, path, body):
    response = send(api, method, path, body)
    assert response.status_code == 400, response.content[:300]
    assert list(response.json()) == ["detail"]


@pytest.mark.parametrize(("method", "path"), WRITES)
@pytest.mark.parametrize("body", NOT_OBJECTS.values(), ids=NOT_OBJECTS.keys())
def test_a_body_that_is_not_an_object_is_a_400(api, method, path, body):
    response = send(api, method, path, body)
    assert response.status_code == 400, response.content[:300]
    assert response.json()


def test_the_detail_says_what_is_wrong(api):
    deep = send(api, "post", "/api/blocks/", NESTED_ARRAYS).json()["detail"]
    assert "nested deeper than 32" in deep
    large = send(api, "post", "/api/reports/", UNREADABLE["over the limit"]).json()["detail"]
    assert str(MAX_BODY_BYTES) in large
    huge = send(api, "post", "/api/blocks/", UNREADABLE["a whole number past 2^53"]).json()["detail"]
    assert "2^53" in huge


def test_a_body_just_within_the_limit_is_read(api, bob):
    padding = MAX_BODY_BYTES - len(f'{{"user": {bob.pk}, "reason": "spam", "pad": ""}}')
    body = f'{{"user": {bob.pk}, "reason": "spam", "pad": "{"x" * padding}"}}'.encode()
    assert len(body) == MAX_BODY_BYTES
    assert send(api, "post", "/api/reports/", body).status_code == 201


@pytest.mark.parametrize("charset", ["utf-8", "UTF8", "latin-1", "no-such-charset", "utf-16"])
def test_a_declared_charset_never_makes_a_500(api, charset):
    response = send(api, "patch", "/api/players/me/", b'{"status": "busy"}', f"application/json; charset={charset}")
    assert response.status_code in {200, 400}, response.content[:300]
    assert response.json()


FORMS = {
    "plain text": ("text/plain", b"status=busy"),
    "a form": ("application/x-www-form-urlencoded", b"status=busy&user=1&reason=x"),
    "a form with 1500 fields": ("application/x-www-form-urlencoded", "&".join(f"f{n}=1" for n in range(1500)).encode()),
    "multipart": (
        "multipart/form-data; boundary=x",
        b'--x\r\nContent-Disposition: form-data; name="user"\r\n\r\n1\r\n--x--',
    ),
    "multipart without a boundary": ("multipart/form-data", b"status=busy"),
    "XML": ("application/xml", b"<status>busy</status>"),
}


@pytest.mark.parametrize(("content_type", "body"), FORMS.values(), ids=FORMS.keys())
@pytest.mark.parametrize(("method", "path"), WRITES)
def test_a_body_that_is_not_json_is_refused_with_415(alice, method, path, content_type, body):
    # As the page sends it: session authentication checks the CSRF token, which reads a form body.
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get(reverse("profile"))  # sets the CSRF cookie, as the page does for its scripts
    token = client.cookies["csrftoken"].value
    response = client.generic(method.upper(), path, body, content_type=content_type, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 415, response.content[:300]
    assert list(response.json()) == ["detail"]


WRONG_INTEGERS = [1.5, -1, 0, True, False, [], {}, "abc", "9" * 400, "1e5", "", 1e15, -(2**53), 2**53, "\u0000"]
WRONG_TEXT = [[], {}, True, None, "\u0000", "x" * 5000, "", "   ", {"a": "b"}, ["x"]]
WRONG_CHOICE = [5, 1.5, [], {}, True, None, "busy\u0000", "BUSY", "", "x" * 5000]
WRONG_SLUG = [5, [], {}, True, None, "../etc", "x\u0000", "", "x" * 5000, "ü"]

WRONG_FIELDS = [
    *[("patch", "/api/players/me/", {"display_name": value}, "display_name") for value in WRONG_TEXT],
    *[("patch", "/api/players/me/", {"status": value}, "status") for value in WRONG_CHOICE],
    *[("patch", "/api/players/me/", {"avatar": value}, "avatar") for value in WRONG_SLUG],
    *[("post", "/api/blocks/", {"user": value}, "user") for value in [*WRONG_INTEGERS, None]],
    *[("post", "/api/reports/", {"user": value, "reason": "spam"}, "user") for value in [*WRONG_INTEGERS, None]],
    *[
        ("post", "/api/reports/", {"user": "bob", "message": value, "reason": "spam"}, "message")
        for value in WRONG_INTEGERS
    ],
    *[("post", "/api/reports/", {"user": "bob", "reason": value}, "reason") for value in WRONG_TEXT],
]


@pytest.mark.parametrize(("method", "path", "body", "field"), WRONG_FIELDS)
def test_a_wrong_value_in_each_field_is_a_400_naming_it(api, alice, bob, method, path, body, field):
    body = {key: bob.pk if value == "bob" else value for key, value in body.items()}
    response = api.generic(method.upper(), path, _json(body), content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()


def test_unblocking_ignores_whatever_body_comes_with_it(api, bob):
    response = send(api, "delete", f"/api/blocks/{bob.pk}/", NESTED_ARRAYS)
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.fixture
def room(avatars: Any, tmp_path: Path) -> Any:
    return world_import_map(path=write_map(tmp_path / "room", room_map()), slug="room").world


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("scope=%00", 400),
        ("with=%00", 400),
        ("with=-1", 400),
        ("with=" + "9" * 5000, 400),
        ("page_size=" + "9" * 5000, 200),  # not a page size: the default one
        ("cursor=%ff", 404),
    ],
)
def test_history_filters_never_make_a_500(api, room, query, status):
    response = api.get(f"/api/worlds/{room.slug}/messages/?{query}")
    assert response.status_code == status, response.content[:300]
    assert response.json()


def test_the_documented_body_limit_is_the_one_enforced():
    protocol = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()
    assert f"at most 64 KiB ({MAX_BODY_BYTES} bytes)" in protocol
