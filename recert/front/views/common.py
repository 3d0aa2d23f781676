"""What several of the professional's pages show alike. (Their profile and rows come from
recert.core.access: `own_professional`, `access_*(…, own=True)`.)"""

from __future__ import annotations


def label(certification) -> str:
    return f"{certification.program.body.code} {certification.program.code}"
