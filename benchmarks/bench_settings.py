"""Settings for the HTTP benchmark only: Recert's settings plus a bare view at /bench/bare/
(the yardstick the pages are measured against), served over plain HTTP on loopback."""

from recert.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
