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


@contextmanager
def _closed_on_error():
    """Close the figures made inside the block if it fails, so no half-drawn figure stays open
    (and shows up under a later cell)."""
    before = set(plt.get_fignums())
    try:
        yield
    except BaseException:
        for number in set(plt.get_fignums()) - before:
            plt.close(number)
        raise


def _check_whole(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def _check_size(size) -> None:
    sizes = np.atleast_1d(np.asarray(size, dtype=object))
    if not all(isinstance(v, int | float | np.number) and not isinstance(v, bool) and v > 0 for v in sizes):
        raise ValueError(f"size must be positive (inches), got {size!r}")


def _check_labels(name: str, labels, count: int, what: str) -> None:
    if labels is None:
        return
    if isinstance(labels, str):
        raise TypeError(f"{name} must be a list of {count} labels, got one string {labels!r}")
    if len(labels) != count:
        raise ValueError(f"{name} has {len(labels)} labels for {count} {what}")


def image_grid(images, columns: int = 10, titles: Sequence[str] | None = None, cmap: str = "gray_r",
               size: float = 0.9, vmin: float = 0.0, vmax: float = 1.0, title: str | None = None):
    """Grey-scale images (n, height, width) in a grid, ``columns`` a row, with optional titles."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, height, width), got {images.shape}")
    n = len(images)
    if n == 0 or images.shape[1] == 0 or images.shape[2] == 0:
        raise ValueError(f"images is empty (shape {images.shape}): there is nothing to draw")
    columns = _check_whole("columns", columns)
    _check_size(size)
    if titles is not None:
        if isinstance(titles, str):
            raise TypeError(f"titles must be a list of {n} strings, got one string {titles!r}; use title= for one "
                            "title above the grid")
        if len(titles) < n:
            raise ValueError(f"titles has {len(titles)} entries for {n} images")
    columns = min(columns, n)
    rows = -(-n // columns)
    with _closed_on_error(), style():
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
    if matrix.size == 0:
        raise ValueError(f"the matrix is empty (shape {matrix.shape}): there is nothing to draw")
    _check_labels("x_labels", x_labels, matrix.shape[1], "columns")
    _check_labels("y_labels", y_labels, matrix.shape[0], "rows")
    _check_size(size)
    with _closed_on_error(), style():
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
    if not isinstance(series, Mapping):
        raise TypeError(f"series must be a dict {{name: values}}, e.g. {{'loss': history}}, got "
                        f"{type(series).__name__}")
    if not series:
        raise ValueError("series is empty: give at least one named curve")
    smooth = _check_whole("smooth", smooth)
    _check_size(size)
    for name, values in series.items():
        if np.ndim(values) != 1 or len(values) == 0:
            raise ValueError(f"series[{name!r}] must be a non-empty 1-D sequence of numbers, got shape "
                             f"{np.shape(values)}")
        if x is not None and len(x) < len(values):
            raise ValueError(f"x has {len(x)} values, fewer than the {len(values)} of series[{name!r}]")
    with _closed_on_error(), style():
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
    if not callable(decode):
        raise TypeError(f"decode must be a function from codes (m, 2) to images, got {type(decode).__name__}")
    x_values = np.asarray(x_values, dtype=np.float32)
    y_values = x_values if y_values is None else np.asarray(y_values, dtype=np.float32)
    for name, values in (("x_values", x_values), ("y_values", y_values)):
        if values.ndim != 1 or len(values) < 1:
            raise ValueError(f"{name} must be a non-empty 1-D sequence of coordinates, got shape {values.shape}")
    _check_size(size)
    grid = np.stack(np.meshgrid(x_values, y_values[::-1]), axis=-1).reshape(-1, 2)  # top row: largest y
    images = np.asarray(decode(grid))
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or len(images) != len(grid):
        raise ValueError(f"decode must return one (height, width) image per code, got shape {images.shape}")
    images = np.pad(images, ((0, 0), (0, 1), (0, 1)))  # a blank line between neighbouring tiles
    rows, columns, (h, w) = len(y_values), len(x_values), images.shape[1:]
    tiles = images.reshape(rows, columns, h, w).transpose(0, 2, 1, 3).reshape(rows * h, columns * w)
    with _closed_on_error(), style():
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


def _image_stack(name: str, images) -> np.ndarray:
    """``images`` as (n, height, width) grey-scale pictures (a trailing channel of 1 is dropped),
    refusing other shapes and an empty stack."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"{name} must have shape (n, height, width), got {images.shape}")
    if 0 in images.shape:
        raise ValueError(f"{name} is empty (shape {images.shape}): there is nothing to draw")
    return images


def nearest_neighbours(images, train, nearest, distances=None, columns: int = 10, size: float = 0.9,
                       title: str | None = None):
    """Generated images (n, h, w) on the top row and, under each, its nearest training image
    (``train[nearest[i]]``), with the distance as a title when given: a picture of how close a
    generator's samples are to what it was trained on (see ``metrics.memorisation``).

    The first ``columns`` images are drawn. ``nearest`` (indices into ``train``) and ``distances``
    are in the order of the images, at least one per image; longer arrays (the whole of
    ``metrics.memorisation``'s, with the first images) are fine, but ``distances`` must have as
    many entries as ``nearest`` (they come from one search). Refused with a TypeError or
    ValueError that names the argument: empty images or train, too few indices or distances,
    indices that are not whole numbers or not in [0, len(train)), a bad ``columns`` or ``size``.
    """
    images, train = _image_stack("images", images), _image_stack("train", train)
    columns = _check_whole("columns", columns)
    _check_size(size)
    nearest = np.asarray(nearest)
    if nearest.ndim != 1 or (nearest.size and (nearest.dtype == bool or not np.issubdtype(nearest.dtype, np.integer))):
        raise TypeError(f"nearest must be a 1-D array of whole-number indices into train, got shape {nearest.shape} "
                        f"and dtype {nearest.dtype}")
    if len(nearest) < len(images):
        raise ValueError(f"need a nearest index for each image, got {len(images)} images and {len(nearest)} indices")
    if nearest.min() < 0 or nearest.max() >= len(train):
        bad = int(nearest[(nearest < 0) | (nearest >= len(train))][0])
        raise ValueError(f"nearest holds index {bad}, outside [0, {len(train)}) for the {len(train)} train images: "
                         "were the indices found in another training set?")
    if distances is not None:
        try:
            distances = np.asarray(distances, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(f"distances must be numbers, one per image, got {type(distances).__name__}") from error
        if distances.ndim != 1 or len(distances) != len(nearest):
            raise ValueError(f"distances must hold one number per nearest index ({len(nearest)}, as many as the "
                             f"images' indices), got shape {distances.shape}")
    n = min(columns, len(images))
    with _closed_on_error(), style():
        fig, axes = plt.subplots(2, n, figsize=(n * size, 2 * size * 1.3), squeeze=False)
        for i in range(n):
            for row, picture in enumerate((images[i], train[nearest[i]])):
                ax = axes[row, i]
                ax.imshow(picture, cmap="gray_r", vmin=0, vmax=1)
                ax.axis("off")
            if distances is not None:
                axes[1, i].set_title(f"{distances[i]:.2f}", fontsize=8)
        axes[0, 0].text(-0.3, 0.5, "sample", transform=axes[0, 0].transAxes, ha="right", va="center", fontsize=8)
        axes[1, 0].text(-0.3, 0.5, "nearest\ntraining", transform=axes[1, 0].transAxes, ha="right",
                        va="center", fontsize=8)
        if title:
            fig.suptitle(title)
        fig.tight_layout()
    plt.close(fig)
    return fig


def diagram(boxes: Mapping[str, tuple], arrows: Sequence[tuple] = (), groups: Sequence[tuple] = (),
            title: str | None = None, size: tuple[float, float] = (7, 4), box_size: tuple[float, float] = (1.8, 0.6)):
    """An architecture diagram drawn with matplotlib, so that it shows as an image in the saved
    outputs on GitHub, in JupyterLab and in Colab alike.

    ``boxes`` maps a name to ``(x, y, text)`` or ``(x, y, text, colour)``: a rounded box centred at
    (x, y) in free units; ``arrows`` are ``(from, to)`` or ``(from, to, label)`` pairs of box names
    (an arrow from a box to itself is drawn as a loop, e.g. a recurrent state); ``groups`` are
    ``(names, label)``: a dashed frame around those boxes with a label (a layer repeated N times,
    the encoder). Box sizes are ``box_size`` (width, height) in the same units.
    """
    from matplotlib.patches import FancyBboxPatch

    if not boxes:
        raise ValueError("boxes is empty: give at least one box as name -> (x, y, text)")
    width, height = box_size
    for name, spec in boxes.items():
        if len(spec) not in (3, 4):
            raise ValueError(f"box {name!r} must be (x, y, text) or (x, y, text, colour), got {spec!r}")
    for arrow in arrows:
        missing = [end for end in arrow[:2] if end not in boxes]
        if missing:
            raise ValueError(f"arrow {arrow!r} names unknown boxes {missing}; boxes are {list(boxes)}")
    with style():
        fig, ax = plt.subplots(figsize=size)
        try:
            patches = {}
            for name, (x, y, text, *colour) in boxes.items():
                patch = FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                       boxstyle="round,pad=0.02,rounding_size=0.1", linewidth=1.2,
                                       edgecolor="#333333", facecolor=colour[0] if colour else "#dbe8f6")
                ax.add_patch(patch)
                patches[name] = patch
                ax.text(x, y, text, ha="center", va="center", fontsize=9)
            for arrow in arrows:
                start, end, label = (*arrow, None)[:3]
                (x0, y0), (x1, y1) = boxes[start][:2], boxes[end][:2]
                if start == end:  # a loop over the box's right side
                    ax.annotate("", xy=(x0 + width / 2, y0 - height / 4), xytext=(x0 + width / 2, y0 + height / 4),
                                arrowprops=dict(arrowstyle="->", connectionstyle="arc3,rad=-1.6", lw=1.2))
                    lx, ly = x0 + width / 2 + 0.45, y0
                else:
                    ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                                arrowprops=dict(arrowstyle="->", lw=1.2, patchA=patches[start], patchB=patches[end],
                                                shrinkA=2, shrinkB=2))
                    lx, ly = (x0 + x1) / 2, (y0 + y1) / 2
                if label:
                    ax.text(lx, ly, label, fontsize=8, color="#444444", ha="center", va="center",
                            bbox=dict(facecolor="white", edgecolor="none", pad=1))
            for names, label in groups:
                xs = [boxes[n][0] for n in names]
                ys = [boxes[n][1] for n in names]
                x0, x1 = min(xs) - width / 2 - 0.2, max(xs) + width / 2 + 0.2
                y0, y1 = min(ys) - height / 2 - 0.2, max(ys) + height / 2 + 0.2
                ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0.02",
                                            fill=False, linestyle="--", edgecolor="#888888"))
                ax.text(x1, y1 + 0.05, label, ha="right", va="bottom", fontsize=8, color="#555555")
            xs = [b[0] for b in boxes.values()]
            ys = [b[1] for b in boxes.values()]
            ax.set_xlim(min(xs) - width, max(xs) + width)
            ax.set_ylim(min(ys) - height * 1.5, max(ys) + height * 1.5)
            ax.set_aspect("equal")
            ax.axis("off")
            if title:
                ax.set_title(title)
            fig.tight_layout()
        except Exception:
            plt.close(fig)
            raise
    plt.close(fig)
    return fig
