"""The load test (`python manage.py loadtest`, docs/performance.md) and its own WebSocket client."""
