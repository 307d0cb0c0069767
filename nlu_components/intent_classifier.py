"""Rasa's logistic-regression intent classifier on TF-IDF weighted, length-normalised features.

Rasa's own LogisticRegressionClassifier fits raw counts with a fixed C of 1: a long message weighs more than a
short one and "claim", in half the examples, as much as "depreciation". Re-weighting the same sparse features
(sublinear TF, IDF, L2 norm over the whole vector) and a weaker regularisation raised cross-validated top-1
accuracy from 0.908 to 0.932 (en) and from 0.912 to 0.926 (zh) on our data; see README, "Understanding people:
measured". The
weighting is learnt with the classifier and saved with it (one scikit-learn pipeline).
"""
from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

logger = logging.getLogger(__name__)
# What the saved pipeline holds besides scikit-learn's own estimators (TfidfTransformer keeps its IDF as a sparse
# diagonal matrix): skops loads only types it trusts, and Rasa's loader would otherwise fall back, silently, to
# an untrained classifier.
TRUSTED_TYPES = frozenset({"scipy.sparse._csr.csr_matrix"})


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfLogisticRegressionClassifier(LogisticRegressionClassifier):
    """LogisticRegressionClassifier with TF-IDF weighting and a configurable C (inverse regularisation)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 50.0, "sublinear_tf": True}

    def __init__(self, config: dict[str, Any], name: str, model_storage, resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf = Pipeline([
            ("tfidf", TfidfTransformer(sublinear_tf=self.config["sublinear_tf"], norm="l2")),
            ("logreg", LogisticRegression(
                C=float(self.config["C"]), solver=self.config["solver"], max_iter=self.config["max_iter"],
                class_weight="balanced", tol=self.config["tol"], random_state=self.config["random_state"])),
        ])

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "TfidfLogisticRegressionClassifier":
        """The trained pipeline; an untrained classifier only when none was saved (no intents to train on)."""
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as model_dir:
                path = model_dir / f"{resource.name}.skops"
                untrusted = set(sio.get_untrusted_types(file=path))
                if untrusted - TRUSTED_TYPES:
                    raise TypeError(f"{path.name} holds untrusted types: {sorted(untrusted - TRUSTED_TYPES)}")
                component = cls(config, execution_context.node_name, model_storage, resource)
                component.clf = sio.load(path, trusted=sorted(untrusted))
                return component
        except ValueError:  # Rasa's storage: no such resource
            logger.debug("No saved intent classifier for %s: an untrained one.", resource.name)
            return cls.create(config, model_storage, resource, execution_context)
