"""k49tut: convolutional networks on Kuzushiji-49, taught in four notebooks.

>>> import k49tut
>>> k49tut.data.load("sample").is_synthetic
True
"""

from k49tut import data, paths
from k49tut.classes import CHARS

__version__ = "0.1.0"
__all__ = ["CHARS", "data", "paths", "__version__"]
