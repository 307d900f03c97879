"""helpers.plot: figures come back with what was asked for, and shapes are checked."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import plot


def test_image_grid_lays_out_images():
    fig = plot.image_grid(np.random.rand(12, 8, 8), columns=5, titles=[str(i) for i in range(12)])
    images = [ax for ax in fig.axes if ax.images]
    assert len(fig.axes) == 15 and len(images) == 12
    assert images[3].get_title() == "3"
    assert len(plot.image_grid(np.random.rand(4, 8, 8, 1)).axes) == 4
    with pytest.raises(ValueError, match=r"\(n, height, width\)"):
        plot.image_grid(np.random.rand(8, 8))


def test_heatmap_and_curves():
    fig = plot.heatmap(np.eye(3), x_labels=list("abc"), y_labels=list("xyz"), title="t")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"] and ax.get_title() == "t"
    with pytest.raises(ValueError, match="2-D"):
        plot.heatmap(np.zeros(3))
    fig = plot.curves({"train": np.linspace(3, 1, 50), "valid": np.linspace(3, 1.2, 50)}, smooth=5)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2 and len(lines[0].get_xdata()) == 46


def test_plots_leave_global_style_alone():
    before = dict(plt.rcParams)
    plot.curves({"loss": [3, 2, 1]})
    assert dict(plt.rcParams) == before


def test_show_closes_the_figure_outside_ipython():
    import matplotlib.pyplot as plt

    with plot.style():
        fig, ax = plt.subplots()
        ax.plot([0, 1])
    assert plt.fignum_exists(fig.number)
    plot.show(fig)
    assert not plt.fignum_exists(fig.number)


def test_gaussian_grid_spans_equally_likely_steps():
    from statistics import NormalDist

    grid = plot.gaussian_grid(11, coverage=0.9)
    cdf = np.array([NormalDist().cdf(v) for v in grid])
    np.testing.assert_allclose(cdf, np.linspace(0.05, 0.95, 11), atol=1e-9)
    with pytest.raises(ValueError, match="coverage"):
        plot.gaussian_grid(5, coverage=1.0)


def test_latent_map_puts_each_image_at_its_code():
    """Each tile shows the image decoded from its own code: x to the right, y upwards."""
    def decode(codes):  # (m, 2) -> (m, 2, 2): every pixel of a tile holds (x + 2 y) / 10
        return np.broadcast_to(((codes[:, 0] + 2 * codes[:, 1]) / 10)[:, None, None], (len(codes), 2, 2))

    fig = plot.latent_map(decode, [0, 1, 2], [0, 1])
    tiles = fig.axes[0].images[0].get_array()
    assert tiles.shape == (6, 9)  # 2 x 3 tiles of 2 x 2 pixels, each followed by a blank line
    assert tiles[0, 0] == (0 + 2 * 1) / 10  # top left: smallest x, largest y
    assert tiles[-2, -2] == (2 + 2 * 0) / 10  # bottom right: largest x, smallest y
    assert np.all(tiles[2] == 0) and np.all(tiles[:, 2] == 0)
    with pytest.raises(ValueError, match="one"):
        plot.latent_map(lambda codes: np.zeros((3, 2, 2)), [0, 1])


# Issue 18: wrong input is a clear error before drawing, and no figure is left open --------------


IMAGES, TRAIN = np.zeros((3, 8, 8)), np.zeros((4, 8, 8, 1))  # for nearest_neighbours


@pytest.mark.parametrize("call, error, message", [
    (lambda: plot.image_grid(np.zeros((0, 8, 8))), ValueError, "images is empty"),
    (lambda: plot.image_grid(np.zeros((4, 8, 8)), columns=0), ValueError, "columns must be a whole number >= 1"),
    (lambda: plot.image_grid(np.zeros((4, 8, 8)), columns=2.5), ValueError, "columns must be a whole number"),
    (lambda: plot.image_grid(np.zeros((4, 8, 8)), titles=["a", "b"]), ValueError, "titles has 2 entries for 4"),
    (lambda: plot.image_grid(np.zeros((4, 8, 8)), titles="abcd"), TypeError, "use title= for one title"),
    (lambda: plot.image_grid(np.zeros((4, 8, 8)), size=0), ValueError, "size must be positive"),
    (lambda: plot.heatmap(np.zeros((0, 3))), ValueError, "the matrix is empty"),
    (lambda: plot.heatmap(np.zeros((2, 3)), x_labels=["a", "b"]), ValueError, "x_labels has 2 labels for 3 columns"),
    (lambda: plot.heatmap(np.zeros((2, 3)), y_labels="ab"), TypeError, "y_labels must be a list of 2 labels"),
    (lambda: plot.curves([1.0, 0.5]), TypeError, "series must be a dict"),
    (lambda: plot.curves({}), ValueError, "series is empty"),
    (lambda: plot.curves({"loss": []}), ValueError, r"series\['loss'\] must be a non-empty 1-D"),
    (lambda: plot.curves({"loss": [1.0, 0.5]}, smooth=0), ValueError, "smooth must be a whole number >= 1"),
    (lambda: plot.curves({"loss": [1.0, 0.5, 0.2]}, x=[0, 1]), ValueError, "x has 2 values, fewer than the 3"),
    (lambda: plot.latent_map(None, [0, 1]), TypeError, "decode must be a function"),
    (lambda: plot.latent_map(lambda z: np.zeros((len(z), 4, 4)), []), ValueError, "x_values must be a non-empty"),
    (lambda: plot.nearest_neighbours(np.zeros((0, 8, 8)), TRAIN, []), ValueError, "images is empty"),
    (lambda: plot.nearest_neighbours(IMAGES, np.zeros((0, 8, 8)), [0, 0, 0]), ValueError, "train is empty"),
    (lambda: plot.nearest_neighbours(IMAGES, TRAIN, [0, 1]), ValueError, "need a nearest index for each image, got 3"),
    (lambda: plot.nearest_neighbours(IMAGES, TRAIN, [0, 4, 1]), ValueError,
     r"nearest holds index 4, outside \[0, 4\)"),  # was an IndexError from inside, with a figure left open
    (lambda: plot.nearest_neighbours(IMAGES, TRAIN, [0, -1, 1]), ValueError, "nearest holds index -1"),  # wrapped
    (lambda: plot.nearest_neighbours(IMAGES, TRAIN, [0.0, 1.0, 2.0]), TypeError, "whole-number indices into train"),
    (lambda: plot.nearest_neighbours(IMAGES, TRAIN, [0, 1, 2], [0.5]), ValueError,
     r"distances must hold one number per nearest index \(3"),
    (lambda: plot.nearest_neighbours(IMAGES, TRAIN, [0, 1, 2], ["a", "b", "c"]), TypeError, "distances must be numbers"),
    (lambda: plot.nearest_neighbours(IMAGES, TRAIN, [0, 1, 2], columns=0), ValueError,
     "columns must be a whole number >= 1"),  # was "need at least one image", which misled
    (lambda: plot.nearest_neighbours(IMAGES, TRAIN, [0, 1, 2], size=-1), ValueError, "size must be positive"),
    (lambda: plot.nearest_neighbours(np.zeros((3, 64)), TRAIN, [0, 1, 2]), ValueError,
     r"images must have shape \(n, height, width\)"),
])  # fmt: skip
def test_plot_helpers_name_a_wrong_argument_and_leave_no_figure_open(call, error, message):
    plt.close("all")
    with pytest.raises(error, match=message):
        call()
    assert plt.get_fignums() == []


def test_a_failure_while_drawing_closes_the_figure(monkeypatch):
    plt.close("all")

    def broken(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(plt.Axes, "imshow", broken)
    with pytest.raises(RuntimeError, match="drawing failed"):
        plot.image_grid(np.zeros((3, 8, 8)))
    with pytest.raises(RuntimeError, match="drawing failed"):
        plot.heatmap(np.zeros((3, 3)))
    with pytest.raises(RuntimeError, match="drawing failed"):
        plot.nearest_neighbours(IMAGES, TRAIN, [0, 1, 2])  # was left open
    assert plt.get_fignums() == []


def test_nearest_neighbours_pairs_each_image_with_its_training_image():
    images = np.random.default_rng(0).random((12, 8, 8))
    train = np.random.default_rng(1).random((5, 8, 8, 1))
    nearest = np.arange(12) % 5
    fig = plot.nearest_neighbours(images, train, nearest, np.linspace(0, 1, 12), columns=4)
    axes = np.array(fig.axes).reshape(2, 4)
    for i in range(4):
        np.testing.assert_array_equal(axes[0, i].images[0].get_array(), images[i])
        np.testing.assert_array_equal(axes[1, i].images[0].get_array(), train[nearest[i], ..., 0])
    assert axes[1, 3].get_title() == f"{np.linspace(0, 1, 12)[3]:.2f}"
    full = plot.nearest_neighbours(images[:3], train, nearest, np.linspace(0, 1, 12))  # memorisation's whole arrays
    assert len(full.axes) == 6
