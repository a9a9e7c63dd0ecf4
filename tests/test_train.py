"""The toy CNN and the training loop."""

from __future__ import annotations

import numpy as np
import pytest

from k49tut import evaluate, models, train


def _compiled(**kwargs):
    model = models.toy_cnn(**kwargs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_toy_cnn_matches_the_seed_architecture():
    model = models.toy_cnn()
    assert model.count_params() == 97_265
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Rescaling", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D",
                     "Flatten", "Dense"]
    assert model.output_shape == (None, 49)
    dropped = models.toy_cnn(dropout=0.3)
    assert dropped.count_params() == 97_265
    assert [layer.rate for layer in dropped.layers if type(layer).__name__ == "Dropout"] == [0.3, 0.3]


def test_fit_returns_one_history_row_per_epoch():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (50, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 49, 50)
    history = train.fit(_compiled(seed=1), x, y, epochs=3, batch_size=16, seed=1, verbose=0)
    assert list(history.index) == [1, 2, 3]
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "seconds"} <= set(history.columns)
    assert (history["seconds"] > 0).all()


def test_fit_is_reproducible_with_a_seed():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, (64, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 49, 64)
    runs = [train.fit(_compiled(dropout=0.3, seed=5), x, y, epochs=2, batch_size=16, seed=5,
                      verbose=0).drop(columns="seconds") for _ in range(2)]
    assert runs[0].equals(runs[1])


def test_validation_split_holds_out_the_last_share_like_keras():
    x = np.zeros((10, 28, 28), np.uint8)
    y = np.arange(10)
    seen = []
    import keras

    class Spy(keras.callbacks.Callback):
        def on_test_batch_begin(self, batch, logs=None):
            seen.append(batch)

    train.fit(_compiled(seed=0), x, y, epochs=1, batch_size=2, validation_split=0.3, verbose=0,
              callbacks=[Spy()])
    assert len(seen) == 2                       # ceil(10 * 0.7) = 7 train, 3 val -> 2 batches


def test_dataset_casts_uint8_batches_without_copying_the_array():
    x = np.arange(5 * 28 * 28, dtype=np.uint32).reshape(5, 28, 28).astype(np.uint8)
    y = np.array([4, 3, 2, 1, 0])
    batches = list(train.dataset(x, y, batch_size=2).as_numpy_iterator())
    assert [b[0].shape for b in batches] == [(2, 28, 28, 1), (2, 28, 28, 1), (1, 28, 28, 1)]
    assert batches[0][0].dtype == np.float32
    np.testing.assert_array_equal(batches[1][0][..., 0], x[2:4].astype(np.float32))
    assert np.concatenate([b[1] for b in batches]).tolist() == y.tolist()


def test_no_xla_on_the_cpu():
    if train.gpus():
        pytest.skip("only meaningful on a CPU-only machine")
    model = _compiled()
    model._jit_compile = True          # as if compiled with jit_compile=True (skips the setter)
    train.fit(model, np.zeros((4, 28, 28), np.uint8), np.zeros(4, int), epochs=1, verbose=0,
              validation_split=0)
    assert model.jit_compile is False


def test_predict_gives_probabilities_in_test_order():
    model = _compiled(seed=3)
    x = np.random.default_rng(2).integers(0, 256, (7, 28, 28), dtype=np.uint8)
    proba = evaluate.predict(model, x, batch_size=3)
    assert proba.shape == (7, 49)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_allclose(proba, model.predict(x[..., None], verbose=0), rtol=1e-5, atol=1e-6)


def test_balanced_accuracy_metric_matches_scikit_learn_over_batches():
    from sklearn.metrics import balanced_accuracy_score

    rng = np.random.default_rng(4)
    y_true = rng.integers(0, 49, 500)
    y_true[:40] = 44                                  # an over-represented class
    scores = rng.random((500, 49)).astype(np.float32)
    metric = models.BalancedAccuracy()
    for start in range(0, 500, 64):                   # streamed batch by batch
        metric.update_state(y_true[start: start + 64], scores[start: start + 64])
    expected = balanced_accuracy_score(y_true, scores.argmax(axis=1))
    assert float(metric.result()) == pytest.approx(expected, abs=1e-6)
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_fit_reports_balanced_accuracy_per_epoch():
    from sklearn.metrics import balanced_accuracy_score

    rng = np.random.default_rng(5)
    x = rng.integers(0, 256, (60, 28, 28), dtype=np.uint8)
    y = np.arange(60) % 5
    model = models.toy_cnn(seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", models.BalancedAccuracy()])
    history = train.fit(model, x, y, epochs=2, batch_size=10, verbose=0)
    assert {"balanced_accuracy", "val_balanced_accuracy"} <= set(history.columns)
    # validation runs with the final weights: it must equal scikit-learn on the held-out 30%
    pred = evaluate.predict(model, x[42:]).argmax(axis=1)
    assert history["val_balanced_accuracy"].iloc[-1] == pytest.approx(
        balanced_accuracy_score(y[42:], pred), abs=1e-6)


def test_shuffled_epochs_are_permutations_that_differ_and_repeat_with_the_seed():
    x = np.zeros((50, 28, 28), np.uint8)
    y = np.arange(50)

    def epochs(seed):
        ds = train.dataset(x, y, batch_size=8, shuffle=True, seed=seed)
        return [np.concatenate([b[1] for b in ds.as_numpy_iterator()]) for _ in range(2)]

    first, second = epochs(3)
    assert sorted(first.tolist()) == list(range(50)) == sorted(second.tolist())
    assert not np.array_equal(first, second)               # reshuffled every epoch
    again = epochs(3)
    assert np.array_equal(again[0], first) and np.array_equal(again[1], second)
