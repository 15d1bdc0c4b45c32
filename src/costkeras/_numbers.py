"""Reading what users pass as real numbers: float arrays, single numbers, finite values.

Plain NumPy, so that every layer (the metrics, the Keras pieces, the estimators)
reads numbers the same way and refuses the same values with the same messages.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def float_array(value: Any, param: str, expected: str) -> np.ndarray:
    """A float copy of ``value``; a ``TypeError`` naming ``param`` if it is not real numbers.

    Complex numbers (whose imaginary part NumPy would drop), dates and text (NumPy would
    read ``"5"`` as 5) are refused, and so are numbers beyond the float range (Python ints
    can be that large).
    """
    kind = getattr(value, "dtype", np.dtype(float)).kind
    if kind in "cmM":
        raise TypeError(f"{param} must be {expected} of real numbers; got dtype {value.dtype}.")
    try:
        array = np.array(value, dtype=float)
    except OverflowError as exc:
        raise ValueError(f"{param} holds a number beyond the float range.") from exc
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{param} must be {expected}; got {type(value).__name__}.") from exc
    if array.dtype.kind != "f":
        raise TypeError(f"{param} must be {expected} of real numbers.")
    text = _first_text(value)
    if text is not None:
        raise TypeError(f"{param} must be {expected}; got the text {text!r}.")
    return array


def _first_text(value: Any) -> str | bytes | None:
    """The first string in ``value`` (an array-like that converted to floats), or None."""
    if isinstance(value, (str, bytes)):
        return value
    array = value if isinstance(value, np.ndarray) else np.asarray(value)
    if array.dtype.kind in "US":
        return array.flat[0].item() if array.size else None
    if array.dtype.kind == "O":
        return next((v for v in array.flat if isinstance(v, (str, bytes))), None)
    return None


def number(value: Any, where: str) -> float:
    """One real number as a float; a ``TypeError`` (``ValueError`` beyond the float range)
    naming ``where`` otherwise."""
    if isinstance(value, complex) or np.iscomplexobj(value):
        raise TypeError(f"{where} must be a real number; got {value!r}.")
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{where} is a number beyond the float range.") from None
    except (TypeError, ValueError):
        raise TypeError(f"{where} must be a number; got {value!r}.") from None


def check_finite(values: np.ndarray, param: str) -> None:
    """Refuse NaN and infinite values, naming ``param``."""
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{param} must contain only finite values (no NaN or inf).")


def ndim(value: Any) -> int | None:
    """The dimensions of an array-like; None for what does not read as an array (ragged)."""
    try:
        return np.ndim(value)
    except (TypeError, ValueError):
        return None
