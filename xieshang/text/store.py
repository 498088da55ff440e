"""The per-committee model store: training, the model files in the data folder, the similar-item index.

Files (settings.DATA_DIR / "text" / <committee code>/):

    proposal.v<FORMAT>.model   categories + units of proposals   (engine.Model.save; engine.load caches it
    opinion.v<FORMAT>.model    category of opinion reports        per process and reloads it when the file
    demand.v<FORMAT>.model     category + unit of demands         changes — the web workers see a retrain)
    status.json                per kind: trained_at, rows, and "not_enough_history" with the reason
    similar.v<FORMAT>.index    the similar-item index as trained (pickled with its marks; optional)

The engine's format number is in the file name: a new engine format is trained beside the old files, never
read from them. `train_committee` writes them all (the command `xieshang text train --committee CODE` and the
nightly job `text.train`). A missing or unreadable model file means no suggestion, never an error: engine.load
logs why.

The similar-item index of a committee is held once per process (`similar_index`): loaded from the trained
file (or built from the database when there is none) and brought up to date at each query with what was
written since its mark — new items and rewritten texts — so every web worker finds an item the moment it is
submitted, whatever process wrote it (a save hook would only reach the process that saved). Re-added items
are searched under their latest text (older copies are dropped from the answer); after too many re-adds, or
once a day, the index is rebuilt.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import pickle
import threading
import time
from pathlib import Path

from django.conf import settings

from xieshang.core import clock

from . import engine
from .history import KINDS, SOURCES, Mark

log = logging.getLogger(__name__)

INDEX_MAGIC = b"XIESHANG-TEXT-INDEX\n"
# Rebuild an index in memory after this many re-added items (beyond a tenth of its size) or this age.
REBUILD_READDS = 20
REBUILD_AGE = datetime.timedelta(hours=24)


def folder(committee) -> Path:
    return Path(settings.DATA_DIR) / "text" / committee.code


def model_path(committee, kind: str) -> Path:
    return folder(committee) / f"{kind}.v{engine.FORMAT}.model"


def index_path(committee) -> Path:
    return folder(committee) / f"similar.v{engine.FORMAT}.index"


def status(committee) -> dict:
    """What the last training said, per kind: {"trained_at", "rows", "units", "ok", "reason"}; {} before any."""
    try:
        return json.loads((folder(committee) / "status.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def model(committee, kind: str):
    """The committee's trained model of `kind`, or None (not trained, not enough history, or unreadable)."""
    path = model_path(committee, kind)
    if not path.exists() and not status(committee).get(kind, {}).get("ok"):
        return None  # never trained, or too little history: nothing is wrong, nothing to log
    return engine.load(path)  # a file that should be there and is missing or unreadable: logged


def train_committee(committee, *, kinds=KINDS, stdout=None) -> dict:
    """Train every kind's model from the committee's history and build its similar-item index. Returns the
    new status; a kind with too little history gets no model file (an older one is removed)."""
    target = folder(committee)
    target.mkdir(parents=True, exist_ok=True)
    result = status(committee)
    for kind in kinds:
        started = time.monotonic()
        rows = SOURCES[kind].rows(committee)
        path = model_path(committee, kind)
        entry = {"trained_at": clock.now().isoformat(timespec="seconds"), "rows": len(rows)}
        try:
            trained = engine.train(rows)
        except engine.NotEnoughHistory as exc:
            entry.update(ok=False, reason=str(exc), units=False)
            path.unlink(missing_ok=True)
        else:
            trained.save(path)
            entry.update(ok=True, units=getattr(trained, "units", None) is not None, reason="")
        entry["seconds"] = round(time.monotonic() - started, 2)
        result[kind] = entry
        if stdout is not None:
            stdout.write(f"{committee.code} {kind}: {len(rows)} rows, "
                         + ("trained" if entry["ok"] else f"not enough history ({entry['reason']})")
                         + f" ({entry['seconds']} s)")
    started = time.monotonic()
    index, marks = _build(committee)
    try:
        _save_index(index_path(committee), index, marks)
    except Exception as exc:  # noqa: BLE001 — an index that cannot be pickled is built by each process instead
        log.warning("text index of %s not saved (%s): each process builds its own", committee.code, exc)
    result["similar"] = {"trained_at": clock.now().isoformat(timespec="seconds"), "items": len(index),
                         "seconds": round(time.monotonic() - started, 2)}
    if stdout is not None:
        stdout.write(f"{committee.code} similar items: {len(index)} indexed ({result['similar']['seconds']} s)")
    tmp = target / f"status.json.tmp{os.getpid()}"
    tmp.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, target / "status.json")
    with _lock:
        _indexes.pop(committee.pk, None)
    return result


def train_all(stdout=None) -> str:
    """The nightly job: every active committee."""
    from xieshang.core.models import Committee

    done = 0
    for committee in Committee.objects.filter(is_active=True).order_by("pk"):
        try:
            train_committee(committee, stdout=stdout)
            done += 1
        except Exception:  # noqa: BLE001 — one committee's failure must not stop the others
            log.exception("text training of %s failed", committee.code)
    return f"{done} committees trained"


# ---- similar items --------------------------------------------------------------------------------------

class _Entry:
    def __init__(self, index, marks, stamp=None):
        self.index, self.marks, self.stamp = index, marks, stamp
        self.readds = 0
        self.size = len(index)
        self.built = time.monotonic()
        self.lock = threading.Lock()


_indexes: dict[int, _Entry] = {}
_lock = threading.Lock()


def _marks(committee) -> dict[str, Mark]:
    return {kind: SOURCES[kind].mark(committee) for kind in KINDS}


def _build(committee):
    marks = _marks(committee)  # read before the items: what is written meanwhile is caught up at the next query
    index = engine.SimilarIndex()
    for kind in KINDS:
        for key, title, body in SOURCES[kind].items(committee):
            index.add(key, title, body)
    index.build()
    return index, marks


def _save_index(path, index, marks):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(INDEX_MAGIC)
        pickle.dump({"index": index, "marks": marks}, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def _load_index(path):
    try:
        with open(path, "rb") as f:
            if f.read(len(INDEX_MAGIC)) != INDEX_MAGIC:
                raise ValueError("not a text index file")
            data = pickle.load(f)
        return data["index"], data["marks"]
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 — a bad file: build from the database instead
        log.warning("text index %s unreadable (%s: %s): built from the database", path, type(exc).__name__, exc)
        return None


def _file_stamp(path):
    try:
        st = os.stat(path)
        return (st.st_mtime_ns, st.st_size)
    except OSError:
        return None


def similar_query(committee, title, body, **kwargs) -> list:
    """`SimilarIndex.query` on the committee's current index, under its lock (adding and searching at once
    in two threads of one process would race)."""
    entry = _current(committee)
    with entry.lock:
        return entry.index.query(title, body, **kwargs)


def similar_index(committee) -> engine.SimilarIndex:
    """The committee's index, current: loaded or built once per process, then what changed is added."""
    return _current(committee).index


def _current(committee) -> _Entry:
    path = index_path(committee)
    stamp = _file_stamp(path)
    with _lock:
        entry = _indexes.get(committee.pk)
        stale = entry is None or entry.stamp != stamp or time.monotonic() - entry.built > REBUILD_AGE.total_seconds()
        if not stale and entry.readds > REBUILD_READDS + len(entry.index) // 10:
            stale, stamp = True, None  # too many re-added texts: rebuild from the database
        if stale:
            loaded = _load_index(path) if stamp is not None else None
            entry = _Entry(*(loaded or _build(committee)), stamp=stamp if loaded else None)
            _indexes[committee.pk] = entry
    with entry.lock:
        for kind in KINDS:
            source = SOURCES[kind]
            mark = source.mark(committee)  # first: what is written after it is read again next time
            changed = source.changed_since(committee, entry.marks[kind])
            entry.marks[kind] = mark
            for key, title, body in changed:
                entry.index.add(key, title, body)
            entry.readds += len(changed)
        if entry.readds and entry.size == 0:  # built empty (no vocabulary yet): build with what came
            with _lock:
                entry = _indexes[committee.pk] = _Entry(*_build(committee))
    return entry


def forget():
    """Drop every index held by this process (tests; after a bulk load)."""
    with _lock:
        _indexes.clear()
