"""Approved courses listed by a certifying body (ACE course numbers) with their credits."""

from __future__ import annotations

from django.db import models


class Course(models.Model):
    body = models.ForeignKey("core.CertifyingBody", on_delete=models.PROTECT,
                             related_name="courses")
    course_number = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    provider = models.CharField(max_length=200)
    # Credits in the body's own unit as printed on the certificate (ACE: CECs, 0.1 per hour).
    credits = models.DecimalField(max_digits=6, decimal_places=2)
    format = models.CharField(max_length=30, default="course")
    approved_from = models.DateField()
    approved_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["body__code", "course_number"]
        constraints = [
            models.UniqueConstraint(fields=["body", "course_number"],
                                    name="course_number_unique_per_body"),
        ]

    def __str__(self) -> str:
        return f"{self.course_number} {self.title}"
