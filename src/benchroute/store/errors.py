"""The store layer's one error type. Messages never carry a secret."""

from __future__ import annotations


class StoreError(Exception):
    """A store operation failed (bad filter, undecryptable key, unsupported URL...)."""
