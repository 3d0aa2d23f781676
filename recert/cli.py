"""The `recert` command: demo, serve, manage, evaluate, nightly, worker, backup, restore.

`recert evaluate` imports only the rules engine, never Django.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

USAGE = """usage: recert COMMAND [ARGS]

commands:
  demo       create or reuse a SQLite database in the data folder, load the demo, serve it
  serve      run the production server (gunicorn), settings from the environment
  manage     Django's management commands (recert manage help)
  evaluate   evaluate a case file with the rules engine (see EVALUATE.md)
  nightly    move statuses to grace/invalid and send due renewal reminders (cron, daily)
  worker     run a background-task worker (RQ on REDIS_URL) for the task queues
  backup     write the database and the uploaded documents to one archive (recert backup DEST)
  restore    restore such an archive into an empty database (recert restore SRC [--force])
"""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recert.settings")
    import django

    django.setup()


def demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="recert demo", description=(
        "Create (or reuse) the database in the data folder, apply migrations, load the "
        "policies and the demo data, print the demo accounts, and serve the app."))
    parser.add_argument("--data", help="data folder (default: $RECERT_DATA or ./data)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--password", help="use this password for every demo account "
                                            "(default: new random ones on every run)")
    parser.add_argument("--no-serve", action="store_true", help="load and print, then exit")
    args = parser.parse_args(argv)
    if args.data:
        os.environ["RECERT_DATA"] = str(Path(args.data).expanduser().resolve())
    os.environ.setdefault("DEBUG", "1")
    from django.conf import settings

    # Only when this process has not read its settings yet (not when a test calls this).
    badge_key = not settings.configured and not os.environ.get("RECERT_BADGE_KEYS", "").strip()
    if not settings.configured:
        # Links in e-mails and the URLs inside badges (issuer, keys, status lists) point at
        # the address the demo is served on.
        os.environ.setdefault("SITE_URL", f"http://{args.host}:{args.port}")
    if badge_key:
        # A badge-signing key for this run only (random, never stored), so that the demo
        # offers Open Badges; badges of an earlier run then read "unknown key".
        from recert.lib.signing_keys import new_key_item

        os.environ["RECERT_BADGE_KEYS"] = new_key_item()
    _setup_django()

    from django.core.management import call_command
    from django.utils import timezone

    from recert.demo.people import load_demo

    print(f"Data folder: {settings.DATA_DIR}")
    print("Applying migrations…")
    call_command("migrate", interactive=False, verbosity=0)
    print("Loading policies and demo data…")
    from django.test.utils import override_settings

    from recert.demo.audits import load_demo_audit
    from recert.demo.providers import load_demo_providers
    from recert.demo.renewals import load_demo_renewals

    # The e-mails that loading sends (audit notices, roster credits, receipts) would bury the
    # accounts below in the console: they stay in each person's history instead.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        accounts = load_demo(timezone.localdate(), password=args.password)
        load_demo_renewals(timezone.localdate())
        accounts += load_demo_audit(timezone.localdate(), password=args.password)
        accounts += load_demo_providers(timezone.localdate(), password=args.password)
    url = f"http://{args.host}:{args.port}/"
    print()
    print(f"Recert demo: {url}")
    print(f"Staff console: {url}staff/  (admin for superusers: {url}admin/)")
    print("Demo accounts (passwords are new on every run unless --password is given):")
    width = max(len(a.username) for a in accounts)
    for account in accounts:
        print(f"  {account.username:<{width}}  {account.password}  ({account.role})")
    from recert.demo.people import demo_authenticator_key

    print(f"Second factor of the staff and admin accounts: add the key "
          f"{demo_authenticator_key()} to an authenticator app (or run: oathtool --totp -b "
          f"KEY) and type its code after the password.")
    if badge_key:
        print("Open Badges are signed with a key made for this run only (set "
              "RECERT_BADGE_KEYS to keep one: recert manage badge_key).")
    print()
    sys.stdout.flush()
    if args.no_serve:
        return 0
    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False)
    return 0


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="recert serve", description=(
        "Run Recert under gunicorn. Settings come from the environment (see README); "
        "DEBUG is off unless set."))
    parser.add_argument("--bind", default=os.environ.get("RECERT_BIND", "0.0.0.0:8000"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
    parser.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")
    args = parser.parse_args(argv)
    os.environ.setdefault("DEBUG", "0")
    _setup_django()

    from django.core.management import call_command

    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=1)
    call_command("collectstatic", interactive=False, verbosity=0)

    from gunicorn.app.wsgiapp import run

    sys.argv = ["gunicorn", "recert.wsgi:application", "--bind", args.bind,
                "--workers", str(args.workers), "--access-logfile", "-",
                "--logger-class", "recert.lib.access_log.RedactingLogger"]
    return run() or 0


def manage(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recert.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["recert manage", *argv])
    return 0


def evaluate(argv: list[str]) -> int:
    from recert.rules.cli import main as evaluate_main

    return evaluate_main(argv)


def nightly(argv: list[str]) -> int:
    """The lifecycle job (recert/renewals/management/commands/nightly.py)."""
    return manage(["nightly", *argv])


def worker(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="recert worker", description=(
        "Run an RQ worker for Recert's task queues (recert/tasks.py), on the Redis of "
        "REDIS_URL. Run as many as you like, on any machine that reaches Redis and the "
        "database. Settings come from the environment, as for `recert serve`."))
    parser.add_argument("queues", nargs="*", metavar="QUEUE",
                        help="queues to take tasks from, first one first "
                             "(default: all of TASK_QUEUES: default batch)")
    parser.add_argument("--burst", action="store_true",
                        help="work until the queues are empty, then exit")
    parser.add_argument("--name", help="worker name (default: host and process id)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DEBUG", "0")
    _setup_django()

    from django.conf import settings
    from django.core.management import call_command

    if settings.TASK_BACKEND != "rq":
        print("recert worker: tasks run in-process (TASK_BACKEND=immediate), so there is "
              "nothing for a worker to do; set REDIS_URL (and leave TASK_BACKEND unset or "
              "rq) on the servers and the workers to run tasks on workers.", file=sys.stderr)
        return 2
    queues = args.queues or list(settings.TASK_QUEUES)
    unknown = [q for q in queues if q not in settings.TASK_QUEUES]
    if unknown:
        print(f"recert worker: unknown queue {unknown[0]!r}; the queues are "
              f"{', '.join(settings.TASK_QUEUES)}.", file=sys.stderr)
        return 2
    # With the scheduler: e-mail the server refused for now is tried again later (a task
    # enqueued with run_after), see recert.tasks.send_email.
    options = {"job_class": "django_tasks_rq.Job", "burst": args.burst,
               "with_scheduler": True}
    if args.name:
        options["name"] = args.name
    call_command("rqworker", *queues, **options)
    return 0


def backup(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="recert backup", description=(
        "Write the database (SQLite: the online backup API; PostgreSQL: pg_dump -Fc) and the "
        "media folder (uploaded documents) to one .tar.gz archive with a manifest of every "
        "table's row count and every file's SHA-256. Safe while Recert serves."))
    parser.add_argument("dest", metavar="DEST", help="the archive file to write")
    args = parser.parse_args(argv)
    _setup_django()
    from recert.lib.backup import BackupError
    from recert.lib.backup import backup as make_backup

    try:
        summary = make_backup(Path(args.dest))
    except BackupError as e:
        print(f"recert backup: {e}", file=sys.stderr)
        return 1
    print(f"Backed up {summary} to {summary.path}")
    return 0


def restore(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="recert restore", description=(
        "Restore an archive made by `recert backup` into the database of DATABASE_URL (of the "
        "same kind) and the media folder, then check every table's rows and every file. "
        "Refuses a database that holds any account (or a media folder with files) unless "
        "--force. Stop the servers and workers first."))
    parser.add_argument("src", metavar="SRC", help="the archive to restore")
    parser.add_argument("--force", action="store_true",
                        help="replace a database that already holds data")
    args = parser.parse_args(argv)
    _setup_django()
    from recert.lib.backup import BackupError
    from recert.lib.backup import restore as do_restore

    try:
        summary = do_restore(Path(args.src), force=args.force)
    except BackupError as e:
        print(f"recert restore: {e}", file=sys.stderr)
        return 1
    print(f"Restored {summary} from {summary.path}; every row and file checked.")
    return 0


COMMANDS = {"demo": demo, "serve": serve, "manage": manage, "evaluate": evaluate,
            "nightly": nightly, "worker": worker, "backup": backup, "restore": restore}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        return 0
    command = COMMANDS.get(argv[0])
    if command is None:
        print(f"recert: unknown command {argv[0]!r}\n\n{USAGE}", end="", file=sys.stderr)
        return 2
    return command(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
