"""Labels and outputs: label arrays kept as given, one type, y's columns, per-output values."""

import numpy as np
import pytest

from costkeras._labels import (
    check_classification_target,
    check_one_kind,
    column,
    label_array,
    per_output,
    stack_columns,
)


def test_label_array_keeps_labels_of_several_types_as_they_are():
    mixed = label_array([0, 1, "review"])
    assert mixed.dtype == object and mixed.tolist() == [0, 1, "review"]  # not "0", "1"
    assert label_array(["a", "b"]).dtype.kind == "U"


def test_labels_of_several_kinds_are_refused_but_numbers_are_one_kind():
    check_one_kind([1, 2.0, np.int64(3)], "actions")
    with pytest.raises(TypeError, match=r"actions mix labels of types \['int', 'str'\]"):
        check_one_kind([1, "r", 0], "actions")


@pytest.mark.parametrize(
    ("y", "match"),
    [
        (np.array([0.5, 1.5, 2.25]), "Unknown label type"),
        (np.array(["a", "a"]), r"y has one class only \(\['a'\]\)"),
        (np.array([[0, 1], [1, 0]]), "single-output classification"),
    ],
)
def test_a_target_that_is_no_single_output_classification_is_refused(y, match):
    with pytest.raises(ValueError, match=match):
        check_classification_target(y)


def test_columns_keep_their_dtypes_and_stack_back():
    y = np.array([[1, "a"], [2, "b"]], dtype=object)
    ints, texts = column(y, 0), column(y, 1)
    assert ints.dtype.kind == "i" and texts.dtype.kind == "U"
    stacked = stack_columns([ints, texts])
    assert stacked.dtype == object and stacked[1].tolist() == [2, "b"]


def test_per_output_spreads_a_dict_a_list_or_one_value_and_names_what_does_not_fit():
    names = ["risk", "fraud"]
    assert per_output({"fraud": 2}, names, param="class_weight") == [None, 2]
    assert per_output("balanced", names, param="class_weight") == ["balanced"] * 2
    assert per_output([1, 2], names, param="class_weight") == [1, 2]
    with pytest.raises(ValueError, match=r"names outputs \['x'\] that do not exist"):
        per_output({"x": 1}, names, param="class_weight")
    with pytest.raises(ValueError, match="cost_matrix is one matrix of shape \\(3, 3\\)"):
        per_output(np.ones((3, 3)), names, param="cost_matrix")
