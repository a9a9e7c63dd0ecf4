"""Reference solutions to Part 2's checked exercises."""

import math

import numpy as np


def conv_output_size(size, kernel, stride, padding):
    """2.1: the height (or width) of a convolution's output."""
    if padding == "same":
        return math.ceil(size / stride)
    return (size - kernel) // stride + 1


def conv_parameters(kernel, in_channels, filters):
    """2.2: weights and biases of a Conv2D layer with a square kernel."""
    return filters * (kernel * kernel * in_channels + 1)


def balanced_accuracy(y_true, y_pred):
    """2.3: the mean recall over the classes that occur in y_true."""
    classes = np.unique(y_true)
    return np.mean([np.mean(y_pred[y_true == c] == c) for c in classes])
