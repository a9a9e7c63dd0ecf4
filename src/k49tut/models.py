"""The tutorial's network: a toy CNN, exactly the architecture of the seed tutorial.

>>> from k49tut.models import toy_cnn
>>> toy_cnn().count_params()
97265
>>> [layer.name for layer in toy_cnn(dropout=0.3).layers][:4]
['rescaling', 'conv1', 'dropout1', 'pool1']
"""

from __future__ import annotations

import keras
from keras import layers

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
