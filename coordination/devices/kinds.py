"""The kinds of device the engine commands.

Pure values; the shipped kinds are the devices a city's SOPs act on, and a city adds its own with
`ICCC_DEVICE_KINDS` (`parse_device_kinds`). What a device can do is the device's to say: one
told an action it does not know answers `failed` with its reason, and the step's ladder follows.
"""

from __future__ import annotations

import re

from coordination.errors import InvalidInput

SHIPPED_DEVICE_KINDS: frozenset[str] = frozenset({
    "message_sign",    # a variable message sign over a road: display, clear
    "siren",           # sound, silence
    "drainage_pump",   # start, stop
    "barrier",         # close, open (an underpass, a flooded road)
    "public_address",  # announce, silence
})

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def parse_device_kinds(text: str, *, setting: str = "ICCC_DEVICE_KINDS") -> frozenset[str]:
    """The shipped kinds and those named in `text`, separated by commas (`traffic_signal,flood_gate`).

    Raises:
        InvalidInput: a name is not lower-case letters, digits and `_` (naming the setting and the name).
    """
    extra = {name.strip() for name in text.split(",") if name.strip()}
    for name in sorted(extra):
        if not _NAME.match(name):
            raise InvalidInput(f"{setting}: {name!r} is not a kind name (lower-case letters, digits and _, "
                               "separated by commas)", field=setting)
    return SHIPPED_DEVICE_KINDS | extra
