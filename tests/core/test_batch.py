"""A fitted classifier's decisions as columns of data-frame batches, as predict decides."""


def test_the_batch_helpers_load_no_deep_learning_library():
    from tests.test_layers_of_the_package import loaded_after

    loaded = loaded_after("costkeras.batch")
    assert not {"keras", "tensorflow", "jax", "torch", "scikeras"} & loaded
