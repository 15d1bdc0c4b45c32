"""Reading real numbers: float copies, single numbers, finite values, errors naming their source."""

import numpy as np
import pytest

from costkeras._numbers import check_finite, float_array, ndim, number


def test_float_array_is_a_float_copy_of_real_numbers():
    ints = np.array([1, 2, 3])
    copied = float_array(ints, "costs", "an array")
    assert copied.dtype == np.float64 and copied.tolist() == [1.0, 2.0, 3.0]
    copied[0] = 9.0
    assert ints[0] == 1  # the user's array is left as it was


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (np.array([1 + 2j]), TypeError, "costs must be an array of real numbers; got dtype"),
        (["5", "6"], TypeError, "got the text '5'"),
        ([1, "x"], TypeError, "costs must be an array; got list"),
        ([10**400], ValueError, "costs holds a number beyond the float range"),
    ],
)
def test_float_array_refuses_what_is_not_real_numbers(value, error, match):
    with pytest.raises(error, match=match):
        float_array(value, "costs", "an array")


def test_number_check_finite_and_ndim():
    assert number(np.int64(3), "cost") == 3.0
    with pytest.raises(TypeError, match="cost must be a real number"):
        number(1j, "cost")
    with pytest.raises(TypeError, match="cost must be a number; got 'a'"):
        number("a", "cost")
    with pytest.raises(ValueError, match="weights must contain only finite values"):
        check_finite(np.array([1.0, np.nan]), "weights")
    check_finite(np.array([0.0, -1.0]), "weights")
    assert ndim([[1, 2], [3, 4]]) == 2 and ndim([[1], [2, 3]]) is None  # ragged
