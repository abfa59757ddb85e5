"""Settings, the exception hierarchy, identifiers, state machines and audit primitives."""

from genopath.core.errors import GenopathError
from genopath.core.settings import Settings, get_settings

__all__ = ["GenopathError", "Settings", "get_settings"]
