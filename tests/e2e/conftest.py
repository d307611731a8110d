"""The sample partnership for end-to-end tests."""

from tests.schema.conftest import sample_url

__all__ = ["sample_url"]
