"""The staff console's pages, one module per topic."""

from recert.staff.views.professional import professional
from recert.staff.views.search import index

__all__ = ["index", "professional"]
