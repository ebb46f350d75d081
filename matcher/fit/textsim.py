"""Text similarity: TF-IDF cosine between a profile's skills and bio and each posting.

The vectoriser is fitted once per corpus (the IDF weights come from the stored postings) and
kept transposed (terms x postings, CSR): a profile mentions a few dozen terms, so its similarity
to every posting is a sum over those few rows rather than a product with the whole matrix.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

# Above this many postings, terms seen in only one posting are dropped: they cannot link a
# profile to more than one posting and they make up most of a large vocabulary.
MIN_DF_FROM = 2_000


@dataclass
class TextIndex:
    """A fitted vectoriser and the terms x postings matrix, with the posting id of each column."""

    vectorizer: TfidfVectorizer
    by_term: sparse.csr_matrix  # shape (terms, postings); columns are l2-normalised postings
    terms: npt.NDArray[np.str_]

    @property
    def size(self) -> int:
        """Number of postings indexed."""
        return int(self.by_term.shape[1])

    def query(self, text: str) -> sparse.csr_matrix:
        """The profile text as a TF-IDF row vector (empty if it shares no term with the corpus)."""
        vector: sparse.csr_matrix = self.vectorizer.transform([text])
        return vector

    def similarity(self, query: sparse.csr_matrix) -> npt.NDArray[np.float64]:
        """Cosine of ``query`` with every posting column, in column order."""
        if query.nnz == 0:
            return np.zeros(self.size)
        rows = self.by_term[query.indices]
        sims = sparse.csr_matrix(query.data.astype(np.float32)) @ rows
        return np.asarray(sims.toarray()).ravel().astype(np.float64)

    def shared_terms(self, query: sparse.csr_matrix, column: int, top: int = 3) -> list[str]:
        """The terms contributing most to the similarity of ``query`` with one posting."""
        contributions: list[tuple[float, str]] = []
        for term, weight in zip(query.indices, query.data, strict=True):
            start, end = self.by_term.indptr[term], self.by_term.indptr[term + 1]
            cols = self.by_term.indices[start:end]
            at = int(np.searchsorted(cols, column))
            if at < len(cols) and cols[at] == column:
                value = float(weight) * float(self.by_term.data[start + at])
                contributions.append((value, str(self.terms[term])))
        contributions.sort(key=lambda pair: (-pair[0], pair[1]))
        return [term for _, term in contributions[:top]]


def document_text(title: str, description: str) -> str:
    """The text a posting is indexed by; the title twice, as it says most in fewest words."""
    return f"{title}\n{title}\n{description}"


def _empty_index(size: int) -> TextIndex:
    """An index that finds nothing, for a corpus with no usable words."""
    vectorizer = TfidfVectorizer(dtype=np.float32).fit(["placeholder"])
    empty = sparse.csr_matrix((1, size), dtype=np.float32)
    return TextIndex(vectorizer, empty, np.array(["placeholder"]))


def build_text_index(documents: Iterable[str], expected: int | None = None) -> TextIndex:
    """Fit TF-IDF over ``documents`` (one per posting, in corpus order), read in one pass.

    ``expected`` is the number of documents when ``documents`` is a stream (it picks the
    vocabulary pruning); a list says it itself.
    """
    if isinstance(documents, list):
        expected = len(documents)
    counted = [0]

    def counting() -> Iterator[str]:
        for doc in documents:
            counted[0] += 1
            yield doc

    large = expected is None or expected >= MIN_DF_FROM
    vectorizer = TfidfVectorizer(
        sublinear_tf=True,
        stop_words="english",
        min_df=2 if large else 1,
        max_df=0.5 if large else 1.0,
        dtype=np.float32,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9+#.-]*[a-zA-Z0-9+#]\b",
    )
    try:
        matrix = vectorizer.fit_transform(counting())
    except ValueError:
        # No usable word at all (empty corpus, or only stop words): no text signal, not an error.
        return _empty_index(counted[0])
    by_term = sparse.csr_matrix(matrix.T, dtype=np.float32)
    by_term.sort_indices()
    return TextIndex(vectorizer, by_term, np.asarray(vectorizer.get_feature_names_out()))
