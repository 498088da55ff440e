"""The text engine: category and unit suggestions, and the similar-item index (issue #16, docs/text.md).

    model = train(rows)                 # rows: dicts or objects with title, body, category[, unit]
    model.suggest_categories(title, body, k=3)  -> [Suggestion(name, score), …] best first
    model.suggest_units(title, body, k=5)       -> [Suggestion(name, score), …]
    model.save(path); load(path)        # load() is cached per process; a bad file gives None and a warning

    index = SimilarIndex(); index.add(id, title, body) …; index.build()
    index.query(title, body, k=10)      -> [Match(id, score, passages), …] best first

Everything is learned from the rows given (a committee's own history): no pretrained model, no network.
"""

import logging
import os
import pickle
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.feature_selection import chi2
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from . import tokenize as tk

log = logging.getLogger(__name__)

# The model file: MAGIC, then the format number as 4 ASCII digits and a newline, then the pickled model.
# Bump FORMAT when the pickled classes change shape; an older file is then ignored (no suggestions, a
# warning) until the model is retrained.
MAGIC = b"XIESHANG-TEXT-MODEL\n"
FORMAT = 2  # 2: the category ranker keeps a chosen share of the features, no centroids

# Fewer labelled rows than this, or fewer than two categories: no model ("not enough history").
MIN_ROWS = 20
UNIT_SEPARATOR = "、"
# Characters of the body used for suggestions (its opening carries the subject; 5-fold cross-validation
# on the development data: 600 → 1000 → 2000 → 4000 characters gave proposal top-1 0.63, 0.64, 0.67, 0.66).
BODY_CHARS = 2000
TITLE_CHARS = 200
# The title counts this many times as much as the body in the word and character features.
TITLE_WEIGHT = 3
# Each category's own name is added as one more example of it (helps the classes seen twice or thrice).
LABEL_NAMES = True


class NotEnoughHistory(ValueError):
    """Too few labelled rows to learn from: the caller shows no suggestion and says why."""


@dataclass(frozen=True)
class Suggestion:
    name: str
    score: float


@dataclass(frozen=True)
class Match:
    id: object
    score: float
    passages: list = field(default_factory=list)  # [{"query": sentence, "match": sentence, "score": s}]


def _field(row, name):
    value = row.get(name) if isinstance(row, dict) else getattr(row, name, None)
    return "" if value is None else str(value)


def split_units(value):
    return [u.strip() for u in str(value or "").replace(",", UNIT_SEPARATOR).split(UNIT_SEPARATOR) if u.strip()]


# ---- features -------------------------------------------------------------------------------------------

def _identity(tokens):
    return tokens


class Features:
    """The document features the classifiers see: word TF-IDF (rjieba words, title repeated) ⊕ character
    1–3-gram TF-IDF (title repeated) ⊕ title-only character 1–2-grams; each block L2-normalised, then the
    whole row. Characters catch what the word cutter splits badly (names of places, new terms); the title
    block lets a short title weigh as much as a long body."""

    def __init__(self):
        self.word = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
        self.char = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
        self.title = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)

    @staticmethod
    def _parts(title, body):
        return tk.clean(title, TITLE_CHARS), tk.clean(body, BODY_CHARS)

    def _docs(self, pairs):
        words, chars, titles = [], [], []
        for title, body in pairs:
            title, body = self._parts(title, body)
            tw = tk.words(title)
            words.append(tw * TITLE_WEIGHT + tk.words(body))
            chars.append(("。" + title) * TITLE_WEIGHT + "。" + body)
            titles.append(title or body[:50])
        return words, chars, titles

    def fit_transform(self, pairs):
        words, chars, titles = self._docs(pairs)
        try:
            c = self.char.fit_transform(chars)
        except ValueError:  # every n-gram below min_df (a tiny corpus)
            self.char.min_df = 1
            c = self.char.fit_transform(chars)
        return self._join(self.word.fit_transform(words), c, self.title.fit_transform(titles))

    def transform(self, pairs):
        words, chars, titles = self._docs(pairs)
        return self._join(self.word.transform(words), self.char.transform(chars), self.title.transform(titles))

    @staticmethod
    def _join(*blocks):
        return normalize(sparse.hstack([normalize(b) for b in blocks]).tocsr())


def _softmax(z, temperature):
    z = np.asarray(z, dtype=np.float64) / temperature
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class Ranker:
    """Single-label ranking: a class-balanced linear SVM, its decision values made scores in 0–1 by a
    softmax (the balance keeps the small classes from being drowned by the large ones; each category's
    name is one more example of it, see `train`).

    The SVM sees only the most category-bound share of the features (chi-squared against the labels):
    with a few hundred rows most n-grams are names, places and boilerplate that a linear model fits as
    noise. How large a share is chosen per committee, from its own rows only, by a 3-fold cross-
    validation inside `fit` among KEEP_PERCENT (top-1 plus half of top-3): on the development data
    short citizens' messages mostly chose 10 %, long proposals 20–40 % (docs/text.md)."""

    SVM_C = 0.5
    SVM_TEMPERATURE = 0.1
    KEEP_PERCENT = (10, 20, 40, 100)
    INNER_FOLDS = 3

    def fit(self, X, labels):
        labels = np.asarray(labels)
        self.classes = np.unique(labels)
        if len(self.classes) < 2:
            raise NotEnoughHistory("fewer than two categories")
        self.keep_percent = self._choose_percent(X, labels)
        self.keep = self._keep(X, labels, self.keep_percent)
        self.svm = LinearSVC(C=self.SVM_C, class_weight="balanced").fit(self._select(X, self.keep), labels)
        return self

    @staticmethod
    def _keep(X, labels, percent):
        """Column numbers of the `percent` % of features most bound to the labels (None: all of them)."""
        if percent >= 100:
            return None
        scores, _p = chi2(X, labels)
        scores = np.nan_to_num(scores, nan=0.0)
        n = max(1, int(X.shape[1] * percent / 100))
        return np.sort(np.argsort(-scores, kind="stable")[:n]).astype(np.int32)

    @staticmethod
    def _select(X, keep):
        return X if keep is None else normalize(X[:, keep])

    def _choose_percent(self, X, labels):
        """The share of features that ranks best in a cross-validation on these rows alone. Categories with
        fewer rows than folds stay in every training part; too few rows to split: every feature."""
        classes, counts = np.unique(labels, return_counts=True)
        small = np.isin(labels, classes[counts < self.INNER_FOLDS])
        rest = np.flatnonzero(~small)
        if len(np.unique(labels[rest])) < 2 or len(rest) < 2 * self.INNER_FOLDS:
            return 100
        folds = StratifiedKFold(self.INNER_FOLDS, shuffle=True, random_state=0)
        merit = np.zeros(len(self.KEEP_PERCENT))
        for part, held in folds.split(rest, labels[rest]):
            train, test = np.concatenate([rest[part], np.flatnonzero(small)]), rest[held]
            for j, percent in enumerate(self.KEEP_PERCENT):
                keep = self._keep(X[train], labels[train], percent)
                svm = LinearSVC(C=self.SVM_C, class_weight="balanced").fit(self._select(X[train], keep), labels[train])
                d = svm.decision_function(self._select(X[test], keep))
                if d.ndim == 1:
                    d = np.column_stack([-d, d])
                ranked = svm.classes_[np.argsort(-d, axis=1)[:, :3]]
                truth = labels[test][:, None]
                merit[j] += (ranked[:, 0] == truth[:, 0]).sum() + 0.5 * (ranked == truth).any(axis=1).sum()
        return self.KEEP_PERCENT[int(np.argmax(merit))]  # ties: the smaller share

    def scores(self, X):
        d = self.svm.decision_function(self._select(X, self.keep))
        if d.ndim == 1:  # two classes: one column for the second
            d = np.column_stack([-d, d])
        return _softmax(d, self.SVM_TEMPERATURE)


class MultiRanker:
    """Multi-label ranking (handling units, several per row): one balanced linear SVM per unit, one
    against the rest, decision values through a logistic; a unit seen once is still ranked by its SVM."""

    SVM_C = 0.5

    def fit(self, X, label_sets):
        self.classes = np.array(sorted({u for s in label_sets for u in s}))
        if len(self.classes) < 2:
            raise NotEnoughHistory("fewer than two units")
        Y = np.array([[c in s for c in self.classes] for s in label_sets], dtype=bool)
        self.weights = np.zeros((len(self.classes), X.shape[1]), dtype=np.float32)
        self.bias = np.zeros(len(self.classes), dtype=np.float32)
        for j in range(len(self.classes)):
            y = Y[:, j]
            if y.all():
                self.bias[j] = 5.0
                continue
            svm = LinearSVC(C=self.SVM_C, class_weight="balanced").fit(X, y)
            self.weights[j] = svm.coef_[0]
            self.bias[j] = svm.intercept_[0]
        return self

    def scores(self, X):
        d = np.asarray(X @ self.weights.T) + self.bias
        return 1 / (1 + np.exp(-3 * d))


class Model:
    """What `train` returns: the features and the category (and unit) rankers of one committee."""

    def __init__(self, features, categories, units=None, rows=0):
        self.features = features
        self.categories = categories
        self.units = units
        self.rows = rows
        self.format = FORMAT

    def _vector(self, title, body):
        title, body = tk.clean(title), tk.clean(body)
        if len(title) + len(body) < tk.MIN_CHARS:
            return None
        return self.features.transform([(title, body)])

    @staticmethod
    def _top(ranker, X, k):
        scores = ranker.scores(X)[0]
        order = np.argsort(-scores)[: max(0, int(k))]
        return [Suggestion(str(ranker.classes[i]), round(float(scores[i]), 4)) for i in order]

    def suggest_categories(self, title, body, k=3):
        """The k likeliest categories, best first, with scores in 0–1; [] for an empty or one-character text."""
        X = self._vector(title, body)
        return [] if X is None else self._top(self.categories, X, k)

    def suggest_units(self, title, body, k=5):
        """The k likeliest handling units, best first; [] without a unit history or for a too short text."""
        if self.units is None:
            return []
        X = self._vector(title, body)
        return [] if X is None else self._top(self.units, X, k)

    def save(self, path):
        """Write the model to `path` atomically (a reader never sees half a file)."""
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(MAGIC + f"{FORMAT:04d}\n".encode())
            pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        _cache.pop(os.fspath(path), None)


def train(rows):
    """A model from labelled rows (title, body, category and optionally unit — several separated by 、).
    Rows without a category or with an empty text are skipped; too few rows raise NotEnoughHistory."""
    pairs, cats, units = [], [], []
    for row in rows:
        title, body, cat = _field(row, "title"), _field(row, "body"), _field(row, "category").strip()
        if not cat or len(tk.clean(title)) + len(tk.clean(body)) < tk.MIN_CHARS:
            continue
        pairs.append((title, body))
        cats.append(cat)
        units.append(split_units(_field(row, "unit")))
    if len(pairs) < MIN_ROWS:
        raise NotEnoughHistory(f"{len(pairs)} labelled rows; at least {MIN_ROWS} are needed")
    n_rows = len(pairs)
    if LABEL_NAMES:  # each category's own name as one more example of it (a title, no body)
        for cat in sorted(set(cats)):
            pairs.append((cat, ""))
            cats.append(cat)
            units.append([])
    features = Features()
    X = features.fit_transform(pairs)
    categories = Ranker().fit(X, cats)
    unit_ranker = None
    labelled = [i for i, u in enumerate(units) if u]
    if len(labelled) >= MIN_ROWS:
        try:
            unit_ranker = MultiRanker().fit(X[labelled], [units[i] for i in labelled])
        except NotEnoughHistory:
            unit_ranker = None
    return Model(features, categories, unit_ranker, rows=n_rows)


# ---- model files ----------------------------------------------------------------------------------------

_cache = {}
_cache_lock = threading.Lock()


def _read(path):
    with open(path, "rb") as f:
        head = f.read(len(MAGIC) + 5)
        if not head.startswith(MAGIC):
            raise ValueError("not a text model file")
        version = int(head[len(MAGIC) : len(MAGIC) + 4])
        if version != FORMAT:
            raise ValueError(f"model format {version}, this version reads {FORMAT}: retrain")
        model = pickle.load(f)
    if not isinstance(model, Model):
        raise ValueError("not a text model")
    return model


def load(path):
    """The model in `path`, read once per process and kept while the file is unchanged; None (with a
    logged warning, once per file version) when the file is missing, corrupt or of another format."""
    key = os.fspath(path)
    try:
        st = os.stat(key)
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError as exc:
        stamp = None
        reason = f"missing ({exc.strerror})"
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        model = None
        if stamp is not None:
            try:
                model = _read(key)
            except Exception as exc:  # noqa: BLE001 — any unreadable file means "no suggestions", never a crash
                reason = f"unreadable ({type(exc).__name__}: {exc})"
        if model is None:
            log.warning("text model %s %s: no suggestions until it is retrained", key, reason)
        _cache[key] = (stamp, model)
        return model


# ---- similar items --------------------------------------------------------------------------------------

class SimilarIndex:
    """The most similar earlier items, with the sentences that match.

    Each item is a TF-IDF vector of its words and character bigrams (title and body), L2-normalised, so
    the cosine similarity is a dot product. Up to `exact_limit` items the search is exact: one sparse
    matrix product over all of them. Above it the vectors are reduced with a truncated SVD (fitted on a
    sample of `fit_sample` items) to `dim` dimensions, and a usearch HNSW graph finds the `rerank`
    nearest approximately; those are scored again with their full sparse vectors when these are kept
    (`keep_sparse`), so a near-copy comes first even where the reduced vectors blur it. Items added after
    `build()` are placed with the fitted vocabulary and reduction, without a rebuild. The vocabulary keeps
    the `max_features` most frequent terms (memory of the SVD and the sparse rows stays bounded).
    """

    CHUNK = 20_000

    def __init__(self, dim=128, exact_limit=20_000, rerank=50, keep_sparse=True, keep_text=True,
                 fit_sample=50_000, max_features=2**18, connectivity=16, expansion_add=128,
                 expansion_search=256, threads=0, seed=0):
        # expansion_search 256: the smallest search breadth with recall@10 ≥ 0.95 at 1,000,000 (docs/text.md)
        self.dim, self.exact_limit, self.rerank = dim, exact_limit, rerank
        self.keep_sparse, self.keep_text, self.fit_sample = keep_sparse, keep_text, fit_sample
        self.max_features = max_features
        self.connectivity, self.expansion_add, self.expansion_search = connectivity, expansion_add, expansion_search
        self.threads, self.seed = threads, seed
        self.ids, self.texts, self._pending = [], [], []
        self.vectorizer = self.svd = self.ann = self.projection = None
        self.timings = {}
        self._sparse = []  # blocks of rows, joined on first use after a change

    def __len__(self):
        return len(self.ids) + len(self._pending)

    @staticmethod
    def _doc(title, body):
        return tk.clean(title, TITLE_CHARS) + "。" + tk.clean(body)

    @staticmethod
    def _tokens(doc):
        return tk.words(doc) + [doc[i : i + 2] for i in range(len(doc) - 1)]

    def add(self, id, title, body):
        """Add one item; before build() it waits, after it is searchable at once."""
        doc = self._doc(title, body)
        if self.vectorizer is None:
            self._pending.append((id, doc))
        else:
            self._append([id], [doc])

    def build(self):
        """Learn the vocabulary and the reduction from the items added, then index them all."""
        items, self._pending = self._pending, []
        self.ids, self.texts, self._sparse, self.ann = [], [], [], None
        self.timings = {}
        if not items:
            return self
        docs = [d for _i, d in items]
        rng = np.random.default_rng(self.seed)
        sample = docs if len(docs) <= self.fit_sample else [docs[i] for i in rng.choice(len(docs), self.fit_sample, replace=False)]
        self.vectorizer = TfidfVectorizer(analyzer=self._tokens, sublinear_tf=True, dtype=np.float32,
                                          min_df=1 if len(sample) < 1000 else 2, max_features=self.max_features)
        started = time.monotonic()
        S = self.vectorizer.fit_transform(sample)
        self.timings["vocabulary_s"] = round(time.monotonic() - started, 1)
        self.svd = None
        dim = min(self.dim, S.shape[0] - 1, S.shape[1] - 1)
        if len(docs) > self.exact_limit and dim >= 2:
            from sklearn.decomposition import TruncatedSVD
            from usearch.index import Index

            started = time.monotonic()
            self.svd = TruncatedSVD(n_components=dim, algorithm="randomized", n_iter=2, random_state=self.seed).fit(S)
            # the projection as one contiguous matrix: sparse row × it costs only the row's terms (the
            # transposed view TruncatedSVD.transform uses would be copied whole on every query)
            self.projection = np.ascontiguousarray(self.svd.components_.T, dtype=np.float32)
            self.timings["svd_s"] = round(time.monotonic() - started, 1)
            self.ann = Index(ndim=dim, metric="ip", dtype="f32", connectivity=self.connectivity,
                             expansion_add=self.expansion_add, expansion_search=self.expansion_search)
        started = time.monotonic()
        for start in range(0, len(items), self.CHUNK):
            chunk = items[start : start + self.CHUNK]
            self._append([i for i, _d in chunk], [d for _i, d in chunk])
        self._join()
        self.timings["vectorise_and_index_s"] = round(time.monotonic() - started, 1)
        return self

    def _vectors(self, docs):
        S = self.vectorizer.transform(docs)
        if self.svd is None:
            return S, None
        return S, normalize(np.asarray(S @ self.projection, dtype=np.float32))

    def _append(self, ids, docs):
        S, D = self._vectors(docs)
        start = len(self.ids)
        self.ids.extend(ids)
        if self.keep_text:
            self.texts.extend(docs)
        if self.keep_sparse or self.ann is None:
            self._sparse.append(S)
        if self.ann is not None:
            self.ann.add(np.arange(start, start + len(ids), dtype=np.uint64), D, threads=self.threads)

    def _join(self):
        if len(self._sparse) > 1:
            self._sparse = [sparse.vstack(self._sparse).tocsr()]

    def vectors(self):
        """Every item's reduced vector, rows in the order added (with the approximate index only)."""
        return self.ann.get(np.arange(len(self.ids), dtype=np.uint64))

    def memory_bytes(self):
        """Bytes held by the vectors, the graph and the sparse vectors (not the kept texts)."""
        self._join()
        n = 0
        if self.ann is not None:
            n += self.ann.memory_usage
        for m in self._sparse:
            n += m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
        return n

    def candidates(self, title, body, k):
        """(positions, scores, sparse query) of the k nearest items by the reduced vectors; a too short
        query gives none."""
        doc = self._doc(title, body)
        if self.vectorizer is None or not self.ids or len(doc) - 1 < tk.MIN_CHARS:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), None
        S, D = self._vectors([doc])
        k = min(k, len(self.ids))
        if self.ann is not None:
            found = self.ann.search(D[0], k)
            return found.keys.astype(np.int64), 1 - found.distances, S
        self._join()
        sims = np.asarray((self._sparse[0] @ S.T).todense()).ravel()
        pos = np.argpartition(-sims, k - 1)[:k] if k < len(sims) else np.arange(len(sims))
        pos = pos[np.argsort(-sims[pos], kind="stable")]
        return pos, sims[pos], S

    def query(self, title, body, k=10, passages=True, exclude=()):
        """The k most similar items as [Match(id, score, passages)], best first; [] for a too short text."""
        reranking = self.ann is not None and self.keep_sparse
        want = max(k + len(exclude), self.rerank if reranking else k)
        pos, scores, S = self.candidates(title, body, want)
        if len(pos) == 0:
            return []
        if reranking:
            self._join()
            scores = np.asarray((self._sparse[0][pos] @ S.T).todense()).ravel()
            order = np.argsort(-scores, kind="stable")
            pos, scores = pos[order], scores[order]
        out = []
        query_sentences = tk.sentences(body) + ([tk.clean(title, TITLE_CHARS)] if tk.clean(title) else [])
        for p, s in zip(pos, scores):
            item = self.ids[p]
            if item in exclude:
                continue
            found = matching_passages(query_sentences, self.texts[p]) if passages and self.keep_text else []
            out.append(Match(item, round(float(s), 4), found))
            if len(out) == k:
                break
        return out


def matching_passages(query_sentences, text, limit=3, threshold=0.5):
    """The sentences of `text` that match a query sentence: share at least `threshold` of the shorter
    one's character bigrams. [{"query", "match", "score"}], best first, at most `limit`."""
    doc_sentences = tk.sentences(text)
    if not doc_sentences or not query_sentences:
        return []
    postings = {}
    doc_sets = []
    for j, sentence in enumerate(doc_sentences):
        grams = tk.bigrams(sentence)
        doc_sets.append(len(grams))
        for g in grams:
            postings.setdefault(g, []).append(j)
    best = {}
    for q in query_sentences:
        grams = tk.bigrams(q)
        if not grams:
            continue
        counts = {}
        for g in grams:
            for j in postings.get(g, ()):
                counts[j] = counts.get(j, 0) + 1
        for j, shared in counts.items():
            score = shared / max(1, min(len(grams), doc_sets[j]))
            if score >= threshold and score > best.get(j, (0,))[0]:
                best[j] = (score, q)
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:limit]
    return [{"query": q, "match": doc_sentences[j], "score": round(s, 3)} for j, (s, q) in ranked]


__all__ = ["FORMAT", "MIN_ROWS", "Match", "Model", "NotEnoughHistory", "SimilarIndex", "Suggestion", "load",
           "matching_passages", "split_units", "train"]
