"""Identity codes never reach a log line: message, arguments, traceback or Django's own logs."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings

from luukku.core.logging import MaskIdentityCodes


@pytest.fixture
def masked_stream():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskIdentityCodes())
    logger = logging.getLogger("luukku.tests.masking")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)
    logger.propagate = True


def test_a_code_in_the_message_arguments_is_masked(masked_stream):
    logger, stream = masked_stream
    logger.warning("lookup for %s failed", "131052-308T")

    assert stream.getvalue() == "lookup for 131052***** failed\n"


def test_a_code_in_a_traceback_is_masked(masked_stream):
    logger, stream = masked_stream
    try:
        raise ValueError("bad customer 010594Y9021")
    except ValueError:
        logger.exception("import failed")

    output = stream.getvalue()
    assert "Traceback" in output
    assert "010594*****" in output
    assert "010594Y9021" not in output


_LOG_THROUGH_DJANGO = """
import logging
import django

django.setup()
logging.getLogger("django.request").warning("Not Found: /asiakas/131052-308T/")
logging.getLogger("django.server").info('"GET /?hetu=020516C903K HTTP/1.1" 200 10')
"""


def test_djangos_own_logs_are_masked_by_the_project_settings():
    # A fresh interpreter: the project's LOGGING is applied exactly as in production.
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", _LOG_THROUGH_DJANGO],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "luukku.settings_test"},
        cwd=settings.BASE_DIR,
        timeout=60,
    )

    assert "Not Found: /asiakas/131052*****/" in result.stderr
    assert "hetu=020516*****" in result.stderr
    assert "308T" not in result.stderr
    assert "C903K" not in result.stderr
