"""Logging filter that keeps personal identity codes out of every log line."""

from __future__ import annotations

import logging

from .identifiers import mask_identity_codes_in


class MaskIdentityCodes(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_identity_codes_in(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
