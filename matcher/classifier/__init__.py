"""The role classifier: tags postings by kind, track, style, level and areas.

Modules: ``corpus`` (labelled examples), ``features`` (TF-IDF over title and body),
``model`` (RoleClassifier, one calibrated linear head per field), ``baseline`` (keyword rules),
``evaluate`` (cross-validation and scores), ``persist`` (cached model + sidecar, retraining),
``report`` (the text ``rolefit train`` prints). Importing this package trains nothing.
"""

from matcher.classifier.corpus import Example
from matcher.classifier.features import PostingText
from matcher.classifier.model import ModelParams, Prediction, RoleClassifier, Tag, fit_classifier
from matcher.classifier.persist import load_model, load_or_train, read_sidecar, train_and_save

__all__ = [
    "Example",
    "ModelParams",
    "PostingText",
    "Prediction",
    "RoleClassifier",
    "Tag",
    "fit_classifier",
    "load_model",
    "load_or_train",
    "read_sidecar",
    "train_and_save",
]
