"""Limits and budgets per project and per key (requests, tokens, spend), shared across replicas."""

from benchroute.limits.base import (
    Admission,
    Limiter,
    LimitExceeded,
    LimitPolicy,
    Subject,
    Usage,
    Windows,
)
from benchroute.limits.memory import MemoryLimiter

__all__ = [
    "Admission",
    "LimitExceeded",
    "LimitPolicy",
    "Limiter",
    "MemoryLimiter",
    "Subject",
    "Usage",
    "Windows",
]
