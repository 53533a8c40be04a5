"""Logging filter that keeps personal identity codes out of every log line."""

from __future__ import annotations

import logging

from .identifiers import mask_identity_codes_in

_TRACEBACK_FORMATTER = logging.Formatter()


class MaskIdentityCodes(logging.Filter):
    """Mask identity codes in the message, the traceback and the stack of a record.

    A traceback is where a code most often leaks (a failing value in an exception message), so
    it is formatted here, masked, and left in `exc_text`, which formatters reuse as it is.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_identity_codes_in(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACK_FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_identity_codes_in(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_identity_codes_in(record.stack_info)
        return True
