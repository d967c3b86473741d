"""POST /api/reports/: players report a player or a message from the page."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from chat.models import Scope
from chat.services import message_post
from moderation.models import Report, ReportStatus
from moderation.services import REPORTS_PER_HOUR

pytestmark = pytest.mark.django_db


def report(client, **body):
    return client.post("/api/reports/", body, content_type="application/json")


def test_a_player_reports_a_message_and_gets_the_report_id(client, alice, bob, room):
    message = message_post(sender=bob, world=room, scope=Scope.WORLD, text="buy cheap gold")
    client.force_login(alice)
    response = report(client, user=bob.pk, message=message.pk, reason="spam")
    assert response.status_code == 201, response.content
    saved = Report.objects.get()
    assert response.json() == {"id": saved.pk, "status": "open"}
    assert (saved.reporter, saved.reported, saved.message, saved.status) == (alice, bob, message, ReportStatus.OPEN)


def test_a_player_reports_a_player_without_a_message(client, alice, bob):
    client.force_login(alice)
    response = report(client, user=bob.pk, message=None, reason="following me around")
    assert response.status_code == 201
    assert Report.objects.get().message is None


def test_the_page_reports_with_its_session_and_csrf_token(alice, bob):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    refused = report(browser, user=bob.pk, reason="spam")
    assert refused.status_code == 403  # no CSRF token
    assert not Report.objects.exists()
    browser.get(reverse("profile"))  # a page, which sets the CSRF cookie for its scripts
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/reports/", {"user": bob.pk, "reason": "spam"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201
    made = Report.objects.get()
    assert (made.reporter_id, made.reported_id, made.reason) == (alice.pk, bob.pk, "spam")


def test_scripts_report_with_a_token(client, alice, bob):
    token = Token.objects.create(user=alice)
    response = client.post(
        "/api/reports/", {"user": bob.pk, "reason": "spam"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )  # fmt: skip
    assert response.status_code == 201
    made = Report.objects.get()
    assert (made.reporter_id, made.reported_id, made.reason) == (alice.pk, bob.pk, "spam")


def test_anonymous_reports_are_refused_with_401(client, bob):
    assert report(client, user=bob.pk, reason="spam").status_code == 401
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "spam"}, "user"),
        ({"user": "bob", "reason": "spam"}, "user"),
        ({"user": 2**53, "reason": "spam"}, "user"),  # beyond 2**53 the parser refuses it first
        ({"user": "ME"}, "reason"),
        ({"user": "ME", "reason": ""}, "reason"),
        ({"user": "BOB", "reason": "   "}, "reason"),
        ({"user": "BOB", "reason": "x" * 1001}, "reason"),
        ({"user": "BOB", "reason": "spam", "message": "one"}, "message"),
        ({"user": "BOB", "reason": "spam", "message": 987654}, "message"),
        ({"user": "ME", "reason": "spam"}, "user"),
        ({"user": 987654, "reason": "spam"}, "user"),
    ],
)
def test_bad_reports_get_400_with_the_field_at_fault(client, alice, bob, body, field):
    ids = {"ME": alice.pk, "BOB": bob.pk}
    body = {key: ids.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    client.force_login(alice)
    response = report(client, **body)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not Report.objects.exists()


def test_a_message_the_reporter_cannot_see_is_unknown_to_them(client, alice, bob, carol, room):
    secret = message_post(sender=bob, world=room, scope=Scope.DIRECT, text="psst", to=carol.pk)
    client.force_login(alice)
    response = report(client, user=bob.pk, message=secret.pk, reason="spam")
    assert response.status_code == 400
    assert response.json() == {"message": [f"There is no message {secret.pk} that you can see."]}


def test_too_many_reports_get_429_with_retry_after(client, alice, bob):
    client.force_login(alice)
    for _ in range(REPORTS_PER_HOUR):
        assert report(client, user=bob.pk, reason="again").status_code == 201
    response = report(client, user=bob.pk, reason="again")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == response.json()["retry_after"] > 3000
    assert Report.objects.count() == REPORTS_PER_HOUR
