"""Conditions as n8n's If, Filter and Switch nodes evaluate them.

`filter` is the engine of the filter-conditions format (If 2.x, Filter 2.x, Switch 3.x);
`legacy` holds the comparisons of the older format grouped by data type (If 1, Filter 1,
Switch 1-2). `js`, `dates` and `regex` give both JavaScript's meaning of values, dates and
regular expressions.
"""

from .filter import ConditionError, filter_passes, is_filter_value, validate_field_type
from .legacy import CompareError, date_value, run_operation

__all__ = [
    "CompareError",
    "ConditionError",
    "date_value",
    "filter_passes",
    "is_filter_value",
    "run_operation",
    "validate_field_type",
]
