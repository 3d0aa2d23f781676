"""What every route shares: the documented error statuses and the caller's professional."""


from typing import Annotated

from ninja import Path
from pydantic import Field

from recert.api.problems import Problem

# Every route can answer these (not signed in, not allowed, not yours, bad input, too many).
COMMON = (400, 401, 403, 404, 422, 429)
MAX_ID = 2**63 - 1

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Limit = Annotated[int, Field(ge=1, le=200)]


def responses(ok: dict, *extra: int) -> dict:
    out = dict(ok)
    for status in (*COMMON, *extra):
        out[status] = Problem
    return out
