"""dsl/dataclass_cache.py: classes as the standard `dataclass` makes them, their methods'
code compiled once per machine and read back by later processes."""
from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys
from fractions import Fraction

import pytest

from dsl import dataclass_cache
from dsl.ast import Number
from engine.compile.plan import CheckedPlan
from tests.conftest import ROOT

SOURCE = '''
from __future__ import annotations
from dataclasses import field
from {module} import dataclass

@dataclass(frozen=True, slots=True)
class Point:
    """A point."""
    x: int
    y: int = 0
    tags: tuple = field(default_factory=tuple)
    note: str = field(default="", compare=False, repr=False)

@dataclass
class Bag:
    items: list = field(default_factory=list)
'''


def _classes(module: str) -> dict:
    probe = sys.modules["probe"] = type(sys)("probe")  # dataclasses looks its class's module up
    exec(compile(SOURCE.format(module=module), "probe", "exec"), vars(probe))
    return vars(probe)


@pytest.mark.parametrize("module", ["dataclasses", "dsl.dataclass_cache"])
def test_a_class_behaves_as_the_standard_dataclass_makes_it(module):
    made = _classes(module)
    Point, Bag = made["Point"], made["Bag"]
    p = Point(1, tags=("a",), note="n")
    assert p == Point(1, 0, ("a",), note="other") and hash(p) == hash(Point(1, tags=("a",)))
    assert repr(p) == "Point(x=1, y=0, tags=('a',))"
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 2
    assert [f.name for f in dataclasses.fields(Point)] == ["x", "y", "tags", "note"]
    assert dataclasses.replace(p, y=5).y == 5 and dataclasses.asdict(p)["tags"] == ("a",)
    assert Point.__slots__ == ("x", "y", "tags", "note") and not hasattr(p, "__dict__")
    assert Bag().items == [] and Bag().items is not Bag().items
    assert Bag([1]) == Bag([1]) and Bag.__hash__ is None  # mutable: eq without hash, as the standard one
    with pytest.raises(TypeError):
        Point()


def test_the_engines_records_pickle_and_compare_as_before():
    n = Number(Fraction(15, 2), "m", "7.5")
    assert pickle.loads(pickle.dumps(n)) == n and n == Number(Fraction(15, 2), "m", "7.5")
    assert dataclasses.is_dataclass(CheckedPlan) and "stamp" in {f.name for f in dataclasses.fields(CheckedPlan)}


def _import_in_a_new_process(cache) -> str:
    code = ("import builtins; real = builtins.compile; seen = []\n"
            "def spy(text, *a, **k):\n"
            "    if isinstance(text, str) and text.startswith('def __create_fn__'): seen.append(text)\n"
            "    return real(text, *a, **k)\n"
            "builtins.compile = spy\n"
            "import engine.compile.plan\n"
            "print(len(seen))")
    env = {**os.environ, "POLICY_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.mark.skipif(not dataclass_cache._KNOWN, reason="this Python keeps the standard dataclass factory")
def test_a_later_process_compiles_none_of_the_methods_and_a_broken_cache_is_ignored(tmp_path):
    assert int(_import_in_a_new_process(tmp_path)) > 100  # the first compiles them all, and keeps them
    assert _import_in_a_new_process(tmp_path) == "0"
    kept = next(tmp_path.glob("dataclass-code.*.marshal"))
    kept.write_bytes(b"not marshal")
    assert int(_import_in_a_new_process(tmp_path)) > 100  # compiled again, as dataclasses would
    assert _import_in_a_new_process(tmp_path) == "0"
