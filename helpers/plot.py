"""Figures in one style: image grids, heat maps, training curves and latent maps.

Each function draws inside the course style (``STYLE``) without changing matplotlib's global
settings, and returns the figure; a notebook shows it by leaving it as the cell's last value or
with ``plt.show()``.
"""

from collections.abc import Mapping, Sequence
from contextlib import contextmanager

import matplotlib
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


@contextmanager
def style():
    """A context in which matplotlib uses the course style: ``with plot.style(): ...``.

    On leaving, every setting is restored except interactive mode. The first figure of a session
    makes matplotlib load its backend, and Jupyter's inline backend switches interactive mode on
    as it loads; a plain ``plt.rc_context`` would switch it off again on exit, and from then on
    figures made with ``plt.subplots`` in later cells would never be displayed. So interactive
    mode keeps whatever value it has at the end of the block.
    """
    with plt.rc_context(STYLE):
        try:
            yield
        finally:
            interactive = matplotlib.is_interactive()
    matplotlib.interactive(interactive)


def show(fig) -> None:
    """Display a figure and close it (so Jupyter does not show it a second time at the end of the
    cell). Useful for a figure that is not the cell's last value. Outside IPython the figure is
    only closed.
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


def gaussian_grid(n: int = 15, coverage: float = 0.9) -> np.ndarray:
    """``n`` coordinates that cut the central ``coverage`` of a standard normal into equally likely
    steps (its quantiles), so a latent map over them spends its tiles where the prior puts mass."""
    from statistics import NormalDist

    if not 0 < coverage < 1 or n < 2:
        raise ValueError(f"need n >= 2 and 0 < coverage < 1, got n={n}, coverage={coverage}")
    tail = (1 - coverage) / 2
    return np.array([NormalDist().inv_cdf(p) for p in np.linspace(tail, 1 - tail, n)])


def latent_map(decode, x_values: Sequence[float], y_values: Sequence[float] | None = None,
               title: str | None = None, size: float = 5, cmap: str = "gray_r"):
    """A 2-D latent space as a picture: ``decode`` (m, 2) codes -> (m, height, width) images in
    [0, 1] is called once on the grid of ``x_values`` x ``y_values`` (default: the same), and each
    image is drawn at its code (first latent to the right, second upwards), like a map."""
    x_values = np.asarray(x_values, dtype=np.float32)
    y_values = x_values if y_values is None else np.asarray(y_values, dtype=np.float32)
    grid = np.stack(np.meshgrid(x_values, y_values[::-1]), axis=-1).reshape(-1, 2)  # top row: largest y
    images = np.asarray(decode(grid))
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or len(images) != len(grid):
        raise ValueError(f"decode must return one (height, width) image per code, got shape {images.shape}")
    images = np.pad(images, ((0, 0), (0, 1), (0, 1)))  # a blank line between neighbouring tiles
    rows, columns, (h, w) = len(y_values), len(x_values), images.shape[1:]
    tiles = images.reshape(rows, columns, h, w).transpose(0, 2, 1, 3).reshape(rows * h, columns * w)
    with style():
        fig, ax = plt.subplots(figsize=(size, size * rows / columns))
        ax.imshow(tiles, cmap=cmap, vmin=0, vmax=1, extent=(-0.5, columns - 0.5, -0.5, rows - 0.5))
        ax.grid(False)
        ticks = np.linspace(0, columns - 1, 5).round().astype(int)
        ax.set_xticks(ticks, [f"{x_values[i]:.1f}" for i in ticks])
        ticks = np.linspace(0, rows - 1, 5).round().astype(int)
        ax.set_yticks(ticks, [f"{y_values[i]:.1f}" for i in ticks])
        ax.set(xlabel="$z_1$", ylabel="$z_2$", title=title)
        fig.tight_layout()
    plt.close(fig)
    return fig
