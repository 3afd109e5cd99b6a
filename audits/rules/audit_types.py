"""The shared shape of govaudit's own expectation types.

Each domain check (a deadline, a table identity, a required section) is a real Great
Expectations `MulticolumnMapExpectation`, evaluated by a metric whose pandas implementation is
the class's `check`. Besides the GX half, every type answers four questions GX has no notion
of, because a finding needs them:

- `input_columns(kw)`: which columns it reads (the loader checks them; GX gets them as column_list);
- `unchecked(df, kw)`: for rows the rule applies to, why a row cannot be checked (or <NA>),
  so that a missing input becomes a "could not check" finding and never a pass;
- `explain(rows, kw)`: observed and expected text for failing rows;
- `describe(kw)`: one plain-language sentence for `govaudit rules list`.

Rows that cannot be checked must pass `check` (the runner reports them separately).
"""
from __future__ import annotations

from typing import Any, ClassVar, TypeVar

import numpy as np
import pandas as pd
from great_expectations.compatibility import pydantic
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import MulticolumnMapMetricProvider
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)

AUDIT_TYPES: dict[str, type[AuditType]] = {}
_DOMAIN_KEYS = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")


class AuditType:
    """Mixin for govaudit expectation types; see the module docstring."""

    audit_kwargs: ClassVar[tuple[str, ...]] = ()
    required_kwargs: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def input_columns(cls, kw: dict[str, Any]) -> list[str]:
        raise NotImplementedError

    @classmethod
    def check(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        raise NotImplementedError

    @classmethod
    def unchecked(cls, df: pd.DataFrame, kw: dict[str, Any]) -> pd.Series:
        return missing_inputs(df, cls.input_columns(kw))

    @classmethod
    def explain(cls, rows: pd.DataFrame, kw: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
        raise NotImplementedError

    @classmethod
    def describe(cls, kw: dict[str, Any]) -> str:
        raise NotImplementedError


_Audit = TypeVar("_Audit", bound=AuditType)


def audit_type(cls: type[_Audit]) -> type[_Audit]:
    """Register `cls` and give it a pandas metric that runs `cls.check`."""
    snake = cls.expectation_type  # type: ignore[attr-defined]
    metric_name = cls.map_metric  # type: ignore[attr-defined]
    keys = tuple(cls.audit_kwargs)

    def _pandas(metric_cls, column_list: pd.DataFrame, **kwargs: Any) -> pd.Series:
        kw = {key: kwargs.get(key) for key in keys}
        return cls.check(column_list, kw).fillna(True).astype(bool)

    provider = type(
        f"{cls.__name__}Metric",
        (MulticolumnMapMetricProvider,),
        {
            "condition_metric_name": metric_name,
            "condition_domain_keys": _DOMAIN_KEYS,
            "condition_value_keys": keys,
            "_pandas": multicolumn_condition_partial(engine=PandasExecutionEngine)(_pandas),
        },
    )
    cls.success_keys = ("mostly", *keys)  # type: ignore[attr-defined]
    cls._metric_provider = provider  # type: ignore[attr-defined]
    AUDIT_TYPES[snake] = cls
    return cls


class AuditExpectation(MulticolumnMapExpectation, AuditType):
    """Base for the concrete types. It has no `map_metric`, so GX treats it as abstract; each
    concrete class sets `map_metric = "govaudit.<name>"` in its body (GX registers a class at
    creation time) and is then decorated with `@audit_type`."""

    # nulls are the runner's business (could not check), not GX's; a str field, as GX validates it at run time
    ignore_row_if: str = "never"  # type: ignore[assignment]  # GX's stub narrows it to a Literal

    @pydantic.root_validator(pre=True)
    def _inputs_are_the_column_list(cls, values: dict[str, Any]) -> dict[str, Any]:
        """A rule file names what the check means (fields, a deadline), not GX's column_list: the
        columns follow from the kwargs, so a suite loaded by plain GX reads the same columns."""
        if not values.get("column_list"):
            kw = {key: values.get(key, cls.__fields__[key].default) for key in cls.audit_kwargs}
            values["column_list"] = list(dict.fromkeys(cls.input_columns(kw)))
        return values


def missing_inputs(df: pd.DataFrame, columns: list[str]) -> pd.Series:
    """'缺少 col1、col2' for rows with null inputs, <NA> for complete rows."""
    reason = pd.Series(pd.NA, index=df.index, dtype="string")
    if not columns:
        return reason
    nulls = df[columns].isna()
    any_null = nulls.any(axis=1)
    if any_null.any() and len(set(columns)) < len(columns):  # a column named twice: as it always was
        names = nulls[any_null].apply(lambda row: "、".join(c for c, v in row.items() if v), axis=1)
        reason[any_null] = "缺少 " + names.astype("string")
    elif any_null.any():
        # The missing columns' names joined with 、, built column by column (not row by row).
        names = np.full(int(any_null.sum()), "", dtype=object)
        for column in columns:
            null = nulls.loc[any_null, column].to_numpy(dtype=bool)
            names[null] = np.where(names[null] == "", column, names[null] + "、" + column)
        reason[any_null] = "缺少 " + pd.Series(names, index=any_null.index[any_null.to_numpy()], dtype="string")
    return reason


def fmt_date(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce").dt.strftime("%Y-%m-%d").astype("string").fillna("—")
