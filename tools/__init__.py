"""Developer tools, apart from the runtime: the art and map generators and the load test.

Nothing the server runs imports this package (a test checks), and the Docker image leaves it out
(`.dockerignore`). Run them from a source checkout: `make art`, `python manage.py loadtest`.
"""
