"""Checks for the exercises of notebook 11 (from the HMM to the linear-chain CRF).

A path's score in a linear-chain CRF with emission scores E (T, K) and transition scores A (K, K)
is sum_t E[t, y_t] + sum_t A[y_{t-1}, y_t]. The references below list every one of the K^T paths,
so the cases are short; the scores are random and continuous, so there are no ties.
"""

import itertools
from collections.abc import Callable

import numpy as np

from ._core import Result, compare_arrays, run, with_hints

__all__ = ["constrained_viterbi", "k_best_paths"]


def _all_paths(emissions, transitions):
    """Every path (K^T, T) and its score (K^T,)."""
    length, k = emissions.shape
    paths = np.array(list(itertools.product(range(k), repeat=length)))
    return paths, _score(emissions, transitions, paths)


def _score(emissions, transitions, paths):
    """The scores (n,) of paths (n, T)."""
    return emissions[np.arange(paths.shape[1]), paths].sum(axis=1) + transitions[paths[:, :-1], paths[:, 1:]].sum(axis=1)


def _viterbi(emissions, transitions):
    paths, scores = _all_paths(emissions, transitions)
    return paths[np.argmax(scores)]


def _path(got, length):
    """A path answer as an int array, or a message."""
    array = np.asarray(got)
    if array.dtype.kind == "f" and np.all(np.isfinite(array)) and np.all(array == np.round(array)):
        array = array.astype(np.int64)
    if array.dtype.kind not in "iu":
        return None, f"returned an array of {array.dtype}, expected the tags as integers"
    if array.shape != (length,):
        return None, f"shape {array.shape}, expected ({length},): one tag per position"
    return array, None


def _compare_paths(emissions, transitions, allowed):
    def compare(got, expected):
        array, problem = _path(got, len(expected))
        if problem:
            return problem
        if np.array_equal(array, expected):
            return None
        where = np.flatnonzero(array != expected)
        forbidden = np.flatnonzero(~allowed[np.arange(len(array)), np.clip(array, 0, allowed.shape[1] - 1)])
        score = lambda p: float(_score(emissions, transitions, p[None])[0])  # noqa: E731
        text = f"got path {array.tolist()}, expected {np.asarray(expected).tolist()} (they differ at positions {where.tolist()})"
        if len(forbidden):
            text += f"; your path uses a forbidden tag at positions {forbidden.tolist()}"
        elif np.all((array >= 0) & (array < allowed.shape[1])):
            text += f"; your path is allowed but scores {score(array):.4f}, the best allowed one {score(np.asarray(expected)):.4f}"
        return text

    return compare


def _separates(right, wrong) -> bool:
    """True when every mistake's paths differ from the right ones and from each other's, so that the
    hint a wrong answer gets is never ambiguous."""
    keys = {np.asarray(w, np.int64).tobytes() for w in wrong}
    return all(not np.array_equal(w, right) for w in wrong) and len(keys) == len(wrong)


def constrained_viterbi(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(emissions, transitions, allowed) -> path (T,)``: the highest-scoring path
    among those that use, at each position t, only tags k with ``allowed[t, k]`` True."""
    rng = np.random.default_rng(0)
    cases = []
    for length, k in ((6, 3), (7, 2), (5, 4), (8, 3)):
        for _ in range(2000):  # a case where each typical mistake gives a different, wrong path
            emissions = rng.normal(0, 1.5, (length, k))
            transitions = rng.normal(0, 1.5, (k, k))
            allowed = rng.random((length, k)) < 0.6
            allowed[np.arange(length), rng.integers(0, k, length)] = True  # at least one tag at each position
            allowed[0] = rng.random(k) < 0.5
            allowed[0, rng.integers(0, k)] = True
            masked = np.where(allowed, emissions, -np.inf)
            right = _viterbi(masked, transitions)
            plain = _viterbi(emissions, transitions)
            fixed = np.where(allowed[np.arange(length), plain], plain, masked.argmax(axis=1))
            late = _viterbi(np.r_[emissions[:1], masked[1:]], transitions)
            times = _viterbi(emissions * allowed, transitions)
            greedy = masked.argmax(axis=1)
            transposed = _viterbi(masked, transitions.T)
            if _separates(right, [greedy, plain, fixed, late, times, transposed]):
                break
        else:
            raise RuntimeError("no case separates the mistakes")  # pragma: no cover
        mistakes = {
            "the best allowed tag at each position on its own (a per-position argmax) ignores the transitions: "
            "the path's score includes transitions[previous tag, tag], so decode with Viterbi's recursion": greedy,
            "the constraint is ignored: a forbidden tag must never be chosen": plain,
            "decoding first and then replacing forbidden tags is not enough: a constraint at one position can change "
            "the best tags at its neighbours too; forbid the tags inside the dynamic programme (a score of -inf)": fixed,
            "the first position is not constrained: apply the mask before the recursion starts, at t = 0 too": late,
            "multiplying the scores by the mask gives a forbidden tag the score 0, which is not forbidden: "
            "use -inf (np.where(allowed, emissions, -np.inf))": times,
            "transitions[i, j] scores i -> j (previous tag i, tag j): did you transpose it?": transposed,
        }
        cases.append((f"T={length}, K={k}, {int((~allowed).sum())} forbidden (position, tag) pairs",
                      (emissions.copy(), transitions.copy(), allowed.copy()),
                      (right, mistakes, (emissions, transitions, allowed))))

    def compare(got, expected):
        right, mistakes, (emissions, transitions, allowed) = expected
        return with_hints(_compare_paths(emissions, transitions, allowed))(got, (right, mistakes))

    return run("constrained_viterbi", function, cases, compare=compare, quiet=quiet)


def _k_best(emissions, transitions, k):
    paths, scores = _all_paths(emissions, transitions)
    order = np.argsort(-scores)[:k]
    return paths[order], scores[order]


def _beam(emissions, transitions, k):
    """A global beam of width k: the k best partial paths over all tags at each step (a mistake)."""
    length, n_tags = emissions.shape
    beam = [(emissions[0, j], [j]) for j in range(n_tags)]
    beam = sorted(beam, key=lambda c: -c[0])[:k]
    for t in range(1, length):
        beam = sorted(((s + transitions[p[-1], j] + emissions[t, j], p + [j]) for s, p in beam for j in range(n_tags)),
                      key=lambda c: -c[0])[:k]
    return np.array([p for _, p in beam]), np.array([s for s, _ in beam])


def _best_per_tag(emissions, transitions, k):
    """Only the best path into each tag at every step, then the k best final tags (a mistake): at most
    one path per final tag, so a runner-up that ends in the same tag as the best is lost."""
    length, n_tags = emissions.shape
    best = [(emissions[0, j], [j]) for j in range(n_tags)]
    for t in range(1, length):
        best = [max(((s + transitions[p[-1], j] + emissions[t, j], p + [j]) for s, p in best), key=lambda c: c[0])
                for j in range(n_tags)]
    best = sorted(best, key=lambda c: -c[0])[:k]
    return np.array([p for _, p in best]), np.array([s for s, _ in best])


def _compare_k_best(got, expected):
    paths, scores = expected
    if not isinstance(got, tuple | list) or len(got) != 2:
        return "return two arrays: (paths (k, T), scores (k,))"
    got_paths, got_scores = got
    array = np.asarray(got_paths)
    if array.dtype.kind == "f" and np.all(np.isfinite(array)) and np.all(array == np.round(array)):
        array = array.astype(np.int64)
    if array.dtype.kind not in "iu":
        return f"paths: an array of {array.dtype}, expected integer tags"
    if array.shape != paths.shape:
        return f"paths: shape {array.shape}, expected {paths.shape} (k paths of T tags, best first)"
    score_problem = compare_arrays(np.asarray(got_scores, dtype=float), scores, 1e-5 * max(1.0, np.abs(scores).max()))
    if not np.array_equal(array, paths):
        rows = [i for i in range(len(paths)) if not np.array_equal(array[i], paths[i])]
        return f"paths: path {rows[0]} (counting from 0, best first) is {array[rows[0]].tolist()}, expected {paths[rows[0]].tolist()}"
    if score_problem:
        return f"scores: {score_problem}"
    return None


def k_best_paths(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(emissions, transitions, k) -> (paths (k, T), scores (k,))``: the k
    highest-scoring paths, best first, and their scores."""
    rng = np.random.default_rng(1)
    cases = []
    # the last case has k <= K and a runner-up that ends in the best path's tag: one path per tag misses it
    for length, n_tags, k in ((5, 3, 4), (6, 2, 3), (4, 4, 5), (7, 3, 6), (6, 3, 3)):
        for _ in range(2000):  # a case where each typical mistake gives a different answer
            emissions = rng.normal(0, 1.0, (length, n_tags))
            transitions = rng.normal(0, 1.0, (n_tags, n_tags))
            right = _k_best(emissions, transitions, k)
            best = right[0][0]
            flips = []  # the best path with one position changed: a tempting, wrong shortcut
            for t in range(length):
                for tag in range(n_tags):
                    if tag != best[t]:
                        p = best.copy()
                        p[t] = tag
                        flips.append(p)
            flips = np.array(flips)
            flip_scores = _score(emissions, transitions, flips)
            flip_order = np.argsort(-flip_scores)[: k - 1]
            one_flip = (np.r_[best[None], flips[flip_order]], np.r_[right[1][0], flip_scores[flip_order]])
            no_trans = _k_best(emissions, np.zeros_like(transitions), k)  # and scored without them
            worst_first = (right[0][::-1], right[1][::-1])
            beam = _beam(emissions, transitions, k)
            transposed = _k_best(emissions, transitions.T, k)
            wrong = [one_flip, no_trans, beam, transposed]
            per_tag = _best_per_tag(emissions, transitions, k)
            if k <= n_tags:
                wrong.append(per_tag)
                if right[0][1][-1] != right[0][0][-1]:
                    continue
            if _separates(right[0], [w[0] for w in wrong]):
                break
        else:
            raise RuntimeError("no case separates the mistakes")  # pragma: no cover
        mistakes = {
            "one beam of k paths is not enough: a partial path outside the k best so far can still end among the k "
            "best; keep k partial paths per tag at every step": beam,
            "transitions[i, j] scores i -> j (previous tag i, tag j): did you transpose it?": transposed,
            "the best path with one tag changed is not the only kind of runner-up: the second-best path can differ from "
            "the best one in several places; keep the k best partial paths into every tag at every step": one_flip,
            "the paths are chosen without the transition scores: every step adds transitions[previous tag, tag]": no_trans,
            "the paths are in the wrong order: best (highest score) first": worst_first,
            "only the best partial path into each tag is kept, so the runner-up that ends in the same tag as the best "
            "path is lost: keep k paths per tag, not one": per_tag,
        }
        cases.append((f"T={length}, K={n_tags}, k={k}", (emissions.copy(), transitions.copy(), k), (right, mistakes)))
    return run("k_best_paths", function, cases, compare=with_hints(_compare_k_best), quiet=quiet)
