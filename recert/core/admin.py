"""The staff admin for the domain. Writes that the domain tracks go through the actions."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from recert.core.actions import credits as credit_actions
from recert.core.actions.certifications import (
    CERTIFICATION_FIELDS,
    do_create_certification,
    do_update_certification,
)
from recert.core.actions.credits import CREDIT_FIELDS
from recert.core.actions.history import do_restore, do_soft_delete
from recert.core.actions.professionals import PROFESSIONAL_FIELDS, do_update_professional
from recert.core.documents import serve_document
from recert.core.models import (
    Certification,
    CertifyingBody,
    Course,
    CreditDecision,
    CreditEntry,
    Cycle,
    Document,
    History,
    MemberId,
    Professional,
    Program,
)


class ProgramInline(admin.TabularInline):
    model = Program
    extra = 0


@admin.register(CertifyingBody)
class CertifyingBodyAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
    inlines = [ProgramInline]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "body", "specialty")
    list_select_related = ("body",)
    list_filter = ("body", "specialty")
    search_fields = ("code", "name")


class MemberIdInline(admin.TabularInline):
    model = MemberId
    extra = 0


@admin.register(Professional)
class ProfessionalAdmin(admin.ModelAdmin):
    """Raw data repair (superusers). Creating an account and its claim link is added by the
    accounts app (recert.accounts.admin), which owns accounts."""

    list_display = ("full_name", "email", "user", "city", "country", "created_at")
    list_select_related = ("user",)
    search_fields = ("full_name", "email", "user__username", "member_ids__member_id")
    list_filter = ("country", "certifications__program__body")
    inlines = [MemberIdInline]
    readonly_fields = ("user",)

    def get_fields(self, request, obj=None):
        return ["user", *PROFESSIONAL_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return ("user",) if obj else ()

    def save_model(self, request, obj, form, change):
        fields = {k: form.cleaned_data[k] for k in PROFESSIONAL_FIELDS if k in form.changed_data}
        do_update_professional(Professional.objects.get(pk=obj.pk), actor=request.user,
                               **fields)


class CycleInline(admin.TabularInline):
    model = Cycle
    extra = 0
    fields = ("number", "start", "end", "closed_at", "closed_reason")


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ("professional", "program", "certified_on", "cpr_aed_valid_until", "status",
                    "deleted_at")
    list_filter = ("program__body", "program", "status", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("professional__full_name", "professional__user__username")
    list_select_related = ("professional__cpr_aed", "program__body")
    autocomplete_fields = ("professional",)
    inlines = [CycleInline]
    actions = ["restore"]
    fields = ("professional", *CERTIFICATION_FIELDS, "deleted_at")
    readonly_fields = ("deleted_at",)

    def get_queryset(self, request):
        return Certification.all_objects.select_related("professional__cpr_aed",
                                                        "program__body")

    def save_model(self, request, obj, form, change):
        if change:
            fields = {k: form.cleaned_data[k] for k in CERTIFICATION_FIELDS
                      if k in form.changed_data}
            do_update_certification(Certification.all_objects.get(pk=obj.pk),
                                    actor=request.user, **fields)
            return
        created = do_create_certification(
            form.cleaned_data["professional"], form.cleaned_data["program"],
            form.cleaned_data["certified_on"], actor=request.user,
            cpr_aed_valid_until=form.cleaned_data.get("cpr_aed_valid_until"),
        )
        obj.pk = created.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        do_soft_delete(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    @admin.action(description="Restore deleted certifications")
    def restore(self, request, queryset):
        for obj in queryset:
            do_restore(obj, actor=request.user)


def document_link(document: Document) -> str:
    """A link to the staff download view (uploads are never served from MEDIA_URL)."""
    if not document.pk:
        return "—"
    return format_html('<a href="{}">{}</a>',
                       reverse("admin:core_document_download", args=[document.pk]),
                       document.original_name or "document")


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    fields = ("download", "content_type", "size", "sha256", "uploaded_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="document")
    def download(self, obj):
        return document_link(obj)


class DecisionInline(admin.TabularInline):
    """Each body's decision on the entry (REVIEW-1); made through do_decide_credit_entry."""

    model = CreditDecision
    extra = 0
    fields = ("body", "outcome", "counted_as", "reason", "note", "decided_by", "decided_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CreditEntryAdminForm(forms.ModelForm):
    class Meta:
        model = CreditEntry
        fields = ["professional", *CREDIT_FIELDS, "staff_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "staff_reason" in self.fields:
            self.fields["staff_reason"].required = True
            self.fields["staff_reason"].initial = ""
            self.fields["staff_reason"].help_text = (
                "Why staff enter or change this entry; the professional sees it on the entry.")
            if self.instance.pk:
                self.initial["staff_reason"] = ""


class CappedCountPaginator(Paginator):
    """Counts at most CAP + 1 rows (COUNT over a LIMIT subquery): at millions of rows a
    list's full COUNT took seconds; past the cap the list shows the first CAP + 1 and
    staff narrow it with the filters or the search."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        # Unordered: ordered by the list's date, a filter or search that many rows match
        # walked the date index backwards (1–2 s at 5 million entries); unordered, the scan
        # stops after CAP + 1 matches wherever they are.
        return self.object_list.order_by()[:self.CAP + 1].count()


@admin.register(CreditEntry)
class CreditEntryAdmin(admin.ModelAdmin):
    form = CreditEntryAdminForm
    list_display = ("title", "professional", "earned_on", "amount", "unit", "format",
                    "awarded_by", "petition", "source", "deleted_at")
    list_filter = ("earned_on", "format", "unit", "awarded_by", "petition", "source",
                   ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "provider", "course_number", "professional__full_name",
                     "professional__user__username")
    # No date hierarchy (its year list reads every row) and no full count: at millions of
    # entries each was seconds (issue 16). Dates filter through the list filter instead.
    show_full_result_count = False
    # A search matching more people than this finds the entries of the first ones only.
    PEOPLE_FOUND = 1000
    paginator = CappedCountPaginator
    list_select_related = ("professional",)
    autocomplete_fields = ("professional",)
    inlines = [DecisionInline, DocumentInline]
    actions = ["restore"]
    fields = ("professional", *CREDIT_FIELDS, "staff_reason", "deleted_at")
    readonly_fields = ("deleted_at", "source")

    def get_queryset(self, request):
        # Staff see deleted entries too, so that they can restore them.
        return CreditEntry.all_objects.select_related("professional")

    def get_search_results(self, request, queryset, search_term):
        """The entries whose title, provider or course number holds the term, or whose
        professional's name or user name does: the people are found first (a subquery on
        their table), so that every condition is on the entries' own indexed columns
        (trigram indexes on PostgreSQL) instead of LIKE across a join of millions of rows."""
        term = search_term.strip()
        if not term:
            return queryset, False
        # The people as a list of ids (at most PEOPLE_FOUND): `professional_id = ANY(…)` is
        # one more index in the bitmap OR, where a subquery made the planner walk the whole
        # date index (10 s for a rare term at a million entries).
        # Name and user name in two queries: their OR across the join to the users was a
        # sequential scan of both tables (0.5 s at 100,000 people); the name alone uses its
        # trigram index, the user names are one small table.
        people = list(Professional.objects.filter(full_name__icontains=term)
                      .values_list("pk", flat=True)[:self.PEOPLE_FOUND])
        if len(people) < self.PEOPLE_FOUND:
            people += Professional.objects.filter(user__username__icontains=term).exclude(
                pk__in=people).values_list("pk", flat=True)[:self.PEOPLE_FOUND - len(people)]
        return queryset.filter(
            Q(title__icontains=term) | Q(provider__icontains=term)
            | Q(course_number__icontains=term) | Q(professional__in=people)), False

    def save_model(self, request, obj, form, change):
        data = {k: form.cleaned_data[k] for k in CREDIT_FIELDS if k in form.cleaned_data}
        reason = form.cleaned_data.get("staff_reason", "")
        if change:
            changed = {k: v for k, v in data.items() if k in form.changed_data}
            credit_actions.do_correct_credit_entry(CreditEntry.all_objects.get(pk=obj.pk),
                                                   actor=request.user, reason=reason,
                                                   **changed)
            return
        created = credit_actions.do_create_credit_entry(
            form.cleaned_data["professional"], actor=request.user,
            **{**data, "source": CreditEntry.STAFF, "staff_reason": reason})
        obj.pk = created.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        credit_actions.do_delete_credit_entry(obj, actor=request.user,
                                              reason="deleted by staff in the admin")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    @admin.action(description="Restore deleted credit entries")
    def restore(self, request, queryset):
        restored = 0
        for entry in queryset.filter(deleted_at__isnull=False):
            do_restore(entry, actor=request.user)
            restored += 1
        noun = "entry" if restored == 1 else "entries"
        messages.success(request, f"Restored {restored} credit {noun}.")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "credit_entry", "content_type", "size", "uploaded_at")
    list_select_related = ("credit_entry",)
    search_fields = ("original_name", "sha256", "credit_entry__title")
    list_filter = ("content_type",)
    fields = ("credit_entry", "download", "original_name", "content_type", "size", "sha256",
              "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    @admin.display(description="file")
    def download(self, obj):
        return document_link(obj)

    def get_urls(self):
        return [
            path("<int:document_id>/download/", self.admin_site.admin_view(self.download_view),
                 name="core_document_download"),
            *super().get_urls(),
        ]

    def download_view(self, request, document_id: int) -> FileResponse:
        """The stored file, to staff who may view documents, served like the owner's download
        (recert.core.documents.serve_document)."""
        if not self.has_view_permission(request):  # before the lookup: no existence leak
            raise PermissionDenied
        document = Document.objects.filter(pk=document_id).first()
        if document is None:
            raise Http404("No such document.")
        return serve_document(document)


@admin.register(History)
class HistoryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "professional")
    list_filter = ("action", "object_type")
    search_fields = ("professional__full_name", "actor__username", "object_id")
    date_hierarchy = "at"
    list_select_related = ("actor", "professional")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["course_number", "title", "provider", "credits", "status", "approved_from",
                    "approved_until"]
    list_filter = ["body", "status"]
    list_select_related = ["provider"]
    search_fields = ["course_number", "title", "provider__name"]
