"""Checked IR -> Python source, for the fast path (engine/run/compiled.py runs what this writes).

The generated module mirrors the reference evaluator (engine/run/evaluator.py) node for node:
the same order of evaluation, the same three-valued `Missing` logic, the same fact paths
read and definitions used, recorded in the same order. What it saves is the walk: no
`match` per node, no frames stack, no per-node calls; a definition or rule is one Python
function of straight-line code.

INVARIANT: the source is built from our IR only. No user text (names, article ids, enum
codes, paths, strings, numbers other than finite ints and floats) is ever written into it:
such values go into a constants table and the code names them `K0`, `K1`, ... Identifiers in
the generated code are ours (`D3`, `Q0`, `t12`), never a policy's names.

Each definition compiles to `D<i>(F, V, P, T, G)`, each rule to `Q<i>(F, V, P, T, G)`, where
F is the facts, V the definitions' values (in the order they were computed), P the fact path
a definition's record came from, T the list of (definition index, reads, uses, value) the
trace is built from, and G the registry of designated institutions (or None). Without trace
the functions take (F, V, P, G) and record nothing. Each function is compiled on its own.
"""
from __future__ import annotations

from fractions import Fraction

from engine.compile import ir
from engine.compile.plan import CheckedPlan
from engine.compile.types import DateT
from engine.run.arith import divisor_paths
from engine.run.codewriter import Fn, Generated, SourceWriter

_MAX_DEPTH = 40  # indentation levels before an expression moves into a function of its own
_MAX_LOOPS = 12  # nested `for` loops before the same (CPython allows 20 nested blocks)
_COMPARE = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_ARITH = {"+": "+", "-": "-", "*": "*"}  # anything else divides exactly (`_div`), as in the reference
_FUNCS = {"floor": "_floor({0})", "ceil": "_ceil({0})", "round": "round({0})", "abs": "abs({0})",
          "min": "min(({0},))", "max": "max(({0},))"}
_PLACES = (ir.InputRef, ir.FieldGet, ir.IndexGet)


class _Writer(SourceWriter):
    """The IR of one plan as Python functions, node for node as the reference evaluates it."""

    def __init__(self, plan: CheckedPlan, trace: bool):
        super().__init__(trace)
        self.plan = plan
        self.define_index = {name: i for i, name in enumerate(plan.defines)}
        self.params = "F, V, P, T, G" if trace else "F, V, P, G"
        self.frame_params = "F, V, P, T, G, R, U" if trace else "F, V, P, G"

    def ev(self, node: ir.Node, scope: dict) -> str:
        if self.fn.depth > _MAX_DEPTH or self.fn.loops > _MAX_LOOPS:
            return self.hoist(node, scope)
        return _EVAL[type(node)](self, node, scope)

    def hoist(self, node: ir.Node, scope: dict) -> str:
        """Write a deep sub-expression as a function of its own, so nesting never grows unbounded."""
        outer = self.fn
        name = f"H{len(self.functions)}"
        args, inner = [], {}
        for i, (var, (path, row)) in enumerate(scope.items()):
            args += [path, row]
            inner[var] = (f"s{i}p", f"s{i}r")
        params = ", ".join([self.frame_params, *(p for pair in inner.values() for p in pair)])
        self.fn = Fn(f"def {name}({params}):")
        self.functions.append(self.fn)
        result = _EVAL[type(node)](self, node, inner)
        self.emit(f"return {result}")
        self.fn = outer
        out = self.temp()
        self.emit(f"{out} = {name}({', '.join([self.frame_params, *args])})")
        return out

    def _const(self, node: ir.Const, scope) -> str:
        value = self.literal(node.value)
        self.known.add(value)
        return value

    def _placed(self, node, scope) -> str:
        path, value = self.place(node, scope)
        if self.trace:
            self.read(path, value)
        return value

    def _defref(self, node: ir.DefRef, scope) -> str:
        value = self.define_value(node.name)
        self.use(node.name, value)
        return value

    def define_value(self, name: str) -> str:
        out, key = self.temp(), self.const(name)
        self.emit(f"{out} = V.get({key}, _U)")
        self.emit(f"if {out} is _U: {out} = D{self.define_index[name]}({self.params})")
        return out

    def _arith(self, node: ir.Arith, scope) -> str:
        acc = self.temp()
        self.emit(f"{acc} = {self.ev(node.first, scope)}")
        for op, operand in node.rest:
            value = self.ev(operand, scope)
            test = self.absent([acc, value])
            self.emit(f"if {test}: {acc} = _missing({acc}, {value})")
            self.emit("else:")
            self.fn.depth += 1
            if isinstance(node.type, DateT):  # a date moved by a duration: the calendar's rule, its overflow
                self.emit(f"{acc} = _shift({acc}, {self.const(op)}, {value}, {self.const(node.span)})")
            elif op == "*":  # as Python's `*`, with Fractions multiplied without fractions.py's detours
                self.emit(f"{acc} = _mul({acc}, {value})")
            elif op in _ARITH:
                self.emit(f"{acc} = {acc} {_ARITH[op]} {value}")
            else:  # exact division (engine/values/numbers.py), and the reference's error for a zero divisor
                paths = self.const(divisor_paths(self.plan, operand))
                self.emit(f"if {value} == 0: raise _div0({self.const(operand.span)}, {paths}, F)")
                self.emit(f"{acc} = _div({acc}, {value})")
            self.fn.depth -= 1
        return acc

    def _neg(self, node: ir.Neg, scope) -> str:
        value, out = self.ev(node.operand, scope), self.temp()
        self.emit(f"{out} = {value} if type({value}) is Missing else -{value}")
        return out

    def _compare(self, node: ir.Compare, scope) -> str:
        a, b = self.compared(node.left, scope), self.compared(node.right, scope)
        out, test = self.temp(), self.absent([a, b])
        compare = f"{a} {_COMPARE.get(node.op, '>=')} {b}"
        self.emit(f"{out} = _missing({a}, {b}) if {test} else {compare}" if test else f"{out} = {compare}")
        return out

    def compared(self, node: ir.Node, scope) -> str:
        """An operand of a comparison: a whole-number constant (`800 m`, `0`) as an int, which
        compares exactly as its Fraction does and in C, not in fractions.py; the result is a
        bool either way, so no value the trace shows changes."""
        if isinstance(node, ir.Const) and type(node.value) is Fraction and node.value.denominator == 1:
            value = self.literal(int(node.value))
            self.known.add(value)
            return value
        return self.ev(node, scope)

    def _member(self, node: ir.Member, scope) -> str:
        value, out = self.ev(node.element, scope), self.temp()
        test = "not in" if node.negated else "in"
        self.emit(f"{out} = {value} if type({value}) is Missing else {value} {test} {self.const(node.values)}")
        return out

    def _logic(self, node: ir.Logic, scope) -> str:
        """Kleene's `and`/`or`: stop at the first deciding operand; else missing if any was."""
        decides = "True" if node.op == "or" else "False"
        out, seen, opened = self.temp(), [], 0
        for i, operand in enumerate(node.operands):
            # `a or b or c` is `a or (b or c)` in this logic too (missing paths are a union):
            # past the depth limit the rest goes into a function, so the nesting stops there.
            split = self.fn.depth > _MAX_DEPTH and i < len(node.operands) - 1
            if split:
                value = self.hoist(ir.Logic(node.op, node.operands[i:], node.type, node.span), scope)
            else:
                value = self.ev(operand, scope)
            seen.append(value)
            self.emit(f"if {value} is {decides}: {out} = {decides}")
            self.emit("else:")
            self.fn.depth += 1
            opened += 1
            if split:
                break
        test = self.absent(seen)
        self.emit(f"{out} = _missing({', '.join(seen)}) if {test} else {node.op == 'and'}" if test
                  else f"{out} = {node.op == 'and'}")
        self.fn.depth -= opened
        return out

    def _not(self, node: ir.Not, scope) -> str:
        value, out = self.ev(node.operand, scope), self.temp()
        self.emit(f"{out} = {value} if type({value}) is Missing else not {value}")
        return out

    def _if(self, node: ir.If, scope) -> str:
        cond, out = self.ev(node.condition, scope), self.temp()
        self.emit(f"if type({cond}) is Missing: {out} = {cond}")
        for head, branch in ((f"elif {cond}:", node.then), ("else:", node.otherwise)):
            self.emit(head)
            self.fn.depth += 1
            self.emit(f"{out} = {self.ev(branch, scope)}")
            self.fn.depth -= 1
        return out

    def _zone_of(self, node: ir.ZoneOf, scope) -> str:
        value, out = self.ev(node.arg, scope), self.temp()
        self.emit(f"{out} = {value} if type({value}) is Missing else {self.const(dict(node.mapping))}.get({value}, _U)")
        self.emit(f"if {out} is _U: {out} = Missing(('zone of {{}}'.format({value}),))")
        return out

    def _func(self, node: ir.Func, scope) -> str:
        values = [self.ev(a, scope) for a in node.args]
        out = self.temp()
        call = _FUNCS.get(node.name, _FUNCS["max"]).format(", ".join(values))
        test = self.absent(values)
        self.emit(f"{out} = _missing({', '.join(values)}) if {test} else {call}" if test else f"{out} = {call}")
        return out

    def _first_known(self, node, scope) -> str:
        """The first argument that is not missing; the later ones are not evaluated."""
        out, seen, opened = self.temp(), [], 0
        for i, arg in enumerate(node.args):
            # first_known(a, b, c) is first_known(a, first_known(b, c)), missing paths a union
            split = self.fn.depth > _MAX_DEPTH and i < len(node.args) - 1
            value = (self.hoist(type(node)(node.args[i:], node.type, node.span), scope) if split
                     else self.ev(arg, scope))
            seen.append(value)
            self.emit(f"if type({value}) is not Missing: {out} = {value}")
            self.emit("else:")
            self.fn.depth += 1
            opened += 1
            if split:
                break
        self.emit(f"{out} = _missing({', '.join(seen)})")
        self.fn.depth -= opened
        return out

    def _registry_query(self, node, scope) -> str:
        """The reference's `_ask`: the applicant's category and place, then the registry."""
        asked = [self.ev(part, scope) for part in (node.category, node.lat, node.lon)]
        radius = self.ev(node.radius, scope) if node.radius is not None else "None"
        out, gap = self.temp(), self.temp()
        test = self.absent(asked + ([radius] if node.radius is not None else []))
        self.emit(f"{gap} = _missing({', '.join(asked)}, {radius}) if {test} else None" if test else f"{gap} = None")
        self.emit(f"if G is None: {out} = _no_registry({gap})")
        self.emit(f"elif {gap} is not None: {out} = {gap}")
        self.emit("else:")
        self.fn.depth += 1
        exclude = self.ev(node.exclude_id, scope)
        key, record = self.temp(), self.temp()
        self.emit(f"{out}, {key}, {record} = _ask(G, {self.const(node)}, {', '.join(asked)}, {exclude}, {radius})")
        if self.trace:
            self.emit(f"R.setdefault({key}, {record})")
        self.fn.depth -= 1
        return out

    def _rows_or_missing(self, node: ir.SumOver | ir.Over, scope) -> tuple[str, str, str]:
        """The list a loop runs over: when it is missing, the result is that Missing (read in
        the trace); the caller emits the loop under the `else:` this leaves open (depth + 1)."""
        where, rows = self.place(node.items, scope)
        out = self.temp()
        self.emit(f"if type({rows}) is Missing:")
        self.fn.depth += 1
        if self.trace:
            self.emit(f"R.setdefault({where}, None)")
        self.emit(f"{out} = {rows}")
        self.fn.depth -= 1
        self.emit("else:")
        self.fn.depth += 1
        return where, rows, out

    def _sum_over(self, node: ir.SumOver, scope) -> str:
        where, rows, out = self._rows_or_missing(node, scope)
        results, i, row = self.temp(), self.temp(), self.temp()
        self.emit(f"{results} = []")
        self.emit(f"for {i}, {row} in enumerate({rows}):")
        self.fn.depth += 1
        self.fn.loops += 1
        body = self.ev(node.body, {**scope, node.var: (f"'{{}}[{{}}]'.format({where}, {i})", row)})
        self.emit(f"{results}.append({body})")
        self.fn.loops -= 1
        self.fn.depth -= 1
        self.emit(f"{out} = _missing(*{results}) or _sum({results})")
        self.fn.depth -= 1
        return out

    def _over(self, node: ir.Over, scope) -> str:
        """The reference's `_over`, row by row, with the same early stop for `any` and `all`."""
        where, rows, out = self._rows_or_missing(node, scope)
        f = self.const(node.function)
        unknown, picked, i, row = self.temp(), self.temp(), self.temp(), self.temp()
        self.emit(f"{out} = _U")
        self.emit(f"{unknown} = []")
        self.emit(f"{picked} = []")
        self.emit(f"for {i}, {row} in enumerate({rows}):")
        self.fn.depth += 1
        self.fn.loops += 1
        inner = {**scope, node.var: (f"'{{}}[{{}}]'.format({where}, {i})", row)}
        if node.where is not None:
            selected = self.ev(node.where, inner)
            self.emit(f"if {selected} is False: continue")
        value = self.ev(node.body, inner)
        if node.where is not None:
            self.emit(f"if {selected} is not True and not _over_known({f}, {value}):")
            self.emit(f"    {unknown} += [{selected}] + ([{value}] if type({value}) is Missing else [])")
            self.emit("    continue")
        self.emit(f"if type({value}) is Missing:")
        self.emit(f"    {unknown}.append({value})")
        self.emit("    continue")
        if node.function in ("any", "all"):
            self.emit(f"if {value} is {node.function == 'any'}:")
            self.emit(f"    {out} = {value}")
            self.emit("    break")
        self.emit(f"{picked}.append({value})")
        self.fn.loops -= 1
        self.fn.depth -= 1
        self.emit(f"if {out} is _U: {out} = _over_result({f}, {picked}, {unknown}, {where})")
        self.fn.depth -= 1
        return out

    def _aggref(self, node: ir.AggRef, scope) -> str:
        own = self.ev(node.arg, scope) if node.per_line else "None"
        out = self.temp()
        self.emit(f"{out} = _aggregate(F, {self.const(node.name)}, {own})")
        self.read(self.const(f"population.{node.name}"), out)
        return out

    def _known(self, node: ir.Known, scope) -> str:
        value, out = self.ev(node.arg, scope), self.temp()
        self.emit(f"{out} = type({value}) is not Missing")
        return out

    # ---- places: (Python expression of the fact path, name of the value)
    def place(self, node: ir.Node, scope: dict) -> tuple[str, str]:
        """The reference's `_place`. In trace mode the path is computed at once (it is
        recorded); without trace it stays an expression, computed only if a fact is absent."""
        match node:
            case ir.InputRef(path=path):
                dotted = ".".join(path)
                value = self.temp()
                parts = ", ".join(self.const(part) for part in path)
                # one call per fact read: as fast as the inline walk, and a fraction of the code
                self.emit(f"{value} = _at{len(path)}(F, {parts}, {self.missing_constant(dotted)})" if len(path) <= 4
                          else f"{value} = _at(F, ({parts},), {self.missing_constant(dotted)})")
                return self.const(dotted), value
            case ir.VarRef(name=name):
                return scope[name]
            case ir.DefRef(name=name):
                value = self.define_value(name)
                key = self.const(name)
                return (f"P.get({key}, {key})" if isinstance(self.plan.defines[name].node, _PLACES) else key), value
            case ir.FieldGet(base=base, name=name):
                where, record = self.place(base, scope)
                path = self.fix(f"{where} + {self.const('.' + name)}")
                value = self.temp()
                self.emit(f"if type({record}) is Missing: {value} = {record}")
                self.emit("else:")
                self.fn.depth += 1
                self.emit(f"{value} = {record}.get({self.const(name)}) if isinstance({record}, _dict) else None")
                self.emit(f"if {value} is None: {value} = Missing(({path},))")
                self.fn.depth -= 1
                return path, value
            case ir.IndexGet(base=base, key=key):
                where, mapping = self.place(base, scope)
                k = self.ev(key, scope)
                path, value = self.temp(), self.temp()
                self.emit(f"if type({k}) is Missing or type({mapping}) is Missing: {path}, {value} = {where}, _missing({mapping}, {k})")
                self.emit("else:")
                self.fn.depth += 1
                self.emit(f"{path} = '{{}}.{{}}'.format({where}, {k})")
                self.emit(f"{value} = {mapping}.get({k}) if isinstance({mapping}, _dict) else None")
                self.emit(f"if {value} is None: {value} = Missing(({path},))")
                self.fn.depth -= 1
                return path, value
        return "''", self.ev(node, scope)


    # ---- definitions and rules
    def define(self, index: int, name: str) -> None:
        info = self.plan.defines[name]
        self.fn = Fn(f"def D{index}({self.params}):")
        self.functions.append(self.fn)
        if self.trace:
            self.emit("R = {}")
            self.emit("U = {}")
        if isinstance(info.node, _PLACES):
            where, value = self.place(info.node, {})
            if _may_be_unplaced(info.node):
                self.emit(f"if {where}:")
                self.fn.depth += 1
                self._remember_place(name, where, value)
                self.fn.depth -= 1
                self.emit("else:")
                self.fn.depth += 1
                self.emit(f"{value} = {self.ev(info.node, {})}")
                self.fn.depth -= 1
            else:
                self._remember_place(name, where, value)
        else:
            value = self.ev(info.node, {})
        self.emit(f"V[{self.const(name)}] = {value}")
        if self.trace:
            self.emit(f"T.append(({index}, R, U, {value}))")
        self.emit(f"return {value}")

    def _remember_place(self, name: str, where: str, value: str) -> None:
        self.emit(f"P[{self.const(name)}] = {where}")
        self.read(where, value)

    def rule(self, index: int, name: str) -> None:
        info = self.plan.rules[name]
        self.fn = Fn(f"def Q{index}({self.params}):")
        self.functions.append(self.fn)
        if self.trace:
            self.emit("R = {}")
            self.emit("U = {}")
        holds = self.ev(info.when, {})
        terms = self.temp()
        self.emit(f"{terms} = ()")
        if info.assignments:
            self.emit(f"if {holds} is True:")
            self.fn.depth += 1
            pairs = [f"({self.const(term)}, {self.ev(node, {})})" for term, node in info.assignments]
            self.emit(f"{terms} = ({', '.join(pairs)},)")
            self.fn.depth -= 1
        # with trace, the reference's `Evaluation.rule` shape: (holds, frame, terms)
        self.emit(f"return {holds}, {'(R, U), ' if self.trace else ''}{terms}")


_EVAL = {
    ir.Const: _Writer._const,
    ir.InputRef: _Writer._placed,
    ir.FieldGet: _Writer._placed,
    ir.IndexGet: _Writer._placed,
    ir.VarRef: _Writer._placed,
    ir.DefRef: _Writer._defref,
    ir.Arith: _Writer._arith,
    ir.Neg: _Writer._neg,
    ir.Compare: _Writer._compare,
    ir.Member: _Writer._member,
    ir.Logic: _Writer._logic,
    ir.Not: _Writer._not,
    ir.If: _Writer._if,
    ir.ZoneOf: _Writer._zone_of,
    ir.Func: _Writer._func,
    ir.SumOver: _Writer._sum_over,
    ir.Over: _Writer._over,
    ir.Known: _Writer._known,
    ir.AggRef: _Writer._aggref,
}
# Nodes that arrived with the registry of designated institutions; registered by name so this
# module also loads beside an ir.py that predates them.
for _name, _method in (("FirstKnown", _Writer._first_known), ("RegistryQuery", _Writer._registry_query)):
    if hasattr(ir, _name):
        _EVAL[getattr(ir, _name)] = _method
HANDLED = frozenset(_EVAL)  # tests compare this with the node types ir.py declares



def _may_be_unplaced(node: ir.Node) -> bool:
    """Whether the reference's `_place` can return an empty path for this node (then the
    reference evaluates the definition a second time, and so must we)."""
    while isinstance(node, ir.IndexGet):
        node = node.base
    return not isinstance(node, (ir.InputRef, ir.FieldGet, ir.VarRef, ir.DefRef))


def generate(plan: CheckedPlan, trace: bool) -> Generated:
    """The Python module that evaluates this plan, with or without recording a trace."""
    writer = _Writer(plan, trace)
    for index, name in enumerate(plan.defines):
        writer.define(index, name)
    for index, name in enumerate(plan.rules):
        writer.rule(index, name)
    functions = tuple(fn.source() for fn in writer.functions)
    return Generated(functions, writer.constants, tuple(plan.defines), tuple(plan.rules))
