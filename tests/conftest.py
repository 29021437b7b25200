"""Fixtures of the browser tests: one app server and one Chromium per test module."""

import pytest

from tests import browser as B


@pytest.fixture(scope="module")
def server():
    with B.serve() as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    with B.browser() as b:
        yield b
