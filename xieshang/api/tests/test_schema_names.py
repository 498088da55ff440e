"""The OpenAPI document names each schema by its class name, once: two schemas of different shapes under one
name (two routers' `RecipientOut`, `OutcomeOut` or `PlaceOut`) make one replace the other in the document, and
the answers of the replaced one no longer match it (found by the probe's fuzzer, api/tests/test_probe_fuzz.py).
Schemas of the same name must have the same fields."""

from collections import defaultdict

from ninja import Schema


def _every(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _every(sub)


def test_schemas_of_one_name_have_one_shape():
    import xieshang.api.main  # noqa: F401 - every router and the schemas it uses are loaded

    shapes = defaultdict(dict)
    for cls in _every(Schema):
        if cls.__module__.startswith("xieshang."):
            shape = tuple(sorted((name, str(f.annotation)) for name, f in cls.model_fields.items()))
            shapes[cls.__name__].setdefault(shape, []).append(cls.__module__)
    clashes = {name: sorted(m for mods in by_shape.values() for m in mods)
               for name, by_shape in shapes.items() if len(by_shape) > 1}
    assert clashes == {}, f"rename one of each: {clashes}"
