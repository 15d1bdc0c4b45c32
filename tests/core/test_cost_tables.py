"""The cost tables the metrics sum: each example's cost of every decision, per output."""

import numpy as np
import pytest

from costkeras._cost_tables import combine, cost_table, output_tables, positions, table_sums

C = np.array([[0.0, 1.0], [5.0, 0.0]])


def test_a_table_row_is_the_true_class_row_of_the_cost_matrix():
    table, predicted, weights = cost_table(
        ["b", "a", "b"], ["a", "a", "b"], C, ["a", "b"], sample_weight=None, sample_cost=None
    )
    np.testing.assert_array_equal(table, C[[1, 0, 1]])
    assert predicted.tolist() == [0, 0, 1] and weights.tolist() == [1.0, 1.0, 1.0]
    # the total the metrics sum: a true "b" called "a" costs 5
    totals, constants, weight = table_sums([(table, predicted, weights)])
    assert totals.tolist() == [5.0] and constants.tolist() == [min(0 + 5 + 5, 1 + 0 + 0)]
    assert weight == 3.0


def test_per_example_costs_price_each_row_and_unknown_labels_are_named():
    rows = np.array([[[0.0, 2.0], [9.0, 0.0]], [[0.0, 3.0], [7.0, 0.0]]])
    table, _, _ = cost_table([1, 0], [0, 0], None, [0, 1], sample_weight=None, sample_cost=rows)
    np.testing.assert_array_equal(table, [[9.0, 0.0], [0.0, 3.0]])
    with pytest.raises(ValueError, match=r"y_pred holds labels \['c'\] that are not in"):
        positions(np.array(["a", "c"]), np.array(["a", "b"]), "y_pred")


def test_one_table_per_output_that_has_costs():
    y = np.array([[0, 1], [1, 1], [1, 0]])
    tables = output_tables(
        y,
        y[::-1],
        [C, None],
        labels=None,
        sample_weight=None,
        sample_cost=None,
        output_names=None,
    )  # the second output has no costs: it adds nothing
    assert len(tables) == 1
    np.testing.assert_array_equal(tables[0][0], C[[0, 1, 1]])
    assert combine(np.array([1.0, 2.0]), "sum") == 3.0
    with pytest.raises(ValueError, match="multioutput must be 'sum' or 'raw_values'"):
        combine(np.array([1.0]), "mean")
