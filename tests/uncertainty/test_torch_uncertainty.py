import pickle
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402

from sklearn_activesynth import ActiveSynthesisClassifier  # noqa: E402
from sklearn_activesynth.generators import InterpolationGenerator  # noqa: E402
from sklearn_activesynth.nn import (  # noqa: E402
    ImageCNN,
    VariationalImageCNN,
    VariationalNetClassifier,
)
from sklearn_activesynth.uncertainty import (  # noqa: E402
    BayesianPredictiveVariance,
    DeepEnsembleVariance,
    MCDropout,
    ensemble_variance,
    entropy,
    sampled_uncertainty,
)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _net(module=ImageCNN, cls=skorch.NeuralNetClassifier, **kw):
    params = dict(module__input_scale=1 / 16, optimizer=torch.optim.Adam, lr=3e-3,
                  max_epochs=10, batch_size=32, train_split=None, verbose=0)
    if cls is skorch.NeuralNetClassifier:
        params["criterion"] = torch.nn.CrossEntropyLoss
    params.update(kw)
    return cls(module, **params)


@pytest.fixture(scope="module")
def fitted_net(digits):
    X, y = digits
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        # batch norm on: MC dropout must leave it in evaluation mode
        return _net(module__batch_norm=True).fit(X[:300], y[:300])


@pytest.fixture(scope="module")
def variational_net(digits):
    X, y = digits
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return _net(VariationalImageCNN, VariationalNetClassifier).fit(X[:300], y[:300])


def test_mc_dropout_spreads_and_leaves_predict_proba_unchanged(fitted_net, digits):
    X = digits[0][1000:1200]
    before = fitted_net.predict_proba(X)
    samples = MCDropout(n_passes=10, random_state=0).predict_proba_samples(fitted_net, X)
    assert samples.shape == (10, 200, 10)
    np.testing.assert_allclose(samples.sum(axis=2), 1.0, atol=1e-5)
    assert samples.std(axis=0).max() > 0.05  # the passes differ
    np.testing.assert_array_equal(fitted_net.predict_proba(X), before)
    assert not any(m.training for m in fitted_net.module_.modules())


def test_only_dropout_runs_in_train_mode_without_gradients(fitted_net, digits):
    seen = []

    def record(module, inputs):
        seen.append((type(module).__name__, module.training, torch.is_grad_enabled()))

    hooks = [m.register_forward_pre_hook(record) for m in fitted_net.module_.modules()
             if isinstance(m, (torch.nn.Dropout, torch.nn.BatchNorm2d))]
    # a module left in training mode by its user gets its modes back as they were
    fitted_net.module_.train()
    try:
        MCDropout(n_passes=3, random_state=0)(fitted_net, digits[0][:10])
    finally:
        for h in hooks:
            h.remove()
    assert {name for name, _, _ in seen} == {"Dropout", "BatchNorm2d"}
    assert all(train == (name == "Dropout") for name, train, _ in seen)
    assert not any(grad for _, _, grad in seen)
    assert all(m.training for m in fitted_net.module_.modules())
    fitted_net.module_.eval()


def test_measures_follow_their_formulas(fitted_net, digits):
    X = digits[0][1000:1100]
    scorer = MCDropout(n_passes=8, random_state=3)
    s = scorer.predict_proba_samples(fitted_net, X)
    ent = scorer.set_params(measure="entropy")(fitted_net, X)
    bald = scorer.set_params(measure="bald")(fitted_net, X)
    var = scorer.set_params(measure="variance")(fitted_net, X)
    np.testing.assert_allclose(ent, entropy(s.mean(0)), rtol=1e-6)
    np.testing.assert_allclose(bald, entropy(s.mean(0)) - np.mean([entropy(p) for p in s], 0),
                               atol=1e-6)
    np.testing.assert_allclose(var, ((s - s.mean(0)) ** 2).mean(0).sum(1), rtol=1e-6)
    np.testing.assert_allclose(var, ensemble_variance(s), rtol=1e-6)  # §2.2.1's formula
    np.testing.assert_allclose(sampled_uncertainty(s, "bald"), bald, rtol=1e-6)
    assert np.all(bald >= 0) and np.all(bald <= ent + 1e-9) and bald.max() > 0


def test_same_seed_same_scores_and_torch_stream_untouched(fitted_net, digits):
    X = digits[0][:50]
    torch.manual_seed(11)
    state = torch.random.get_rng_state()
    a = MCDropout(n_passes=5, random_state=1)(fitted_net, X)
    b = MCDropout(n_passes=5, random_state=1)(fitted_net, X)
    c = MCDropout(n_passes=5, random_state=2)(fitted_net, X)
    assert torch.equal(torch.random.get_rng_state(), state)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_pipelines_clones_and_pickles(fitted_net, digits):
    X = digits[0][:30]
    scorer = MCDropout(n_passes=4, random_state=0)
    # a Pipeline ending in the net: earlier steps transform X first
    pipe = make_pipeline(FunctionTransformer(lambda Z: Z * 1.0), fitted_net)
    np.testing.assert_allclose(scorer(pipe, X), scorer(fitted_net, X))
    restored = pickle.loads(pickle.dumps(fitted_net))
    np.testing.assert_allclose(scorer(restored, X), scorer(fitted_net, X), atol=1e-6)
    assert clone(scorer).get_params() == scorer.get_params()


def test_clear_errors(fitted_net, digits, monkeypatch):
    X, y = digits[0][:60], digits[1][:60]
    with pytest.raises(ValueError, match="no torch.nn dropout layer"):
        MCDropout(random_state=0)(_net(module__dropout=0.0, max_epochs=1).fit(X, y), X)
    with pytest.raises(TypeError, match="not a skorch net"):
        MCDropout()(LogisticRegression().fit(X, y), X)
    with pytest.raises(TypeError, match="sample_predictions"):
        BayesianPredictiveVariance()(fitted_net, X)
    with pytest.raises(ValueError, match="identical"):
        DeepEnsembleVariance().fit_committee(KNeighborsClassifier(), X, y)
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"MCDropout needs torch.*\[torch\]"):
        MCDropout()(fitted_net, X)


def test_bayesian_predictive_variance_is_the_posterior_variance(variational_net, digits):
    X = digits[0][1000:1100]
    scorer = BayesianPredictiveVariance(n_samples=30, random_state=0)
    s = scorer.predict_proba_samples(variational_net, X)
    assert s.shape == (30, 100, 10)
    u = scorer(variational_net, X)
    # seed 000 §2.2.3: E[f^2] - E[f]^2, summed over classes
    np.testing.assert_allclose(u, ((s ** 2).mean(0) - s.mean(0) ** 2).sum(1), atol=1e-9)
    assert u.max() > 0
    np.testing.assert_array_equal(u, scorer(variational_net, X))  # seeded
    # the posterior mean is what predict_proba uses; samples scatter around it
    np.testing.assert_allclose(s.mean(0).argmax(1), variational_net.predict(X))
    assert not any(m.training for m in variational_net.module_.modules())


def test_variational_net_adds_the_kl_term(digits):
    X, y = digits[0][:64], digits[1][:64]
    net = _net(VariationalImageCNN, VariationalNetClassifier, max_epochs=1).fit(X, y)
    assert net.n_train_rows_ == 64
    logits = net.infer(torch.as_tensor(X[:8]))
    ce = torch.nn.functional.cross_entropy(logits, torch.as_tensor(y[:8]))
    with torch.no_grad():
        loss = net.get_loss(logits, torch.as_tensor(y[:8]), training=True)
        kl = net.module_.kl_divergence()
    np.testing.assert_allclose(loss.item(), ce.item() + kl.item() / 64, rtol=1e-5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_deep_ensemble_members_differ_by_seed_only(digits):
    X, y = digits[0][:150], digits[1][:150]
    scorer = DeepEnsembleVariance(n_members=3)
    members, in_bag = scorer.fit_committee(_net(max_epochs=3), X, y, random_state=0)
    assert in_bag.all()  # deep ensembles proper: every member sees every row
    u, proba = scorer.score_committee(members, X[:40], n_classes=10)
    assert u.max() > 0 and proba.shape == (40, 10)
    again, _ = scorer.fit_committee(_net(max_epochs=3), X, y, random_state=0)
    np.testing.assert_allclose(scorer.score_committee(again, X[:40], 10)[0], u, atol=1e-6)
    # scikit-learn estimators are seeded through random_state
    mlp, _ = scorer.fit_committee(MLPClassifier(hidden_layer_sizes=(8,), max_iter=30), X, y,
                                  random_state=0)
    assert len({m.random_state for m in mlp}) == 3
    _, in_bag = DeepEnsembleVariance(3, bootstrap=True).fit_committee(
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=30), X, y, random_state=0)
    assert not in_bag.all()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("uncertainty", [
    MCDropout(n_passes=4, measure="bald", random_state=0),
    DeepEnsembleVariance(n_members=2),
    BayesianPredictiveVariance(n_samples=8, random_state=0),
], ids=["mc_dropout", "deep_ensemble", "bayesian"])
def test_usable_as_uncertainty_of_the_classifier(uncertainty, digits):
    X, y = digits[0][:200], digits[1][:200]
    net = _net(max_epochs=4) if not isinstance(uncertainty, BayesianPredictiveVariance) \
        else _net(VariationalImageCNN, VariationalNetClassifier, max_epochs=4)
    clf = ActiveSynthesisClassifier(
        net, generator=InterpolationGenerator(k_neighbors=3), uncertainty=uncertainty,
        # variances of probabilities are small numbers: tol=0 lets round 1 run
        uncertainty_cv=2, max_iter=1, tol=0.0, random_state=0,
    ).fit(X, y)
    row = clf.history_.iloc[1]
    assert row["mean_uncertainty_train"] > 0 and row["n_generated"] > 0
    assert clf.predict_proba(X[:3]).shape == (3, 10)


def test_kl_divergence_is_the_closed_form_of_torch_distributions():
    from sklearn_activesynth.nn import VariationalLinear

    torch.manual_seed(0)
    layer = VariationalLinear(5, 3, prior_std=0.7, init_log_std=-2.0)
    with torch.no_grad():
        layer.weight_mu.normal_()
        layer.bias_mu.normal_()
        kl = layer.kl_divergence().item()
        by_hand = 0.0  # the formula the layer computed before torch did it
        for mu, rho in ((layer.weight_mu, layer.weight_rho), (layer.bias_mu, layer.bias_rho)):
            std = layer._std(rho)
            by_hand += torch.sum(torch.log(0.7 / std) + (std ** 2 + mu ** 2) / (2 * 0.7 ** 2)
                                 - 0.5).item()
    np.testing.assert_allclose(kl, by_hand, rtol=1e-5)
    assert kl > 0
