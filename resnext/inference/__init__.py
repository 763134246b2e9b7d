"""From an image to an answer: the picture, the tensor, the forward pass, the classes and their probabilities.

- ``image``: whatever the user gives (a file, bytes, a PIL image) as the RGB picture a person expects,
  or one sentence saying why it cannot be used;
- ``preprocess``: [`Transform`][resnext.inference.preprocess.Transform], timm's eval transform for a
  variant (and the faster one of "fast mode");
- ``engine``: where the forward pass runs, OpenVINO's CPU runtime or eager PyTorch;
- ``classifier``: [`load_classifier`][resnext.inference.classifier.load_classifier], a loaded
  variant that answers with a [`Prediction`][resnext.inference.classifier.Prediction];
- ``cache``: the loaded classifiers a process keeps, within a memory budget.

May import: ``resnext.catalog``, ``resnext.weights``, ``resnext.machine`` and the base. Knows
nothing of explanations, bulk runs or any front end: they stand on it.
"""

__all__ = ["cache", "classifier", "engine", "image", "preprocess"]
