"""String enums that carry their own human label, so a label cannot drift from its code."""

import enum


class LabelledStrEnum(enum.StrEnum):
    """Members are declared as ``CODE = "value", lazy_gettext("Label")``; ``member.label`` is the label."""

    def __new__(cls, value: str, label):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member
