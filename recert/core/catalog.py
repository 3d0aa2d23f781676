"""The demo catalog of ACE-approved courses, so that entering a known number fills in its CECs.

Shipped by a data migration and reloaded (idempotently) by `recert demo`; staff edit it in the
admin. Numbers follow ACE-COURSE-1 (CEP/CP/CA/CS/CL + 5 or 6 digits).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

# (course number, title, provider, ACE CECs, format, approved from, approved until)
DEMO_COURSES = [
    ("CEP123456", "Functional Training for Older Adults", "ACE", "0.7", "online_course",
     date(2024, 1, 1), date(2027, 12, 31)),
    ("CA23456", "Kettlebell Foundations", "Fitness Education Partners", "0.8", "workshop",
     date(2024, 6, 1), date(2027, 6, 30)),
    ("CP10234", "Nutrition Essentials for Fitness Professionals", "ACE", "1.5", "online_course",
     date(2023, 1, 1), None),
    ("CS45678", "ACE Fitness Summit 2026", "ACE", "1.2", "conference",
     date(2026, 5, 1), date(2026, 12, 31)),
    ("CL56789", "Behavior Change Coaching Lab", "Mindful Motion Institute", "0.6", "workshop",
     date(2025, 1, 1), date(2027, 12, 31)),
    ("CEP234567", "Exercise Programming for Clients with Hypertension", "ACE", "1.0",
     "online_course", date(2025, 3, 1), None),
    ("CA34567", "Indoor Cycling Instructor Training", "Ride Strong Academy", "0.9", "workshop",
     date(2024, 1, 1), date(2026, 12, 31)),
    ("CP67890", "Youth Fitness: Designing Safe Programs", "ACE", "0.5", "online_course",
     date(2024, 9, 1), None),
    ("CS78901", "Strength and Conditioning Weekend", "Performance Coaching Group", "1.4",
     "conference", date(2025, 9, 1), date(2027, 8, 31)),
    ("CL89012", "Mobility and Flexibility Lab", "Move Well Studio", "0.4", "workshop",
     date(2025, 2, 1), date(2027, 1, 31)),
]


def load_demo_catalog() -> int:
    """Adds the demo courses that are missing, approved, each under its provider
    organization (created when missing)."""
    from recert.core.models import CertifyingBody, Course, Provider

    body, _ = CertifyingBody.objects.get_or_create(
        code="ACE", defaults={"name": "American Council on Exercise"}
    )
    added = 0
    for number, title, provider, credits, fmt, start, until in DEMO_COURSES:
        organization, _ = Provider.objects.get_or_create(name=provider)
        _, created = Course.objects.get_or_create(
            body=body, course_number=number,
            defaults={"title": title, "provider": organization, "credits": Decimal(credits),
                      "format": fmt, "approved_from": start, "approved_until": until,
                      "status": Course.APPROVED},
        )
        added += created
    return added
