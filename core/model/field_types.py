"""Kinds of question: every aspect of one field type in one class, and the registry of the app's types.

A council's ``Field`` names its type by a word ("date", "choice"). Everything core does with an answer of
that type (the form field that asks and checks it, its JSON Schema in the API, an example for the API's
description and the dry run, how the case page and the CSV show it) is one ``FieldType`` subclass, as
open-forms keeps each form.io component in one class (``openforms/formio/registry.py``). Core's own
types are ``core.forms.field_types``; a plugin adds one with ``concord_register_field_types`` and core
changes nothing.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField

    from core.model.procedures import Field


class FieldType(ABC):
    """One kind of question. Subclass it, set ``name``, and give ``form_field``, ``schema`` and ``example``;
    the rest has defaults that suit a one-line typed answer.

    Core builds what every question shares (label, hint, "required" or "optional", a gate's accepted
    answers, stripping a typed answer) and hands it to ``form_field``; the type adds its own checks.
    """

    #: The word a council's ``Field(type=...)`` uses, e.g. ``"postcode"``.
    name: ClassVar[str]
    #: What the API's description of the forms says an answer of this type is.
    description: ClassVar[str] = ""
    #: The answer is typed (stripped, so a blank one counts as missing), not chosen from a list.
    typed: ClassVar[bool] = True
    #: How the missing-answer message starts: "Enter <question>" or "Select <question>".
    verb: ClassVar[str] = "Enter"
    #: An optional answer of this type may still steer a case (its route, a rung, a deadline): the dry
    #: run makes one up anyway.
    example_when_optional: ClassVar[bool] = False

    @abstractmethod
    def form_field(self, spec: Field, checks: list, **kwargs: Any) -> UnboundField:
        """The WTForms field asking ``spec``: add the type's own checks to ``checks`` (core's: required or
        optional, a gate's accepted answers), and give them as ``validators`` with ``kwargs`` (label,
        description, filters) to the field class."""

    @abstractmethod
    def schema(self, spec: Field) -> dict:
        """The answer as JSON Schema (``core.api.openapi``); core adds the title, a gate's enum and null."""

    @abstractmethod
    def example(self, spec: Field, day: date) -> object:
        """A valid answer, as the API takes it, for a case raised on ``day`` (the dry run's made-up answers)."""

    def hint(self, spec: Field) -> str:
        """The hint shown when the council gives none."""
        return ""

    def choices(self, spec: Field) -> list[str]:
        """The answers offered, for the API's description (none for a typed answer)."""
        return []

    def max_length(self, spec: Field) -> int | None:
        """The longest answer, for the API's description; None where length means nothing."""
        return spec.limit if self.typed else None

    def form_values(self, value: object) -> list[str]:
        """An answer sent as JSON, as the form's posted values (a date's day, month and year boxes)."""
        return [str(value)]

    def cell(self, value: object) -> str:
        """The answer in a CSV cell (``core.reads.exports``); an empty answer is never asked for."""
        return str(value)

    def shown(self, value: object) -> object:
        """The answer as the case page shows it (markup allowed); an empty answer says "Not given" instead."""
        return value


class UnknownFieldType(KeyError):
    """A field names a type no installed plugin registered (``check`` refuses such a council at start-up)."""


class FieldTypes(Mapping[str, FieldType]):
    """The app's field types by name, built once from every plugin's ``concord_register_field_types``.

    A later plugin's type replaces an earlier one of the same name (a plugin's own ``date``, say);
    core's are registered first.
    """

    def __init__(self, types: Iterable[type[FieldType]]):
        self._types: dict[str, FieldType] = {}
        for kind in types:
            self._types[kind.name] = kind()

    def __getitem__(self, name: str) -> FieldType:
        try:
            return self._types[name]
        except KeyError:
            raise UnknownFieldType(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._types)

    def __len__(self) -> int:
        return len(self._types)

    def of(self, spec: Field) -> FieldType:
        """The type of a council's question."""
        return self[spec.type]
