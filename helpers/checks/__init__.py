"""Auto-checks for the exercises: ``checks.length_distribution(length_distribution)``.

One module per notebook (``n00`` ... ``n12``) holds that notebook's checkers; this package
re-exports every one of them, so students write ``checks.name(function)``. The shared comparison
and reporting code lives once, in ``_core``.

Each check runs the student's function on a few cases against a reference, prints one line per
case (what passed; on failure, by how much it is off and where) and returns a ``Result`` that is
true only when every case passed, so a worked solution can be tested with ``assert``. A stub that
raises ``NotImplementedError`` is reported as "not yet", without an error.
"""

from . import n00, n01, n02, n03, n04, n05, n06, n07, n08, n09, n10, n11, n12
from ._core import Result, close, compare_arrays, compare_parts, run, with_hints
from .n00 import *  # noqa: F403
from .n01 import *  # noqa: F403
from .n02 import *  # noqa: F403
from .n03 import *  # noqa: F403
from .n04 import *  # noqa: F403
from .n05 import *  # noqa: F403
from .n06 import *  # noqa: F403
from .n07 import *  # noqa: F403
from .n08 import *  # noqa: F403
from .n09 import *  # noqa: F403
from .n10 import *  # noqa: F403
from .n11 import *  # noqa: F403
from .n12 import *  # noqa: F403

__all__ = ["Result", "close", "compare_arrays", "compare_parts", "run", "with_hints"]
for _module in (n00, n01, n02, n03, n04, n05, n06, n07, n08, n09, n10, n11, n12):
    __all__ += _module.__all__
