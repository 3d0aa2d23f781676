"""The professional's pages, one module per topic."""

from recert.front.views.certifications import (
    certification,
    certification_cpr,
    certification_list,
    cpr_aed,
    cpr_card,
)
from recert.front.views.credits import (
    credit,
    credit_delete,
    credit_edit,
    credit_list,
    credit_restore,
    document,
    document_remove,
)
from recert.front.views.dashboard import dashboard
from recert.front.views.report import course_lookup, credit_preview, report
from recert.front.views.settings import email_settings, email_unsubscribe

__all__ = [
    "email_settings", "email_unsubscribe",
    "certification_cpr", "certification", "certification_list", "cpr_aed", "cpr_card",
    "course_lookup",
    "credit_delete", "credit", "credit_edit", "credit_list", "credit_restore",
    "dashboard", "document", "document_remove", "credit_preview", "report",
]
