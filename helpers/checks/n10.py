"""Checks for the exercises of notebook 10 (MCMC and a masked language model)."""

__all__: list[str] = []
