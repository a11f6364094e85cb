"""Building the trace's frozen records fast: a positional constructor for a frozen slots dataclass.

A frozen dataclass's `__init__` goes through `object.__setattr__` once per field, which was
most of the cost of a trace (1.5 µs per step, 4 µs per `Explanation`). `builder(cls)` makes
the instance as a twin class with the same slots and a plain `__init__` (one slot store per
field), then gives it its class: CPython allows `__class__` assignment between classes of the
same layout, and the object is from then on exactly one `cls` would have built (same type,
same slots, same equality and hash). Where that is refused, the slots are set one by one
through their descriptors. The classes built so have no `__post_init__`; tests check that
what `builder` builds equals what the class builds, field by field.
"""
from __future__ import annotations

from dataclasses import fields


def builder(cls):
    """`build(*values)`: an instance of the frozen slots dataclass `cls`, its fields in declared order."""
    names = tuple(f.name for f in fields(cls))
    args = ", ".join(f"a{i}" for i in range(len(names)))  # our own names: the fields' may shadow anything
    twin_source = (f"class Twin:\n    __slots__ = {names!r}\n    def __init__(self, {args}):\n"
                   + "".join(f"        self.{n} = a{i}\n" for i, n in enumerate(names)))
    namespace = {"cls": cls, "new": object.__new__,
                 **{f"s{i}": getattr(cls, n).__set__ for i, n in enumerate(names)}}
    exec(twin_source, namespace)  # field names of our own record classes only
    twin = namespace["Twin"]
    try:
        made = twin(*range(len(names)))
        made.__class__ = cls
        usable = type(made) is cls and all(getattr(made, n) == i for i, n in enumerate(names))
    except TypeError:  # a layout that differs: no __class__ assignment
        usable = False
    if usable:
        exec(f"def build({args}):\n    o = Twin({args})\n    o.__class__ = cls\n    return o\n", namespace)
    else:
        body = "".join(f"    s{i}(o, a{i})\n" for i in range(len(names)))
        exec(f"def build({args}):\n    o = new(cls)\n{body}    return o\n", namespace)
    return namespace["build"]
