"""The professional's pages, one module per topic."""

from recert.front.views.certifications import (
    certification_cpr,
    certification_detail,
    certification_list,
    cpr_aed,
    cpr_card,
)
from recert.front.views.credits import (
    credit_delete,
    credit_detail,
    credit_edit,
    credit_list,
    credit_restore,
    document_download,
    document_remove,
)
from recert.front.views.dashboard import dashboard
from recert.front.views.report import course_lookup, preview, report
from recert.front.views.settings import email_settings, unsubscribe

__all__ = [
    "email_settings", "unsubscribe",
    "certification_cpr", "certification_detail", "certification_list", "cpr_aed", "cpr_card",
    "course_lookup",
    "credit_delete", "credit_detail", "credit_edit", "credit_list", "credit_restore",
    "dashboard", "document_download", "document_remove", "preview", "report",
]
