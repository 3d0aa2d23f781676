"""The shape the code keeps (issue 9, ../shared/spec/ARCHITECTURE.md), checked by reading the
source, so that a new feature cannot quietly bend it:

- the rules engine imports neither Django nor the rest of Recert;
- domain apps import downward only (core at the bottom) and never an interface app;
- no model write outside an `actions` module (save, delete, create, queryset update, ...),
  except the few places listed below, each with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RECERT = Path(__file__).resolve().parent.parent / "recert"

# Domain apps, lowest first: each may import the ones before it (and rules, lib, tasks).
DOMAIN = ["core", "accounts", "renewals", "providers", "audits"]
INTERFACES = {"front", "staff", "api", "exports", "verify", "demo", "cli", "urls"}

# (file, what the call is on) → why it is not an action's write.
WRITE_EXCEPTIONS = {
    ("accounts/models.py", "super"): "the model keeps its own invariant on save",
    ("core/models/history.py", "super"): "history rows refuse changes once written",
    ("core/models/policies.py", "super"): "dated policy values are append-only",
    ("core/models/professionals.py", "super"): "the display name and the name parts are "
                                               "kept in step on save",
    ("providers/models.py", "super"): "an event derives its local dates on save",
    ("core/signals.py", "Professional"): "the evaluation cache's version counter, moved by "
                                         "every write the engine reads (not domain data)",
    ("accounts/second_factor.py", "TOTPDevice"): "an unconfirmed authenticator, made on first "
                                                 "need; confirming it is an action",
    ("api/idempotency.py", "IdempotencyRecord"): "the API's replay store, not domain data",
    ("api/idempotency.py", "claimed"): "the API's replay store, not domain data",
    ("api/routes/credits.py", "router"): "a route decorator (HTTP DELETE), not a write",
    ("audits/packet.py", "book"): "an openpyxl workbook written to a response",
    ("staff/reports.py", "workbook"): "an openpyxl workbook written to a response",
    ("core/catalog.py", "CertifyingBody"): "loading the shipped course catalog (migration)",
    ("core/catalog.py", "Provider"): "loading the shipped course catalog (migration)",
    ("core/catalog.py", "Course"): "loading the shipped course catalog (migration)",
    ("staff/roles.py", "Group"): "role groups kept in step after migrate",
}
WRITE_METHODS = {"save", "delete", "bulk_create", "bulk_update", "get_or_create",
                 "update_or_create", "create", "update"}
QUERYSET_ONLY = WRITE_METHODS - {"save", "delete"}  # dict.update, list/set.create...


def _modules():
    for path in sorted(RECERT.rglob("*.py")):
        rel = path.relative_to(RECERT).as_posix()
        if "/migrations/" in rel:
            continue
        yield rel, ast.parse(path.read_text(encoding="utf-8"), filename=rel)


def _app(rel: str) -> str:
    return rel.split("/")[0].removesuffix(".py")


def _imported(tree) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def test_the_rules_engine_imports_neither_django_nor_recert():
    bad = [f"rules/{rel}:{line} imports {module}"
           for rel, tree in _modules() if _app(rel) == "rules"
           for line, module in _imported(tree)
           if module.split(".")[0] == "django"
           or (module.startswith("recert.") and not module.startswith("recert.rules"))]
    assert not bad, "\n".join(bad)


def test_domain_apps_import_downward_only():
    bad = []
    for rel, tree in _modules():
        app = _app(rel)
        if app not in DOMAIN or "/management/" in rel:  # commands are an interface
            continue
        allowed = set(DOMAIN[:DOMAIN.index(app) + 1]) | {"rules", "lib", "tasks"}
        for line, module in _imported(tree):
            parts = module.split(".")
            if parts[0] == "recert" and len(parts) > 1 and parts[1] not in allowed:
                kind = "an interface" if parts[1] in INTERFACES else "a higher domain app"
                bad.append(f"{rel}:{line} imports {module} ({kind})")
    assert not bad, "\n".join(bad)


def _receiver(node) -> list[str]:
    parts = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        else:
            break
    return list(reversed(parts))


def test_no_model_write_outside_actions():
    bad = []
    for rel, tree in _modules():
        if "/actions" in rel or rel.split("/")[0] in {"demo"} or "/management/" in rel:
            continue  # actions write; the demo and commands build data through them or in bulk
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in WRITE_METHODS):
                continue
            chain = _receiver(node.func.value)
            queryset = "objects" in chain or {"filter", "exclude", "all",
                                              "select_for_update"} & set(chain)
            if node.func.attr in QUERYSET_ONLY and not queryset:
                continue
            if node.func.attr == "delete" and not queryset and chain[-1:] in (["storage"],
                                                                                ["cache"]):
                continue
            if (rel, chain[0] if chain else "") in WRITE_EXCEPTIONS:
                continue
            bad.append(f"{rel}:{node.lineno}: {'.'.join(chain)}.{node.func.attr}(...)")
    assert not bad, ("model writes outside actions (move them into an action, or list the "
                     "place in WRITE_EXCEPTIONS with its reason):\n" + "\n".join(bad))


@pytest.mark.parametrize("rel", sorted({rel for rel, _ in WRITE_EXCEPTIONS}))
def test_every_exception_still_exists(rel):
    """An exception whose file is gone is stale: remove it."""
    assert (RECERT / rel).exists(), rel


# URL name → why its view function has another name (docs/architecture.md: one name per
# topic). Keep it short: a new page takes its URL name as its view's name.
NAME_EXCEPTIONS = {
    "certifications": "the view module recert.front.views.certifications has that name",
    "credits": "the view module recert.front.views.credits has that name",
    "settings": "django.conf.settings is used in the API's views module",
    "report_*": "the staff reports' pages are made in a loop, one per report key",
    "staff:message": "one message kind of the messages page (`messages`)",
    # A view named like its URL would hide the view module of the same name in
    # recert.staff.views (as "credits" above), or is a Python keyword.
    "staff:audits": "the view module recert.staff.views.audits has that name",
    "staff:policy": "the view module recert.staff.views.policy has that name",
    "staff:reports": "the view module recert.staff.views.reports has that name",
    "staff:imports": "the view module recert.staff.views.imports has that name",
    "staff:merges": "the view module recert.staff.views.merges has that name",
    "staff:import": "import is a Python keyword",
}


def _named_views():
    from django.urls import URLResolver, get_resolver

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = (f"{namespace}:{p.namespace}" if namespace else p.namespace) \
                    if p.namespace else namespace
                yield from walk(p.url_patterns, ns)
            elif p.name:
                yield (f"{namespace}:{p.name}" if namespace else p.name), p.callback

    return walk(get_resolver().url_patterns)


def test_url_name_is_the_view_name():
    """Every named page of Recert's own apps has the view function of its URL name (the
    admin, the API's generated routes and Django's class-based views are not ours to name)."""
    bad = []
    for name, view in _named_views():
        module = getattr(view, "__module__", "")
        if not module.startswith("recert.") or module.startswith("recert.api.v1") \
                or hasattr(view, "view_class") or name.startswith(("admin:", "api-v1:")):
            continue
        short = name.split(":")[-1]
        if short == view.__name__ or name in NAME_EXCEPTIONS or short in NAME_EXCEPTIONS \
                or (short.startswith("report_") and "report_*" in NAME_EXCEPTIONS):
            continue
        bad.append(f"{name}: view {module}.{view.__name__}")
    assert not bad, ("URL name and view name differ (rename one, or list it in "
                     "NAME_EXCEPTIONS with its reason):\n" + "\n".join(bad))


def test_every_name_exception_is_still_needed():
    """An exception whose URL now has its view's name, or no longer exists, is stale."""
    names = {name: view for name, view in _named_views()}
    stale = [name for name in NAME_EXCEPTIONS if name != "report_*"
             and (name not in names or names[name].__name__ == name.split(":")[-1])]
    assert not stale, stale
