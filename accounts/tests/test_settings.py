import pytest

from metaverse.tests.test_settings import manage


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GUEST_RATE_PER_HOUR": "0"}, "GUEST_RATE_PER_HOUR=0 is below the minimum 1"),
        ({"SIGNUP_RATE_PER_HOUR": "ten"}, "SIGNUP_RATE_PER_HOUR='ten' is not a whole number"),
        ({"GUEST_RETENTION_DAYS": "0"}, "GUEST_RETENTION_DAYS=0 is below the minimum 1"),
    ],
)
def test_bad_account_limits_stop_start_up_with_one_clear_line(env, message):
    result = manage("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
