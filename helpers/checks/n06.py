"""Checks for the exercises of notebook 06 (RL fine-tuning)."""

__all__: list[str] = []
