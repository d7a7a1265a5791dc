"""How a score reads: whole marks as integers, partial credit to two decimals (no Django)."""

from __future__ import annotations


def marks(value: float | int | None) -> str:
    if value is None:
        return ""
    rounded = round(float(value), 2)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.2f}".rstrip("0")
