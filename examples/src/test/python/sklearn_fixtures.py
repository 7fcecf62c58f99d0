#!/usr/bin/env python3
"""Writes the expected values of the app's binary and multi-label metrics, computed by scikit-learn,
as test fixtures: examples/src/test/resources/sklearn/{binary,multilabel}.json.

Run once with Debian's scikit-learn (apt-get install python3-sklearn), from the project root:

    /usr/bin/python3 examples/src/test/python/sklearn_fixtures.py

The inputs are seeded random scores rounded to a coarse grid (so that ties occur, which is where
the definitions differ) plus hand-made edge cases; they are written into the fixtures beside the
expected values, so the Java tests never need Python. BinaryMetricsSklearnTest and
MultiLabelMetricsSklearnTest read them.

Definitions (the app's, see MultiLabelMetrics and BinaryMetrics):
- thresholded metrics predict positive when p >= 0.5;
- macro mAP is the mean of average_precision_score over the labels with at least one positive;
- one-error is not in scikit-learn: fraction of rows whose top-scored label (first on ties, as
  numpy.argmax) is irrelevant, computed here with numpy.
"""
import json
import os

import numpy as np
import sklearn
from sklearn import metrics

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "sklearn")


def binary_case(name, p, y):
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=int)
    pred = (p >= 0.5).astype(int)
    tn, fp, fn, tp = metrics.confusion_matrix(y, pred, labels=[0, 1]).ravel()
    precision, recall, _ = metrics.precision_recall_curve(y, p)
    # scikit-learn lists thresholds ascending and appends (precision 1, recall 0); the app lists
    # (recall, precision) per distinct threshold, highest threshold first
    curve = [[float(r), float(q)] for q, r in zip(precision[-2::-1], recall[-2::-1])]
    return {
        "name": name,
        "p": p.tolist(),
        "y": y.tolist(),
        "expected": {
            "average_precision": float(metrics.average_precision_score(y, p)),
            "roc_auc": float(metrics.roc_auc_score(y, p)),
            "accuracy": float(metrics.accuracy_score(y, pred)),
            "precision": float(metrics.precision_score(y, pred, zero_division=0)),
            "recall": float(metrics.recall_score(y, pred, zero_division=0)),
            "f1": float(metrics.f1_score(y, pred, zero_division=0)),
            "brier": float(metrics.brier_score_loss(y, p)),
            "confusion": [int(tp), int(fp), int(fn), int(tn)],
            "pr_curve": curve,
        },
    }


def multilabel_case(name, p, y):
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=int)
    pred = (p >= 0.5).astype(int)
    with_positive = [j for j in range(y.shape[1]) if y[:, j].sum() > 0]
    top = np.argmax(p, axis=1)
    return {
        "name": name,
        "p": p.tolist(),
        "y": y.tolist(),
        "expected": {
            "hamming_loss": float(metrics.hamming_loss(y, pred)),
            "micro_f1": float(metrics.f1_score(y, pred, average="micro", zero_division=0)),
            "macro_f1": float(metrics.f1_score(y, pred, average="macro", zero_division=0)),
            "macro_map": float(np.mean([metrics.average_precision_score(y[:, j], p[:, j]) for j in with_positive])),
            "ranking_ap": float(metrics.label_ranking_average_precision_score(y, p)),
            "one_error": float(np.mean(y[np.arange(len(y)), top] == 0)),
            "coverage": float(metrics.coverage_error(y, p)),
            "ranking_loss": float(metrics.label_ranking_loss(y, p)),
        },
    }


def main():
    rng = np.random.default_rng(20261205)
    binary = []
    # 1. 60 rows, 25% positives, scores on a 0.05 grid (many ties), informative
    y = (rng.random(60) < 0.25).astype(int)
    p = np.clip(np.round((0.35 * y + 0.65 * rng.random(60)) * 20) / 20, 0, 1)
    binary.append(binary_case("grid-0.05-ties", p, y))
    # 2. 200 rows, 5% positives, continuous scores (no ties), weakly informative
    y = (rng.random(200) < 0.05).astype(int)
    y[0] = 1
    p = 1 / (1 + np.exp(-(rng.normal(size=200) + 1.5 * y - 2)))
    binary.append(binary_case("rare-positives-continuous", p, y))
    # 3. hand-made: a positive and a negative tied at the top, a score exactly 0.5, scores 0 and 1
    binary.append(binary_case("hand-ties-and-edges", [1.0, 1.0, 0.9, 0.5, 0.5, 0.3, 0.0, 0.0],
                              [1, 0, 1, 0, 1, 0, 1, 0]))

    multilabel = []
    # 1. 40 rows x 6 labels, scores on a 0.01 grid, label 5 never positive, row 0 without any and row 1 with
    #    every relevant label
    y = (rng.random((40, 6)) < np.array([0.5, 0.3, 0.2, 0.1, 0.05, 0.0])).astype(int)
    y[0, :] = 0
    y[1, :] = 1
    y[1, 5] = 0
    y[2, 5] = 1
    p = np.round(np.clip(0.4 * y + 0.6 * rng.random((40, 6)), 0, 1), 2)
    multilabel.append(multilabel_case("grid-0.01-with-empty-and-full-rows", p, y))
    # 2. 100 rows x 14 labels like yeast's shape, continuous sigmoid scores
    prior = np.linspace(0.75, 0.02, 14)
    y = (rng.random((100, 14)) < prior).astype(int)
    p = 1 / (1 + np.exp(-(rng.normal(size=(100, 14)) + 2 * y - 1)))
    multilabel.append(multilabel_case("yeast-shaped-continuous", p, y))
    # 3. 30 rows x 4 labels with scores on a 0.25 grid: heavy ties, including ties at the top
    y = (rng.random((30, 4)) < 0.4).astype(int)
    y[3, :] = 0
    y[3, 2] = 1
    p = np.round(rng.random((30, 4)) * 4) / 4
    multilabel.append(multilabel_case("grid-0.25-heavy-ties", p, y))

    os.makedirs(OUT, exist_ok=True)
    source = "scikit-learn " + sklearn.__version__ + ", numpy " + np.__version__ + " (examples/src/test/python/sklearn_fixtures.py)"
    for name, cases in (("binary", binary), ("multilabel", multilabel)):
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump({"source": source, "cases": cases}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
