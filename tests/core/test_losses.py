"""The Keras losses kept importable from costkeras.losses, their first home."""

from costkeras.keras import ClassWeightedCrossEntropy, ExpectedCostCrossEntropy


def test_the_old_import_path_gives_the_same_classes():
    from costkeras import losses

    assert losses.ClassWeightedCrossEntropy is ClassWeightedCrossEntropy
    assert losses.ExpectedCostCrossEntropy is ExpectedCostCrossEntropy
