import pytest

from metaverse.tests.test_settings import manage


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STUN_URLS": "stun.example.org:3478"}, "STUN_URLS entry 'stun.example.org:3478' must look like stun:"),
        ({"TURN_URLS": "http://turn.example.org"}, "TURN_URLS entry 'http://turn.example.org' must look like turn:"),
        ({"TURN_URLS": "turn:turn.example.org:3478"}, "TURN_URLS is set but TURN_SECRET is empty"),
        ({"TURN_TTL": "10"}, "TURN_TTL=10 is below the minimum 60"),
        ({"TURN_RATE_PER_HOUR": "0"}, "TURN_RATE_PER_HOUR=0 is below the minimum 1"),
        ({"CALL_P2P_LIMIT": "6", "CALL_AUDIO_MIX_LIMIT": "5"}, "CALL_AUDIO_MIX_LIMIT must be at least CALL_P2P_LIMIT"),
    ],
)
def test_bad_webrtc_settings_stop_start_up_with_one_clear_line(env, message):
    result = manage("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
