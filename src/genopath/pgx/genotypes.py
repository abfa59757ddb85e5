"""Genotypes at the defining positions of each pharmacogene, read from a VCF with htslib.

Only the defining positions are read: with a tabix/CSI index, one region per gene; without
one, a single pass over the file keeps the records at defining positions. A position the VCF
does not mention is a *no call* — never the reference — unless the caller says the VCF is a
joint-called genome where absence means reference (``assume_reference``).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pysam

from genopath.core.errors import InputError, NotFoundError
from genopath.pgx.definitions import DefiningPosition, GeneDefinition
from genopath.resources.contigs import normalise_chrom, vcf_build

SOURCE_VCF, SOURCE_BLOCK, SOURCE_ASSUMED, SOURCE_MISSING = (
    "vcf",
    "reference block",
    "assumed reference",
    "missing",
)
_SYMBOLIC_REF = {"<NON_REF>", "<*>"}


@dataclass(frozen=True)
class Call:
    """A sample's genotype at one defining position.

    Attributes
    ----------
    alleles
        The called alleles in the definition's representation (two, or one when haploid);
        empty when there is no call.
    phased, phase_set
        Whether the GT is phased (``|``) and its PS (``None`` = one phase set for the sample).
    undocumented
        VCF alleles at this position that the definition does not know.
    source
        ``vcf``, ``reference block`` (gVCF), ``assumed reference`` or ``missing``.
    """

    alleles: tuple[str, ...]
    phased: bool = False
    phase_set: int | None = None
    undocumented: tuple[str, ...] = ()
    source: str = SOURCE_VCF

    @property
    def missing(self) -> bool:
        """No genotype here (absent from the VCF, or ``./.``)."""
        return not self.alleles


NO_CALL = Call((), source=SOURCE_MISSING)


def _trim(ref: str, alt: str) -> tuple[str, str]:
    """Drop shared trailing bases so two spellings of one indel at one position compare equal."""
    while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    return ref, alt


def definition_allele(position: DefiningPosition, vcf_ref: str, allele: str) -> str | None:
    """The definition's spelling of a VCF allele at ``position``, or ``None`` if undocumented.

    A record at the defining position may spell an indel with more context than the
    definition (a multi-allelic record, ``CATAT``→``CAT`` for ``CAT``→``C``); both are trimmed
    of shared trailing bases before they are compared.
    """
    if allele == vcf_ref:
        return position.ref if vcf_ref[0] == position.ref[0] else None
    trimmed = _trim(vcf_ref, allele)
    for alt in position.alts:
        if _trim(position.ref, alt) == trimmed:
            return alt
    return None


class PgxVcf:
    """A VCF opened for pharmacogene genotypes; use as a context manager.

    ``regions`` (canonical contig → 1-based spans) are the pharmacogene regions kept by the
    single pass over a VCF that has no index (``None``: every record is kept); with an index
    each gene is fetched directly.

    Raises
    ------
    InputError
        When the file cannot be read as VCF, has no samples, or is on GRCh37.
    """

    def __init__(self, path: Path, regions: dict[str, list[tuple[int, int]]] | None = None) -> None:
        self.path = path
        self._regions = regions or {}
        if not path.is_file():
            raise NotFoundError(f"VCF {path} does not exist")
        self._handle: Any = None
        try:
            try:
                self._vcf = pysam.VariantFile(str(path))
            except NotImplementedError:
                # Plain gzip (not BGZF) cannot be indexed or seeked; htslib reads it as a stream.
                self._handle = path.open("rb")
                self._vcf = pysam.VariantFile(self._handle)
        except (OSError, ValueError) as e:
            if self._handle is not None:
                self._handle.close()
            raise InputError(f"{path} is not a readable VCF ({e}); check the file is complete") from e
        header = self._vcf.header
        lengths = {str(name): c.length for name, c in header.contigs.items() if c.length}
        references = [f"##{r.key}={r.value}" for r in header.records if r.key in ("reference", "assembly")]
        vcf_build(lengths, references, str(path))
        self.samples: tuple[str, ...] = tuple(header.samples)
        if not self.samples:
            raise InputError(f"{path} has no sample columns; PGx needs genotypes")
        self._contigs = {normalise_chrom(str(name)): str(name) for name in header.contigs}
        self._indexed = self._has_index()
        self._scanned: dict[tuple[str, int], list[Any]] | None = None
        self._blocks: dict[str, list[tuple[int, int, Any]]] = defaultdict(list)

    def __enter__(self) -> PgxVcf:
        return self

    def __exit__(self, *exc: object) -> None:
        self._vcf.close()
        if self._handle is not None:
            self._handle.close()

    def _has_index(self) -> bool:
        try:
            return self._vcf.index is not None
        except (AttributeError, ValueError):
            return False

    def check_sample(self, sample: str) -> None:
        """Raise :class:`NotFoundError` naming the VCF's samples when ``sample`` is not one."""
        if sample not in self.samples:
            shown = ", ".join(self.samples[:10]) + (" …" if len(self.samples) > 10 else "")
            raise NotFoundError(f"sample {sample!r} is not in {self.path}; its samples: {shown}")

    def calls(
        self, definition: GeneDefinition, samples: Sequence[str], *, assume_reference: bool = False
    ) -> dict[str, list[Call]]:
        """Per sample, one :class:`Call` per defining position of ``definition`` (same order)."""
        records = self._records(definition)
        result: dict[str, list[Call]] = {}
        for sample in samples:
            result[sample] = [
                _call(position, records.get(position.pos, []), sample, assume_reference)
                for position in definition.positions
            ]
        return result

    def _records(self, definition: GeneDefinition) -> dict[int, list[Any]]:
        """Records whose position is a defining position, plus gVCF blocks covering one."""
        wanted = sorted({p.pos for p in definition.positions})
        found: dict[int, list[Any]] = defaultdict(list)
        for record in self._region(definition):
            for pos in _covered(record, wanted):
                found[pos].append(record)
        return found

    def _region(self, definition: GeneDefinition) -> Iterator[Any]:
        contig = self._contigs.get(normalise_chrom(definition.chrom))
        if contig is None:
            return iter(())
        start, end = definition.span
        if self._indexed:
            try:
                return iter(self._vcf.fetch(contig, start - 1, end))
            except (OSError, ValueError) as e:
                raise InputError(f"{self.path}: cannot read {contig}:{start}-{end} ({e})") from e
        return iter(self._scan_all().get(contig, []))

    def _scan_all(self) -> dict[str, list[Any]]:
        """Without an index: one pass over the file, keeping records of the pharmacogene regions."""
        if self._scanned is None:
            kept: dict[str, list[Any]] = defaultdict(list)
            try:
                for record in self._vcf:
                    chrom = normalise_chrom(record.chrom)
                    # No regions given: keep every record rather than silently find nothing.
                    if not self._regions or any(
                        s <= record.stop and record.pos <= e for s, e in self._regions.get(chrom, ())
                    ):
                        kept[record.chrom].append(record)
            except (OSError, ValueError) as e:
                raise InputError(f"{self.path} is truncated or malformed ({e}); nothing was written") from e
            self._scanned = dict(kept)  # type: ignore[assignment]
        return self._scanned  # type: ignore[return-value]


def _covered(record: Any, wanted: list[int]) -> Iterable[int]:
    alts = tuple(record.alts or ())
    if alts and all(a in _SYMBOLIC_REF for a in alts):
        lo = bisect.bisect_left(wanted, record.pos)
        hi = bisect.bisect_right(wanted, record.stop)
        return wanted[lo:hi]
    index = bisect.bisect_left(wanted, record.pos)
    return (record.pos,) if index < len(wanted) and wanted[index] == record.pos else ()


def _call(position: DefiningPosition, records: list[Any], sample: str, assume_reference: bool) -> Call:
    if not records:
        if assume_reference:
            return Call((position.ref, position.ref), source=SOURCE_ASSUMED)
        return NO_CALL
    slots: list[list[str]] = []
    undocumented: list[str] = []
    phased, phase_set, source = True, None, SOURCE_VCF
    for record in records:
        data = record.samples[sample]
        gt = data.get("GT")
        if gt is None or not gt or any(g is None for g in gt):
            continue
        alleles = (record.ref, *(record.alts or ()))
        # A reference block (every ALT symbolic) covers the position even when it starts on it.
        block = record.pos != position.pos or (
            bool(record.alts) and all(a in _SYMBOLIC_REF for a in record.alts)
        )
        if block:
            source = SOURCE_BLOCK
        phased = phased and bool(data.phased)
        if "PS" in record.format and data.get("PS") is not None:
            phase_set = int(data["PS"])
        while len(slots) < len(gt):
            slots.append([])
        for k, g in enumerate(gt):
            vcf_allele = alleles[g]
            if block or vcf_allele in _SYMBOLIC_REF:
                named: str | None = position.ref if g == 0 or vcf_allele in _SYMBOLIC_REF else None
            else:
                named = definition_allele(position, record.ref, vcf_allele)
            if named is None:
                undocumented.append(vcf_allele)
                slots[k].append(vcf_allele)
            else:
                slots[k].append(named)
    if not slots:
        return Call((), undocumented=tuple(undocumented), source=SOURCE_MISSING)
    # Split multi-allelic records each show their own ALT; a slot is non-reference if any is.
    merged = tuple(next((a for a in slot if a != position.ref), position.ref) for slot in slots)
    is_het = len(set(merged)) > 1
    return Call(merged, phased and is_het, phase_set, tuple(dict.fromkeys(undocumented)), source)
