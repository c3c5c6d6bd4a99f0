"""Definitions of every activation, one module per family of the course.

Importing this package registers them all with :func:`actlib._core.define`.
"""
import importlib

_FAMILIES = ("sigmoidal", "rectifiers", "exponential", "gated", "shrinkage", "periodic", "others",
             "vector")

for _family in _FAMILIES:
    importlib.import_module(f"{__name__}.{_family}")
