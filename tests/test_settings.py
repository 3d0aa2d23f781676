"""Settings are read from the environment; a bad value stops start-up and names the variable."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import recert
from recert.lib.env import envbool, envint, envlist, parse_database_url

SETTINGS_FILE = Path(recert.__file__).parent / "settings.py"
VARIABLES = ["DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "EMAIL_HOST", "REDIS_URL",
             "SECURE_SSL_REDIRECT", "RECERT_DATA", "CSRF_TRUSTED_ORIGINS", "TRUSTED_PROXY_COUNT",
             "TASK_BACKEND", "NIGHTLY_CHUNK_SIZE"]


@pytest.fixture
def load(monkeypatch, tmp_path):
    """Runs recert/settings.py afresh with the given environment; returns its namespace."""

    def _load(**environ):
        for name in VARIABLES:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("RECERT_DATA", str(tmp_path / "data"))
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE), run_name="settings_under_test")

    return _load


def test_bad_debug_value_names_variable_and_accepted_values(load):
    with pytest.raises(ImproperlyConfigured, match=r"DEBUG='maybe'.*accepted values: 1, true"):
        load(DEBUG="maybe")


def test_missing_secret_key_with_debug_off_is_refused(load):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is required when DEBUG is off"):
        load(DEBUG="0")


def test_bad_database_url_names_variable(load):
    with pytest.raises(ImproperlyConfigured, match=r"DATABASE_URL='mysql://x/y'.*accepted"):
        load(DATABASE_URL="mysql://x/y")


def test_database_url_without_name_is_refused(load):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL.*names no database"):
        load(DATABASE_URL="postgres://user@localhost:5432/")


def test_defaults_use_sqlite_in_data_folder_and_persist_a_random_key(load, tmp_path):
    first = load()
    assert first["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert first["DATABASES"]["default"]["NAME"] == str(tmp_path / "data" / "recert.sqlite3")
    assert first["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")
    assert first["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert len(first["SECRET_KEY"]) >= 50
    assert (tmp_path / "data" / "secret_key").read_text().strip() == first["SECRET_KEY"]
    # The same key on the next start, so that sessions survive a restart.
    assert load()["SECRET_KEY"] == first["SECRET_KEY"]


def test_production_settings(load):
    ns = load(DEBUG="off", SECRET_KEY="k" * 60, ALLOWED_HOSTS="recert.example.org, x.org",
              DATABASE_URL="postgresql://app:p%40ss@db.internal:6543/recert?sslmode=require",
              EMAIL_HOST="smtp.example.org", REDIS_URL="redis://cache:6379/0")
    assert ns["DEBUG"] is False
    assert ns["ALLOWED_HOSTS"] == ["recert.example.org", "x.org"]
    db = ns["DATABASES"]["default"]
    assert (db["ENGINE"], db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql", "recert", "app", "p@ss", "db.internal", "6543")
    assert db["OPTIONS"] == {"sslmode": "require"}
    assert ns["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
    assert ns["CACHES"]["default"]["BACKEND"].endswith("RedisCache")
    assert ns["SECURE_SSL_REDIRECT"] and ns["SESSION_COOKIE_SECURE"] and ns["CSRF_COOKIE_SECURE"]
    assert ns["SECURE_HSTS_SECONDS"] >= 31_536_000


def test_ssl_redirect_can_be_turned_off_for_local_use(load):
    ns = load(DEBUG="0", SECRET_KEY="k" * 60, SECURE_SSL_REDIRECT="false")
    assert ns["SECURE_SSL_REDIRECT"] is False


def test_helpers():
    assert envbool("X", False, {"X": "Yes"}) is True
    assert envbool("X", True, {"X": ""}) is False
    assert envbool("X", True, {}) is True
    assert envint("N", 3, {"N": " 7 "}) == 7
    with pytest.raises(ImproperlyConfigured, match="N='seven' is not an integer"):
        envint("N", 3, {"N": "seven"})
    with pytest.raises(ImproperlyConfigured, match="N='0' is too small"):
        envint("N", 3, {"N": "0"}, minimum=1)
    assert envlist("L", ["a"], {"L": "x, ,y"}) == ["x", "y"]
    assert envlist("L", ["a"], {}) == ["a"]
    assert parse_database_url("sqlite:////tmp/x.db")["NAME"] == "/tmp/x.db"
    with pytest.raises(ImproperlyConfigured, match="bad port"):
        parse_database_url("postgres://u@h:notaport/db")


@pytest.mark.parametrize("raw", ["1.5", "1_000", "+2", "two", "\u0663"])
def test_envint_is_strict(raw):
    with pytest.raises(ImproperlyConfigured, match="is not an integer"):
        envint("N", 3, {"N": raw})


def test_trusted_proxy_count(load):
    assert load()["TRUSTED_PROXY_COUNT"] == 0
    assert load(TRUSTED_PROXY_COUNT="2")["TRUSTED_PROXY_COUNT"] == 2
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT='-1' is too small"):
        load(TRUSTED_PROXY_COUNT="-1")
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT='one' is not an integer"):
        load(TRUSTED_PROXY_COUNT="one")


def test_without_redis_tasks_run_in_process_and_sessions_live_in_the_database(load):
    ns = load()
    assert ns["TASKS"]["default"]["BACKEND"].endswith("ImmediateBackend")
    assert ns["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert "django_rq" not in ns["INSTALLED_APPS"]
    assert ns["NIGHTLY_CHUNK_SIZE"] == 200


def test_with_redis_tasks_go_to_rq_and_sessions_are_shared_by_every_server(load):
    ns = load(REDIS_URL="redis://cache:6379/0", NIGHTLY_CHUNK_SIZE="500")
    assert ns["TASKS"]["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert ns["TASKS"]["default"]["QUEUES"] == ["default", "batch"]
    assert {q: c["URL"] for q, c in ns["RQ_QUEUES"].items()} == {
        "default": "redis://cache:6379/0", "batch": "redis://cache:6379/0"}
    assert "django_rq" in ns["INSTALLED_APPS"]
    # Sessions in Redis, written through to the database (a Redis restart logs nobody out).
    assert ns["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert ns["CACHES"]["default"]["BACKEND"].endswith("RedisCache")
    assert ns["NIGHTLY_CHUNK_SIZE"] == 500
    # Redis for the cache and sessions, tasks still in-process (no worker to run).
    ns = load(REDIS_URL="redis://cache:6379/0", TASK_BACKEND="immediate")
    assert ns["TASKS"]["default"]["BACKEND"].endswith("ImmediateBackend")


def test_bad_task_settings_are_refused(load):
    with pytest.raises(ImproperlyConfigured, match="TASK_BACKEND=rq needs REDIS_URL"):
        load(TASK_BACKEND="rq")
    with pytest.raises(ImproperlyConfigured, match="TASK_BACKEND='celery'.*accepted: immediate"):
        load(TASK_BACKEND="celery")
    with pytest.raises(ImproperlyConfigured, match="NIGHTLY_CHUNK_SIZE='0' is too small"):
        load(NIGHTLY_CHUNK_SIZE="0")
