"""The landing-zone spec: typed, validated, the single source of truth (`model.py`, loaded by `load.py`).

Importing this package loads nothing else, so the small modules in it (`values`, `flags`) are cheap to import
at start-up.
"""
