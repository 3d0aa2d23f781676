"""The staff console. Every view is wrapped in staff_required (the permission matrix in
tests/staff checks each URL listed here)."""

from __future__ import annotations

from django.urls import path

from recert.staff import views
from recert.staff.reports import REPORTS
from recert.staff.views import audits, merges, policy
from recert.staff.views import messages as message_views
from recert.staff.views import reports as report_views

app_name = "staff"

urlpatterns = [
    path("", views.index, name="index"),
    path("professionals/<int:professional_id>/", views.professional, name="professional"),
    # Every e-mail as this professional would receive it today (issue 17).
    path("professionals/<int:professional_id>/messages/", message_views.messages,
         name="messages"),
    path("professionals/<int:professional_id>/messages/<str:kind>/", message_views.messages,
         name="message"),
    path("professionals/<int:professional_id>/messages/<str:kind>/html/",
         message_views.message_html, name="message_html"),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/<int:attempt_id>/lift/", views.lift_lockout, name="lift_lockout"),
    path("audits/", audits.audit_index, name="audits"),
    path("audits/start/<str:body_code>/", audits.audit_start, name="audit_start"),
    path("audits/<int:audit_id>/", audits.audit, name="audit"),
    path("audits/cases/<int:case_id>/", audits.audit_case, name="audit_case"),
    path("audits/cases/<int:case_id>/claim/", audits.audit_claim, name="audit_claim"),
    path("audits/cases/<int:case_id>/credits/<int:item_id>/review/", audits.audit_review,
         name="audit_review"),
    path("audits/cases/<int:case_id>/credits/<int:item_id>/appeal/", audits.audit_appeal_decide,
         name="audit_appeal_decide"),
    path("audits/<int:audit_id>/summary.xlsx", audits.audit_summary, name="audit_summary"),
    path("audits/cases/<int:case_id>/packet.pdf", audits.audit_packet, name="audit_packet"),
    path("audits/cases/<int:case_id>/files.zip", audits.audit_files, name="audit_files"),
    path("audits/cases/<int:case_id>/documents/<int:document_id>/", audits.audit_document,
         name="audit_document"),
    # Fees and policy values (issue 12).
    path("policy/", policy.policy_index, name="policy"),
    path("policy/<str:body_code>/<str:key>/", policy.policy_parameter, name="policy_parameter"),
    path("policy/<str:body_code>/<str:key>/set/", policy.set_policy_value,
         name="set_policy_value"),
    path("certifications/<int:certification_id>/reinstate/", views.reinstate,
         name="reinstate"),
    path("certifications/<int:certification_id>/exam/", views.record_exam, name="record_exam"),
    path("invoices/<str:number>/payment/", views.record_payment, name="record_payment"),
    # Reports (issue 12): a page and a download per report.
    path("reports/", report_views.report_index, name="reports"),
    path("professionals/<int:professional_id>/credits/add/", views.add_credit,
         name="add_credit"),
    path("professionals/<int:professional_id>/names/", views.names, name="names"),
    path("imports/", views.import_index, name="imports"),
    path("imports/<int:import_id>/", views.import_detail, name="import"),
    path("imports/<int:import_id>/commit/", views.import_commit, name="import_commit"),
    path("credits/<int:entry_id>/correct/", views.correct_credit, name="correct_credit"),
    path("credits/<int:entry_id>/remove/", views.remove_credit, name="remove_credit"),
    path("certifications/<int:certification_id>/dates/", views.correct_certification,
         name="correct_certification"),
    # Merging duplicate profiles (issue 12).
    path("merges/", merges.merge_index, name="merges"),
    path("merges/preview/", merges.merge_preview, name="merge_preview"),
    path("merges/merge/", merges.merge_profiles, name="merge_profiles"),
    path("merges/<int:merge_id>/", merges.merge, name="merge"),
    path("merges/<int:merge_id>/undo/", merges.merge_undo, name="merge_undo"),
]
for _report in REPORTS.values():
    _page, _download = report_views.views_of(_report)
    urlpatterns += [
        path(f"reports/{_report.key}/", _page, name=f"report_{_report.key}"),
        path(f"reports/{_report.key}/download.<str:fmt>", _download,
             name=f"report_{_report.key}_download"),
    ]
