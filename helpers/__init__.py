"""Helpers for the course *Generative Models from Scratch*.

One module per concern, imported on demand so that ``import helpers`` stays cheap:

- ``helpers.data``: data sets, offline-first (cache, mirror, checksummed download) and generated
- ``helpers.text``: character vocabularies, encoding, batching
- ``helpers.train``: seeding, a progress bar for custom training loops, a timer
- ``helpers.metrics``: nats and bits per character, perplexity, exact match, digits-FID and class
  coverage, recording headline figures
- ``helpers.plot``: the course's figure style, image grids, heat maps, training curves
- ``helpers.gan``: the ring of 8 Gaussians and its mode count, the GAN losses and notebook 08's
  discriminator (reused by notebooks 09 and 12)
- ``helpers.hmm``: hidden Markov models: forward-backward, Viterbi, Baum-Welch (notebook 01)
- ``helpers.rnn``: the GRU cell of notebook 02, and a loop that runs a cell over time
- ``helpers.sampling``: temperature, top-k and nucleus sampling, greedy decoding, beam search
- ``helpers.transformer``: attention, multi-head attention, positions, Transformer blocks
- ``helpers.checks``: auto-checks for the exercises
- ``helpers.colab``: the Colab badge and bootstrap cell
- ``helpers.report``: runs the notebooks and writes the timing table (``make report``)

Importing the package quiets TensorFlow's C++ logging (it must be set before TensorFlow is
imported) and changes no other global state.
"""

import os

# 3 hides the C++ INFO, WARNING and ERROR lines (such as oneDNN's note that it falls back from
# boolean ops on CPUs without AVX-512); real failures still reach Python as exceptions.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__all__ = ["checks", "colab", "data", "gan", "hmm", "metrics", "paths", "plot", "rnn", "sampling", "text", "train", "transformer"]
