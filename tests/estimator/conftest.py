import pytest

from tests._adversarial import _Fitted


@pytest.fixture(scope="session")
def tiny_fitted():
    """The tiny fitted estimators of the bad- and edge-input tables, each trained on first use."""
    return _Fitted()
