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
    assert plt.get_fignums() == []
