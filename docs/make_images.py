"""Draw the README's pictures into docs/images/ (about 15 s on one core).

The fit is the README's ten lines (``make_fraud_transactions``, 20,000 rows,
``HistGradientBoostingClassifier``); each picture is one call of a display of
``sklearn_activesynth.plotting``. Run from the repository root, with the ``plot``
extra installed::

    python docs/make_images.py
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from sklearn_activesynth import ActiveSynthesisClassifier  # noqa: E402
from sklearn_activesynth.datasets import make_fraud_transactions  # noqa: E402
from sklearn_activesynth.plotting import (  # noqa: E402
    FitHistoryDisplay,
    ProvenanceDisplay,
    UncertaintyMapDisplay,
)

IMAGES = Path(__file__).resolve().parent / "images"
DPI = 90
MAX_BYTES = 100_000


def save(display, name):
    path = IMAGES / name
    display.figure_.savefig(path, dpi=DPI, pil_kwargs={"optimize": True})
    size = path.stat().st_size
    print(f"{path.relative_to(IMAGES.parent.parent)}: {size / 1000:.0f} KB")
    return size


def main():
    IMAGES.mkdir(exist_ok=True)
    with threadpool_limits(limits=1):
        X, y = make_fraud_transactions(n_samples=20000, random_state=0)
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, stratify=y, random_state=0)
        clf = ActiveSynthesisClassifier(
            HistGradientBoostingClassifier(categorical_features="from_dtype"),
            random_state=0).fit(X_tr, y_tr)
        sizes = [
            save(FitHistoryDisplay.from_estimator(clf), "fit_history.png"),
            save(UncertaintyMapDisplay.from_estimator(clf, X_te, y_te, random_state=0),
                 "uncertainty_map.png"),
            save(ProvenanceDisplay.from_estimator(clf), "provenance.png"),
        ]
    too_big = [s for s in sizes if s > MAX_BYTES]
    if too_big:
        print(f"{len(too_big)} picture(s) over {MAX_BYTES // 1000} KB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
