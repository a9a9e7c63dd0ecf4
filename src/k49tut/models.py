"""The tutorial's network: a toy CNN, exactly the architecture of the seed tutorial.

>>> from k49tut.models import toy_cnn
>>> toy_cnn().count_params()
97265
>>> [layer.name for layer in toy_cnn(dropout=0.3).layers][:4]
['rescaling', 'conv1', 'dropout1', 'pool1']
>>> import numpy as np
>>> m = BalancedAccuracy(num_classes=3)
>>> m.update_state(np.array([0, 0, 0, 1]), np.eye(3)[[0, 0, 1, 1]])
>>> round(float(m.result()), 4)          # recalls 2/3 and 1 (class 2 absent): mean 0.8333
0.8333
"""

from __future__ import annotations

import keras
from keras import layers, ops

from k49tut.classes import N_CLASSES


def toy_cnn(dropout: float = 0.0, num_classes: int = N_CLASSES, *,
            seed: int | None = None) -> keras.Model:
    """Conv(32) - MaxPool - Conv(64) - MaxPool - Flatten - Dense(49, softmax): 97,265 weights.

    ``dropout > 0`` adds a Dropout layer after each convolution. The first layer rescales
    pixel values from 0..255 to 0..1 (it has no weights), so the model takes images as
    they are stored: ``model.predict(ds.x_test)`` works on the uint8 array directly.
    Built inside the training strategy's scope, so it trains on every visible GPU.
    ``seed`` seeds everything first (:func:`k49tut.train.set_seed`), which fixes the
    initial weights and the dropout masks.
    """
    from k49tut.train import set_seed, strategy

    if seed is not None:
        set_seed(seed)

    def maybe_dropout(name: str) -> list:
        return [layers.Dropout(dropout, name=name)] if dropout else []

    with strategy().scope():
        return keras.Sequential(
            [
                keras.Input(shape=(28, 28, 1)),
                layers.Rescaling(1 / 255, name="rescaling"),
                layers.Conv2D(32, kernel_size=3, activation="relu", name="conv1"),
                *maybe_dropout("dropout1"),
                layers.MaxPooling2D(pool_size=2, name="pool1"),
                layers.Conv2D(64, kernel_size=3, activation="relu", name="conv2"),
                *maybe_dropout("dropout2"),
                layers.MaxPooling2D(pool_size=2, name="pool2"),
                layers.Flatten(name="flatten"),
                layers.Dense(num_classes, activation="softmax", name="classifier"),
            ],
            name="toy_cnn_dropout" if dropout else "toy_cnn",
        )


@keras.saving.register_keras_serializable(package="k49tut")
class BalancedAccuracy(keras.metrics.Metric):
    """Mean per-class recall, K49's official metric, as a streaming Keras metric.

    It accumulates a confusion matrix over the batches of an epoch, so the number it
    reports is exact for the whole epoch (not an average of per-batch values). Classes
    absent from the labels seen so far are left out of the mean, as scikit-learn does.
    """

    def __init__(self, num_classes: int = N_CLASSES, name: str = "balanced_accuracy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.num_classes = num_classes
        self.matrix = self.add_variable(shape=(num_classes, num_classes), initializer="zeros",
                                        name="confusion", dtype="float32")

    def update_state(self, y_true, y_pred, sample_weight=None):
        true = ops.one_hot(ops.cast(ops.reshape(y_true, (-1,)), "int32"), self.num_classes)
        pred = ops.one_hot(ops.argmax(y_pred, axis=-1), self.num_classes)
        self.matrix.assign_add(ops.matmul(ops.transpose(true), pred))

    def result(self):
        support = ops.sum(self.matrix, axis=1)
        recall = ops.divide_no_nan(ops.diagonal(self.matrix), support)
        present = ops.cast(support > 0, "float32")
        return ops.divide_no_nan(ops.sum(recall * present), ops.sum(present))

    def reset_state(self):
        self.matrix.assign(ops.zeros((self.num_classes, self.num_classes)))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}
