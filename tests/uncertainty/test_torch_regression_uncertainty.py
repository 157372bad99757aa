"""MC-dropout variance of skorch regressors (seed 000 §2.2.2): its formula, its
seeding, and its use in ActiveSynthesisRegressor."""

import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.linear_model import Ridge  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer, StandardScaler  # noqa: E402

from sklearn_activesynth import ActiveSynthesisRegressor  # noqa: E402
from sklearn_activesynth.nn import TabularMLP  # noqa: E402
from sklearn_activesynth.uncertainty import MCDropoutVariance  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class _NetRegressor(skorch.NeuralNetRegressor):
    """A skorch regressor taking 1-D float targets, as a scikit-learn regressor does
    (float32 column for the MSE loss; 1-D predictions)."""

    def fit(self, X, y=None, **fit_params):
        return super().fit(X, np.asarray(y, dtype=np.float32).reshape(-1, 1), **fit_params)

    def predict(self, X):
        return super().predict(X).ravel()


def _to32(X):
    return np.asarray(X, dtype=np.float32)


def _net(dropout=0.2, max_epochs=30):
    return make_pipeline(
        StandardScaler(), FunctionTransformer(_to32),
        _NetRegressor(TabularMLP, module__n_classes=1, module__hidden_dims=(32,),
                      module__dropout=dropout, optimizer=torch.optim.Adam, lr=1e-2,
                      max_epochs=max_epochs, batch_size=32, train_split=None, verbose=0))


def _data(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X @ np.array([1.0, -1.0, 0.5]) + 0.1 * rng.normal(size=n)


@pytest.fixture(scope="module")
def fitted():
    X, y = _data()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return _net().fit(X, y), X


def test_variance_is_the_seed_formula_over_the_passes(fitted):
    net, X = fitted
    scorer = MCDropoutVariance(n_passes=12, random_state=0)
    samples = scorer.predict_samples(net, X[:20])
    assert samples.shape == (12, 20, 1)
    f = samples[:, :, 0]
    fbar = f.sum(axis=0) / 12
    expected = ((f - fbar) ** 2).sum(axis=0) / 12     # (1/T) sum_t (f_t - fbar)^2
    np.testing.assert_allclose(scorer(net, X[:20]), expected, rtol=1e-12)
    assert (expected > 0).all()
    # the passes scatter around the deterministic prediction
    assert np.abs(f.mean(axis=0) - net.predict(X[:20])).mean() < 0.5


def test_same_seed_same_scores_and_no_global_stream_or_mode_changed(fitted):
    net, X = fitted
    module = net[-1].module_
    before = net.predict(X)
    torch_state = torch.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    a = MCDropoutVariance(n_passes=5, random_state=1)(net, X)
    b = MCDropoutVariance(n_passes=5, random_state=1)(net, X)
    c = MCDropoutVariance(n_passes=5, random_state=2)(net, X)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert torch.equal(torch_state, torch.get_rng_state())
    assert np.array_equal(np_state, np.random.get_state()[1])
    assert not any(m.training for m in module.modules())
    np.testing.assert_array_equal(before, net.predict(X))
    # clones and pickles score alike
    scorer = MCDropoutVariance(n_passes=5, random_state=1)
    np.testing.assert_array_equal(clone(scorer)(net, X), a)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(scorer))(net, X), a)


def test_variance_grows_with_the_dropout_rate(fitted):
    net, X = fitted
    dropouts = [m for m in net[-1].module_.modules() if isinstance(m, torch.nn.Dropout)]
    p0 = [m.p for m in dropouts]
    means = []
    try:
        for p in (0.05, 0.2, 0.5):
            for m in dropouts:
                m.p = p
            means.append(MCDropoutVariance(n_passes=20, random_state=0)(net, X).mean())
    finally:
        for m, p in zip(dropouts, p0):
            m.p = p
    assert means[0] < means[1] < means[2]


def test_clear_errors(fitted):
    net, X = fitted
    no_dropout = _net(dropout=0.0, max_epochs=1).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="no torch.nn dropout layer"):
        MCDropoutVariance(random_state=0)(no_dropout, X)
    with pytest.raises(TypeError, match="NeuralNetRegressor"):
        MCDropoutVariance(random_state=0)(Ridge().fit(X, X[:, 0]), X)
    assert MCDropoutVariance(n_passes=3, random_state=0)(net, X[:0]).shape == (0,)


def test_mc_dropout_in_the_regressor_is_seeded_by_its_random_state():
    X, y = _data(100)
    fits = [ActiveSynthesisRegressor(_net(max_epochs=10), uncertainty="mc_dropout",
                                     uncertainty_cv=2, max_iter=1, random_state=0).fit(X, y)
            for _ in range(2)]
    a, b = fits
    u = a.history_["mean_uncertainty_train"].iloc[1]
    assert np.isfinite(u) and u > 0
    assert u == b.history_["mean_uncertainty_train"].iloc[1]
    np.testing.assert_array_equal(a.synthetic_X_, b.synthetic_X_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    other = ActiveSynthesisRegressor(_net(max_epochs=10), uncertainty="mc_dropout",
                                     uncertainty_cv=2, max_iter=1, random_state=1).fit(X, y)
    assert other.history_["mean_uncertainty_train"].iloc[1] != u
    # a scorer object passed in keeps its unset random_state (the fit seeds a clone)
    scorer = MCDropoutVariance(n_passes=4)
    ActiveSynthesisRegressor(_net(max_epochs=5), uncertainty=scorer, uncertainty_cv=2,
                             max_iter=1, random_state=0).fit(X, y)
    assert scorer.random_state is None
