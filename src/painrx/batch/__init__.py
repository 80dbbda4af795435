"""MME/day for whole prescription tables at numpy speed: pandas, pyarrow, numpy and Dask.

:func:`mme_prescriptions` applies the CDC file formula of
:func:`painrx.opioids.mme_prescription`,
``strength per unit × (units ÷ days supply) × factor``, to every row of a table.
Drug names are resolved once per distinct (drug, strength unit, route, form), with
the same function and table files as the scalar path, so the two always agree. A
bad row gets its error text and never stops or shifts the batch.

>>> import numpy as np
>>> from painrx.batch import mme_prescriptions
>>> out = mme_prescriptions({
...     "drug": np.array(["oxycodone", "Norco", "oxycodoen", "fentanyl"], dtype=object),
...     "strength": np.array([10.0, 5.0, 10.0, 25.0]),
...     "strength_unit": np.array(["mg", "mg", "mg", "mcg/h"], dtype=object),
...     "quantity": np.array([120.0, 20.0, 60.0, 10.0]),
...     "days_supply": np.array([30.0, 5.0, 30.0, 30.0]),
...     "route": np.array([None, None, None, "transdermal"], dtype=object),
... })
>>> out["mme_per_day"]
array([60., 20., nan, 60.])
>>> out["alerts"][0], out["alerts"][3]
('mme_threshold_50', 'fentanyl_patch_caution;mme_threshold_50')
>>> print(out["error"][2])
UnknownDrugError: Unknown drug 'oxycodoen': it is not in the painrx catalog. Did you mean: ...?

numpy, pandas and pyarrow are imported only when a table is processed (install
them with ``pip install painrx[pandas]``; Dask with ``painrx[dask]``). With
``painrx[fast]`` (numba), tables of 100,000 rows and more go through a compiled
loop on the usable cores, with the same results (``PAINRX_NUMBA=0`` turns it off,
``PAINRX_THREADS`` sets the threads; see the "Batch and Dask" page).
"""

from painrx._public import publish
from painrx.batch._frames import (
    ADDED_COLUMNS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    mme_prescriptions,
)

__all__ = [
    "ADDED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "mme_prescriptions",
]

publish(__name__, globals(), __all__)
