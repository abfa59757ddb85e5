# Type stub of the optional C extension built from _kernels.c (see genopath.annotation.kernels).
from typing import Any

import numpy.typing as npt
from typing_extensions import Buffer

# numpy arrays are buffers, but numpy's stubs declare __buffer__ only from Python 3.12 on.
def blake2b_8(data: Buffer | npt.NDArray[Any], offsets: Buffer | npt.NDArray[Any], /) -> bytes: ...
