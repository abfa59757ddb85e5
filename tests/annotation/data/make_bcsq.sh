#!/bin/sh
# Regenerates the bcftools csq fixtures from the hand-written toy genome (bcftools 1.16).
#
# toy.fa: contig ctg1, 400 bp. toy.gff3: TOY1 (ENSG99900000001), transcript ENST99900000001 on +,
# exons 81-160 and 261-350, CDS 101-160 + 261-329 (43 codons: ATG ... TAA), intron 161-260
# (GT...AG); TOY2-AS (ENSG99900000002), lincRNA ENST99900000002 on -, one exon 365-395.
# Designed codons: 3 CTG (Leu), 5 CAG (Gln), 10 CCT (Pro), 15 GGC (Gly), 20 AAA (Lys).
# bcsq_input.vcf places: 109 G>A synonymous (CTG>CTA); 113 C>T stop gained (CAG>TAG);
# 129 C>T missense (CCT>CTT, Pro>Leu); 143 G>A + 144 G>A in phase (GGC>AAC, Gly>Asn, one
# compound call); 159 A>G (AAA>AGA) on the haplotype that carries the stop at 113, and 2 bp
# from the exon end; 161 G>A (intron +1, donor); 210 intronic; 270 CC>C frameshift;
# 281 GTAT>G deleting codon 28 (Tyr); 90 5'UTR; 340 3'UTR; 380 lincRNA exon; 30 intergenic.
set -eu
cd "$(dirname "$0")"
bcftools csq -f toy.fa -g toy.gff3 bcsq_input.vcf -o bcsq.vcf
bcftools csq -f toy.fa -g toy.gff3 bcsq_multiallelic_input.vcf -o bcsq_multiallelic.vcf
