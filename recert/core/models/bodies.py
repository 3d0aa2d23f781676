"""Certifying bodies and their programs, as loaded from the policy files."""

from __future__ import annotations

from django.db import models


class CertifyingBody(models.Model):
    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "certifying bodies"

    def __str__(self) -> str:
        return self.code


class Program(models.Model):
    body = models.ForeignKey(CertifyingBody, on_delete=models.PROTECT, related_name="programs")
    code = models.CharField(max_length=16)
    name = models.CharField(max_length=200)
    specialty = models.BooleanField(default=False)

    class Meta:
        ordering = ["body__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["body", "code"], name="program_code_unique_per_body")
        ]

    def __str__(self) -> str:
        return f"{self.body.code} {self.code}"

    @property
    def full_name(self) -> str:
        """The policy's name with the body's code once: "ACSM Certified Personal Trainer",
        "ACSM/NCHPAD Certified Inclusive Fitness Trainer" (never "ACSM ACSM …")."""
        code = self.body.code
        if self.name == code or self.name.startswith((f"{code} ", f"{code}/")):
            return self.name
        return f"{code} {self.name}"
