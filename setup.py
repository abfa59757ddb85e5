"""Build of the optional C kernels; every other piece of metadata lives in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "genopath.annotation._kernels",
            ["src/genopath/annotation/_kernels.c"],
            # Optional: without a compiler the install goes on and genopath.annotation.kernels
            # uses its pure-Python code, which gives identical results.
            optional=True,
            extra_compile_args=["-O3"],
        ),
        Extension(
            "genopath.annotation._csq",
            ["src/genopath/annotation/_csq.c"],
            optional=True,
            extra_compile_args=["-O3"],
        ),
    ]
)
