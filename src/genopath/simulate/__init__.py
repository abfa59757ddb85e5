"""Synthetic rare-disease families from real reference data, for the demo, tests and benchmarks.

::

    from genopath.simulate import simulate_cases

    cases = simulate_cases(settings, Path("sim"), n_cases=200, structures=["mixed"], seed=1)
    cases[0].vcf, cases[0].ped, cases[0].hpo, cases[0].truth["gene"]

See ``docs/simulate.md`` for the model and the files written.
"""

from genopath.simulate.case import SimulatedCase
from genopath.simulate.diseases import SIM_MOIS
from genopath.simulate.families import STRUCTURES
from genopath.simulate.run import BACKGROUNDS, simulate_cases

__all__ = ["BACKGROUNDS", "SIM_MOIS", "STRUCTURES", "SimulatedCase", "simulate_cases"]
