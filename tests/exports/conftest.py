"""The security suite's world (alice's objects of every kind) for the your-data tests."""

from tests.security.conftest import tom, world  # noqa: F401
