"""R19: log records never carry ID numbers, and CR/LF cannot forge log lines."""

import logging

from carecircle.core.idnumbers import ID_NUMBER_PATTERN, mask_id_number


def redact(text: str) -> str:
    text = ID_NUMBER_PATTERN.sub(lambda m: mask_id_number(m.group(0)), text)
    return text.replace("\r", "\\r").replace("\n", "\\n")


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact(message)
        record.args = ()
        return True
