"""Fast predictions: the model called directly; Keras's predict where asked for."""

import numpy as np

from tests._helpers import two_blobs


def test_predict_with_keras_keywords_under_batch_size_auto(small):
    X, y = two_blobs(50)
    clf = small(epochs=1).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X, verbose=0), clf.predict_proba(X), atol=1e-6)
