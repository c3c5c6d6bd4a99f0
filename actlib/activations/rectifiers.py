"""rectifiers activations (definitions land here)."""
from __future__ import annotations
