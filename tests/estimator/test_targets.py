"""The estimator takes y for several outputs as Keras does: a list, a tuple, a dict by name."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def two_outputs():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 4))
    risk = (X[:, 0] > 0).astype(int)
    grade = np.array(["a", "b", "c"])[np.digitize(X[:, 1], [-0.4, 0.4])]
    return X, risk, grade


def as_columns(*labels):
    joined = np.empty((len(labels[0]), len(labels)), dtype=object)
    for j, values in enumerate(labels):
        joined[:, j] = values
    return joined


def test_list_tuple_and_dict_fit_as_the_two_column_array(two_outputs, small):
    X, risk, grade = two_outputs
    reference = small(epochs=2).fit(X, as_columns(risk, grade))
    expected = reference.predict_proba(X)
    for y in ([risk, grade], (risk, grade), {"risk": risk, "grade": grade}):
        clf = small(epochs=2).fit(X, y)
        for ours, theirs in zip(clf.predict_proba(X), expected, strict=True):
            np.testing.assert_array_equal(ours, theirs)
        np.testing.assert_array_equal(clf.predict(X), reference.predict(X))
        assert [c.tolist() for c in clf.classes_] == [[0, 1], ["a", "b", "c"]]
        assert clf.score(X, y) == reference.score(X, as_columns(risk, grade))
    assert clf.output_names_ == ["risk", "grade"]  # a dict names the outputs


def test_a_dict_names_the_outputs_of_costs_and_later_calls(two_outputs, small):
    X, risk, grade = two_outputs
    costs = {"grade": [[0, 1, 1], [1, 0, 9], [1, 1, 0]]}
    clf = small(epochs=2, cost_matrix=costs).fit(X, {"risk": risk, "grade": grade})
    assert clf.cost_matrix_[0] is None and clf.cost_matrix_[1][1, 2] == 9
    # later calls may list the outputs in any order: the names say which is which
    swapped = {"grade": grade, "risk": risk}
    assert clf.score(X, swapped) == clf.score(X, as_columns(risk, grade))
    clf.partial_fit(X, swapped)
    with pytest.raises(ValueError, match=r"keys \['risk'\], but the estimator was fitted on"):
        clf.score(X, {"risk": risk})


def test_one_output_in_a_list_or_dict_is_a_single_output(binary_data, small):
    X, y = binary_data
    reference = small(epochs=2).fit(X, y).predict_proba(X)
    for given in ([y], (y,), {"label": y}, [y[:, None]]):
        np.testing.assert_array_equal(small(epochs=2).fit(X, given).predict_proba(X), reference)


def test_user_labels_are_not_modified(two_outputs, small):
    X, risk, grade = two_outputs
    y = {"risk": risk.copy(), "grade": grade.copy()}
    small(epochs=1).fit(X, y)
    np.testing.assert_array_equal(y["risk"], risk)
    np.testing.assert_array_equal(y["grade"], grade)


@pytest.mark.parametrize(
    ("make_y", "match"),
    [
        (lambda r, g: [r, g[:-1]], r"y\[1\] has 79 labels but X has 80 samples"),
        (lambda r, g: {"risk": r, "grade": g[:10]}, r"y\['grade'\] has 10 labels"),
        (lambda r, g: (r, np.eye(3)[[0] * 80]), r"y\[1\] has shape \(80, 3\).*np.argmax"),
        (lambda r, g: {}, "y is an empty dict"),
    ],
)
def test_keras_layouts_that_do_not_fit_name_the_output(two_outputs, make_y, match, small):
    X, risk, grade = two_outputs
    with pytest.raises(ValueError, match=match):
        small(epochs=1).fit(X, make_y(risk, grade))


def test_a_square_list_of_lists_is_ambiguous_and_says_how_to_choose(small):
    X = np.random.default_rng(0).normal(size=(3, 2))
    y = [[0, 1, 0], [1, 0, 1], [0, 0, 1]]
    with pytest.raises(ValueError, match=r"np.asarray\(y\) for rows, or a tuple"):
        small(epochs=1).fit(X, y)
    # scikit-learn's rows still read as rows when the shapes tell them apart
    rows = small(epochs=1).fit(X[:2], [[0, 1, 0], [1, 0, 1]])
    assert len(rows.classes_) == 3
