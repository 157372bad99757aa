import copy
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from sklearn_activesynth import ActiveSynthesisClassifier  # noqa: E402
from sklearn_activesynth.nn import TabularMLP, make_tabular_mlp  # noqa: E402
from sklearn_activesynth.uncertainty import DeepEnsembleVariance, MCDropout  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def tabular():
    X, y = make_classification(n_samples=300, n_features=8, n_informative=5,
                               random_state=0)
    return X, y


@pytest.fixture(scope="module")
def fitted(tabular):
    X, y = tabular
    return make_tabular_mlp(max_epochs=15, random_state=0).fit(X, y)


def test_module_output_shape_and_lazy_first_layer():
    lazy = TabularMLP(n_classes=3)
    assert isinstance(lazy.layers[0], torch.nn.LazyLinear)
    assert lazy(torch.zeros(5, 7)).shape == (5, 3)
    assert lazy.layers[0].in_features == 7  # materialised by the first batch
    fixed = TabularMLP(n_features=4, hidden_dims=(16, 8, 4), dropout=0.1)
    assert fixed(torch.zeros(6, 4, dtype=torch.float64)).shape == (6, 2)
    kinds = [type(m).__name__ for m in fixed.layers]
    assert kinds == ["Linear", "ReLU", "Dropout"] * 3 + ["Linear"]
    assert len(TabularMLP(n_features=4, hidden_dims=()).layers) == 1


def test_dropout_stochastic_in_train_mode_deterministic_in_eval():
    torch.manual_seed(0)
    m = TabularMLP(n_features=8, hidden_dims=(32, 32), dropout=0.5)
    x = torch.randn(20, 8)
    m.train()
    assert not torch.equal(m(x), m(x))
    m.eval()
    assert torch.equal(m(x), m(x))


@pytest.mark.parametrize("copier", [copy.deepcopy, lambda m: pickle.loads(pickle.dumps(m))])
def test_unmaterialised_module_copies(copier):
    m = copier(TabularMLP())
    assert m(torch.zeros(3, 5)).shape == (3, 2)


def test_pipeline_learns_linearly_separable_problem():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 6)) * [3, 3, 1, 1, 1, 1]
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    clf = make_tabular_mlp(max_epochs=20, random_state=0).fit(X[:300], y[:300])
    assert isinstance(clf, Pipeline) and list(clf.named_steps) == ["scale", "to32", "net"]
    assert clf.named_steps["net"].module_.layers[0].in_features == 6
    assert (clf.predict(X[300:]) == y[300:]).mean() > 0.9
    proba = clf.predict_proba(X[300:])
    assert proba.shape == (100, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)


def test_int32_targets_reach_the_loss_as_int64(tabular):
    X, y = tabular
    clf = make_tabular_mlp(max_epochs=2, random_state=0).fit(X, y.astype(np.int32))
    assert set(clf.predict(X)) <= {0, 1}


def test_clone_pickle_round_trip(tabular, fitted):
    X, y = tabular
    expected = fitted.predict_proba(X)
    for copy_ in (pickle.loads(pickle.dumps(fitted)), copy.deepcopy(fitted)):
        np.testing.assert_array_equal(copy_.predict_proba(X), expected)
    # unfitted copies (clone, pickle, and an initialised-but-unfitted lazy net)
    unfitted = make_tabular_mlp(max_epochs=15, random_state=0)
    initialised = make_tabular_mlp(max_epochs=15, random_state=0)
    initialised.named_steps["net"].initialize()
    for est in (clone(fitted), clone(unfitted), pickle.loads(pickle.dumps(unfitted)),
                pickle.loads(pickle.dumps(initialised)), copy.deepcopy(initialised)):
        np.testing.assert_array_equal(est.fit(X, y).predict_proba(X), expected)


def test_random_state_reproducible_and_leaves_global_torch_stream(tabular, fitted):
    X, y = tabular
    state = torch.random.get_rng_state()
    again = make_tabular_mlp(max_epochs=15, random_state=0).fit(X, y)
    assert torch.equal(torch.random.get_rng_state(), state)
    np.testing.assert_array_equal(again.predict_proba(X), fitted.predict_proba(X))
    other = make_tabular_mlp(max_epochs=15, random_state=1).fit(X, y)
    assert not np.array_equal(other.predict_proba(X), fitted.predict_proba(X))
    assert fitted.get_params()["net__random_state"] == 0


def test_mc_dropout_higher_near_the_boundary():
    # two Gaussians at x0 = -2 and x0 = +2: the Bayes boundary is x0 = 0
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 200)
    X = rng.normal(size=(400, 2))
    X[:, 0] += np.where(y == 1, 2.0, -2.0)
    clf = make_tabular_mlp(max_epochs=20, dropout=0.3, random_state=0).fit(X, y)
    t = np.linspace(-2, 2, 25)
    near = np.column_stack([rng.uniform(-0.2, 0.2, 25), t])
    far = np.column_stack([np.where(np.arange(25) % 2, 4.0, -4.0), t])
    scorer = MCDropout(n_passes=20, random_state=0)
    before = clf.predict_proba(near)
    u_near, u_far = scorer(clf, near), scorer(clf, far)
    assert u_near.mean() > 0.4 and u_far.mean() < 0.1
    assert u_near.min() > u_far.max()
    np.testing.assert_array_equal(scorer(clf, near), u_near)  # seeded passes
    np.testing.assert_array_equal(clf.predict_proba(near), before)  # modes restored
    bald = MCDropout(n_passes=20, measure="bald", random_state=0)(clf, np.vstack([near, far]))
    assert bald[:25].mean() > bald[25:].mean()


def test_active_synthesis_end_to_end_with_out_of_fold_mc_dropout(tabular):
    X, y = tabular
    labels = np.where(y == 1, "yes", "no")

    def fit():
        return ActiveSynthesisClassifier(
            make_tabular_mlp(max_epochs=5, random_state=0),
            uncertainty=MCDropout(n_passes=5, random_state=0), uncertainty_cv=3,
            max_iter=1, validation_fraction=None, random_state=0).fit(X, labels)

    clf = fit()
    assert clf.n_iter_ == 1
    assert clf.synthetic_X_.shape[0] > 0 and clf.synthetic_X_.shape[1] == 8
    assert clf.history_["n_accepted"].iloc[1] == clf.synthetic_X_.shape[0]
    assert clf.history_["mean_uncertainty_train"].iloc[1] > 0
    pred = clf.predict(X)
    assert set(pred) <= {"yes", "no"} and (pred == labels).mean() > 0.8
    assert clf.predict_proba(X[:4]).shape == (4, 2)
    np.testing.assert_array_equal(fit().predict_proba(X), clf.predict_proba(X))


def test_deep_ensemble_seeds_each_member_through_net_random_state(tabular):
    X, y = tabular
    members, _ = DeepEnsembleVariance(n_members=2).fit_committee(
        make_tabular_mlp(max_epochs=3, random_state=0), X, y, random_state=0)
    seeds = [m.get_params()["net__random_state"] for m in members]
    assert seeds[0] != seeds[1]
    assert not np.array_equal(members[0].predict_proba(X), members[1].predict_proba(X))
