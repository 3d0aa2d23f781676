"""The staff console's pages, one module per topic."""

from recert.staff.views.corrections import (
    add_credit,
    correct_certification,
    correct_credit,
    remove_credit,
)
from recert.staff.views.imports import import_commit, import_detail, import_index
from recert.staff.views.lifecycle import record_exam, record_payment, reinstate
from recert.staff.views.lockouts import lift_lockout, lockouts
from recert.staff.views.names import names
from recert.staff.views.professional import professional
from recert.staff.views.search import index

__all__ = [
    "add_credit", "correct_certification", "correct_credit", "import_commit", "import_detail",
    "import_index", "index", "lift_lockout", "lockouts", "names", "professional",
    "record_exam", "record_payment", "reinstate", "remove_credit",
]
