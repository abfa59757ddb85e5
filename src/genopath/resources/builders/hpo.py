"""HPO release files → the folder ``pyhpo.Ontology(folder)`` loads."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from genopath.resources.builders.tables import BuildInput
from genopath.resources.progress import Progress

HPO_FILES = ("hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt")


def build_hpo(source: BuildInput, out: Path, progress: Progress) -> None:
    """Decompress ``hp.obo``, ``phenotype.hpoa`` and ``genes_to_phenotype.txt`` into ``out``.

    The folder can be loaded with ``pyhpo.Ontology(str(out))`` (package ``hpo3``).
    """
    for name in HPO_FILES:
        progress.begin(f"decompress {name}")
        with gzip.open(source.get(f"{name}.gz"), "rb") as src, (out / name).open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        progress.end()
