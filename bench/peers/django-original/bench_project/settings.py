"""The smallest Django project that serves django-rest-passwordreset, for bench/peers.mjs only (never deployed)."""
import os
import secrets

# A fresh key per start: nothing signed by this throw-away project outlives it.
SECRET_KEY = secrets.token_hex(32)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "django_rest_passwordreset",
    "peer",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "bench_project.urls"
WSGI_APPLICATION = "bench_project.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["DATABASE"],
        # Two gunicorn workers write to one file: wait for the lock instead of failing.
        "OPTIONS": {"timeout": 30},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("SMTP_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("SMTP_PORT", "25"))
DEFAULT_FROM_EMAIL = "no-reply@example.com"

REST_FRAMEWORK = {
    # Throttles off, as on every side of the peer bench; no sessions or CSRF: a JSON API only.
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}
# Since 1.6 the request view throttles (3/day) unless this is set; empty means DRF's defaults above: none.
DJANGO_REST_PASSWORDRESET_THROTTLE_CLASSES = []
# Same answer for a known and an unknown address, as the sample and better-auth give.
DJANGO_REST_PASSWORDRESET_NO_INFORMATION_LEAKAGE = True

LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
