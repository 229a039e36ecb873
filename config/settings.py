"""Préau settings: one module, every value from the environment.

With no environment at all, Préau runs the embedded demo: SQLite file, local-memory cache,
database sessions, eager Celery, local files, console e-mail. Setting DATABASE_URL, REDIS_URL
and friends switches to the production topology with the same code.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from preau.core.windows import parse_login_windows

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PREAU_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _demo_secret_key() -> str:
    """A key generated once for the embedded demo and kept in var/; never used in production."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY") or _demo_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "*")
TESTING = env_bool("PREAU_TESTING", default="pytest" in sys.modules)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "preau.core",
    "preau.directory",
    "preau.accounts",
    "preau.portal",
    "preau.console",
    "preau.messaging",
    "preau.news",
    "preau.timeline",
    "preau.documents",
    "preau.timetable",
    "preau.homework",
    "oauth2_provider",
    "preau.sso.cas",
    "preau.sso.oidc",
    "preau.sso.saml",
]

MIDDLEWARE = [
    # Request id, metrics, access line; answers /metrics (preau/core/metrics.py).
    "preau.core.metrics.RequestMetricsMiddleware",
    "preau.core.health.HealthMiddleware",  # /healthz and /readyz: before hosts and tenants
    "preau.core.admission.AdmissionMiddleware",  # sheds new arrivals under overload
    "django.middleware.security.SecurityMiddleware",
    "preau.core.middleware.TenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "preau.core.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Load shedding (preau/core/admission.py): 0 switches a signal off.
PREAU_SHED_MAX_IN_FLIGHT = int(os.environ.get("PREAU_SHED_MAX_IN_FLIGHT", "0"))
PREAU_SHED_MAX_QUEUE_MS = int(os.environ.get("PREAU_SHED_MAX_QUEUE_MS", "0"))
PREAU_SHED_RETRY_SECONDS = int(os.environ.get("PREAU_SHED_RETRY_SECONDS", "20"))
# Login windows per profile (preau/core/windows.py, docs/deploy.md): a JSON list of rules,
# checked here so that a wrong one stops every process at start with a message naming it.
PREAU_LOGIN_WINDOWS = parse_login_windows(os.environ.get("PREAU_LOGIN_WINDOWS", ""))

# /metrics (Prometheus): for a bearer token or from these networks; neither set: 404.
PREAU_METRICS_TOKEN = os.environ.get("PREAU_METRICS_TOKEN", "")
PREAU_METRICS_ALLOWED_NETWORKS = env_list("PREAU_METRICS_ALLOWED_NETWORKS")
# The reverse proxies in front (e.g. "127.0.0.1/32"): from them, the client's address is read
# from X-Forwarded-For and HTTPS from X-Forwarded-Proto. Empty: REMOTE_ADDR as it comes.
PREAU_TRUSTED_PROXIES = env_list("PREAU_TRUSTED_PROXIES")
if PREAU_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.messages.context_processors.messages",
                "preau.core.context_processors.layout",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'preau.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short OLTP queries: PostgreSQL's JIT compiles them for longer than they run (measured on
    # the people search: p95 1.7 s with JIT, 0.18 s without; docs/bench-messaging.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# Behind PgBouncer in transaction mode, server-side cursors do not survive (docs/deploy.md).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
    "DATABASE_DISABLE_SERVER_SIDE_CURSORS"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and TESTING:
    # Each pytest-xdist worker flushes its own Redis database between tests.
    _worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + f"/{1 + _worker % 15}"
if REDIS_URL:
    CACHES = {
        # Django's Redis cache with one client per pool (preau/core/cache.py).
        "default": {"BACKEND": "preau.core.cache.RedisCache", "LOCATION": REDIS_URL}
    }
    # Sessions live in Redis in production. The tests keep them in the database on every
    # backend, so the exact query counts they assert are the same on SQLite and in CI.
    SESSION_ENGINE = (
        "django.contrib.sessions.backends.db"
        if TESTING
        else "django.contrib.sessions.backends.cache"
    )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

AUTH_USER_MODEL = "directory.Person"
AUTHENTICATION_BACKENDS = ["preau.accounts.backends.TenantBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
# Login names are unique per tenant, not globally: the tenant-aware backend above enforces it,
# so Django's warning that Person.login is not unique on its own is expected.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# Argon2id with the OWASP minimum profile: measured in docs/accounts.md.
PASSWORD_HASHERS = [
    "preau.accounts.hashers.PreauArgon2Hasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("login", "first_name", "last_name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "preau" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (tests, staging).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Préau <no-reply@preau.invalid>")

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING or not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A task not acknowledged this many seconds after it was handed to a worker (the worker died)
# is handed out again. It must exceed the longest task (and any countdown), or a slow task
# would run twice at once; the actions are idempotent either way (docs/deploy.md).
# Workers look for such tasks every CELERY_UNACKED_RESTORE_SECONDS (kombu's default period).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
    "unacked_restore_interval": int(os.environ.get("CELERY_UNACKED_RESTORE_SECONDS", "100")),
    # The lock a worker holds while it hands tasks out again: a worker killed holding it
    # blocks every other's restore until it expires.
    "unacked_mutex_expire": int(os.environ.get("CELERY_UNACKED_MUTEX_SECONDS", "300")),
    "unacked_restore_throttle": 1,
}

# Hosts the demo tenant answers on, besides those stored in the database.
PREAU_DEMO_HOSTS = env_list("PREAU_DEMO_HOSTS", "127.0.0.1,localhost,testserver")
# Account lock-out: failures within the window before a login name or an IP is refused.
PREAU_LOCKOUT_ACCOUNT_FAILURES = int(os.environ.get("PREAU_LOCKOUT_ACCOUNT_FAILURES", "5"))
PREAU_LOCKOUT_IP_FAILURES = int(os.environ.get("PREAU_LOCKOUT_IP_FAILURES", "30"))
PREAU_LOCKOUT_MINUTES = int(os.environ.get("PREAU_LOCKOUT_MINUTES", "15"))
# Networks exempt from the per-IP limit (a school's shared address), e.g. "192.0.2.0/24".
PREAU_LOCKOUT_TRUSTED_NETWORKS = env_list("PREAU_LOCKOUT_TRUSTED_NETWORKS")
PREAU_AVATAR_MAX_BYTES = int(os.environ.get("PREAU_AVATAR_MAX_BYTES", str(2 * 1024 * 1024)))

# Logs (preau/core/logs.py): readable text by default, one JSON object per line with
# PREAU_LOG_FORMAT=json; the access line per request is on by default in JSON only.
PREAU_LOG_FORMAT = os.environ.get("PREAU_LOG_FORMAT", "text").strip().lower()
if PREAU_LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"PREAU_LOG_FORMAT must be text or json, not {PREAU_LOG_FORMAT!r}")
PREAU_ACCESS_LOG = env_bool("PREAU_ACCESS_LOG", default=PREAU_LOG_FORMAT == "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "preau.core.logs.RequestContextFilter"}},
    "formatters": {
        "text": {"()": "preau.core.logs.TextFormatter"},
        "json": {"()": "preau.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": PREAU_LOG_FORMAT,
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"preau.access": {"level": "INFO" if PREAU_ACCESS_LOG else "WARNING"}},
}
# In JSON, the Celery worker logs through the configuration above instead of its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = PREAU_LOG_FORMAT != "json"

# Directory imports: size limit per uploaded file, and after how long a running import whose
# process died is considered interrupted (its scope can then be imported again).
PREAU_IMPORT_MAX_BYTES = int(os.environ.get("PREAU_IMPORT_MAX_BYTES", str(2 * 1024**3)))
PREAU_IMPORT_STALE_MINUTES = int(os.environ.get("PREAU_IMPORT_STALE_MINUTES", "120"))
# Uploaded import files hold personal data: an applied import's are deleted at once, an
# unapplied one's after this many days.
PREAU_IMPORT_KEEP_DAYS = int(os.environ.get("PREAU_IMPORT_KEEP_DAYS", "7"))

# Scheduled jobs (`celery -A config beat`): the retention job erases, every night, the people
# whose grace period has passed (docs/feeds.md, "Retention").
CELERY_BEAT_SCHEDULE = {
    "erase-expired-people": {
        "task": "preau.directory.tasks.erase_expired_people_task",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 6 * 60 * 60},
    },
    "discard-old-import-files": {
        "task": "preau.directory.tasks.discard_old_import_files_task",
        "schedule": crontab(hour=3, minute=45),
        "options": {"expires": 6 * 60 * 60},
    },
}

# --- Messaging (preau.messaging) ------------------------------------------------------------
# A message to more people than this (or to guardians) is sent only once the sender confirms.
PREAU_MESSAGE_CONFIRM_ABOVE = int(os.environ.get("PREAU_MESSAGE_CONFIRM_ABOVE", "50"))
# A message nobody has opened can be recalled for this many minutes after it was sent.
PREAU_MESSAGE_RECALL_MINUTES = int(os.environ.get("PREAU_MESSAGE_RECALL_MINUTES", "15"))
# The text of a message, pictures pasted into it included (they travel inside it).
PREAU_MESSAGE_BODY_MAX_BYTES = int(os.environ.get("PREAU_MESSAGE_BODY_MAX_BYTES", str(4 * 1024**2)))
PREAU_ATTACHMENT_MAX_BYTES = int(os.environ.get("PREAU_ATTACHMENT_MAX_BYTES", str(10 * 1024**2)))
PREAU_ATTACHMENTS_MAX = int(os.environ.get("PREAU_ATTACHMENTS_MAX", "10"))
# A callable(file) raising ValidationError for an infected file (a ClamAV client); "": no scan.
PREAU_ATTACHMENT_SCAN = os.environ.get("PREAU_ATTACHMENT_SCAN", "")
# Storage quotas (STANDARDS.md defaults): teachers, staff and agents; pupils, parents, guests.
PREAU_QUOTA_STAFF_BYTES = int(os.environ.get("PREAU_QUOTA_STAFF_BYTES", str(10 * 1024**3)))
PREAU_QUOTA_FAMILY_BYTES = int(os.environ.get("PREAU_QUOTA_FAMILY_BYTES", str(1024**3)))
CELERY_BEAT_SCHEDULE["purge-message-trash"] = {
    "task": "preau.messaging.tasks.purge_trash_task",
    "schedule": crontab(hour=4, minute=30),
    "options": {"expires": 6 * 60 * 60},
}
# Homework prepared in advance is announced when its moment comes.
CELERY_BEAT_SCHEDULE["announce-homework"] = {
    "task": "preau.homework.tasks.notify_published_homework_task",
    "schedule": crontab(minute="*/5"),
    "options": {"expires": 4 * 60},
}

# --- News (preau.news) ----------------------------------------------------------------------
# Scheduled news go live within a minute of their time (docs/news.md); files use the
# PREAU_ATTACHMENT_* limits above.
CELERY_BEAT_SCHEDULE["publish-due-news"] = {
    "task": "preau.news.tasks.publish_due_news_task",
    "schedule": crontab(),
    "options": {"expires": 55},
}

# --- CAS server (preau.sso.cas) -------------------------------------------------------------
# Service and proxy tickets live seconds (the protocol allows 10 s to 5 min); a proxy-granting
# ticket lives as long as the session that earned it.
PREAU_CAS_TICKET_SECONDS = int(os.environ.get("PREAU_CAS_TICKET_SECONDS", "60"))
# Proxy callbacks and single-logout posts: how long Préau waits for the connected app.
PREAU_CAS_CALLBACK_TIMEOUT = float(os.environ.get("PREAU_CAS_CALLBACK_TIMEOUT", "5"))
CELERY_BEAT_SCHEDULE["purge-cas-tickets"] = {
    "task": "preau.sso.cas.tasks.purge_tickets_task",
    "schedule": crontab(minute=17),
    "options": {"expires": 60 * 60},
}
# --- end CAS ---

# --- OpenID Connect provider (preau.sso.oidc) -----------------------------------------------
# django-oauth-toolkit, configured for OpenID Connect with the authorization-code flow, PKCE
# (S256 only) and rotating refresh tokens. See docs/oidc.md.
OIDC_ENABLED = env_bool("OIDC_ENABLED", default=True)


def _oidc_private_key() -> str:
    """The RS256 signing key (PEM): from the environment, a file, or generated once into var/
    for the embedded demo and the tests (never in production: set one of the variables)."""
    if os.environ.get("OIDC_RSA_PRIVATE_KEY"):
        return os.environ["OIDC_RSA_PRIVATE_KEY"].replace("\\n", "\n")
    if os.environ.get("OIDC_RSA_PRIVATE_KEY_FILE"):
        return Path(os.environ["OIDC_RSA_PRIVATE_KEY_FILE"]).read_text()
    path = VAR_DIR / "oidc_rsa.pem"
    if not path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        # Written aside then linked into place: of processes starting together (test workers,
        # app server workers), the first one's key wins and nobody reads a half-written file.
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text()


# Keys retired from signing but still published in the JWKS (rotation): PEM files, comma list.
OIDC_RSA_INACTIVE_KEY_FILES = env_list("OIDC_RSA_INACTIVE_KEY_FILES")
OIDC_ACCESS_TOKEN_SECONDS = int(os.environ.get("OIDC_ACCESS_TOKEN_SECONDS", "3600"))
OIDC_REFRESH_TOKEN_SECONDS = int(os.environ.get("OIDC_REFRESH_TOKEN_SECONDS", str(30 * 86400)))
# The key of the `sub` claim (an HMAC of tenant and person): changing it changes every
# person's identifier at every connected app. Set it once in production and keep it.
OIDC_SUBJECT_KEY = os.environ.get("OIDC_SUBJECT_KEY") or SECRET_KEY
# DOT's models are not swapped (docs/oidc.md); named so migrations can depend on them.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 - a model name
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105 - a model name
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105 - a model name
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": OIDC_ENABLED,
    "OIDC_RSA_PRIVATE_KEY": _oidc_private_key() if OIDC_ENABLED else "",
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [Path(p).read_text() for p in OIDC_RSA_INACTIVE_KEY_FILES],
    "OAUTH2_VALIDATOR_CLASS": "preau.sso.oidc.validators.PreauOAuth2Validator",
    "OAUTH2_BACKEND_CLASS": "preau.sso.oidc.validators.PreauOAuthLibCore",
    "SCOPES_BACKEND_CLASS": "preau.sso.oidc.scopes.PreauScopes",
    "DEFAULT_SCOPES": ["openid"],
    "PKCE_REQUIRED": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": OIDC_ACCESS_TOKEN_SECONDS,
    "ID_TOKEN_EXPIRE_SECONDS": OIDC_ACCESS_TOKEN_SECONDS,
    "REFRESH_TOKEN_EXPIRE_SECONDS": OIDC_REFRESH_TOKEN_SECONDS,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    # Consent is asked once: a later request for the same scopes, while a token lives, skips it.
    "REQUEST_APPROVAL_PROMPT": "auto",
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],  # http: loopback only (checked on save)
    "ALLOW_LOCALHOST_LOOPBACK": True,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    # RFC 9700 (OAuth security best current practice), adopted now.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}
SILENCED_SYSTEM_CHECKS += [
    # The RFC 9207 `iss` parameter is added by preau.sso.oidc.validators.PreauOAuthLibCore.
    "oauth2_provider.W005",
    # http redirect addresses are accepted on loopback hosts only (RFC 8252), checked on save.
    "oauth2_provider.W008",
]
CELERY_BEAT_SCHEDULE["purge-oidc-tokens"] = {
    "task": "preau.sso.oidc.tasks.purge_expired_tokens_task",
    "schedule": crontab(hour=4, minute=10),
    "options": {"expires": 6 * 60 * 60},
}
# --- end OIDC ---

# --- SAML2 federation (preau.sso.saml) ------------------------------------------------------
# Préau as a SAML2 service provider (EduConnect, the académies' agents IdPs): docs/saml.md.
# The SP's signing/encryption pair (PEM files). Unset: a self-signed pair is generated once
# into SAML_SP_GENERATED_DIR (demo only; use a managed pair in production).
SAML_SP_KEY_FILE = os.environ.get("SAML_SP_KEY_FILE", "")
SAML_SP_CERT_FILE = os.environ.get("SAML_SP_CERT_FILE", "")
SAML_SP_GENERATED_DIR = os.environ.get("SAML_SP_GENERATED_DIR", str(VAR_DIR / "saml"))
SAML_XMLSEC_BINARY = os.environ.get("SAML_XMLSEC_BINARY", "/usr/bin/xmlsec1")
# Clock skew tolerated on NotBefore / NotOnOrAfter / IssueInstant, in seconds.
SAML_CLOCK_SKEW_SECONDS = int(os.environ.get("SAML_CLOCK_SKEW_SECONDS", "120"))
# Attribute names carrying EduConnect's FrEduCtRefId (its AAF form ends with the join key).
SAML_EDUCONNECT_REFID_ATTRIBUTES = env_list("SAML_EDUCONNECT_REFID_ATTRIBUTES", "FrEduCtRefId")
# --- end SAML ---

# --- Timeline and delivery (preau.timeline) -------------------------------------------------
# See docs/timeline.md. The mail relay reports bounces to POST /timeline/bounces with
# `Authorization: Bearer <token>`; empty: the webhook answers 404.
PREAU_BOUNCE_TOKEN = os.environ.get("PREAU_BOUNCE_TOKEN", "")
# Web push: the VAPID subject (a mailto: or https: address the push services may contact).
PREAU_VAPID_SUBJECT = os.environ.get("PREAU_VAPID_SUBJECT", "mailto:no-reply@preau.invalid")
# Push endpoints must be https; http is accepted only on loopback hosts, and only when this is
# set (the demo and the tests, where a local server stands in for the push service).
PREAU_PUSH_ALLOW_LOOPBACK = env_bool("PREAU_PUSH_ALLOW_LOOPBACK", default=DEBUG or TESTING)
PREAU_PUSH_TIMEOUT = float(os.environ.get("PREAU_PUSH_TIMEOUT", "10"))


def _vapid_keys() -> tuple[str, str]:
    """The VAPID pair: the private key (PEM) and the public key (base64url of the uncompressed
    P-256 point, the browser's `applicationServerKey`). From the environment, or generated once
    into var/ for the embedded demo and the tests (never in production: set both variables)."""
    from base64 import urlsafe_b64encode

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private_pem = os.environ.get("PREAU_VAPID_PRIVATE_KEY", "").replace("\\n", "\n")
    if not private_pem:
        path = VAR_DIR / "vapid_private.pem"
        if not path.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            # Written aside then linked into place, like the OIDC key: the first process wins.
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            tmp.chmod(0o600)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        private_pem = path.read_text()
    public = os.environ.get("PREAU_VAPID_PUBLIC_KEY", "")
    if not public:
        loaded = serialization.load_pem_private_key(private_pem.encode(), password=None)
        point = loaded.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        public = urlsafe_b64encode(point).decode().rstrip("=")
    return private_pem, public


PREAU_VAPID_PRIVATE_KEY, PREAU_VAPID_PUBLIC_KEY = _vapid_keys()
# Digests (crontab in TIME_ZONE): the daily one lists the previous day, the weekly one the
# previous week (Monday to Monday), each person's unread items only.
CELERY_BEAT_SCHEDULE["timeline-daily-digest"] = {
    "task": "preau.timeline.tasks.send_daily_digests_task",
    "schedule": crontab(hour=6, minute=30),
    "options": {"expires": 6 * 60 * 60},
}
CELERY_BEAT_SCHEDULE["timeline-weekly-digest"] = {
    "task": "preau.timeline.tasks.send_weekly_digests_task",
    "schedule": crontab(hour=6, minute=45, day_of_week="mon"),
    "options": {"expires": 12 * 60 * 60},
}
# --- end timeline ---

# --- Documents (preau.documents) ------------------------------------------------------------
# See docs/documents.md. Largest file accepted in one upload, and files per upload.
PREAU_DOCUMENT_MAX_BYTES = int(os.environ.get("PREAU_DOCUMENT_MAX_BYTES", str(200 * 1024**2)))
PREAU_DOCUMENT_UPLOAD_FILES_MAX = int(os.environ.get("PREAU_DOCUMENT_UPLOAD_FILES_MAX", "20"))
# Trashed files and folders are purged after this many days (beat task below).
PREAU_DOCUMENT_TRASH_DAYS = int(os.environ.get("PREAU_DOCUMENT_TRASH_DAYS", "30"))
# How downloads leave, once the permission is checked: "stream" (Django streams the file),
# "accel" (an X-Accel-Redirect to PREAU_DOCUMENT_ACCEL_PREFIX + the storage name, for nginx),
# "redirect" (a 302 to the storage's signed URL, e.g. S3, valid PREAU_DOCUMENT_URL_SECONDS).
PREAU_DOCUMENT_DOWNLOADS = os.environ.get("PREAU_DOCUMENT_DOWNLOADS", "stream")
PREAU_DOCUMENT_ACCEL_PREFIX = os.environ.get("PREAU_DOCUMENT_ACCEL_PREFIX", "/protected/")
PREAU_DOCUMENT_URL_SECONDS = int(os.environ.get("PREAU_DOCUMENT_URL_SECONDS", "60"))
# Public links live at most this many days.
PREAU_PUBLIC_LINK_MAX_DAYS = int(os.environ.get("PREAU_PUBLIC_LINK_MAX_DAYS", "30"))
CELERY_BEAT_SCHEDULE["purge-document-trash"] = {
    "task": "preau.documents.tasks.purge_trash_task",
    "schedule": crontab(hour=4, minute=50),
    "options": {"expires": 6 * 60 * 60},
}
# S3-compatible object storage (django-storages) when a bucket is configured.
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID", ""),
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY", ""),
            "region_name": os.environ.get("S3_REGION", "") or None,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": PREAU_DOCUMENT_URL_SECONDS,
        },
    }
# --- end documents ---
