"""Checks for the exercises of notebook 09 (diffusion)."""

__all__: list[str] = []
