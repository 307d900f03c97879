"""The exercise checks of notebook 11: the worked solutions pass (in NumPy and in float32
TensorFlow), typical mistakes fail with a specific message, a stub says "not yet"."""

import numpy as np
import pytest
import tensorflow as tf

from helpers import checks


def viterbi(emissions, transitions):
    # one sequence: emissions (T, K), transitions (K, K) -> the best path (T,)
    length, k = emissions.shape
    delta, back = emissions[0], np.zeros((length, k), np.int64)
    for t in range(1, length):
        scores = delta[:, None] + transitions  # (K, K): previous tag, tag
        back[t] = scores.argmax(axis=0)
        delta = scores.max(axis=0) + emissions[t]
    path = [int(delta.argmax())]
    for t in range(length - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return np.array(path[::-1])


def constrained_viterbi(emissions, transitions, allowed, mistake=None):
    if mistake == "ignored":
        return viterbi(emissions, transitions)
    if mistake == "fix up":
        path = viterbi(emissions, transitions)
        ok = allowed[np.arange(len(path)), path]
        return np.where(ok, path, np.where(allowed, emissions, -np.inf).argmax(axis=1))
    if mistake == "times":
        return viterbi(emissions * allowed, transitions)
    masked = np.where(allowed, emissions, -np.inf)
    if mistake == "greedy":
        return masked.argmax(axis=1)
    if mistake == "transposed":
        return viterbi(masked, transitions.T)
    if mistake == "late":
        masked[0] = emissions[0]
    return viterbi(masked, transitions)


def constrained_viterbi_tf(emissions, transitions, allowed):  # a float32 TensorFlow answer passes too
    masked = tf.where(tf.constant(allowed), tf.constant(emissions, tf.float32), -np.inf)
    return tf.constant(viterbi(masked.numpy(), np.float32(transitions)))


@pytest.mark.parametrize(("mistake", "message"), [
    ("ignored", "the constraint is ignored"),
    ("fix up", "decoding first and then replacing forbidden tags is not enough"),
    ("late", "the first position is not constrained"),
    ("times", "multiplying the scores by the mask"),
    ("greedy", "a per-position argmax) ignores the transitions"),
    ("transposed", "did you transpose it?"),
])
def test_constrained_viterbi(mistake, message, capsys):
    assert checks.constrained_viterbi(constrained_viterbi)
    assert checks.constrained_viterbi(constrained_viterbi_tf)
    capsys.readouterr()
    assert not checks.constrained_viterbi(lambda *a: constrained_viterbi(*a, mistake=mistake))
    out = capsys.readouterr().out
    assert "T=6, K=3" in out and message in out and "got path" in out
    assert out.count("✗ T=") == 4 and out.count(message) == 4, "every case fails, each with its hint"
    assert "decoding first" not in out or mistake == "fix up", "no misleading hint"


def k_best_paths(emissions, transitions, k, mistake=None):
    length, n_tags = emissions.shape
    if mistake == "no transitions":
        transitions = np.zeros_like(transitions)
    if mistake == "transposed":
        transitions = transitions.T
    if mistake == "beam":  # one global beam of the k best partial paths, whatever their last tag
        beam = sorted(((emissions[0, j], [j]) for j in range(n_tags)), key=lambda c: -c[0])[:k]
        for t in range(1, length):
            beam = sorted(((score + transitions[path[-1], j] + emissions[t, j], path + [j])
                           for score, path in beam for j in range(n_tags)), key=lambda c: -c[0])[:k]
        return np.array([path for _, path in beam]), np.array([score for score, _ in beam])
    best = [[(emissions[0, j], [j])] for j in range(n_tags)]  # the k best partial paths into each tag
    for t in range(1, length):
        best = [sorted(((score + transitions[path[-1], j] + emissions[t, j], path + [j])
                        for i in range(n_tags) for score, path in best[i]), key=lambda c: -c[0])[:k]
                for j in range(n_tags)]
    final = sorted((c for candidates in best for c in candidates), key=lambda c: -c[0])[:k]
    if mistake == "reversed":
        final = final[::-1]
    return np.array([path for _, path in final]), np.array([score for score, _ in final])


def one_flip(emissions, transitions, k):
    # the best path, then the best paths that differ from it at one position: a wrong shortcut
    best = viterbi(emissions, transitions)
    flips = []
    for t in range(len(best)):
        for tag in range(emissions.shape[1]):
            if tag != best[t]:
                p = best.copy()
                p[t] = tag
                flips.append(p)
    paths = np.array([best] + flips)
    scores = emissions[np.arange(len(best)), paths].sum(1) + transitions[paths[:, :-1], paths[:, 1:]].sum(1)
    order = np.r_[0, 1 + np.argsort(-scores[1:])][:k]
    return paths[order], scores[order]


def best_per_tag(emissions, transitions, k):
    # a mistake: only the best partial path into each tag (Viterbi's delta), then the k best final tags
    length, n_tags = emissions.shape
    best = [(emissions[0, j], [j]) for j in range(n_tags)]
    for t in range(1, length):
        best = [max(((score + transitions[path[-1], j] + emissions[t, j], path + [j]) for score, path in best),
                    key=lambda c: c[0]) for j in range(n_tags)]
    best = sorted(best, key=lambda c: -c[0])[:k]
    return np.array([path for _, path in best]), np.array([score for score, _ in best])


def test_k_best_paths_solution_passes_in_numpy_and_float32():
    assert checks.k_best_paths(k_best_paths)
    assert checks.k_best_paths(lambda *a: tuple(tf.constant(v, tf.float32 if v.dtype.kind == "f" else tf.int32)
                                                for v in k_best_paths(*a)))


@pytest.mark.parametrize(("function", "message"), [
    (one_flip, "the best path with one tag changed is not the only kind of runner-up"),
    (lambda *a: k_best_paths(*a, mistake="no transitions"), "chosen without the transition scores"),
    (lambda *a: k_best_paths(*a, mistake="reversed"), "best (highest score) first"),
    (lambda *a: k_best_paths(*a, mistake="beam"), "one beam of k paths is not enough"),
    (lambda *a: k_best_paths(*a, mistake="transposed"), "did you transpose it?"),
])
def test_k_best_paths_mistakes(function, message, capsys):
    assert not checks.k_best_paths(function)
    out = capsys.readouterr().out
    assert "paths: path" in out and message in out
    assert "0/5 cases passed" in out and out.count(message) == 5, "every case fails, each with its hint"


def test_k_best_paths_one_path_per_tag(capsys):
    # k <= K: the runner-up ends in the best path's tag, so keeping one path per tag loses it; with k > K
    # the mistake returns too few paths, and the hint is given there too
    assert not checks.k_best_paths(best_per_tag)
    out = capsys.readouterr().out
    assert "0/5 cases passed" in out and out.count("keep k paths per tag, not one") == 5
    assert "T=6, K=3, k=3" in out and "paths: path 1" in out


def test_stubs_say_not_yet(capsys):
    def stub(*args):
        raise NotImplementedError  # your code here

    for check in (checks.constrained_viterbi, checks.k_best_paths):
        result = check(stub)
        assert not result and result.stub
    out = capsys.readouterr().out
    assert "constrained_viterbi: not yet" in out and "k_best_paths: not yet" in out


def test_wrong_shapes_are_named(capsys):
    assert not checks.constrained_viterbi(lambda e, a, m: np.zeros(3, int))
    assert not checks.k_best_paths(lambda e, a, k: np.zeros((k, len(e)), int))
    out = capsys.readouterr().out
    assert "one tag per position" in out and "return two arrays" in out
