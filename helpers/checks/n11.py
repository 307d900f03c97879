"""Checks for the exercises of notebook 11 (the CRF)."""

__all__: list[str] = []
