"""How numbers read on screen: money, prices (always saying whose), instrument labels."""

from __future__ import annotations

INSTRUMENT_SHORT = {
    "ban": "BAN",
    "quota": "QUOTA",
    "licensing": "LICENCE",
    "export_tax": "TAX",
    "end_use": "END-USE",
}


def money(usd_m: float) -> str:
    if abs(usd_m) >= 10_000:
        return f"${usd_m / 1000:,.1f}bn"
    return f"${usd_m:,.0f}m"


def price(usd_t: float) -> str:
    if usd_t >= 1e6:
        return f"${usd_t / 1e6:,.2f}m/t"
    if usd_t >= 1e4:
        return f"${usd_t / 1e3:,.0f}k/t"
    return f"${usd_t:,.0f}/t"
