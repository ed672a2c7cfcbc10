"""Helpers for end-to-end tests against the local stack (kept out of conftest so tests can import them)."""

from __future__ import annotations

from local.runner import ROOT, START_TIMEOUT_SECONDS, LocalStack, free_port, running_local_stack

__all__ = ["ROOT", "START_TIMEOUT_SECONDS", "LocalStack", "free_port", "running_local_stack"]
