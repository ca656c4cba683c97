"""Brygga's one settings module, read from the environment.

Development needs no environment at all. `BRYGGA_ENV=production` turns on every safety
setting that `manage.py check --deploy` asks for and refuses to start without a real secret.
"""

import base64
import binascii
import copy
import hashlib
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("BRYGGA_ENV", "development").strip().lower()
PRODUCTION = ENVIRONMENT == "production"
INSECURE_DEV_KEY = "django-insecure-brygga-development-only-never-use-in-production"


def secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if not PRODUCTION:
        return key or INSECURE_DEV_KEY
    # A production server must never run on a guessable key.
    if len(key) < 50 or key.startswith("django-insecure") or len(set(key)) < 5:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters in production."
        )
    return key


SECRET_KEY = secret_key()


def access_log_keys() -> dict[str, bytes]:
    """BRYGGA_ACCESS_LOG_KEYS="id:base64key,older-id:base64key": the first one keys new entries,
    the others only verify entries written with them (docs/access-log.md)."""
    raw = os.environ.get("BRYGGA_ACCESS_LOG_KEYS", "").strip()
    if not raw:
        if PRODUCTION:
            # A key derived from something the database's readers may also know is no key.
            raise ImproperlyConfigured(
                "BRYGGA_ACCESS_LOG_KEYS must be set in production (docs/access-log.md)."
            )
        return {"dev": hashlib.sha256(f"brygga-access-log|{SECRET_KEY}".encode()).digest()}
    keys: dict[str, bytes] = {}
    for number, item in enumerate(raw.split(","), start=1):
        key_id, _sep, encoded = item.strip().partition(":")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,20}", key_id) or key_id in keys or len(key) < 32:
            # Never the key itself in the message: it ends up in logs.
            raise ImproperlyConfigured(
                f"BRYGGA_ACCESS_LOG_KEYS, item {number}: write id:key, with a unique id of at "
                "most 20 letters, digits, '-', '_' or '.' and a base64 key of at least 32 bytes."
            )
        keys[key_id] = key
    return keys


BRYGGA_ACCESS_LOG_KEYS = access_log_keys()
# A file outside the database the chain's head is appended to daily (`anchor_access_log`).
BRYGGA_ACCESS_LOG_ANCHOR = os.environ.get("BRYGGA_ACCESS_LOG_ANCHOR", "").strip()
# How many chains the access log may spread over, each with its own head, so that concurrent
# writers do not wait on one lock (docs/access-log.md). 1 is one chain, as before.
BRYGGA_ACCESS_LOG_CHAINS = max(1, int(os.environ.get("BRYGGA_ACCESS_LOG_CHAINS", "16")))
DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    # Django's debug pages show settings, SQL and request data: personal data in production.
    raise ImproperlyConfigured("DEBUG must not be on in production (BRYGGA_ENV=production).")
# Demo users and data exist only outside production, whatever the environment says.
DEMO = env_bool("BRYGGA_DEMO", not PRODUCTION) and not PRODUCTION
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

MUNICIPALITY_NAME = os.environ.get("BRYGGA_MUNICIPALITY", "Exempelby kommun")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "brygga",
    "submissions",
    "django_tasks",
    "django_tasks_db",
    "jobs",
    "organisation",
    "audit",
    "people",
    "intake",
    "mapping",
    "decisions",
    "provision",
    "delivery",
    "groups",
    "documents",
    "instruments",
    "reports",
    "history",
    "api",
    "retention",
    "sso",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "brygga.middleware.SwedishByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "brygga.middleware.AccessLogRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "brygga.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so that it sees the view after CSRF has read the form: a resent form is handled once.
    "submissions.middleware.ResentFormMiddleware",
]

if PRODUCTION:
    # In production the app serves its own static files (collected at deploy) via WhiteNoise.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "brygga.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # `{% submission_token %}` in every form that changes something, without a load.
            "builtins": ["submissions.templatetags.submissions"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "brygga.context_processors.shell",
            ],
        },
    },
]

WSGI_APPLICATION = "brygga.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A persistent connection is checked before a request uses it, so that the first request
        # after a database restart reconnects instead of failing with a 500.
        conn_health_checks=True,
    )
}
if os.environ.get("BRYGGA_TEST_DB_NAME"):
    # Lets several test runs share one PostgreSQL server without clashing.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["BRYGGA_TEST_DB_NAME"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiled longer than the statistics' queries ran (bench/README.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a lock rather than fail at once when two requests write together.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Take the write lock when a transaction starts, so two writers wait instead of failing
    # with "database is locked" half-way (the access log's chain head is written by everyone).
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
# The heavy reads (the statistics, their downloads, register extracts) go to a PostgreSQL
# streaming replica when one is named; everything else stays on the primary (core/replica.py,
# docs/operations.md). Without one, the alias "replica" is a second name for the primary that
# nothing reads through: tests use it as a mirror of the test database.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
else:
    DATABASES["replica"] = copy.deepcopy(DATABASES["default"])
# Tests never create a database on the replica (it is read-only): it reads the primary's test
# database, by the same name, as replication brings it.
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
BRYGGA_HEAVY_READS_DATABASE = "replica" if DATABASE_REPLICA_URL else "default"
DATABASE_ROUTERS = ["core.replica.HeavyReadsRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "organisation.auth.BryggaModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions live in the database (no process state) and end after inactivity.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# No state in a server's memory: whatever must hold across requests lives in the database, so
# that any number of app servers may answer (docs/operations.md, "Several app servers"). Django's
# default cache is per process (LocMemCache): a lockout or a rate limit counted in it would hold
# on one server and not on the next. There is no cache, so nothing can come to rely on one.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# Repeated failed logins lock the account (username) for a while; the failures are counted in the
# database (axes' database handler, named here so that no one switches it to the cache).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # never write usernames to the application log
# Locking by address would lock out a whole office behind the municipality's shared NAT address;
# the lock is per account instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# How long a reason given for opening a person outside one's own cases stays valid.
REASONED_ACCESS_HOURS = int(os.environ.get("BRYGGA_REASONED_ACCESS_HOURS", "8"))

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Application logs carry no personal data: the access log (audit app) holds who saw what.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_query_strings": {"()": "brygga.logging.StripQueryStrings"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_query_strings"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs include URLs, which are UUIDs only; query logs could contain data.
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # runserver's request lines: same handler and filter, so query strings never reach it.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# The board (nämnd) that decides and to which appeals are sent; printed in decision letters.
BRYGGA_BOARD_NAME = os.environ.get("BRYGGA_BOARD_NAME", "Omsorgsnämnden")
BRYGGA_BOARD_ADDRESS = os.environ.get(
    "BRYGGA_BOARD_ADDRESS", "Omsorgsnämnden, Exempelby kommun, 123 45 Exempelby"
)

# The public intake form (/anmalan/): the authority unit that receives it (by name; empty means
# the first active authority unit) and how many submissions one address may send per hour.
BRYGGA_WEB_INTAKE_UNIT = os.environ.get("BRYGGA_WEB_INTAKE_UNIT", "")
BRYGGA_WEB_INTAKE_PER_HOUR = int(os.environ.get("BRYGGA_WEB_INTAKE_PER_HOUR", "5"))
# Where the client's address is read from: REMOTE_ADDR, or behind a reverse proxy the header it
# sets (e.g. HTTP_X_FORWARDED_FOR, of which the last address, the one the proxy saw, counts).
BRYGGA_CLIENT_IP_HEADER = os.environ.get("BRYGGA_CLIENT_IP_HEADER", "REMOTE_ADDR")

# Attachments are stored in the database (servers keep no files); an upload is held in memory up to
# this size and refused above it. Form fields other than files stay within Django's 2.5 MB.
BRYGGA_ATTACHMENT_MAX_BYTES = int(os.environ.get("BRYGGA_ATTACHMENT_MAX_BYTES", str(10 * 2**20)))
FILE_UPLOAD_MAX_MEMORY_SIZE = BRYGGA_ATTACHMENT_MAX_BYTES
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 2**20)
# MADRS-S item 9 (zest for life / suicidal thoughts) at or above this raises a risk alert.
BRYGGA_MADRS_S_RISK_THRESHOLD = int(os.environ.get("BRYGGA_MADRS_S_RISK_THRESHOLD", "4"))

# --- Single sign-on (sso app; docs/sso.md) ----------------------------------------- begin ---
# BRYGGA_AUTH: "local" (passwords), "oidc" (only the municipality's OpenID Connect provider; the
# password form is off) or "both". The provider's values are in its discovery document
# (ISSUER/.well-known/openid-configuration); `manage.py sso_discover ISSUER` prints them.
BRYGGA_AUTH = os.environ.get("BRYGGA_AUTH", "local").strip().lower()
if BRYGGA_AUTH not in {"local", "oidc", "both"}:
    raise ImproperlyConfigured("BRYGGA_AUTH must be one of: local, oidc, both.")
OIDC_OP_ISSUER = os.environ.get("OIDC_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_USERINFO_ENDPOINT", "")  # optional
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_JWKS_URI", "")
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_END_SESSION_ENDPOINT", "")  # optional
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid profile email")
# The claim holding the user's groups, mapped to units and roles in the administration.
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the id_token_hint for logging out at the provider
OIDC_TIMEOUT = int(os.environ.get("OIDC_TIMEOUT_SECONDS", "10"))
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
OIDC_REDIRECT_REQUIRE_HTTPS = PRODUCTION
if BRYGGA_AUTH != "local":
    _oidc_required = {
        "OIDC_ISSUER": OIDC_OP_ISSUER,
        "OIDC_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
        "OIDC_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
        "OIDC_JWKS_URI": OIDC_OP_JWKS_ENDPOINT,
        "OIDC_CLIENT_ID": OIDC_RP_CLIENT_ID,
        "OIDC_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
    }
    _missing = sorted(name for name, value in _oidc_required.items() if not value)
    if _missing:
        raise ImproperlyConfigured(f"BRYGGA_AUTH={BRYGGA_AUTH} needs {', '.join(_missing)}.")
    _oidc_urls = {
        **_oidc_required,
        "OIDC_USERINFO_ENDPOINT": OIDC_OP_USER_ENDPOINT,
        "OIDC_END_SESSION_ENDPOINT": OIDC_OP_LOGOUT_ENDPOINT,
    }
    _oidc_urls.pop("OIDC_CLIENT_ID")
    _oidc_urls.pop("OIDC_CLIENT_SECRET")
    _plain = sorted(n for n, v in _oidc_urls.items() if v and not v.startswith("https://"))
    if PRODUCTION and _plain:
        # Tokens and the client secret must never cross the network in the clear.
        raise ImproperlyConfigured(f"In production OIDC needs https: {', '.join(_plain)}.")
# Axes stays first: it refuses locked accounts before any backend is asked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    *(["organisation.auth.BryggaModelBackend"] if BRYGGA_AUTH != "oidc" else []),
    *(["sso.backends.OIDCBackend"] if BRYGGA_AUTH != "local" else []),
]
# --- Single sign-on ----------------------------------------------------------------- end ---

# The statistics report runs its parts on this many PostgreSQL connections at once, in one
# snapshot (reports/parallel.py). 1 runs them one after the other.
BRYGGA_REPORT_WORKERS = int(os.environ.get("BRYGGA_REPORT_WORKERS", "2"))
# Memory each of those connections may use to sort and group before spilling to disk.
BRYGGA_REPORT_WORK_MEM = os.environ.get("BRYGGA_REPORT_WORK_MEM", "64MB")

# --- Background jobs (docs/operations.md, "Background jobs") ---------------------------------
# Long work (the report over many years, register extracts, the daily jobs) is queued in the
# database and run by `manage.py db_worker` (deploy/brygga-worker.service; `make run` starts one).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A statistics period longer than this many days is produced in the background.
BRYGGA_REPORT_SYNC_DAYS = int(os.environ.get("BRYGGA_REPORT_SYNC_DAYS", "366"))
# Finished jobs and their results (which may hold personal data) are deleted after this many days.
BRYGGA_JOB_RESULT_DAYS = int(os.environ.get("BRYGGA_JOB_RESULT_DAYS", "7"))
