"""Figures in one style: image grids, heat maps and training curves.

Each function draws inside the course style (``STYLE``) without changing matplotlib's global
settings, and returns the figure; a notebook shows it by leaving it as the cell's last value or
with ``plt.show()``.
"""

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

STYLE = {
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "image.cmap": "viridis",
    "legend.frameon": False,
}


def style():
    """A context in which matplotlib uses the course style: ``with plot.style(): ...``."""
    return plt.rc_context(STYLE)


def show(fig) -> None:
    """Show a figure drawn inside ``with plot.style():`` and close it.

    Jupyter shows open figures at the end of a cell, but not reliably those made inside a
    ``style()`` block (only the first of them appears), so such cells end with ``plot.show(fig)``.
    Outside IPython the figure is only closed.
    """
    plt.close(fig)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is not None:
        display(fig)


def image_grid(images, columns: int = 10, titles: Sequence[str] | None = None, cmap: str = "gray_r",
               size: float = 0.9, vmin: float = 0.0, vmax: float = 1.0, title: str | None = None):
    """Grey-scale images (n, height, width) in a grid, ``columns`` a row, with optional titles."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, height, width), got {images.shape}")
    n = len(images)
    columns = min(columns, n)
    rows = -(-n // columns)
    with style():
        fig, axes = plt.subplots(rows, columns, figsize=(columns * size, rows * size * (1.25 if titles else 1)),
                                 squeeze=False)
        for i, ax in enumerate(axes.flat):
            ax.axis("off")
            if i < n:
                ax.imshow(images[i], cmap=cmap, vmin=vmin, vmax=vmax)
                if titles is not None:
                    ax.set_title(titles[i], fontsize=8)
        if title:
            fig.suptitle(title)
        fig.tight_layout()
    plt.close(fig)
    return fig


def heatmap(matrix, x_labels: Sequence[str] | None = None, y_labels: Sequence[str] | None = None,
            title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
            size: tuple[float, float] = (6, 5), cmap: str = "viridis", colorbar: bool = True):
    """A matrix as a picture (attention weights, transition probabilities), with tick labels."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2:
        raise ValueError(f"a heat map needs a 2-D matrix, got shape {matrix.shape}")
    with style():
        fig, ax = plt.subplots(figsize=size)
        im = ax.imshow(matrix, cmap=cmap, aspect="auto")
        ax.grid(False)
        for labels, set_ticks, set_labels in ((x_labels, ax.set_xticks, ax.set_xticklabels),
                                              (y_labels, ax.set_yticks, ax.set_yticklabels)):
            if labels is not None:
                set_ticks(range(len(labels)))
                set_labels(labels, fontsize=8)
        ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
        if colorbar:
            fig.colorbar(im, ax=ax)
        fig.tight_layout()
    plt.close(fig)
    return fig


def curves(series: Mapping[str, Sequence[float]], xlabel: str = "step", ylabel: str = "loss",
           title: str | None = None, x: Sequence[float] | None = None, logy: bool = False,
           smooth: int = 1, size: tuple[float, float] = (6, 3.5)):
    """Training curves: one line per named series, optionally smoothed with a moving average of
    ``smooth`` points, against ``x`` (default: 0, 1, 2, ...)."""
    with style():
        fig, ax = plt.subplots(figsize=size)
        for name, values in series.items():
            values = np.asarray(values, dtype=float)
            if smooth > 1 and len(values) >= smooth:
                values = np.convolve(values, np.ones(smooth) / smooth, mode="valid")
            xs = np.arange(len(values)) if x is None else np.asarray(x)[-len(values):]
            ax.plot(xs, values, label=name)
        ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
        if logy:
            ax.set_yscale("log")
        if len(series) > 1:
            ax.legend()
        fig.tight_layout()
    plt.close(fig)
    return fig
