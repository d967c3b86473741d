"""The web container's healthcheck: GET /healthz on this container, exit 0 on 200.

It asks for a host in ALLOWED_HOSTS, as nginx does: the server answers any other Host header
(127.0.0.1:8000 included) with 400 Bad Request."""

import os
import sys
import urllib.error
import urllib.request


def host_to_ask_for(allowed_hosts: str) -> str:
    for pattern in (host.strip() for host in allowed_hosts.split(",")):
        if pattern and pattern != "*":
            return pattern.lstrip(".")  # ".example.org" allows example.org itself
    return "localhost"  # "*" or nothing: any host will do


def main(url: str) -> int:
    host = host_to_ask_for(os.environ.get("ALLOWED_HOSTS", ""))
    request = urllib.request.Request(url, headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=3) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"healthcheck: {url} (Host: {host}): {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/healthz"))
