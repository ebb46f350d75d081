"""Turning postings into features: TF-IDF over the title and the body, kept apart.

The title says a lot in few words (Scientist, Engineer, Fellow, Professor), so it gets its own
word and character n-grams; the body gets word unigrams and bigrams. The organisation name is
left out on purpose: the guide says to judge by the text, never by who posted it.
Character n-grams run over the title only, because over a 500-word body they would cost most of
the prediction time for little gain.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

# Feature blocks whose names are readable phrases, usable as evidence (not character n-grams).
PHRASE_BLOCKS = ("title_words", "body_words")
TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z0-9+#\-]*\b"


@dataclass(frozen=True)
class PostingText:
    """The text the classifier sees of one posting."""

    title: str
    text: str
    organisation: str = ""


def titles(items: Sequence[Any]) -> list[str]:
    """The titles of postings (objects with ``title``)."""
    return [item.title or "" for item in items]


def bodies(items: Sequence[Any]) -> list[str]:
    """The body texts of postings (objects with ``text``)."""
    return [item.text or "" for item in items]


@dataclass(frozen=True)
class FeatureParams:
    """Knobs of the feature extractor; the defaults are what rolefit ships."""

    title_ngrams: tuple[int, int] = (1, 2)
    title_chars: tuple[int, int] = (3, 5)
    body_ngrams: tuple[int, int] = (1, 2)
    body_min_df: int = 2
    body_max_features: int | None = 60_000


def build_features(params: FeatureParams = FeatureParams()) -> FeatureUnion:
    """An unfitted transformer from a list of PostingText to one sparse matrix."""
    title_words = Pipeline(
        [
            ("pick", FunctionTransformer(titles)),
            (
                "tfidf",
                TfidfVectorizer(
                    ngram_range=params.title_ngrams,
                    sublinear_tf=True,
                    token_pattern=TOKEN_PATTERN,
                    dtype=np.float32,
                ),
            ),
        ]
    )
    title_chars = Pipeline(
        [
            ("pick", FunctionTransformer(titles)),
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=params.title_chars,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            ),
        ]
    )
    body_words = Pipeline(
        [
            ("pick", FunctionTransformer(bodies)),
            (
                "tfidf",
                TfidfVectorizer(
                    ngram_range=params.body_ngrams,
                    min_df=params.body_min_df,
                    max_df=0.9,
                    max_features=params.body_max_features,
                    sublinear_tf=True,
                    token_pattern=TOKEN_PATTERN,
                    dtype=np.float32,
                ),
            ),
        ]
    )
    return FeatureUnion(
        [("title_words", title_words), ("title_chars", title_chars), ("body_words", body_words)]
    )


def phrase_names(features: FeatureUnion) -> list[str | None]:
    """Per feature column: a readable phrase for evidence, or None (character n-grams).

    Title phrases are marked "title: ..." so a reader can tell where the word was found.
    """
    names: list[str | None] = []
    for block, pipeline in features.transformer_list:
        vocabulary = pipeline.named_steps["tfidf"].get_feature_names_out()
        if block not in PHRASE_BLOCKS:
            names.extend([None] * len(vocabulary))
        elif block == "title_words":
            names.extend(f"title: {word}" for word in vocabulary)
        else:
            names.extend(str(word) for word in vocabulary)
    return names
