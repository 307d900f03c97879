"""Run the notebooks, measure them, and write the timing table (``make report``, ``make execute``).

Each notebook runs top to bottom in a fresh kernel, in a child process of its own, so that its
wall time and peak memory (the kernel's largest resident set) are its own. The table of wall
seconds, peak memory and the headline figures each notebook saved with ``metrics.record`` goes
to ``build/report.md``, and into the syllabus table of README.md between its
``<!-- syllabus:start -->`` and ``<!-- syllabus:end -->`` markers.

    python -m helpers.report                 # run copies into build/executed/ (notebooks untouched)
    python -m helpers.report --in-place      # refresh the committed outputs (make execute)
    python -m helpers.report notebooks/00_introduction.ipynb   # only some notebooks
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from helpers import colab, metrics, paths

# number, notebook name, what you build, data (the course design's syllabus; numbers are fixed)
SYLLABUS = [
    ("00", "introduction", "what a generative model is; unigram and bigram models by counting; likelihood, nats/char, perplexity; a tour of the data", "names"),
    ("01", "markov_chains_and_hmm", "n-gram Markov chains with smoothing; HMMs: forward-backward, Viterbi, Baum-Welch", "names, tinyshakespeare, dishonest casino"),
    ("02", "rnn_language_model", "RNN and GRU cells from tensor ops, backpropagation through time, temperature sampling", "names"),
    ("03", "seq2seq_attention", "GRU encoder-decoder, teacher forcing, additive attention, beam search", "dates"),
    ("04", "transformer", "scaled dot-product and multi-head attention, positional encodings, encoder-decoder Transformer", "dates"),
    ("05", "gpt", "a small GPT: fast training loop, top-k and nucleus sampling, key-value cache", "tinyshakespeare"),
    ("06", "rl_finetuning", "a reward model from preferences, REINFORCE with a baseline and a KL penalty, reward hacking, DPO", "names"),
    ("07", "vae", "autoencoder, VAE (ELBO, reparameterisation), latent maps, conditional VAE", "digits, shapes"),
    ("08", "gan", "GAN on a 2-D mixture, DCGAN, WGAN-GP, conditional GAN", "2-D mixture, digits"),
    ("09", "diffusion", "forward noising in closed form, an ε-predicting denoiser, DDPM and DDIM sampling, classifier-free guidance", "2-D mixture, digits"),
    ("10", "mcmc_and_masked_lm", "Metropolis-Hastings and Gibbs sampling, breaking a substitution cipher, a masked language model that writes by Gibbs sampling", "tinyshakespeare"),
    ("11", "crf", "from the HMM tagger to a linear-chain CRF: log-space forward algorithm, Viterbi, training by gradient", "tinyshakespeare (truecasing), generated HMM data"),
    ("12", "stylegan", "a style-based generator: mapping network, modulated convolutions, noise inputs, style mixing, truncation", "digits (shapes at 16×16: a project)"),
]  # fmt: skip

START, END = "<!-- syllabus:start -->", "<!-- syllabus:end -->"
YARD_START, YARD_END = "<!-- yardstick:start -->", "<!-- yardstick:end -->"

# the text yardstick: held-out nats per character, (notebook, recorded metric, model, data set)
YARDSTICK = [
    ("00_introduction", "unigram_nats_per_char", "unigram, by counting", "names (test split)"),
    ("00_introduction", "bigram_nats_per_char", "bigram, add-one smoothing", "names (test split)"),
    ("01_markov_chains_and_hmm", "ngram_nats_per_char", "n-gram, interpolated (n chosen on validation)", "names (test split)"),
    ("01_markov_chains_and_hmm", "hmm32_nats_per_char", "HMM, 32 states, Baum-Welch", "names (test split)"),
    ("02_rnn_language_model", "nats_per_char", "GRU language model, 192 units (ours)", "names (test split)"),
    ("05_gpt", "val_nats_per_char", "GPT, 3 layers, 128 wide, ALiBi, 1,400 training steps", "tinyshakespeare (last 10 %)"),
]

# the image yardstick: digits-FID and class coverage of 1,000 samples, (notebook, prefix of the
# recorded metrics, model); a prefix "" means the notebook's headline digits_fid / min_class_share
IMAGE_YARDSTICK = [
    ("07_vae", "", "VAE, 8-D codes, convolutional"),
    ("07_vae", "cvae_", "conditional VAE, 8-D codes"),
    ("08_gan", "dcgan_", "DCGAN"),
    ("08_gan", "wgan_gp_", "WGAN-GP"),
    ("08_gan", "cgan_", "conditional GAN (DCGAN with labels)"),
    ("09_diffusion", "diffusion_", "diffusion, unconditional, the best sampler in notebook 09's table"),
    ("09_diffusion", "guided_", "diffusion with classifier-free guidance, w = 1"),
    ("12_stylegan", "stylegan_", "style-based generator (ψ = 1)"),
    ("08_gan", "real_", "real test digits, scored against the training digits"),
]
IMAGE_START, IMAGE_END = "<!-- image-yardstick:start -->", "<!-- image-yardstick:end -->"

# notebook 06, steering the names model: (run, the reward it is scored on, recorded keys of that
# reward, of the KL to the reference model and of the share of distinct names; None: not recorded)
RL_TABLE = [
    ("base model (the reference policy)", "ends in z", "base_reward", None, None),
    ("REINFORCE with a KL penalty, β = {rl_beta}", "ends in z", "rl_reward", "rl_kl", "rl_distinct"),
    ("REINFORCE without a KL penalty (β = 0): reward hacking", "ends in z", "beta0_reward", "beta0_kl", "beta0_distinct"),
    ("base model (the reference policy)", "hidden preference rule", "base_true_reward", None, None),
    ("best of 8 samples by the learned reward", "hidden preference rule", "best_of_8_true_reward", None, None),
    ("RLHF on the learned reward, its best checkpoint", "hidden preference rule", "rlhf_best_judged_true_reward", "rlhf_best_judged_kl", None),
    ("DPO from the same preferences, 50 steps", "hidden preference rule", "dpo_step50_true_reward", "dpo_step50_kl", None),
    ("DPO from the same preferences, 200 steps", "hidden preference rule", "dpo_true_reward", "dpo_kl", "dpo_distinct"),
]
RL_START, RL_END = "<!-- rl:start -->", "<!-- rl:end -->"


def _peak_mb() -> float:
    """The largest resident set of any finished child process, in MB."""
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak / 1e3  # bytes on macOS, KiB on Linux


def run_one(notebook: Path, output: Path) -> dict:
    """Execute ``notebook`` in a fresh kernel (working directory: its folder) and write the
    executed copy to ``output`` with clean metadata. Call it in a process of its own."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(notebook.parent)}})
    start = time.perf_counter()
    status = "ok"
    try:
        client.execute()
    except CellExecutionError as error:
        status = "failed"
        print(str(error)[-3000:], file=sys.stderr)
    seconds = time.perf_counter() - start
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    output.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, output)
    return {"status": status, "seconds": round(seconds, 1), "peak_mb": round(_peak_mb())}


def measure(notebook: Path, in_place: bool) -> dict:
    """Run one notebook in a child process and return its figures and recorded metrics."""
    name = notebook.stem
    metrics_file = paths.build_dir() / "metrics" / f"{name}.json"
    metrics_file.unlink(missing_ok=True)  # only this run's figures count
    output = notebook if in_place else paths.build_dir() / "executed" / notebook.name
    env = dict(os.environ, COURSE_PROGRESS="0")
    child = subprocess.run([sys.executable, "-m", "helpers.report", "--run-one", str(notebook), str(output)],
                           env=env, stdout=subprocess.PIPE, text=True, cwd=paths.root())
    figures = json.loads(child.stdout.strip().splitlines()[-1]) if child.returncode == 0 else {"status": "failed"}
    figures["metrics"] = metrics.read_figures(metrics_file) or {}
    return figures


def machine() -> str:
    """A one-line description of the machine and the versions the figures were measured with."""
    def version(package):
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "absent"

    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"TensorFlow {version('tensorflow')}, Keras {version('keras')}, NumPy {version('numpy')}")


def _format_metrics(metrics: dict) -> str:
    """Single figures only (curves recorded for other notebooks are left out)."""
    return "<br>".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                       for k, v in metrics.items() if not isinstance(v, list))


def _badges(stem: str, repo: str) -> str:
    """Colab badges for the lesson and for its student edition (``make student``)."""
    return f"{colab.badge(f'notebooks/{stem}.ipynb', repo)} {colab.badge(f'student/{stem}.ipynb', repo)}"


def table(results: dict, old_rows: dict, repo: str) -> str:
    """The syllabus table in markdown: measured figures where there are some, the old row for a
    notebook that was not run this time, and "planned" for notebooks not written yet."""
    lines = ["| # | notebook | what you build | data | CPU time | peak memory | headline figures | Colab: lesson · student edition |",
             "|---|---|---|---|---|---|---|---|"]
    for number, name, what, data in SYLLABUS:
        stem = f"{number}_{name}"
        path = f"notebooks/{stem}.ipynb"
        if stem in results:
            r = results[stem]
            time_ = f"{r['seconds']:.0f} s" if r["status"] == "ok" else "**failed**"
            lines.append(f"| {number} | [{name}]({path}) | {what} | {data} | {time_} | {r.get('peak_mb', '?')} MB "
                         f"| {_format_metrics(r['metrics'])} | {_badges(stem, repo)} |")
        elif number in old_rows:
            lines.append(old_rows[number])
        elif (paths.root() / path).is_file():
            lines.append(f"| {number} | [{name}]({path}) | {what} | {data} | not measured yet | | | {_badges(stem, repo)} |")
        else:
            lines.append(f"| {number} | {name} | {what} | {data} | *planned* | | | |")
    return "\n".join(lines)


def yardstick(old_rows: dict) -> str:
    """The table of held-out nats per character across the text notebooks, from the recorded
    metrics; a row whose notebook has no recorded figure keeps its old line."""
    lines = ["| notebook | model | data | nats/char | bits/char |", "|---|---|---|---|---|"]
    for notebook, key, model, data in YARDSTICK:
        file = paths.build_dir() / "metrics" / f"{notebook}.json"
        value = (metrics.read_figures(file) or {}).get(key)
        if value is not None:
            lines.append(f"| {notebook[:2]} | {model} | {data} | {value:.3f} | {metrics.bits_per_char(value):.3f} |")
        elif model in old_rows:
            lines.append(old_rows[model])
    return "\n".join(lines)


def image_yardstick(old_rows: dict) -> str:
    """The table of digits-FID and class coverage across the image notebooks, from the recorded
    metrics; a row whose notebook has no recorded figure keeps its old line."""
    lines = ["| notebook | model | digits-FID | smallest class share | classifier agrees with the requested digit "
             "| distance to the nearest training digit, against test digits' |",
             "|---|---|---|---|---|---|"]
    for notebook, prefix, model in IMAGE_YARDSTICK:
        file = paths.build_dir() / "metrics" / f"{notebook}.json"
        recorded = metrics.read_figures(file) or {}
        fid, share = recorded.get(f"{prefix}digits_fid"), recorded.get(f"{prefix}min_class_share")
        agreement = recorded.get(f"{prefix}class_agreement")
        ratio = 1.0 if prefix == "real_" else recorded.get(f"{prefix}distance_ratio")
        if fid is not None and share is not None:
            agrees = "" if agreement is None else f"{agreement:.1%}"
            ratio = "" if ratio is None else f"{ratio:.2f}"
            lines.append(f"| {notebook[:2]} | {model} | {fid:.2f} | {share:.3f} | {agrees} | {ratio} |")
        elif model in old_rows:
            lines.append(old_rows[model])
    return "\n".join(lines)


def rl_table(old: str) -> str:
    """Notebook 06's results in one table, from its recorded metrics; the old block if it has none."""
    recorded = metrics.read_figures(paths.build_dir() / "metrics" / "06_rl_finetuning.json") or {}
    if "dpo_true_reward" not in recorded:
        return old.strip("\n")
    lines = ["| run | scored on | reward | KL to the reference (nats) | distinct names |", "|---|---|---|---|---|"]
    for run, scored_on, reward, kl, distinct in RL_TABLE:
        value = recorded.get(reward)
        if value is None:
            continue
        kl_text = "0 (itself)" if kl is None and run.startswith("base") else "" if kl is None else f"{recorded.get(kl, float('nan')):.2f}"
        distinct_text = "" if distinct is None else f"{recorded.get(distinct, float('nan')):.0%}"
        reward_text = f"{value:.1%}" if scored_on == "ends in z" else f"{value:.2f}"
        lines.append(f"| {run.format(**recorded)} | {scored_on} | {reward_text} | {kl_text} | {distinct_text} |")
    if "rm_accuracy" in recorded:
        lines.append(f"\nThe learned reward model agrees with the hidden rule on {recorded['rm_accuracy']:.1%} of the held-out pairs that the rule decides (pairs it scores equal are left out).")
    return "\n".join(lines)


def _old_block(start: str, end: str) -> str:
    text = (paths.root() / "README.md").read_text(encoding="utf-8")
    return text.split(start, 1)[1].split(end, 1)[0] if start in text and end in text else ""


def _old_yardstick(start: str = YARD_START, end: str = YARD_END) -> dict:
    text = (paths.root() / "README.md").read_text(encoding="utf-8")
    if start not in text:
        return {}
    block = text.split(start, 1)[1].split(end, 1)[0]
    return {line.split(" | ")[1]: line for line in block.splitlines()[2:] if line.startswith("| ")}


def replace_block(text: str, block: str, start: str = START, end: str = END) -> str:
    """``text`` with what lies between the markers ``start`` and ``end`` replaced by ``block``."""
    if start not in text or end not in text:
        raise RuntimeError(f"README.md needs the markers {start} and {end} around its table")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{block}\n{end}{tail}"


def update_readme(block: str, start: str = START, end: str = END) -> None:
    """Replace one marked block of README.md, in one atomic write."""
    update_readme_blocks({(start, end): block})


def update_readme_blocks(blocks: dict) -> None:
    """Replace several marked blocks of README.md, {(start, end): block}: every block is put in
    place in memory first, and the file is written once, atomically, so a failure on the way
    (a missing marker, a full disk, a killed process) leaves the README as it was."""
    readme = paths.root() / "README.md"
    text = readme.read_text(encoding="utf-8")
    for (start, end), block in blocks.items():
        text = replace_block(text, block, start, end)
    metrics.write_atomically(readme, text)


def _old_rows() -> dict:
    """Rows of the README's current table for notebooks that have been measured."""
    text = (paths.root() / "README.md").read_text(encoding="utf-8")
    if START not in text:
        return {}
    block = text.split(START, 1)[1].split(END, 1)[0]
    return {line[2:4]: line for line in block.splitlines()
            if line[2:4].isdigit() and " s | " in line and "planned" not in line}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in notebooks/")
    parser.add_argument("--in-place", action="store_true", help="write the outputs into the notebooks")
    parser.add_argument("--run-one", nargs=2, type=Path, metavar=("NOTEBOOK", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_one:
        print(json.dumps(run_one(*args.run_one)))
        return 0

    notebooks = args.notebooks or sorted((paths.root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    results = {}
    for notebook in notebooks:
        notebook = notebook.resolve()
        print(f"running {notebook.name} ...", flush=True)
        results[notebook.stem] = measure(notebook, args.in_place)
        r = results[notebook.stem]
        print(f"  {r['status']}: {r.get('seconds', '?')} s, peak {r.get('peak_mb', '?')} MB, {r['metrics']}", flush=True)

    # everything is computed first, then each file is written once, atomically: a failure on the
    # way (a damaged metrics file, a missing marker, a full disk) never leaves a half-updated README
    block = table(results, _old_rows(), colab.repository())
    note = f"Measured with `make report` on {machine()}."
    blocks = {(START, END): f"{block}\n\n{note}",
              (YARD_START, YARD_END): yardstick(_old_yardstick()),
              (IMAGE_START, IMAGE_END): image_yardstick(_old_yardstick(IMAGE_START, IMAGE_END))}
    if RL_START in (paths.root() / "README.md").read_text(encoding="utf-8"):
        blocks[(RL_START, RL_END)] = rl_table(_old_block(RL_START, RL_END))
    paths.build_dir().mkdir(parents=True, exist_ok=True)
    metrics.write_atomically(paths.build_dir() / "report.md", f"# Notebook report\n\n{note}\n\n{block}\n")
    update_readme_blocks(blocks)
    from helpers import workshop  # the instructor's plan of the day quotes the syllabus table

    if (paths.root() / "WORKSHOP.md").is_file():
        workshop.update_guide()
    print(f"wrote build/report.md, the syllabus table in README.md and the plan in WORKSHOP.md\n{note}")
    return 0 if all(r["status"] == "ok" for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
