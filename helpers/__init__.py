"""Helpers for the course *Generative Models from Scratch*.

One module per concern, imported on demand so that ``import helpers`` stays cheap:

- ``helpers.data``: data sets, offline-first (cache, mirror, checksummed download) and generated
- ``helpers.text``: character vocabularies, encoding, batching
- ``helpers.train``: seeding, a progress bar for custom training loops, a timer
- ``helpers.metrics``: nats and bits per character, perplexity, recording headline figures
- ``helpers.plot``: the course's figure style, image grids, heat maps, training curves
- ``helpers.checks``: auto-checks for the exercises
- ``helpers.colab``: the Colab badge and bootstrap cell
- ``helpers.report``: runs the notebooks and writes the timing table (``make report``)

Importing the package quiets TensorFlow's C++ logging (it must be set before TensorFlow is
imported) and changes no other global state.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__all__ = ["checks", "colab", "data", "metrics", "paths", "plot", "text", "train"]
