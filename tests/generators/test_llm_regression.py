"""LLMGenerator with a continuous target, against the real loopback OpenAI server."""

import hashlib
import json

import numpy as np
import pytest

from sklearn_activesynth import ActiveSynthesisRegressor
from sklearn_activesynth.generators import LLMGenerator
from sklearn_activesynth.generators._llm import _dumps
from sklearn_activesynth.targeting import RegressionTargeting
from sklearn_activesynth.utils.estimator_checks import (
    make_check_regression_frame,
    make_targets,
)

pytest.importorskip("openai")

FAST = dict(timeout=2.0, max_retries=2, backoff=0.01, max_backoff=1.0)


def _gen(server, **kw):
    return LLMGenerator("test-model", base_url=server.url, **{**FAST, **kw})


def _sparse_range(seed=0):
    rng = np.random.RandomState(seed)
    y = np.r_[rng.uniform(0, 1, 100), rng.uniform(9, 10, 12)]
    X = np.c_[y + 0.1 * rng.normal(size=len(y)), rng.normal(size=len(y))]
    return X, y


def _prompts(server):
    return [r.body["messages"][1]["content"] for r in server.log]


def test_the_regressor_asks_for_targets_in_the_rare_range_and_gets_them(llm_server):
    X, y = _sparse_range()
    reg = ActiveSynthesisRegressor(generator=_gen(llm_server), targeting="rare",
                                   max_iter=1, random_state=0,
                                   validation_fraction=None).fit(X, y)
    syn = reg.synthetic_y_
    assert len(syn) > 0 and syn.dtype.kind == "f" and np.isfinite(syn).all()
    # the rare range's real targets lie in [9, 10]; the prompt widens it by 10 %
    assert syn.min() >= 8.8 and syn.max() <= 10.2
    prompts = _prompts(llm_server)
    assert prompts and all("whose target value is between 9." in p for p in prompts)
    schema = llm_server.log[0].body["response_format"]["json_schema"]["schema"]
    target = schema["properties"]["rows"]["items"]["properties"]["target"]
    assert target["type"] == "number" and 8.8 <= target["minimum"] < 9.5
    assert reg.history_["llm_invalid_target"].iloc[1] == 0
    # the region of each row is its target range
    assert set(reg.synthetic_provenance_["region"]) == {1}


def test_targets_outside_the_range_asked_are_dropped_and_counted(llm_server):
    X, y = _sparse_range()
    gen = _gen(llm_server, target_type="continuous", rows_per_request=5).fit(X, y)
    anchors = np.flatnonzero(y >= 9)[:3]
    targets = make_targets(X, y, anchors, [2, 2, 1])
    # the first reply's targets are far outside the range; the features are fine
    llm_server.script_faults([{"fault": "out_of_range", "fields": ["target"]}])
    res = gen.generate(targets=targets, random_state=0)
    assert res.report["llm_invalid_target"] == 5
    assert res.report["llm_invalid_range"] == 0
    assert res.n_samples == 5  # the top-up pass replaced them
    lo, hi = y[anchors].min(), y[anchors].max()
    width = hi - lo
    assert np.all((res.y >= lo - 0.11 * width) & (res.y <= hi + 0.11 * width))
    body = llm_server.log[0].body
    rows = json.loads(llm_server.completion(body, fault={
        "fault": "out_of_range", "fields": ["target"]})["choices"][0]["message"]["content"])
    assert all(abs(r["target"]) > 20 for r in rows["rows"])


def test_wrong_types_in_the_target_are_dropped_as_invalid_targets(llm_server):
    X, y = _sparse_range()
    gen = _gen(llm_server, target_type="continuous", rows_per_request=4).fit(X, y)
    llm_server.script_faults([{"fault": "wrong_types", "fields": ["target"]}])
    res = gen.generate(4, random_state=0)
    assert res.report["llm_invalid_target"] == 4 and res.n_samples == 4
    assert np.isfinite(res.y).all()


def test_untargeted_calls_ask_for_the_training_range_and_describe_the_data(llm_server):
    X, y = make_check_regression_frame(80)
    gen = _gen(llm_server, target_type="continuous").fit(X, y)
    res = gen.generate(6, random_state=0)
    assert res.n_samples == 6 and np.isfinite(res.y).all()
    lo, hi = gen.response_schema_["properties"]["target"]["minimum"], \
        gen.response_schema_["properties"]["target"]["maximum"]
    assert lo <= y.min() and hi >= y.max()
    assert np.all((res.y >= lo) & (res.y <= hi))
    prompt = _prompts(llm_server)[0]
    assert "typical rows of the data" in prompt and '"amount"' in prompt
    assert "regression model" in llm_server.log[0].body["messages"][0]["content"]


def test_ranges_of_quantile_bins_each_get_their_prompt(llm_server):
    X, y = _sparse_range()
    targeting = RegressionTargeting("random", target_bins=3, range_allocation="proportional")
    reg = ActiveSynthesisRegressor(generator=_gen(llm_server), targeting=targeting,
                                   max_iter=1, n_synthetic=12, random_state=0,
                                   validation_fraction=None).fit(X, y)
    assert set(reg.synthetic_provenance_["region"]) == {0, 1, 2}
    # each row's target lies in the range its own request asked for
    asked = {}
    for r in llm_server.log:
        rid = "req-" + hashlib.sha256(_dumps(r.body, sort_keys=True).encode()).hexdigest()[:16]
        t = r.body["response_format"]["json_schema"]["schema"]["properties"]["rows"][
            "items"]["properties"]["target"]
        asked[rid] = (t["minimum"], t["maximum"])
    assert len(set(asked.values())) == 3
    prov = reg.synthetic_provenance_
    for rid, target in zip(prov["request_id"], reg.synthetic_y_):
        lo, hi = asked[rid]
        assert lo <= target <= hi
    hist = reg.history_
    assert hist["range_rows_0"].iloc[1] + hist["range_rows_1"].iloc[1] + \
        hist["range_rows_2"].iloc[1] == 12


def test_same_random_state_gives_the_same_rows_through_the_regressor(llm_server):
    X, y = _sparse_range()
    kw = dict(targeting="rare", max_iter=1, random_state=0, validation_fraction=None)
    a = ActiveSynthesisRegressor(generator=_gen(llm_server), **kw).fit(X, y)
    b = ActiveSynthesisRegressor(generator=_gen(llm_server), **kw).fit(X, y)
    np.testing.assert_array_equal(a.synthetic_y_, b.synthetic_y_)
    np.testing.assert_array_equal(a.synthetic_X_, b.synthetic_X_)


def test_a_non_numeric_target_is_refused(llm_server):
    X, _ = make_check_regression_frame(40)
    with pytest.raises(ValueError, match="needs a numeric y"):
        _gen(llm_server, target_type="continuous").fit(X, np.array(["a", "b"] * 20))
