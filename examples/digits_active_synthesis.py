"""Active synthesis on images: a small skorch CNN trained on 10 % of the digits.

Run from the repository root (needs the ``torch`` extra; ``plot`` for the figure)::

    .venv/bin/python examples/digits_active_synthesis.py
    .venv/bin/python examples/digits_active_synthesis.py --fraction 0.05 --seeds 3 --out digits.png

scikit-learn's bundled 8x8 digits (no download). For each seed, a stratified
30 % is held out for testing and ``--fraction`` of all digits (default 10 %,
about 180 images) is the real training data. One CNN
(:class:`sklearn_activesynth.nn.ImageCNN` in a skorch ``NeuralNetClassifier``;
images travel as rows of 64 pixels, the module reshapes them) is trained
three ways:

- **real only**: the CNN on the real digits;
- **untargeted cVAE**: ``ActiveSynthesisClassifier`` with
  ``SkorchImageGenerator(sampling="prior")`` and
  ``targeting=Targeting(class_allocation="proportional")``: synthetic digits
  drawn from the cVAE's prior in the training class mix, through the same loop
  (same budget, rounds and validation guard) as the targeted run;
- **targeted cVAE**: ``ActiveSynthesisClassifier`` with
  ``SkorchImageGenerator()`` and ``MCDropout``: the real digits the CNN is
  least sure about (MC-dropout entropy, out-of-fold) are encoded, and new
  digits of the same class are decoded from their latent neighbourhood.

It prints test accuracy (mean and standard deviation over seeds) and writes a
PNG of the most uncertain real anchors of the first seed next to the
synthetic digits made for them. ``benchmarks/bench_digits.py`` runs the same
comparison at several data fractions, with calibration and timings.
"""

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from skorch import NeuralNetClassifier
from threadpoolctl import threadpool_limits

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.generators import SkorchImageGenerator
from sklearn_activesynth.metrics import expected_calibration_error
from sklearn_activesynth.nn import ImageCNN
from sklearn_activesynth.targeting import Targeting
from sklearn_activesynth.uncertainty import MCDropout

METHODS = ["real only", "untargeted cVAE", "targeted cVAE"]
IMAGE_SHAPE = (1, 8, 8)


def make_cnn(max_epochs=60):
    """The classifier every method trains: a two-convolution CNN with dropout."""
    return NeuralNetClassifier(
        ImageCNN, module__image_shape=IMAGE_SHAPE, module__input_scale=1 / 16,
        criterion=torch.nn.CrossEntropyLoss, optimizer=torch.optim.Adam, lr=3e-3,
        max_epochs=max_epochs, batch_size=32, train_split=None, verbose=0,
    )


def split(fraction, seed):
    """(X_real, y_real, X_test, y_test): a stratified 30 % test split, and
    ``fraction`` of all digits drawn (stratified) from the rest."""
    X, y = load_digits(return_X_y=True)
    X_pool, X_test, y_pool, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=seed)
    n_real = int(round(fraction * len(y)))
    X_real, _, y_real, _ = train_test_split(
        X_pool, y_pool, train_size=n_real, stratify=y_pool, random_state=seed)
    return X_real, y_real, X_test, y_test


def make_methods(seed, *, max_epochs=60, uncertainty_factory=None, max_iter=2,
                 n_synthetic=0.25):
    """The contenders for one seed (same CNN, same loop settings).

    Besides the three of the comparison, "random anchors" is the loop's
    control: the same targeted cVAE sampling around random real digits
    (``targeting="random"``) instead of the uncertain ones.
    """
    def loop():
        unc = (MCDropout(n_passes=20, random_state=seed) if uncertainty_factory is None
               else uncertainty_factory(seed))
        return dict(uncertainty=unc, max_iter=max_iter, n_synthetic=n_synthetic,
                    uncertainty_cv=3, random_state=seed)

    def cvae(**kw):
        return SkorchImageGenerator(image_shape=IMAGE_SHAPE, **kw)

    return {
        "real only": make_cnn(max_epochs),
        "untargeted cVAE": ActiveSynthesisClassifier(
            make_cnn(max_epochs), generator=cvae(sampling="prior"),
            targeting=Targeting(class_allocation="proportional"), **loop()),
        "targeted cVAE": ActiveSynthesisClassifier(
            make_cnn(max_epochs), generator=cvae(), **loop()),
        "random anchors": ActiveSynthesisClassifier(
            make_cnn(max_epochs), generator=cvae(), targeting="random", **loop()),
    }


def run_seed(fraction, seed, methods=None, **kwargs):
    """Fit every method on one seed's split; one result row per method.

    Rows hold the test accuracy, ECE, synthetic digits kept, fit seconds and
    the fitted model.
    """
    X_real, y_real, X_test, y_test = split(fraction, seed)
    models = make_methods(seed, **kwargs)
    rows = []
    for name in methods or METHODS:
        model = models[name]
        # a script may seed torch's global generator: skorch initialises the CNN from it
        torch.manual_seed(seed)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            model.fit(X_real, y_real)
        seconds = time.perf_counter() - t0
        proba = model.predict_proba(X_test)
        rows.append(dict(
            fraction=fraction, seed=seed, method=name, n_real=len(y_real),
            accuracy=float(np.mean(proba.argmax(1) == y_test)),
            ece=expected_calibration_error(y_test, proba),
            n_synthetic=len(getattr(model, "synthetic_y_", [])),
            seconds=seconds, model=model, X_real=X_real,
        ))
    return rows


def plot_anchors(model, X_real, path, n_anchors=6, per_anchor=5):
    """Most uncertain real anchors (left) and synthetic digits made for them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    prov = model.synthetic_provenance_
    made = prov[prov["anchor_index"] >= 0]
    if made.empty:
        print("No synthetic digit was kept (every round was rejected): no figure.")
        return None
    top = (made.groupby("anchor_index")["anchor_uncertainty"].first()
           .sort_values(ascending=False).index[:n_anchors])
    fig, axes = plt.subplots(len(top), per_anchor + 1,
                             figsize=(1.3 * (per_anchor + 1), 1.45 * len(top)), squeeze=False)
    for r, anchor in enumerate(top):
        rows = np.flatnonzero(prov["anchor_index"].to_numpy() == anchor)[:per_anchor]
        u = made.loc[made["anchor_index"] == anchor, "anchor_uncertainty"].iloc[0]
        images = [X_real[anchor]] + [model.synthetic_X_[i] for i in rows]
        titles = [f"real {model.synthetic_y_[rows[0]]}\nu={u:.2f}"] + \
            [f"synthetic {model.synthetic_y_[i]}" for i in rows]
        for c in range(per_anchor + 1):
            ax = axes[r, c]
            ax.axis("off")
            if c < len(images):
                ax.imshow(np.asarray(images[c]).reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
                ax.set_title(titles[c], fontsize=7, color="firebrick" if c == 0 else "black")
    fig.suptitle("Uncertain real digits (left) and the synthetic digits made for them",
                 fontsize=9)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def summary(rows):
    """Mean and standard deviation over seeds, one line per method."""
    frame = pd.DataFrame([{k: v for k, v in r.items() if k not in ("model", "X_real")}
                          for r in rows])
    agg = frame.groupby(["fraction", "method"], sort=False).agg(
        accuracy=("accuracy", "mean"), accuracy_sd=("accuracy", "std"),
        ece=("ece", "mean"), ece_sd=("ece", "std"),
        n_synthetic=("n_synthetic", "mean"), seconds=("seconds", "mean"),
    )
    return frame, agg.reset_index()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fraction", type=float, default=0.1,
                        help="share of all digits used as real training data")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--max-epochs", type=int, default=60, help="CNN training epochs")
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "digits_anchors.png"),
                        help="where the PNG goes")
    parser.add_argument("--n-threads", type=int, default=1,
                        help="torch/BLAS threads (0: the libraries' defaults)")
    args = parser.parse_args(argv)
    if args.n_threads:
        torch.set_num_threads(args.n_threads)
    t0 = time.perf_counter()
    rows = []
    with threadpool_limits(limits=args.n_threads or None):
        for seed in range(args.seeds):
            rows += run_seed(args.fraction, seed, max_epochs=args.max_epochs)
            done = [r for r in rows if r["seed"] == seed]
            print(f"seed {seed}: " + ", ".join(
                f"{r['method']} {r['accuracy']:.3f}" for r in done), flush=True)
    _, agg = summary(rows)
    pd.set_option("display.width", 120)
    print(f"\nTest accuracy on {rows[0]['n_real']} real digits "
          f"({args.fraction:.0%}), {args.seeds} seed(s):")
    print(agg.drop(columns="fraction").to_string(index=False, float_format="%.3f"))
    first = next(r for r in rows if r["seed"] == 0 and r["method"] == "targeted cVAE")
    try:
        path = plot_anchors(first["model"], first["X_real"], args.out)
    except ImportError:
        path = None
        print("matplotlib is not installed (pip install 'sklearn-activesynth[plot]'): "
              "no figure.")
    if path is not None:
        print(f"Figure: {path}")
    print(f"{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
