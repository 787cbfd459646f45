"""Records without `dataclasses`: importing it pulls in `inspect` (and `ast`, `dis`, `tokenize`), about a
sixth of what one `gkxl validate` costs, for classes that need only equality, a repr and frozenness.

A record class lists its fields in `_fields` (and, when some are not compared, the compared ones in
`_compare`) and writes its own `__init__`. It behaves as the dataclass it replaces: the same repr
(`Finding(rule='V-SUM', …)`), `==` between instances of the same class over the compared fields, a hash for
frozen ones (none for mutable ones), and assignment refused on frozen ones (dataclasses.FrozenInstanceError).
`dataclasses.replace`, `fields` and `asdict` keep working: `__dataclass_fields__` is built on first use,
from a dataclass of the same fields made then (only code that already imported dataclasses asks for it).
"""

from __future__ import annotations


class _Dataclass:
    """`__dataclass_fields__` or `__dataclass_params__` on demand (see the module's docstring): both come from
    a dataclass made then with the record's fields, defaults (its `__init__`'s, or `_factories`) and
    frozenness, so that a dataclass may also subclass a record."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute

    def __get__(self, obj: object, cls: type):
        import dataclasses

        init = cls.__dict__.get("__init__")
        code = getattr(init, "__code__", None)
        names = code.co_varnames[1 : code.co_argcount] if code else ()
        given = init.__defaults__ or () if code else ()
        defaults = dict(zip(names[len(names) - len(given) :], given, strict=True))
        factories = dict(cls.__dict__.get("_factories", ()))

        def spec(name: str):
            compare = name in cls._compare
            if name in factories:
                return dataclasses.field(default_factory=factories[name], compare=compare)
            if name in defaults:
                return dataclasses.field(default=defaults[name], compare=compare)
            return dataclasses.field(compare=compare)

        shadow = dataclasses.make_dataclass(
            cls.__name__,
            [(n, object, spec(n)) for n in cls.__dict__.get("_fields", ())],
            frozen=issubclass(cls, Frozen),
            eq=not issubclass(cls, Identity),
        )
        type.__setattr__(cls, "__dataclass_fields__", shadow.__dataclass_fields__)  # computed once per class
        type.__setattr__(cls, "__dataclass_params__", shadow.__dataclass_params__)
        return getattr(shadow, self.attribute)


class Record:
    """A mutable record: equality and repr over its fields, unhashable (as a dataclass with eq=True)."""

    _fields: tuple[str, ...] = ()
    _compare: tuple[str, ...] = ()  # the fields compared by ==; defaults to `_fields` (see __init_subclass__)
    _factories: tuple[tuple[str, object], ...] = ()  # (field, default factory): __init__'s None means "a new one"

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "_fields" in cls.__dict__ and "_compare" not in cls.__dict__:
            type.__setattr__(cls, "_compare", cls._fields)
        if "__dataclass_fields__" not in cls.__dict__:  # each class its own (a dataclass subclass has its own)
            type.__setattr__(cls, "__dataclass_fields__", _Dataclass("__dataclass_fields__"))
            type.__setattr__(cls, "__dataclass_params__", _Dataclass("__dataclass_params__"))

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields)
        return f"{type(self).__qualname__}({shown})"

    def __eq__(self, other: object):
        if other.__class__ is self.__class__:
            return self._key() == other._key()  # type: ignore[attr-defined]
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def _key(self) -> tuple:
        return tuple([getattr(self, n) for n in self._compare])


class Frozen(Record):
    """A frozen record: hashable over its compared fields; `__init__` sets fields with `_set` (or through
    `self.__dict__`), since assignment is refused."""

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        import dataclasses

        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        import dataclasses

        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


class Identity(Frozen):
    """A frozen record compared and hashed by identity (a dataclass with frozen=True, eq=False)."""

    __eq__ = object.__eq__
    __hash__ = object.__hash__


Record.__dataclass_fields__ = _Dataclass("__dataclass_fields__")  # type: ignore[attr-defined]
Record.__dataclass_params__ = _Dataclass("__dataclass_params__")  # type: ignore[attr-defined]
