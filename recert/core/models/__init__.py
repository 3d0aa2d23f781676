"""Domain models, one module per topic."""

from recert.core.models.bodies import CertifyingBody, Program
from recert.core.models.certifications import Certification, Cycle
from recert.core.models.courses import Course
from recert.core.models.credits import CreditDecision, CreditEntry, Document
from recert.core.models.history import History
from recert.core.models.merges import MemberIdAlias, ProfileMerge
from recert.core.models.policies import PolicyValue
from recert.core.models.professionals import CprAed, MemberId, PreviousName, Professional
from recert.core.models.providers import (
    CourseCredit,
    Provider,
    ProviderApproval,
    ProviderMembership,
)
from recert.core.models.staff import StaffMembership

__all__ = [
    "CertifyingBody",
    "Certification",
    "Course",
    "CourseCredit",
    "CprAed",
    "CreditDecision",
    "CreditEntry",
    "Cycle",
    "Document",
    "History",
    "MemberId",
    "MemberIdAlias",
    "PreviousName",
    "PolicyValue",
    "ProfileMerge",
    "Professional",
    "Program",
    "Provider",
    "ProviderApproval",
    "ProviderMembership",
    "StaffMembership",
]
