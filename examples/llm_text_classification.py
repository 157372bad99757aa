"""Targeted synthetic texts from an LLM for a TF-IDF + LogisticRegression classifier.

A small customer-support corpus (three intents, written below, with messages
that mix two intents on purpose) is classified by a TF-IDF + logistic
regression pipeline. ``ActiveSynthesisClassifier`` finds the messages the model
is unsure about, describes them (length, shared words, which intents it
confuses) and asks an LLM for new messages of the intent it needs there.

Run from the repository root::

    .venv/bin/python examples/llm_text_classification.py
    # a real endpoint (any OpenAI-compatible server); the key is read from OPENAI_API_KEY
    .venv/bin/python examples/llm_text_classification.py --base-url http://localhost:11434/v1 \
        --model llama3.1
    .venv/bin/python examples/llm_text_classification.py --model gpt-4o-mini --cache-dir .llm_cache

By default it talks to ``sklearn_activesynth.testing.OpenAITestServer`` on
127.0.0.1: a stand-in "model" that fills the requested JSON schema with words
taken from the prompt. It shows the mechanics (prompts, validation, history,
provenance, cost columns) without a network or a key; the scores it gives say
nothing about what a real LLM adds. Nothing leaves the machine but aggregate
descriptions unless ``--share-examples`` is given.
"""

import argparse
import textwrap
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.generators import LLMGenerator
from sklearn_activesynth.testing import OpenAITestServer

TEMPLATES = {
    "billing": [
        "I was charged twice for {item}",
        "the refund for {item} has not arrived yet",
        "why does my invoice for {item} show a higher price",
        "please cancel the payment for {item}",
        "my card was declined when paying for {item}",
        "the discount code did not apply to {item}",
    ],
    "delivery": [
        "{item} was delivered to the wrong address",
        "the courier never showed up with {item}",
        "tracking for {item} has not moved in a week",
        "{item} arrived damaged in the box",
        "can I change the delivery date for {item}",
        "the parcel with {item} is stuck at the depot",
    ],
    "account": [
        "I cannot log in to see my order for {item}",
        "the password reset link for my account expired",
        "please update the email on my account before I buy {item}",
        "my account was locked while ordering {item}",
        "how do I delete my account and saved {item} list",
        "two factor code never arrives when I buy {item}",
    ],
}
ITEMS = ["the blue jacket", "a phone case", "the coffee machine", "two books",
         "the garden chair", "a gift card", "the running shoes"]
# messages that mention two intents: where a bag-of-words model is unsure
AMBIGUOUS = [
    ("the delivery fee was charged twice", "billing"),
    ("refund the shipping cost, the parcel came late", "billing"),
    ("I paid but the parcel never left the depot", "delivery"),
    ("the courier asked me to log in to confirm the address", "delivery"),
    ("I was charged after I deleted my account", "account"),
    ("cannot log in to pay the invoice", "account"),
]


def make_corpus(seed=0):
    rng = np.random.RandomState(seed)
    texts, labels = [], []
    for label, templates in TEMPLATES.items():
        for template in templates:
            for item in rng.choice(ITEMS, size=4, replace=False):
                texts.append(template.format(item=item))
                labels.append(label)
    for text, label in AMBIGUOUS * 2:
        texts.append(text)
        labels.append(label)
    return pd.DataFrame({"text": texts}), np.array(labels, dtype=object)


def make_pipeline_tfidf():
    return make_pipeline(
        ColumnTransformer([("tfidf", TfidfVectorizer(ngram_range=(1, 2)), "text")]),
        LogisticRegression(max_iter=1000),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default=None,
                        help="an OpenAI-compatible endpoint; default: a local test server")
    parser.add_argument("--model", default="test-model")
    parser.add_argument("--cache-dir", default=None, help="re-runs are free with a cache")
    parser.add_argument("--share-examples", type=int, default=0,
                        help="opt in to k real messages per prompt (default: none)")
    parser.add_argument("--max-iter", type=int, default=3)
    args = parser.parse_args()

    X, y = make_corpus()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    print(f"{len(X_tr)} training and {len(X_te)} test messages, intents: "
          f"{', '.join(np.unique(y))}")

    server = None
    base_url = args.base_url
    if base_url is None:
        server = OpenAITestServer().start()
        base_url = server.url
        print(f"using the local test server at {base_url} (pass --base-url for a real model)")
    try:
        generator = LLMGenerator(
            args.model, base_url=base_url, temperature=0.9, rows_per_request=8,
            max_requests=30, share_real_examples=args.share_examples,
            cache_dir=args.cache_dir, timeout=60.0, n_jobs=4,
        )
        t0 = time.perf_counter()
        real_only = make_pipeline_tfidf().fit(X_tr, y_tr)
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            clf = ActiveSynthesisClassifier(
                make_pipeline_tfidf(), generator=generator, n_synthetic=0.3,
                max_iter=args.max_iter, uncertainty_cv=3, random_state=0,
            ).fit(X_tr, y_tr)
        seconds = time.perf_counter() - t0
    finally:
        if server is not None:
            server.stop()
    if server is not None and server.requests:
        print("\nthe first prompt the server received:")
        print(textwrap.indent(server.requests[0]["messages"][1]["content"], "    "))

    cols = ["round", "status", "accepted", "val_score", "n_generated", "n_accepted",
            "llm_requests", "llm_cache_hits", "llm_prompt_tokens", "llm_completion_tokens",
            "llm_invalid_duplicate", "llm_shortfall"]
    hist = clf.history_[[c for c in cols if c in clf.history_.columns]]
    print("\nhistory_ (one row per round):")
    print(hist.to_string(index=False))

    prov = clf.synthetic_provenance_
    print(f"\n{len(clf.synthetic_y_)} synthetic messages kept; a few, with their provenance:")
    for i in range(min(6, len(prov))):
        text = textwrap.shorten(clf.synthetic_X_["text"].iloc[i], 70)
        print(f"  [{clf.synthetic_y_[i]:8}] {text!r:74} round {prov['round'].iloc[i]}, "
              f"region {prov['region'].iloc[i]}, {prov['request_id'].iloc[i]}")

    for name, model in (("real only", real_only), ("active synthesis", clf)):
        score = balanced_accuracy_score(y_te, model.predict(X_te))
        print(f"{name:>17}: balanced accuracy {score:.3f} on the test messages")
    print(f"(fit in {seconds:.1f} s; with the test server these scores show the mechanics "
          "only)")


if __name__ == "__main__":
    main()
