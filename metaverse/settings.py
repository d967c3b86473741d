"""The one settings file. Every value comes from the environment; the defaults need nothing
else running (SQLite and the in-memory channel layer). `.env.example` lists every variable."""

from pathlib import Path
from typing import Any

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from metaverse.env import (
    DEVELOPMENT_SECRET_KEY,
    MAKE_A_SECRET_KEY,
    check_networks,
    check_origins,
    check_redis_url,
    database_from_url,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_str,
    secret_key_weakness,
)

# Lets annotations such as ModelAdmin[Avatar] work at run time, not only for mypy.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

# Off unless asked for: a server started with nothing set must not show tracebacks or sign
# sessions with a key everyone can read here. `make run` and `make test` set DEBUG=1.
DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not DEBUG:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (for development, set DEBUG=1)")
    if _weakness := secret_key_weakness(SECRET_KEY):
        raise ImproperlyConfigured(f"SECRET_KEY {_weakness}: make a strong one with {MAKE_A_SECRET_KEY}")
elif not SECRET_KEY:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
# Rotating the key: the new one in SECRET_KEY, the old one here until sessions and password-reset
# links made with it have expired (docs/security.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off (comma-separated host names)")
CSRF_TRUSTED_ORIGINS = check_origins("CSRF_TRUSTED_ORIGINS", env_list("CSRF_TRUSTED_ORIGINS", []))
# Websites a map's areas may show in a frame beside the map (docs/maps.md, openWebsite): this
# site, and these origins ("https://example.org"). Pages open any other as a link in a new tab,
# the world page's Content-Security-Policy frame-src lists the same, and moderators editing an
# area in the admin may only point it at them.
EMBED_ALLOWED_ORIGINS = [
    origin.lower() for origin in check_origins("EMBED_ALLOWED_ORIGINS", env_list("EMBED_ALLOWED_ORIGINS", []))
]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "allauth",
    "allauth.account",
    "accounts",
    "players",
    "world",
    "chat",
    "moderation",
    "signaling",
    "frontend",
    "metaverse",  # operator commands: serve
]

MIDDLEWARE = [
    "metaverse.infrastructure.ServiceUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "metaverse.urls"
ASGI_APPLICATION = "metaverse.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "metaverse.context.site",
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    _database = database_from_url(DATABASE_URL, base_dir=BASE_DIR)
else:
    _database = {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that the server processes the tests start can share it.
    _database["TEST"] = {"NAME": BASE_DIR / ".test-db.sqlite3"}
    # Several processes share the file (the tests' servers, a second `serve`): WAL lets readers
    # and a writer work at once, and IMMEDIATE transactions take the write lock up front, where
    # a deferred one failed at once with "database is locked" when it tried to upgrade.
    _database["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
# Two layers (metaverse/bus.py): "default" carries the sockets' bulk traffic (chat, signaling),
# "control" what must never be crowded out by it (kicks, bans, the world replicas' sync). Each
# process reads every channel of a layer from one Redis key, so a capacity is per process: room
# for a world chat message to every socket of a busy process, many times over. Group
# memberships expire unless re-asserted (the bus does, every 40 s): a crashed process's
# channels fall out of every group.
CHANNEL_LAYER_CAPACITY = env_int("CHANNEL_LAYER_CAPACITY", 20_000, minimum=100)
_LAYER_OPTIONS = {"capacity": CHANNEL_LAYER_CAPACITY, "expiry": 60, "group_expiry": 120}
if REDIS_URL:
    check_redis_url(REDIS_URL)
    # redis-py 8 reads with a 5 s timeout by default, which cuts channels_redis's own 5 s
    # blocking receive short; give reads more room than that.
    # A process keeps up to max_connections per layer and waits up to `timeout` s for a free one.
    # A connection idle for health_check_interval s is pinged (and remade) before use: after Redis
    # restarts, every pooled connection is dead, and each would otherwise fail one command.
    _REDIS_HOST = {
        "address": REDIS_URL, "socket_timeout": 15, "socket_connect_timeout": 3, "max_connections": 200, "timeout": 5,
        "health_check_interval": 2,
    }  # fmt: skip
    CHANNEL_LAYERS: dict[str, dict[str, Any]] = {
        alias: {
            "BACKEND": "metaverse.layers.RedisChannelLayer",
            "CONFIG": {"hosts": [_REDIS_HOST], "prefix": prefix, **_LAYER_OPTIONS},
        }
        for alias, prefix in (("default", "asgi"), ("control", "control"))
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {
        alias: {"BACKEND": "metaverse.layers.InMemoryChannelLayer", "CONFIG": dict(_LAYER_OPTIONS)}
        for alias in ("default", "control")
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts -------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "players.forms.SignupDetailsForm"  # asks the display name
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_choice("ACCOUNT_EMAIL_VERIFICATION", "optional", {"none", "optional", "mandatory"})
ACCOUNT_ADAPTER = "players.adapters.AccountAdapter"  # a new account gets its player
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False

GUESTS_ENABLED = env_bool("GUESTS_ENABLED", default=True)
# New accounts per client address (an IPv6 address counts by its /64) an hour, on all server
# processes together: all at once, then one every 60/N minutes. Guests and sign-ups count apart.
GUEST_RATE_PER_HOUR = env_int("GUEST_RATE_PER_HOUR", 10, minimum=1, maximum=100_000)
SIGNUP_RATE_PER_HOUR = env_int("SIGNUP_RATE_PER_HOUR", 10, minimum=1, maximum=100_000)
# `purge_guests` deletes guests nobody has seen for this many days (moderation/maintenance.py).
GUEST_RETENTION_DAYS = env_int("GUEST_RETENTION_DAYS", 7, minimum=1, maximum=3650)

# Display names only staff accounts may take (players/names.py): compared case-, width-, accent-
# and look-alike-insensitively, as a whole name or as a word of one. The built-in ones are the
# names this software speaks under (system messages, the moderators, the operators); the
# variable adds to them (the site's or the organisation's own name), never replaces them, so a
# deployment cannot reopen impersonation of the system by setting it.
RESERVED_NAMES = [
    "system", "admin", "administrator", "moderator", "staff", "root", "operator", "superuser", "sysadmin",
    "sysop", "support",
]  # fmt: skip
for _name in env_list("RESERVED_NAMES", []):
    if len(_name) > 64 or not any(char.isalnum() for char in _name):
        raise ImproperlyConfigured(
            f"RESERVED_NAMES entry {_name!r} must have a letter or digit and at most 64 characters"
        )
    RESERVED_NAMES.append(_name)

EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "metaverse <noreply@localhost>")

# --- REST API -------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: DRF answers an unauthenticated request with the first class's challenge (401).
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # A ban (of the account or of the address) applies to every endpoint: 403 with its message.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "accounts.permissions.NotRestricted"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only (no view takes a form or a file), read as strictly as the sockets read it.
    "DEFAULT_PARSER_CLASSES": ["metaverse.rest.StrictJSONParser"],
    # Services raise metaverse.errors.AppError; this turns it into a response, once for all views.
    "EXCEPTION_HANDLER": "metaverse.rest.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# --- The world ------------------------------------------------------------------------------

WORLD_TICK_HZ = env_float("WORLD_TICK_HZ", 30.0, minimum=1.0, maximum=60.0)
WORLD_WALK_SPEED = env_float("WORLD_WALK_SPEED", 5.0, minimum=0.5, maximum=50.0)  # tiles per second
WORLD_TALK_RADIUS = env_float("WORLD_TALK_RADIUS", 2.5, minimum=0.5, maximum=50.0)  # tiles
WORLD_CHAT_RADIUS = env_float("WORLD_CHAT_RADIUS", 8.0, minimum=0.5, maximum=200.0)  # tiles, for "nearby" chat
WORLD_MESH_LIMIT = env_int("WORLD_MESH_LIMIT", 6, minimum=1, maximum=50)
WORLD_AOI_CELL = env_int("WORLD_AOI_CELL", 10, minimum=2, maximum=200)  # tiles per interest cell
WORLD_AOI_RADIUS = env_int("WORLD_AOI_RADIUS", 2, minimum=0, maximum=50)  # cells each way
WORLD_SAVE_SECONDS = env_float("WORLD_SAVE_SECONDS", 10.0, minimum=1.0, maximum=3600.0)
WORLD_MAX_MAP_TILES = env_int("WORLD_MAX_MAP_TILES", 250_000, minimum=1)
WORLD_MAX_MAP_BYTES = env_int("WORLD_MAX_MAP_BYTES", 20 * 1024 * 1024, minimum=1024)
# Where each process's hub keeps records, positions and presence (world/engine/store.py).
WORLD_STORE = "world.persistence.DatabaseStore"

# --- Chat -----------------------------------------------------------------------------------

# Per user, on all server processes together: CHAT_RATE_MESSAGES every CHAT_RATE_SECONDS on
# average, up to CHAT_RATE_BURST at once.
CHAT_RATE_MESSAGES = env_int("CHAT_RATE_MESSAGES", 5, minimum=1, maximum=1000)
CHAT_RATE_SECONDS = env_float("CHAT_RATE_SECONDS", 5.0, minimum=0.1, maximum=3600.0)
CHAT_RATE_BURST = env_int("CHAT_RATE_BURST", 3, minimum=1, maximum=1000)

# --- WebRTC signaling -----------------------------------------------------------------------

# ICE servers handed to browsers by /api/rtc/ice-servers/. No public STUN server by default:
# nothing leaves the machine unless the operator says so.
STUN_URLS = env_list("STUN_URLS", [])
TURN_URLS = env_list("TURN_URLS", [])
for _name, _urls, _schemes in (
    ("STUN_URLS", STUN_URLS, ("stun:", "stuns:")),
    ("TURN_URLS", TURN_URLS, ("turn:", "turns:")),
):
    for _url in _urls:
        if not _url.startswith(_schemes) or len(_url) <= len(_url.split(":", 1)[0]) + 1:
            raise ImproperlyConfigured(f"{_name} entry {_url!r} must look like {_schemes[0]}host:port")
TURN_SECRET = env_str("TURN_SECRET")  # coturn's static-auth-secret (use-auth-secret)
if TURN_URLS and not TURN_SECRET:
    raise ImproperlyConfigured("TURN_URLS is set but TURN_SECRET is empty: set it to coturn's static-auth-secret")
TURN_TTL = env_int("TURN_TTL", 600, minimum=60, maximum=7 * 86400)  # seconds a TURN credential is valid
# TURN credentials handed out per client address an hour (only to players in a world). An open
# world page takes one on entering and one every 0.8 × TURN_TTL: about 8 an hour at the default.
TURN_RATE_PER_HOUR = env_int("TURN_RATE_PER_HOUR", 20, minimum=1, maximum=100_000)

# The media server (Janus, docker/janus/, docs/janus.md). Unset: every call is peer-to-peer.
JANUS_URL = env_str("JANUS_URL")  # what browsers connect to, e.g. wss://example.org/janus/
JANUS_INTERNAL_URL = env_str("JANUS_INTERNAL_URL")  # what the server connects to; default JANUS_URL
JANUS_TOKEN_SECRET = env_str("JANUS_TOKEN_SECRET")  # Janus's token_auth_secret
JANUS_ADMIN_KEY = env_str("JANUS_ADMIN_KEY")  # the VideoRoom/AudioBridge admin_key
JANUS_TOKEN_TTL = env_int("JANUS_TOKEN_TTL", 3600, minimum=60, maximum=86400)
if JANUS_URL and not (JANUS_TOKEN_SECRET and JANUS_ADMIN_KEY):
    raise ImproperlyConfigured("JANUS_URL is set: set JANUS_TOKEN_SECRET and JANUS_ADMIN_KEY as Janus has them")
for _name, _url in (("JANUS_URL", JANUS_URL), ("JANUS_INTERNAL_URL", JANUS_INTERNAL_URL)):
    if _url and not _url.startswith(("ws://", "wss://")):
        raise ImproperlyConfigured(f"{_name} must be a ws:// or wss:// URL (Janus's WebSocket transport)")
# A call of more than this many people goes through Janus (when configured); up to it, peer-to-peer.
CALL_P2P_LIMIT = env_int("CALL_P2P_LIMIT", 4, minimum=2, maximum=50)
# A call through Janus of more than this many people has its sound mixed by Janus's AudioBridge
# (one spatial stereo mix per listener, voices placed left to right as people stand) rather than
# one stream per speaker; cameras and screens stay in the VideoRoom.
CALL_AUDIO_MIX_LIMIT = env_int("CALL_AUDIO_MIX_LIMIT", 25, minimum=2, maximum=500)
if CALL_AUDIO_MIX_LIMIT < CALL_P2P_LIMIT:
    raise ImproperlyConfigured("CALL_AUDIO_MIX_LIMIT must be at least CALL_P2P_LIMIT")
# In a call through Janus, a page receives the cameras of this many (the nearest); the others show
# as name tiles, heard all the same.
CALL_VIDEO_LIMIT = env_int("CALL_VIDEO_LIMIT", 9, minimum=1, maximum=50)

# --- HTTP, static files, security -----------------------------------------------------------

# Pages, the JavaScript and the sockets' messages speak the visitor's language: the one picked
# (the `django_language` cookie), else the browser's Accept-Language, else English.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG else "frontend.storage.StaticStorage"
        )
    },
}

# The proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (metaverse/proxies.py):
# addresses or networks. From any other peer those headers are removed before Django sees them.
TRUSTED_PROXIES = check_networks("TRUSTED_PROXIES", env_list("TRUSTED_PROXIES", []))
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Shows /healthz's details (per component, with errors naming internal hosts) to monitoring that
# sends it; staff sessions see them too. Unset: only staff.
HEALTHZ_TOKEN = env_str("HEALTHZ_TOKEN")
X_FRAME_OPTIONS = "DENY"

# Process-wide changes `manage.py serve` makes for latency under load (metaverse/serving.py,
# docs/performance.md); tests and other commands never get them.
FAST_SOCKET_WRITES = env_bool("FAST_SOCKET_WRITES", default=True)
FAST_SOCKET_READS = env_bool("FAST_SOCKET_READS", default=True)
GC_FREEZE = env_bool("GC_FREEZE", default=True)

LOG_LEVEL = env_choice("LOG_LEVEL", "info", {"debug", "info", "warning", "error"}).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"daphne": {"level": "WARNING"}, "django.channels.server": {"level": "WARNING"}},
}
