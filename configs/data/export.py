#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Exports the datasets of this folder from scikit-learn's bundled copies (sklearn.datasets).

Needs scikit-learn (and numpy); nothing is downloaded: load_iris, load_breast_cancer, load_wine
and load_diabetes read the CSV files inside the scikit-learn package. Run from this folder:

    python3 export.py

Each file gets a header line; column names are scikit-learn's feature names in snake_case
("sepal length (cm)" -> sepal_length_cm, "od280/od315_of_diluted_wines" -> od280_od315_of_diluted_wines);
numbers are written as Python's shortest round-trip repr, so the files hold exactly the values
scikit-learn loads. The target column comes last.
"""
import re

from sklearn import datasets


def column(name):
    return re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_")


def export(path, bunch, target_name, target=None):
    target = bunch.target if target is None else target
    names = [column(n) for n in bunch.feature_names] + [target_name]
    assert len(set(names)) == len(names), names
    with open(path, "w", newline="") as f:
        f.write(",".join(names) + "\n")
        for row, y in zip(bunch.data, target):
            f.write(",".join(repr(float(v)) for v in row) + "," + (str(int(y)) if float(y).is_integer() else repr(float(y))) + "\n")
    print(f"{path}: {len(bunch.data)} rows, {len(names) - 1} features + {target_name}")


export("iris.csv", datasets.load_iris(), "species")  # 0 setosa, 1 versicolor, 2 virginica
cancer = datasets.load_breast_cancer()
export("breast_cancer.csv", cancer, "malignant", target=1 - cancer.target)  # scikit-learn: 0 malignant, 1 benign
export("wine.csv", datasets.load_wine(), "cultivar")  # 0, 1, 2
export("diabetes.csv", datasets.load_diabetes(), "progression")  # features mean-centred and scaled by scikit-learn
