"""The bundled ascent image is the codelab's, and every call returns a fresh copy."""

import hashlib

import numpy as np

import convpool

ASCENT_SHA256 = "c7777d46c3f4e3119ddbec92ad28c09193202a7a4aab08622bc7e4b4a3ba88e6"


def test_ascent_is_the_scipy_image():
    image = convpool.data.ascent()
    assert image.shape == (512, 512) and image.dtype == np.uint8
    assert image.mean() == 87.47987365722656
    assert hashlib.sha256(np.ascontiguousarray(image).tobytes()).hexdigest() == ASCENT_SHA256


def test_ascent_is_fresh_and_writeable():
    a, b = convpool.data.ascent(), convpool.data.ascent()
    assert a.flags.writeable and a.flags.c_contiguous
    a[:] = 0
    assert b.any() and convpool.data.ascent().any()


def test_version():
    from importlib.metadata import version

    assert convpool.__version__ == version("convpool")
