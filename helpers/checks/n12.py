"""Checks for the exercises of notebook 12 (a style-based generator)."""

__all__: list[str] = []
