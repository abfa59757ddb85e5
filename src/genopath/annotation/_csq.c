/*
 * genopath.annotation._csq — the consequence of many variants on one transcript, in C.
 *
 * A port of Annotator.consequence (genopath/annotation/consequence.py) with the coordinate
 * helpers of Transcript (transcripts.py): splice/exon/intron classes, UTR and CDS classes, the
 * altered protein and HGVS p., HGVS c. with the 3' shift and duplication check. The Python code
 * is the specification; every branch below names the Python it follows. Where the Python code
 * would raise (an IndexError on a malformed transcript) or C lacks what Python would read (a
 * base outside the reference segment it was given), the change is flagged `unsupported` and
 * the caller runs the Python code for it.
 *
 * Optional: setup.py marks the extension optional and genopath.annotation.csq_kernel says
 * whether it is there. Plain C and the CPython API (buffer protocol) only; the loop over the
 * changes runs without the GIL.
 *
 * consequences(...)  -- see the docstring at the bottom and csq_kernel.py, its Python face.
 * translate(seq, to_stop) -> bytes  -- consequence.translate on bytes.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* consequence.py / transcripts.py constants */
#define FLANK 5000
#define SPLICE_SITE 2
#define SPLICE_REGION_EXON 3
#define SPLICE_REGION_INTRON 8
#define SHIFT_WINDOW 300

/* The terms this code can give; their bit in the output mask comes from the caller
 * (so.TERMS order), in this order (TERM_NAMES in the module). */
enum {
    T_UPSTREAM, T_DOWNSTREAM, T_SPLICE_DONOR, T_SPLICE_ACCEPTOR, T_SPLICE_REGION, T_INTRON,
    T_NC_EXON, T_UTR5, T_UTR3, T_START_LOST, T_STOP_LOST, T_FRAMESHIFT, T_CODING_SEQUENCE,
    T_INFRAME_INS, T_INFRAME_DEL, T_STOP_RETAINED, T_SYNONYMOUS, T_MISSENSE, T_PROTEIN_ALTERING,
    T_STOP_GAINED, T_CODING_TX, T_NC_TX, N_TERMS
};
static const char *const TERM_NAMES[N_TERMS] = {
    "upstream_gene_variant", "downstream_gene_variant", "splice_donor_variant",
    "splice_acceptor_variant", "splice_region_variant", "intron_variant",
    "non_coding_transcript_exon_variant", "5_prime_UTR_variant", "3_prime_UTR_variant",
    "start_lost", "stop_lost", "frameshift_variant", "coding_sequence_variant",
    "inframe_insertion", "inframe_deletion", "stop_retained_variant", "synonymous_variant",
    "missense_variant", "protein_altering_variant", "stop_gained", "coding_transcript_variant",
    "non_coding_transcript_variant",
};
#define BIT(t) (1u << (t))

/* ---------------------------------------------------------------------------------------- */
/* translation (consequence.translate) and residue names (consequence.aa3)                     */

/* consequence._AA: codon 16*i + 4*j + k over the bases "TCAG". */
static const char AA[65] = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG";
static signed char BASE_CODE[256];
static const char *AA3[256];
static unsigned char COMP[256];

static void init_tables(void)
{
    for (int c = 0; c < 256; c++) {
        BASE_CODE[c] = -1;
        AA3[c] = "Xaa"; /* THREE_LETTER.get(a, "Xaa") */
        COMP[c] = (unsigned char)c;
    }
    BASE_CODE['T'] = 0;
    BASE_CODE['C'] = 1;
    BASE_CODE['A'] = 2;
    BASE_CODE['G'] = 3;
    static const char *const names[][2] = {
        {"A", "Ala"}, {"R", "Arg"}, {"N", "Asn"}, {"D", "Asp"}, {"C", "Cys"}, {"Q", "Gln"},
        {"E", "Glu"}, {"G", "Gly"}, {"H", "His"}, {"I", "Ile"}, {"L", "Leu"}, {"K", "Lys"},
        {"M", "Met"}, {"F", "Phe"}, {"P", "Pro"}, {"S", "Ser"}, {"T", "Thr"}, {"W", "Trp"},
        {"Y", "Tyr"}, {"V", "Val"}, {"*", "Ter"}, {"X", "Xaa"}, {"U", "Sec"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        AA3[(unsigned char)names[i][0][0]] = names[i][1];
    }
    /* consequence._COMP: ACGTNacgtn -> TGCANtgcan, anything else unchanged */
    const char *from = "ACGTNacgtn", *to = "TGCANtgcan";
    for (int i = 0; from[i]; i++) {
        COMP[(unsigned char)from[i]] = (unsigned char)to[i];
    }
}

static inline char codon_aa(char a, char b, char c)
{
    int i = BASE_CODE[(unsigned char)a], j = BASE_CODE[(unsigned char)b], k = BASE_CODE[(unsigned char)c];
    if (i < 0 || j < 0 || k < 0) {
        return 'X';
    }
    return AA[16 * i + 4 * j + k];
}

/* ---------------------------------------------------------------------------------------- */
/* growable text buffers                                                                      */

typedef struct {
    char *p;
    size_t len, cap;
    int set; /* 0: the field is None */
} Buf;

typedef struct {
    int oom;
} Status;

/* make *p (capacity *cap) hold at least `need` bytes, doubling from `first`; 0 when out of memory */
static int grow(char **p, size_t *cap, size_t need, size_t first)
{
    if (need <= *cap) {
        return 1;
    }
    size_t c = *cap ? *cap : first;
    while (c < need) {
        c *= 2;
    }
    char *q = realloc(*p, c);
    if (!q) {
        return 0;
    }
    *p = q;
    *cap = c;
    return 1;
}

static int buf_reserve(Status *st, Buf *b, size_t extra)
{
    if (!grow(&b->p, &b->cap, b->len + extra, 64)) {
        st->oom = 1;
        return 0;
    }
    return 1;
}

static void put(Status *st, Buf *b, const char *s, size_t n)
{
    b->set = 1;
    if (n && buf_reserve(st, b, n)) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
    }
}

static void puts_(Status *st, Buf *b, const char *s) { put(st, b, s, strlen(s)); }

static void putc_(Status *st, Buf *b, char c) { put(st, b, &c, 1); }

/* decimal text of v at out (no terminator); returns its length (at most 20) */
static int fmt_int(char *out, int64_t v)
{
    char tmp[24];
    int n = 0, k = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) {
        out[k++] = '-';
    }
    while (n) {
        out[k++] = tmp[--n];
    }
    return k;
}

static void put_int(Status *st, Buf *b, int64_t v)
{
    char tmp[24];
    put(st, b, tmp, (size_t)fmt_int(tmp, v));
}

static void put_aa3(Status *st, Buf *b, char aa) { put(st, b, AA3[(unsigned char)aa], 3); }

static void buf_reset(Buf *b)
{
    b->len = 0;
    b->set = 0;
}

/* ---------------------------------------------------------------------------------------- */
/* the transcript (Transcript) and the reference segment                                      */

typedef struct {
    int plus;
    Py_ssize_t n; /* exons */
    const int64_t *starts, *ends, *cum; /* ascending 0-based starts, ends; cum: n + 1 */
    int coding;
    int64_t cds_start0, cds_end, cds_cdna_start, cds_cdna_end;
    const char *mrna; /* NULL: no sequence (TranscriptSequences.mrna gave None) */
    int64_t mrna_len, cds0;
    const char *prot; /* translate(cds) */
    int64_t n_ref;
} Model;

typedef struct {
    int present; /* 0: no reference at all */
    int alone;   /* the contig is the only one of its chromosome */
    const char *seq;
    int64_t seg_lo, seg_hi, contig_lo, contig_hi;
} Genome;

typedef struct {
    uint32_t terms;
    int present, unsupported, seq_avail;
    int64_t distance, protein_position, codon_index;
    Buf hgvs_c, hgvs_p, exon, intron, aa_ref, aa_alt;
    /* scratch */
    Buf del_tx, ins_tx, mid, tmp;
    Status st;
    int pyerr; /* the Python code would raise here */
} Res;

static Py_ssize_t bisect_right(const int64_t *a, Py_ssize_t n, int64_t x)
{
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (x < a[mid]) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return lo;
}

/* Transcript.exon_index; -1 for None */
static Py_ssize_t exon_index(const Model *m, int64_t pos)
{
    Py_ssize_t i = bisect_right(m->starts, m->n, pos - 1) - 1;
    if (i >= 0 && pos <= m->ends[i]) {
        return i;
    }
    return -1;
}

/* Transcript.intron_index; -1 for None */
static Py_ssize_t intron_index(const Model *m, int64_t pos)
{
    Py_ssize_t i = bisect_right(m->starts, m->n, pos - 1) - 1;
    if (i >= 0 && i < m->n - 1 && m->ends[i] < pos && pos <= m->starts[i + 1]) {
        return i;
    }
    return -1;
}

/* Transcript.cdna; 0 for None (a cDNA position is never 0) */
static int64_t cdna(const Model *m, int64_t pos)
{
    Py_ssize_t i = exon_index(m, pos);
    if (i < 0) {
        return 0;
    }
    if (m->plus) {
        return m->cum[i] + pos - m->starts[i];
    }
    Py_ssize_t j = m->n - 1 - i;
    return m->cum[j] + m->ends[i] - pos + 1;
}

/* Transcript.cds_index from a cdna() value; -1 for None */
static inline int64_t cds_index_of(const Model *m, int64_t c)
{
    if (!m->coding || c == 0 || c < m->cds_cdna_start || c > m->cds_cdna_end) {
        return -1;
    }
    return c - m->cds_cdna_start;
}

/* sign (0 for none) and the number v as text at out, NUL-terminated; returns the length */
static int fmt_signed(char *out, char sign, int64_t v)
{
    int k = 0;
    if (sign) {
        out[k++] = sign;
    }
    k += fmt_int(out + k, v);
    out[k] = '\0';
    return k;
}

/* Transcript.c_of_cdna into text (at most 22 characters) */
static int c_of_cdna(const Model *m, int64_t c, char *out)
{
    if (!m->coding) {
        return fmt_signed(out, 0, c);
    }
    if (c < m->cds_cdna_start) {
        return fmt_signed(out, '-', m->cds_cdna_start - c);
    }
    if (c > m->cds_cdna_end) {
        return fmt_signed(out, '*', c - m->cds_cdna_end);
    }
    return fmt_signed(out, 0, c - m->cds_cdna_start + 1);
}

/* Transcript.c_position into out (>= 48 bytes); 0 for None */
static int c_position(const Model *m, int64_t pos, char *out)
{
    int64_t c = cdna(m, pos);
    if (c) {
        c_of_cdna(m, c, out);
        return 1;
    }
    Py_ssize_t i = intron_index(m, pos);
    if (i < 0) {
        return 0;
    }
    int64_t left = m->ends[i], right = m->starts[i + 1] + 1;
    int64_t d_left = pos - left, d_right = right - pos;
    int k;
    if (m->plus) {
        if (d_left <= d_right) {
            k = c_of_cdna(m, cdna(m, left), out);
            fmt_signed(out + k, '+', d_left);
        } else {
            k = c_of_cdna(m, cdna(m, right), out);
            fmt_signed(out + k, '-', d_right);
        }
    } else if (d_right <= d_left) {
        k = c_of_cdna(m, cdna(m, right), out);
        fmt_signed(out + k, '+', d_right);
    } else {
        k = c_of_cdna(m, cdna(m, left), out);
        fmt_signed(out + k, '-', d_left);
    }
    return 1;
}

static inline int in_span(int64_t lo, int64_t hi, int64_t a, int64_t b) { return lo <= b && a <= hi; }

static inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }

/* Python's len(s[a:b]) for a string of length n and a, b >= 0 */
static inline int64_t slice_len(int64_t n, int64_t a, int64_t b)
{
    return imax(0, imin(b, n) - imin(a, n));
}

static void revcomp(Status *st, Buf *out, const char *s, int64_t n)
{
    buf_reset(out);
    if (!buf_reserve(st, out, (size_t)n + 1)) {
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        out->p[i] = (char)COMP[(unsigned char)s[n - 1 - i]];
    }
    out->len = (size_t)n;
    out->set = 1;
}

/* ---------------------------------------------------------------------------------------- */
/* Annotator._splice_and_structure                                                            */

static void splice_and_structure(const Model *m, int ins, int64_t lo, int64_t hi, Res *r)
{
    const int64_t *starts = m->starts, *ends = m->ends;
    Py_ssize_t n = m->n;
    Py_ssize_t ex_first = -1, ex_last = -1, in_first = -1, in_last = -1;
    int all_sites = 1; /* every touched intron is touched at its splice sites only */
    Py_ssize_t first = bisect_right(starts, n, lo - SPLICE_REGION_INTRON - 2) - 1;
    Py_ssize_t last = bisect_right(starts, n, hi + SPLICE_REGION_INTRON + 1) + 1;
    if (first < 0) {
        first = 0;
    }
    if (last > n) {
        last = n;
    }
    for (Py_ssize_t i = first; i < last; i++) {
        int64_t s0 = starts[i], e = ends[i];
        int touched = ins ? (s0 + 1 <= lo && hi <= e) : in_span(lo, hi, s0 + 1, e);
        if (touched) {
            if (ex_first < 0) {
                ex_first = i;
            }
            ex_last = i;
        }
        if (i >= n - 1) {
            continue;
        }
        int64_t a = e + 1, b = starts[i + 1];
        if (a > b) {
            continue;
        }
        int intron, left_site, right_site, region;
        if (ins) {
            intron = a <= lo && hi <= b;
            left_site = a <= lo && hi <= a + SPLICE_SITE - 1;
            right_site = b - SPLICE_SITE + 1 <= lo && hi <= b;
            region = in_span(lo, hi, a + SPLICE_SITE, a + SPLICE_REGION_INTRON - 1) ||
                     in_span(lo, hi, b - SPLICE_REGION_INTRON + 1, b - SPLICE_SITE) ||
                     (lo == e && hi == a) || (lo == b && hi == b + 1) ||
                     (in_span(lo, hi, e - SPLICE_REGION_EXON + 2, e) && hi <= e) ||
                     (in_span(lo, hi, b + 1, b + SPLICE_REGION_EXON - 1) && lo >= b + 1);
        } else {
            intron = in_span(lo, hi, a, b);
            left_site = in_span(lo, hi, a, a + SPLICE_SITE - 1);
            right_site = in_span(lo, hi, b - SPLICE_SITE + 1, b);
            region = in_span(lo, hi, a + SPLICE_SITE, a + SPLICE_REGION_INTRON - 1) ||
                     in_span(lo, hi, b - SPLICE_REGION_INTRON + 1, b - SPLICE_SITE) ||
                     in_span(lo, hi, e - SPLICE_REGION_EXON + 1, e) ||
                     in_span(lo, hi, b + 1, b + SPLICE_REGION_EXON);
        }
        if (intron) {
            if (in_first < 0) {
                in_first = i;
            }
            in_last = i;
            int at_site = (ends[i] + 1 <= lo && hi <= ends[i] + SPLICE_SITE) ||
                          (starts[i + 1] - SPLICE_SITE + 1 <= lo && hi <= starts[i + 1]);
            all_sites = all_sites && at_site;
        }
        if (left_site) {
            r->terms |= BIT(m->plus ? T_SPLICE_DONOR : T_SPLICE_ACCEPTOR);
        }
        if (right_site) {
            r->terms |= BIT(m->plus ? T_SPLICE_ACCEPTOR : T_SPLICE_DONOR);
        }
        if (region && !(left_site || right_site)) {
            r->terms |= BIT(T_SPLICE_REGION);
        }
    }
    if (ex_first >= 0) {
        Py_ssize_t i = m->plus ? ex_first : ex_last;
        put_int(&r->st, &r->exon, m->plus ? i + 1 : n - i); /* tx_number */
        putc_(&r->st, &r->exon, '/');
        put_int(&r->st, &r->exon, n);
    }
    if (in_first >= 0) {
        Py_ssize_t i = m->plus ? in_first : in_last;
        put_int(&r->st, &r->intron, m->plus ? i + 1 : n - 1 - i); /* intron_number */
        putc_(&r->st, &r->intron, '/');
        put_int(&r->st, &r->intron, n - 1);
        int sites = (r->terms & (BIT(T_SPLICE_DONOR) | BIT(T_SPLICE_ACCEPTOR))) != 0;
        int only_sites = !ins && all_sites;
        if (!(sites && only_sites) && !(ins && sites)) {
            r->terms |= BIT(T_INTRON);
        }
    }
}

/* ---------------------------------------------------------------------------------------- */
/* the altered protein (Annotator._protein, describe_protein)                                  */

/* alt_tail = tail[:pre] + ins + tail[suf_from:] (consequence.py builds it as a string) */
typedef struct {
    const char *tail, *ins, *suf;
    int64_t pre, il, sl, len;
} AltTail;

static inline char tail_at(const AltTail *t, int64_t i)
{
    if (i < t->pre) {
        return t->tail[i];
    }
    i -= t->pre;
    if (i < t->il) {
        return t->ins[i];
    }
    return t->suf[i - t->il];
}

/* translate(alt_tail[a:b], to_stop) appended to out; b < 0 means to the end */
static void translate_tail(Status *st, const AltTail *t, int64_t a, int64_t b, int to_stop, Buf *out)
{
    out->set = 1;
    if (b < 0) {
        b = t->len;
    }
    int64_t from = imin(a, t->len);
    int64_t n = slice_len(t->len, a, b);
    for (int64_t i = 0; i + 2 < n; i += 3) {
        char aa = codon_aa(tail_at(t, from + i), tail_at(t, from + i + 1), tail_at(t, from + i + 2));
        putc_(st, out, aa);
        if (to_stop && aa == '*') {
            break;
        }
    }
}

/* alt_p = ref_p[:pre] + mid + ref_p[suf_from:] */
typedef struct {
    const char *ref, *mid, *suf;
    int64_t pre, ml, sl, len;
} AltP;

static inline char alt_at(const AltP *p, int64_t i)
{
    if (i < p->pre) {
        return p->ref[i];
    }
    i -= p->pre;
    if (i < p->ml) {
        return p->mid[i];
    }
    return p->suf[i - p->ml];
}

/* first index >= k of '*' in alt_p, or -1 */
static int64_t alt_find_stop(const AltP *p, int64_t k)
{
    for (int64_t i = k; i < p->len; i++) {
        if (alt_at(p, i) == '*') {
            return i;
        }
    }
    return -1;
}

/* ref_p[i] with Python's negative indices; sets pyerr where Python raises IndexError */
static char ref_at(const Model *m, Res *r, int64_t i)
{
    if (i < 0) {
        i += m->n_ref;
    }
    if (i < 0 || i >= m->n_ref) {
        r->pyerr = 1;
        return '?';
    }
    return m->prot[i];
}

static void put_alt_aa3(Res *r, Buf *b, const AltP *p, int64_t from, int64_t to)
{
    for (int64_t i = from; i < to; i++) {
        put_aa3(&r->st, b, alt_at(p, i));
    }
}

/* f"Ter{len(alt_p) - k - 1}" if alt_p.endswith("*") else "Ter?" */
static void put_ext(Res *r, const AltP *p, int ends_stop, int64_t k)
{
    puts_(&r->st, &r->hgvs_p, "ext");
    puts_(&r->st, &r->hgvs_p, "Ter");
    if (ends_stop) {
        put_int(&r->st, &r->hgvs_p, p->len - k - 1);
    } else {
        putc_(&r->st, &r->hgvs_p, '?');
    }
}

/* describe_protein */
static void describe_protein(const Model *m, const AltP *p, int64_t lc, int64_t span0, int64_t span1,
                             int start, Res *r)
{
    Status *st = &r->st;
    const char *ref = m->prot;
    int64_t n_ref = m->n_ref, alen = p->len;
    int frameshift = lc % 3 != 0;
    int64_t a0 = span0 / 3;
    int64_t a1 = span1 >= span0 ? imax(a0, span1 / 3) : a0;
    int64_t k = a0;
    while (k < alen && k < n_ref && alt_at(p, k) == ref[k]) {
        k++;
    }
    int ends_stop = alen > 0 && alt_at(p, alen - 1) == '*';
    if (start && (alen == 0 || alt_at(p, 0) != 'M')) {
        r->terms |= BIT(T_START_LOST);
        puts_(st, &r->hgvs_p, "p.Met1?");
        putc_(st, &r->aa_ref, 'M');
        putc_(st, &r->aa_alt, alen ? alt_at(p, 0) : '?');
        if (frameshift) {
            r->terms |= BIT(T_FRAMESHIFT);
        }
        return;
    }
    if (frameshift) {
        r->terms |= BIT(T_FRAMESHIFT);
        if (k >= n_ref) {
            return;
        }
        r->protein_position = k + 1;
        putc_(st, &r->aa_ref, ref[k]);
        if (k < alen && alt_at(p, k) == '*') {
            putc_(st, &r->aa_alt, '*');
            puts_(st, &r->hgvs_p, "p.");
            if (ref[k] == '*') {
                puts_(st, &r->hgvs_p, "Ter");
                put_int(st, &r->hgvs_p, k + 1);
                putc_(st, &r->hgvs_p, '=');
            } else {
                put_aa3(st, &r->hgvs_p, ref[k]);
                put_int(st, &r->hgvs_p, k + 1);
                puts_(st, &r->hgvs_p, "Ter");
            }
            return;
        }
        char alt = k < alen ? alt_at(p, k) : '?';
        putc_(st, &r->aa_alt, alt);
        puts_(st, &r->hgvs_p, "p.");
        if (ref[k] == '*') {
            r->terms |= BIT(T_STOP_LOST);
            puts_(st, &r->hgvs_p, "Ter");
            put_int(st, &r->hgvs_p, k + 1);
            put_aa3(st, &r->hgvs_p, alt);
            put_ext(r, p, ends_stop, k);
            return;
        }
        put_aa3(st, &r->hgvs_p, ref[k]);
        put_int(st, &r->hgvs_p, k + 1);
        put_aa3(st, &r->hgvs_p, alt);
        puts_(st, &r->hgvs_p, "fsTer");
        if (ends_stop) {
            put_int(st, &r->hgvs_p, alen - k);
        } else {
            putc_(st, &r->hgvs_p, '?');
        }
        return;
    }
    /* in frame */
    if (k == imin(alen, n_ref) && alen == n_ref) {
        int64_t pos = imin(span0 / 3 + 1, n_ref);
        char aa = ref_at(m, r, pos - 1);
        if (r->pyerr) {
            return;
        }
        r->protein_position = pos;
        putc_(st, &r->aa_ref, aa);
        putc_(st, &r->aa_alt, aa);
        if (lc == 0) {
            r->terms |= BIT(aa == '*' ? T_STOP_RETAINED : T_SYNONYMOUS);
        } else {
            r->terms |= BIT(lc > 0 ? T_INFRAME_INS : T_INFRAME_DEL);
        }
        puts_(st, &r->hgvs_p, "p.");
        put_aa3(st, &r->hgvs_p, aa);
        put_int(st, &r->hgvs_p, pos);
        putc_(st, &r->hgvs_p, '=');
        return;
    }
    r->protein_position = k + 1;
    if (k < n_ref && ref[k] == '*') {
        r->terms |= BIT(T_STOP_LOST);
        char alt = k < alen ? alt_at(p, k) : '?';
        putc_(st, &r->aa_ref, '*');
        putc_(st, &r->aa_alt, alt);
        puts_(st, &r->hgvs_p, "p.Ter");
        put_int(st, &r->hgvs_p, k + 1);
        put_aa3(st, &r->hgvs_p, alt);
        put_ext(r, p, ends_stop, k);
        return;
    }
    /* premature stop inside the changed segment */
    int64_t expected = n_ref + lc / 3; /* lc is a multiple of 3 here: floor division is exact */
    int64_t j = (ends_stop && alen < expected) ? alt_find_stop(p, k) : -1;
    if (j >= 0) {
        r->terms |= BIT(T_STOP_GAINED);
        char rk = ref_at(m, r, k);
        if (r->pyerr) {
            return;
        }
        putc_(st, &r->aa_ref, rk);
        putc_(st, &r->aa_alt, '*');
        puts_(st, &r->hgvs_p, "p.");
        put_aa3(st, &r->hgvs_p, rk);
        put_int(st, &r->hgvs_p, k + 1);
        if (j == k) {
            puts_(st, &r->hgvs_p, "Ter");
        } else {
            char rj = ref_at(m, r, j);
            if (r->pyerr) {
                return;
            }
            putc_(st, &r->hgvs_p, '_');
            put_aa3(st, &r->hgvs_p, rj);
            put_int(st, &r->hgvs_p, j + 1);
            puts_(st, &r->hgvs_p, "delins");
            put_alt_aa3(r, &r->hgvs_p, p, k, j + 1);
        }
        if (lc > 0) {
            r->terms |= BIT(T_INFRAME_INS);
        } else if (lc < 0) {
            r->terms |= BIT(T_INFRAME_DEL);
        }
        return;
    }
    /* trim the common suffix */
    int64_t shared = imax(0, imin(imin(n_ref - (a1 + 1), n_ref - k), alen - k));
    int64_t r_end = n_ref - shared, a_end = alen - shared;
    while (r_end > k && a_end > k && ref[r_end - 1] == alt_at(p, a_end - 1)) {
        r_end--;
        a_end--;
    }
    int64_t rl = slice_len(n_ref, k, r_end), al = slice_len(alen, k, a_end);
    /* rseg = ref[k:k + rl], aseg = alt_p[k:k + al] (k <= both lengths when they are not empty) */
    if (rl) {
        put(st, &r->aa_ref, ref + k, (size_t)rl);
    } else {
        putc_(st, &r->aa_ref, '-');
    }
    if (al) {
        for (int64_t i = k; i < k + al; i++) {
            putc_(st, &r->aa_alt, alt_at(p, i));
        }
    } else {
        putc_(st, &r->aa_alt, '-');
    }
    if (lc == 0) {
        r->terms |= BIT(rl == al ? T_MISSENSE : T_PROTEIN_ALTERING);
    } else {
        r->terms |= BIT(lc > 0 ? T_INFRAME_INS : T_INFRAME_DEL);
    }
    Buf *h = &r->hgvs_p;
    if (rl == 1 && al == 1) {
        puts_(st, h, "p.");
        put_aa3(st, h, ref[k]);
        put_int(st, h, k + 1);
        put_aa3(st, h, alt_at(p, k));
    } else if (!al) {
        if (!rl) { /* rseg[0] of an empty string */
            r->pyerr = 1;
            return;
        }
        puts_(st, h, "p.");
        put_aa3(st, h, ref[k]);
        put_int(st, h, k + 1);
        if (rl != 1) {
            putc_(st, h, '_');
            put_aa3(st, h, ref[k + rl - 1]);
            put_int(st, h, k + rl);
        }
        puts_(st, h, "del");
    } else if (!rl) {
        int64_t mlen = al;
        int dup = k - mlen >= 0 && slice_len(n_ref, k - mlen, k) == mlen;
        for (int64_t i = 0; dup && i < mlen; i++) {
            dup = ref[k - mlen + i] == alt_at(p, k + i);
        }
        if (dup) {
            r->protein_position = k - mlen + 1;
            puts_(st, h, "p.");
            put_aa3(st, h, alt_at(p, k));
            if (mlen != 1) {
                put_int(st, h, k - mlen + 1);
                putc_(st, h, '_');
                put_aa3(st, h, alt_at(p, k + mlen - 1));
            }
            put_int(st, h, k);
            puts_(st, h, "dup");
        } else {
            char before = ref_at(m, r, k - 1), after = ref_at(m, r, k);
            if (r->pyerr) {
                return;
            }
            r->protein_position = k;
            puts_(st, h, "p.");
            put_aa3(st, h, before);
            put_int(st, h, k);
            putc_(st, h, '_');
            put_aa3(st, h, after);
            put_int(st, h, k + 1);
            puts_(st, h, "ins");
            put_alt_aa3(r, h, p, k, k + al);
        }
    } else {
        puts_(st, h, "p.");
        put_aa3(st, h, ref[k]);
        put_int(st, h, k + 1);
        if (rl != 1) {
            putc_(st, h, '_');
            put_aa3(st, h, ref[k + rl - 1]);
            put_int(st, h, k + rl);
        }
        puts_(st, h, "delins");
        put_alt_aa3(r, h, p, k, k + al);
    }
}

/* Annotator._protein */
static void protein(const Model *m, const AltTail *t, int64_t lc, int64_t span0, int64_t span1, int start,
                    Res *r)
{
    int64_t n_ref = m->n_ref;
    int frameshift = lc % 3 != 0;
    int64_t a0 = span0 / 3;
    int64_t a1 = span1 >= span0 ? imax(a0, span1 / 3) : a0;
    int64_t local_end = (a1 + 1) * 3 + lc;
    Buf *mid = &r->mid;
    buf_reset(mid);
    int local_stop = 0;
    if (!frameshift) {
        if (local_end < 0) { /* a negative slice end: cannot happen, but C does not do Python's wrap */
            r->pyerr = 1;
            return;
        }
        translate_tail(&r->st, t, a0 * 3, local_end, 1, mid);
        local_stop = mid->len && memchr(mid->p, '*', mid->len) != NULL;
    }
    AltP p = {.ref = m->prot, .pre = imin(a0, n_ref), .suf = NULL, .sl = 0};
    if (frameshift || (a1 >= n_ref - 1 && !local_stop)) {
        buf_reset(mid);
        translate_tail(&r->st, t, a0 * 3, -1, 1, mid);
    } else if (!local_stop) {
        int64_t from = imin(a1 + 1, n_ref);
        p.suf = m->prot + from;
        p.sl = n_ref - from;
    }
    if (r->st.oom) {
        return;
    }
    p.mid = mid->p;
    p.ml = (int64_t)mid->len;
    p.len = p.pre + p.ml + p.sl;
    describe_protein(m, &p, lc, span0, span1, start, r);
}

/* Annotator._coding_without_sequence */
static void coding_without_sequence(int64_t lc, int start, int stop, Res *r)
{
    if (lc % 3) {
        r->terms |= BIT(T_FRAMESHIFT);
    } else if (lc > 0) {
        r->terms |= BIT(T_INFRAME_INS);
    } else if (lc < 0) {
        r->terms |= BIT(T_INFRAME_DEL);
    } else {
        r->terms |= BIT(T_CODING_SEQUENCE);
    }
    if (start) {
        r->terms |= BIT(T_START_LOST);
    }
    if (stop && lc == 0) {
        r->terms |= BIT(T_CODING_SEQUENCE);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Annotator._coding                                                                          */

typedef struct {
    int64_t start, end; /* Change.start, Change.end */
    const char *dele, *ins;
    int64_t dl, il;
} Change;

static void coding(const Model *m, const Change *c, int64_t lo, int64_t hi, Res *r)
{
    if (!r->exon.set) {
        return;
    }
    int ins = c->dl == 0;
    int64_t cds_lo = m->cds_start0 + 1, cds_hi = m->cds_end;
    int64_t lc = c->il - c->dl;
    /* the CDS indices and cDNA positions of the bases the change covers (its two flanks for an
     * insertion), in genomic order */
    int64_t count = ins ? 2 : hi - lo + 1;
    int64_t n_in = 0, first_idx = 0, last_idx = 0;
    int any_exonic = 0, utr5 = 0, utr3 = 0;
    for (int64_t q = 0; q < count; q++) {
        int64_t pos = ins ? (q ? hi : lo) : lo + q;
        int64_t cd = cdna(m, pos);
        int64_t ci = cds_index_of(m, cd);
        if (cd) {
            any_exonic = 1;
        }
        if (ci >= 0) {
            if (!n_in || ci < first_idx) {
                first_idx = ci;
            }
            if (!n_in || ci > last_idx) {
                last_idx = ci;
            }
            n_in++;
        } else if (cd) {
            int five = m->plus ? pos < cds_lo : pos > cds_hi;
            if (five) {
                utr5 = 1;
            } else {
                utr3 = 1;
            }
        }
    }
    if (!n_in) {
        int five = m->plus ? hi < cds_lo : lo > cds_hi;
        if (ins && !five) {
            five = m->plus ? lo < cds_lo : hi > cds_hi;
        }
        if (any_exonic) {
            r->terms |= BIT(five ? T_UTR5 : T_UTR3);
        }
        return;
    }
    int whole = n_in == count;
    r->codon_index = first_idx / 3;
    r->protein_position = first_idx / 3 + 1;
    int64_t cds_len = m->cds_cdna_end - m->cds_cdna_start + 1;
    int touches_start = first_idx < 3;
    int touches_stop = last_idx >= cds_len - 3;
    if (!whole) {
        if (utr5) {
            r->terms |= BIT(T_UTR5);
        }
        if (utr3) {
            r->terms |= BIT(T_UTR3);
        }
        if (ins && n_in == 1) {
            r->terms |= BIT(touches_start ? T_UTR5 : T_UTR3);
            return;
        }
        if (touches_start) {
            r->terms |= BIT(T_START_LOST);
        } else if (touches_stop) {
            r->terms |= BIT(T_STOP_LOST);
        }
        if (lc % 3 && !(r->terms & (BIT(T_START_LOST) | BIT(T_STOP_LOST)))) {
            r->terms |= BIT(T_FRAMESHIFT);
        }
        r->terms |= BIT(T_CODING_SEQUENCE);
        return;
    }
    if (!m->mrna) {
        r->seq_avail = 0;
        coding_without_sequence(lc, touches_start, touches_stop, r);
        return;
    }
    const char *tail = m->mrna + m->cds0; /* seq[cds0:]: CDS + 3' UTR */
    int64_t tail_len = m->mrna_len - m->cds0;
    const char *dele_tx = c->dele, *ins_tx = c->ins;
    if (!m->plus) {
        revcomp(&r->st, &r->del_tx, c->dele, c->dl);
        revcomp(&r->st, &r->ins_tx, c->ins, c->il);
        if (r->st.oom) {
            return;
        }
        dele_tx = r->del_tx.p;
        ins_tx = r->ins_tx.p;
    }
    int64_t i0, suf_from, span0, span1;
    if (ins) {
        i0 = suf_from = span0 = last_idx; /* the base after the insertion point */
        span1 = last_idx - 1;
    } else {
        i0 = span0 = first_idx;
        span1 = last_idx;
        suf_from = last_idx + 1;
        int64_t n = slice_len(tail_len, i0, last_idx + 1);
        if (n != c->dl || memcmp(tail + imin(i0, tail_len), dele_tx, (size_t)n) != 0) {
            r->seq_avail = 0;
            coding_without_sequence(lc, touches_start, touches_stop, r);
            return;
        }
    }
    AltTail t = {.tail = tail, .pre = imin(i0, tail_len), .ins = ins_tx, .il = c->il};
    int64_t sf = imin(suf_from, tail_len);
    t.suf = tail + sf;
    t.sl = tail_len - sf;
    t.len = t.pre + t.il + t.sl;
    protein(m, &t, lc, span0, span1, touches_start, r);
}

/* ---------------------------------------------------------------------------------------- */
/* shift and Annotator._hgvs_c                                                                */

/* Reference.fetch(start0, end) against the genome: 1 covered and read into *out, 0 not covered
 * (None), -1 covered by the contig but outside the segment C holds. */
static int fetch(const Genome *g, int64_t a, int64_t b, const char **out)
{
    if (!(g->contig_lo <= a && b <= g->contig_hi)) {
        return 0;
    }
    if (a < g->seg_lo || b > g->seg_hi || b < a) {
        return -1;
    }
    *out = g->seq + (a - g->seg_lo);
    return 1;
}

/* shift() for a pure insertion or deletion: the new start and the left rotation of its bases;
 * returns 0, or -1 where C lacks the bases Python would read. */
static int shift(const Genome *g, const Change *c, int dir, int64_t *out_start, int64_t *out_rot)
{
    const char *seq = c->dl ? c->dele : c->ins;
    int64_t len = c->dl ? c->dl : c->il;
    int is_del = c->dl != 0;
    *out_start = c->start;
    *out_rot = 0;
    if (!g->present) {
        return 0;
    }
    int64_t a = imax(0, c->start - 2), b = imax(c->end, c->start);
    if (!(g->contig_lo <= a && b <= g->contig_hi)) { /* covers() is None */
        return 0;
    }
    int64_t lo = imax(g->contig_lo, c->start - 1 - SHIFT_WINDOW);
    int64_t hi = imin(g->contig_hi, c->end + SHIFT_WINDOW);
    const char *w;
    int got = fetch(g, lo, hi, &w);
    if (got <= 0) {
        return got < 0 ? -1 : 0;
    }
    int64_t wl = hi - lo, s = c->start, rot = 0;
    if (dir > 0) {
        for (;;) {
            int64_t nxt = (is_del ? s + len - 1 : s - 1) - lo;
            if (nxt < 0 || nxt >= wl || w[nxt] != seq[rot]) {
                break;
            }
            rot = rot + 1 == len ? 0 : rot + 1;
            s++;
        }
    } else {
        for (;;) {
            int64_t prv = s - 2 - lo;
            int64_t last = rot == 0 ? len - 1 : rot - 1;
            if (prv < 0 || prv >= wl || w[prv] != seq[last]) {
                break;
            }
            rot = last;
            s--;
        }
    }
    *out_start = s;
    *out_rot = rot;
    return 0;
}

/* prefix c1 [_c2] into hgvs_c */
static void put_range(Res *r, const char *prefix, const char *c1, const char *c2, int always_range)
{
    Buf *h = &r->hgvs_c;
    puts_(&r->st, h, prefix);
    puts_(&r->st, h, c1);
    if (always_range || strcmp(c1, c2) != 0) {
        putc_(&r->st, h, '_');
        puts_(&r->st, h, c2);
    }
}

static void hgvs_c(const Model *m, const Genome *g, const Change *c, Res *r)
{
    const char *prefix = m->coding ? "c." : "n.";
    int plus = m->plus;
    char c1[48], c2[48];
    Status *st = &r->st;
    if (c->dl && c->il) {
        if (!c_position(m, plus ? c->start : c->end, c1) || !c_position(m, plus ? c->end : c->start, c2)) {
            return;
        }
        const char *d = c->dele, *a = c->ins;
        if (!plus) {
            revcomp(st, &r->del_tx, c->dele, c->dl);
            revcomp(st, &r->ins_tx, c->ins, c->il);
            if (st->oom) {
                return;
            }
            d = r->del_tx.p;
            a = r->ins_tx.p;
        }
        if (c->dl == 1 && c->il == 1) {
            puts_(st, &r->hgvs_c, prefix);
            puts_(st, &r->hgvs_c, c1);
            putc_(st, &r->hgvs_c, d[0]);
            putc_(st, &r->hgvs_c, '>');
            putc_(st, &r->hgvs_c, a[0]);
        } else {
            put_range(r, prefix, c1, c2, 0);
            puts_(st, &r->hgvs_c, "delins");
            put(st, &r->hgvs_c, a, (size_t)c->il);
        }
        return;
    }
    int64_t s, rot;
    if (shift(g, c, plus ? 1 : -1, &s, &rot) < 0) {
        r->unsupported = 1;
        return;
    }
    const char *seq = c->dl ? c->dele : c->ins;
    int64_t n = c->dl ? c->dl : c->il;
    if (c->dl) {
        int64_t e = s + n - 1;
        if (!c_position(m, plus ? s : e, c1) || !c_position(m, plus ? e : s, c2)) {
            return;
        }
        put_range(r, prefix, c1, c2, 0);
        puts_(st, &r->hgvs_c, "del");
        return;
    }
    /* the shifted insertion: seq rotated left by rot */
    Buf *ins = &r->tmp;
    buf_reset(ins);
    put(st, ins, seq + rot, (size_t)(n - rot));
    put(st, ins, seq, (size_t)rot);
    if (st->oom) {
        return;
    }
    int dup = 0;
    if (g->present) {
        const char *before;
        int64_t a = plus ? s - 1 - n : s - 1;
        int got = fetch(g, a, a + n, &before);
        if (got < 0) {
            r->unsupported = 1;
            return;
        }
        dup = got > 0 && memcmp(before, ins->p, (size_t)n) == 0;
    }
    if (dup) {
        int64_t lo_g = plus ? s - n : s, hi_g = plus ? s - 1 : s + n - 1;
        if (!c_position(m, plus ? lo_g : hi_g, c1) || !c_position(m, plus ? hi_g : lo_g, c2)) {
            return;
        }
        put_range(r, prefix, c1, c2, 0);
        puts_(st, &r->hgvs_c, "dup");
        return;
    }
    if (!c_position(m, plus ? s - 1 : s, c1) || !c_position(m, plus ? s : s - 1, c2)) {
        return;
    }
    put_range(r, prefix, c1, c2, 1);
    puts_(st, &r->hgvs_c, "ins");
    if (plus) {
        put(st, &r->hgvs_c, ins->p, (size_t)n);
    } else {
        revcomp(st, &r->ins_tx, ins->p, n);
        if (!st->oom) {
            put(st, &r->hgvs_c, r->ins_tx.p, (size_t)n);
        }
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Annotator.consequence                                                                      */

static void res_reset(Res *r)
{
    r->terms = 0;
    r->present = 0;
    r->unsupported = 0;
    r->pyerr = 0;
    r->seq_avail = 1;
    r->distance = r->protein_position = r->codon_index = -1;
    buf_reset(&r->hgvs_c);
    buf_reset(&r->hgvs_p);
    buf_reset(&r->exon);
    buf_reset(&r->intron);
    buf_reset(&r->aa_ref);
    buf_reset(&r->aa_alt);
}

static void consequence(const Model *m, const Genome *g, const Change *c, Res *r)
{
    res_reset(r);
    int ins = c->dl == 0;
    if (ins && c->il == 0) { /* ref == alt: not a change the caller should send */
        r->unsupported = 1;
        return;
    }
    int64_t lo = c->start, hi = c->end;
    if (ins) {
        lo = c->start - 1;
        hi = c->start;
    }
    int64_t first = m->starts[0] + 1, last = m->ends[m->n - 1];
    if (hi < first || lo > last || (ins && (hi == first || lo == last))) {
        int64_t distance = hi <= first ? first - hi : lo - last;
        if (distance > FLANK) {
            return;
        }
        int before = hi <= first;
        r->present = 1;
        r->terms |= BIT(before == m->plus ? T_UPSTREAM : T_DOWNSTREAM);
        r->distance = distance;
        return;
    }
    r->present = 1;
    splice_and_structure(m, ins, lo, hi, r);
    if (m->coding) {
        coding(m, c, lo, hi, r);
    }
    if (r->pyerr) {
        r->unsupported = 1;
        return;
    }
    if (!m->coding && r->exon.set) {
        r->terms |= BIT(T_NC_EXON);
    }
    if (!(c->dl && c->il) && !g->alone && g->present) {
        /* another contig of the chromosome could be the one Reference.covers picks */
        r->unsupported = 1;
        return;
    }
    hgvs_c(m, g, c, r);
    if (!r->terms) {
        r->terms |= BIT(m->coding ? T_CODING_TX : T_NC_TX);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Arrow string columns                                                                        */

typedef struct {
    char *data;
    size_t len, cap;
    int32_t *offsets;
    uint8_t *valid;
    Py_ssize_t nulls;
} Column;

static int column_init(Column *col, Py_ssize_t n)
{
    memset(col, 0, sizeof *col);
    col->offsets = malloc(sizeof(int32_t) * ((size_t)n + 1));
    col->valid = calloc((size_t)n / 8 + 1, 1);
    if (!col->offsets || !col->valid) {
        return 0;
    }
    col->offsets[0] = 0;
    return 1;
}

static void column_free(Column *col)
{
    free(col->data);
    free(col->offsets);
    free(col->valid);
}

/* returns 0 on overflow of the int32 offsets or on allocation failure */
static int column_append(Column *col, Py_ssize_t i, const Buf *b)
{
    if (b->set) {
        if (col->len + b->len > INT32_MAX) {
            return 0;
        }
        if (!grow(&col->data, &col->cap, col->len + b->len, 1024)) {
            return 0;
        }
        if (b->len) {
            memcpy(col->data + col->len, b->p, b->len);
        }
        col->len += b->len;
        col->valid[i >> 3] |= (uint8_t)(1u << (i & 7));
    } else {
        col->nulls++;
    }
    col->offsets[i + 1] = (int32_t)col->len;
    return 1;
}

static PyObject *column_to_python(Column *col, Py_ssize_t n)
{
    PyObject *offsets = PyBytes_FromStringAndSize((const char *)col->offsets, (Py_ssize_t)sizeof(int32_t) * (n + 1));
    PyObject *data = PyBytes_FromStringAndSize(col->data ? col->data : "", (Py_ssize_t)col->len);
    PyObject *valid = PyBytes_FromStringAndSize((const char *)col->valid, n / 8 + 1);
    PyObject *out = NULL;
    if (offsets && data && valid) {
        out = Py_BuildValue("(OOOn)", offsets, data, valid, col->nulls);
    }
    Py_XDECREF(offsets);
    Py_XDECREF(data);
    Py_XDECREF(valid);
    return out;
}

/* ---------------------------------------------------------------------------------------- */
/* the Python entry points                                                                     */

#define N_COLUMNS 6

static int ascii(const char *s, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80) {
            return 0;
        }
    }
    return 1;
}

static int check_buffer(Py_buffer *b, const char *name, Py_ssize_t itemsize, Py_ssize_t n)
{
    if (b->len != itemsize * n) {
        PyErr_Format(PyExc_ValueError, "%s must hold %zd values of %zd bytes, got %zd bytes", name, n,
                     itemsize, b->len);
        return 0;
    }
    return 1;
}

static int check_offsets(const int32_t *o, Py_ssize_t n, Py_ssize_t data_len, const char *name)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        if (o[i] < 0 || o[i + 1] < o[i] || o[i + 1] > data_len) {
            PyErr_Format(PyExc_ValueError,
                         "%s offsets must be non-decreasing positions within its data (%zd bytes); "
                         "element %zd spans %d..%d",
                         name, data_len, i, (int)o[i], (int)o[i + 1]);
            return 0;
        }
    }
    return 1;
}

/* k empty columns of n strings; on failure none is left allocated and MemoryError is set */
static int columns_init(Column *cols, int k, Py_ssize_t n)
{
    for (int j = 0; j < k; j++) {
        if (!column_init(&cols[j], n)) {
            for (int i = 0; i <= j; i++) {
                column_free(&cols[i]);
            }
            PyErr_NoMemory();
            return 0;
        }
    }
    return 1;
}

/* free the text buffers of a result and its scratch space */
static void free_bufs(Buf *const *bufs, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        free(bufs[k]->p);
    }
}

/* raise for a loop that failed: 1 out of memory, 2 a column over 2 GiB (overflow says what to do) */
static int raise_failed(int failed, const char *overflow)
{
    if (failed == 1) {
        PyErr_NoMemory();
    } else if (failed == 2) {
        PyErr_SetString(PyExc_OverflowError, overflow);
    }
    return failed != 0;
}

/* a tuple of `total` items whose first k are the columns as Python objects (the rest for the caller) */
static PyObject *columns_tuple(Column *cols, int k, Py_ssize_t n, Py_ssize_t total)
{
    PyObject *result = PyTuple_New(total);
    for (int j = 0; result && j < k; j++) {
        PyObject *col = column_to_python(&cols[j], n);
        if (!col) {
            Py_CLEAR(result);
            break;
        }
        PyTuple_SET_ITEM(result, j, col);
    }
    return result;
}

/* release the buffers PyArg_ParseTuple filled (those it reached before failing) */
static void release_buffers(Py_buffer *const *all, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (all[k]->obj || all[k]->buf) {
            PyBuffer_Release(all[k]);
        }
    }
}

PyDoc_STRVAR(consequences_doc,
             "consequences(strand, starts, ends, cum, coding, cds_start0, cds_end, cds_cdna_start,\n"
             "             cds_cdna_end, mrna, cds0, protein, genome, seg_lo, contig_lo, contig_hi,\n"
             "             alone, bits, start, del_offsets, del_data, ins_offsets, ins_data,\n"
             "             present, mask, distance, protein_position, codon_index,\n"
             "             sequence_available, unsupported, /)\n--\n\n"
             "Annotator.consequence of n changes on one transcript (see genopath.annotation.csq_kernel,\n"
             "which builds these arguments). starts/ends/cum are int64 buffers; mrna, protein and\n"
             "genome bytes or None; bits the so.TERMS bit of each name in TERM_NAMES (int64);\n"
             "start int64[n]; *_offsets int32[n + 1] over *_data; the last eight are writable\n"
             "output buffers of n items (uint8, uint64, int64, int64, int64, uint8, uint8).\n"
             "Returns the string columns hgvs_c, hgvs_p, exon, intron, aa_ref, aa_alt, each as\n"
             "(int32 offsets bytes, data bytes, validity bitmap bytes, null count).");

static PyObject *py_consequences(PyObject *self, PyObject *args)
{
    (void)self;
    int strand, coding, alone;
    long long cds_start0, cds_end, cds_cdna_start, cds_cdna_end, cds0, seg_lo, contig_lo, contig_hi;
    Py_buffer starts = {0}, ends = {0}, cum = {0}, mrna = {0}, prot = {0}, genome = {0}, bits = {0};
    Py_buffer start = {0}, del_off = {0}, del_data = {0}, ins_off = {0}, ins_data = {0};
    Py_buffer o_present = {0}, o_mask = {0}, o_distance = {0}, o_pp = {0}, o_ci = {0}, o_seq = {0},
              o_unsup = {0};
    Py_buffer *all[] = {&starts,   &ends,      &cum,      &mrna,       &prot,  &genome, &bits,
                        &start,    &del_off,   &del_data, &ins_off,    &ins_data, &o_present,
                        &o_mask,   &o_distance, &o_pp,    &o_ci,       &o_seq, &o_unsup};
    PyObject *result = NULL;
    Column cols[N_COLUMNS];
    int cols_ready = 0;
    if (!PyArg_ParseTuple(args,
                          "iy*y*y*pLLLLz*Lz*z*LLLpy*y*y*y*y*y*w*w*w*w*w*w*w*:consequences", &strand,
                          &starts, &ends, &cum, &coding, &cds_start0, &cds_end, &cds_cdna_start,
                          &cds_cdna_end, &mrna, &cds0, &prot, &genome, &seg_lo, &contig_lo, &contig_hi,
                          &alone, &bits, &start, &del_off, &del_data, &ins_off, &ins_data, &o_present,
                          &o_mask, &o_distance, &o_pp, &o_ci, &o_seq, &o_unsup)) {
        return NULL;
    }
    Py_ssize_t n_exons = starts.len / 8;
    Py_ssize_t n = start.len / 8;
    if (n_exons < 1) {
        PyErr_SetString(PyExc_ValueError, "a transcript needs at least one exon");
        goto done;
    }
    if (!check_buffer(&starts, "starts", 8, n_exons) || !check_buffer(&ends, "ends", 8, n_exons) ||
        !check_buffer(&cum, "cum", 8, n_exons + 1) || !check_buffer(&bits, "bits", 8, N_TERMS) ||
        !check_buffer(&start, "start", 8, n) || !check_buffer(&del_off, "del_offsets", 4, n + 1) ||
        !check_buffer(&ins_off, "ins_offsets", 4, n + 1) ||
        !check_buffer(&o_present, "present", 1, n) || !check_buffer(&o_mask, "mask", 8, n) ||
        !check_buffer(&o_distance, "distance", 8, n) || !check_buffer(&o_pp, "protein_position", 8, n) ||
        !check_buffer(&o_ci, "codon_index", 8, n) || !check_buffer(&o_seq, "sequence_available", 1, n) ||
        !check_buffer(&o_unsup, "unsupported", 1, n)) {
        goto done;
    }
    if (!check_offsets(del_off.buf, n, del_data.len, "dele") ||
        !check_offsets(ins_off.buf, n, ins_data.len, "ins")) {
        goto done;
    }
    if (mrna.buf && (cds0 < 0 || cds0 > mrna.len)) {
        PyErr_Format(PyExc_ValueError, "cds0 %lld lies outside the mRNA of %zd bases", cds0, mrna.len);
        goto done;
    }
    if (mrna.buf && !prot.buf) {
        PyErr_SetString(PyExc_ValueError, "a transcript with an mRNA needs its reference protein");
        goto done;
    }
    uint64_t bitval[N_TERMS];
    for (int t = 0; t < N_TERMS; t++) {
        int64_t b = ((const int64_t *)bits.buf)[t];
        if (b < 0 || b > 63) {
            PyErr_Format(PyExc_ValueError, "bit %lld for %s is outside 0..63", (long long)b, TERM_NAMES[t]);
            goto done;
        }
        bitval[t] = 1ULL << b;
    }
    Model m = {
        .plus = strand > 0,
        .n = n_exons,
        .starts = starts.buf,
        .ends = ends.buf,
        .cum = cum.buf,
        .coding = coding,
        .cds_start0 = cds_start0,
        .cds_end = cds_end,
        .cds_cdna_start = cds_cdna_start,
        .cds_cdna_end = cds_cdna_end,
        .mrna = mrna.buf,
        .mrna_len = mrna.len,
        .cds0 = cds0,
        .prot = prot.buf ? prot.buf : "",
        .n_ref = prot.buf ? prot.len : 0,
    };
    Genome g = {
        .present = genome.buf != NULL,
        .alone = alone,
        .seq = genome.buf,
        .seg_lo = seg_lo,
        .seg_hi = seg_lo + genome.len,
        .contig_lo = contig_lo,
        .contig_hi = contig_hi,
    };
    if (!columns_init(cols, N_COLUMNS, n)) {
        goto done;
    }
    cols_ready = 1;
    const int64_t *pos = start.buf;
    const int32_t *doff = del_off.buf, *ioff = ins_off.buf;
    const char *dd = del_data.buf, *id = ins_data.buf;
    uint8_t *present = o_present.buf, *seq_avail = o_seq.buf, *unsup = o_unsup.buf;
    uint64_t *mask = o_mask.buf;
    int64_t *distance = o_distance.buf, *pp = o_pp.buf, *ci = o_ci.buf;
    int failed = 0; /* 1: out of memory, 2: a column over 2 GiB */
    Res r;
    memset(&r, 0, sizeof r);

    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n && !failed; i++) {
        Change c = {.start = pos[i], .dele = dd + doff[i], .dl = doff[i + 1] - doff[i],
                    .ins = id + ioff[i], .il = ioff[i + 1] - ioff[i]};
        c.end = c.start + c.dl - 1;
        consequence(&m, &g, &c, &r);
        if (!ascii(c.dele, c.dl) || !ascii(c.ins, c.il)) {
            /* Python counts and compares characters, this code bytes: they agree on ASCII only */
            r.unsupported = 1;
        }
        if (r.st.oom) {
            failed = 1;
            break;
        }
        uint8_t flagged = (uint8_t)r.unsupported;
        uint8_t ok = (uint8_t)(r.present && !flagged);
        if (!ok) {
            res_reset(&r);
            r.seq_avail = 0;
        }
        unsup[i] = flagged;
        present[i] = ok;
        mask[i] = 0;
        for (int t = 0; t < N_TERMS; t++) {
            if (r.terms & BIT(t)) {
                mask[i] |= bitval[t];
            }
        }
        distance[i] = r.distance;
        pp[i] = r.protein_position;
        ci[i] = r.codon_index;
        seq_avail[i] = (uint8_t)r.seq_avail;
        const Buf *fields[N_COLUMNS] = {&r.hgvs_c, &r.hgvs_p, &r.exon, &r.intron, &r.aa_ref, &r.aa_alt};
        for (int k = 0; k < N_COLUMNS; k++) {
            if (!column_append(&cols[k], i, fields[k])) {
                failed = cols[k].len + fields[k]->len > INT32_MAX ? 2 : 1;
                break;
            }
        }
    }
    Py_END_ALLOW_THREADS

    Buf *scratch[] = {&r.hgvs_c, &r.hgvs_p, &r.exon, &r.intron, &r.aa_ref, &r.aa_alt,
                      &r.del_tx, &r.ins_tx, &r.mid,   &r.tmp};
    free_bufs(scratch, sizeof scratch / sizeof scratch[0]);
    if (raise_failed(failed, "a string column of the consequences passed 2 GiB; annotate fewer changes per call")) {
        goto done;
    }
    result = columns_tuple(cols, N_COLUMNS, n, N_COLUMNS);
done:
    if (cols_ready) {
        for (int k = 0; k < N_COLUMNS; k++) {
            column_free(&cols[k]);
        }
    }
    release_buffers(all, sizeof all / sizeof all[0]);
    return result;
}

PyDoc_STRVAR(translate_doc,
             "translate(seq, to_stop=False, /)\n--\n\n"
             "consequence.translate on bytes: whole codons by the standard code, X for a codon\n"
             "that is not three of TCAG, stopping after the first '*' when to_stop.");

static PyObject *py_translate(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer seq;
    int to_stop = 0;
    if (!PyArg_ParseTuple(args, "y*|p:translate", &seq, &to_stop)) {
        return NULL;
    }
    const char *s = seq.buf;
    Py_ssize_t n = seq.len, k = 0;
    PyObject *out = PyBytes_FromStringAndSize(NULL, n / 3);
    if (out) {
        char *o = PyBytes_AS_STRING(out);
        for (Py_ssize_t i = 0; i + 2 < n; i += 3) {
            char aa = codon_aa(s[i], s[i + 1], s[i + 2]);
            o[k++] = aa;
            if (to_stop && aa == '*') {
                break;
            }
        }
        if (k != n / 3) {
            _PyBytes_Resize(&out, k);
        }
    }
    PyBuffer_Release(&seq);
    return out;
}

/* ---------------------------------------------------------------------------------------- */
/* pipeline.normalise of many alleles of one chromosome                                       */

/* Reference.covers for the one contig of the chromosome: [a, b) lies in it */
static inline int covers(const Genome *g, int64_t a, int64_t b) { return g->contig_lo <= a && b <= g->contig_hi; }

/* [a, b) lies in the segment held (a read the Python code makes that this code must see) */
static inline int held(const Genome *g, int64_t a, int64_t b) { return g->seg_lo <= a && b <= g->seg_hi; }

typedef struct {
    int64_t key_pos, start;
    int mismatch;
    /* key_ref = anchor? + kr, key_alt = anchor? + ka; the change's bases d (deleted), i (inserted) */
    Buf key_ref, key_alt, dele, ins;
} Norm;

/* pipeline.normalise(reference, chrom, pos, ref, alt) for an ASCII allele on a chromosome the
 * reference holds in one contig (or not at all: g->present == 0). Returns 0 where this code
 * cannot see a base the Python code reads (the caller then runs the Python code). */
static int normalise_one(const Genome *g, int64_t pos, const char *ref, int64_t lr, const char *alt, int64_t la,
                         Buf *ru, Buf *au, Norm *o, Status *st)
{
    buf_reset(ru);
    buf_reset(au);
    buf_reset(&o->key_ref);
    buf_reset(&o->key_alt);
    buf_reset(&o->dele);
    buf_reset(&o->ins);
    /* ref.upper(), alt.upper() (ASCII) */
    put(st, ru, ref, (size_t)lr);
    put(st, au, alt, (size_t)la);
    if (st->oom) {
        return 1;
    }
    for (int64_t k = 0; k < lr; k++) {
        if (ru->p[k] >= 'a' && ru->p[k] <= 'z') ru->p[k] = (char)(ru->p[k] - 32);
    }
    for (int64_t k = 0; k < la; k++) {
        if (au->p[k] >= 'a' && au->p[k] <= 'z') au->p[k] = (char)(au->p[k] - 32);
    }
    const char *r = ru->p ? ru->p : "", *a = au->p ? au->p : "";
    o->mismatch = 0;
    if (g->present && covers(g, pos - 1, pos - 1 + lr)) {
        if (!held(g, pos - 1, pos - 1 + lr)) {
            return 0;
        }
        o->mismatch = lr && memcmp(g->seq + (pos - 1 - g->seg_lo), r, (size_t)lr) != 0;
    }
    /* Change.from_vcf: the shared suffix, then the shared prefix */
    int64_t rl = lr, al = la, k = 0;
    while (rl > 0 && al > 0 && r[rl - 1] == a[al - 1]) {
        rl--;
        al--;
    }
    while (k < rl && k < al && r[k] == a[k]) {
        k++;
    }
    int64_t start = pos + k, dl = rl - k, il = al - k;
    const char *d = r + k, *in = a + k;
    int64_t rot = 0; /* right rotations of the indel's bases by the left shift */
    if (g->present && !o->mismatch && !(dl && il)) {
        if (!dl && !il) {
            return 0; /* REF equal to ALT */
        }
        /* consequence.shift(reference, chrom, change, -1) */
        const char *s = dl ? d : in;
        int64_t len = dl ? dl : il, end = start + dl - 1;
        if (covers(g, imax(0, start - 2), imax(end, start))) {
            int64_t lo = imax(g->contig_lo, start - 1 - SHIFT_WINDOW);
            int64_t hi = imin(g->contig_hi, end + SHIFT_WINDOW);
            int64_t wlen = hi > lo ? hi - lo : 0;
            if (wlen && !held(g, lo, hi)) {
                return 0;
            }
            for (;;) {
                int64_t prv = start - 2 - lo;
                char last = s[((len - 1 - rot) % len + len) % len];
                if (prv < 0 || prv >= wlen || g->seq[lo + prv - g->seg_lo] != last) {
                    break;
                }
                rot++;
                start--;
            }
        }
        for (int64_t j = 0; j < len; j++) {
            char c = s[((j - rot) % len + len) % len];
            putc_(st, dl ? &o->dele : &o->ins, c);
        }
        if (!dl) put(st, &o->dele, "", 0);
        if (!il) put(st, &o->ins, "", 0);
        /* the anchor base before the (shifted) change */
        if (covers(g, start - 2, start - 1)) {
            if (!held(g, start - 2, start - 1)) {
                return 0;
            }
            char anchor = g->seq[start - 2 - g->seg_lo];
            o->key_pos = start - 1;
            o->start = start;
            putc_(st, &o->key_ref, anchor);
            putc_(st, &o->key_alt, anchor);
            put(st, &o->key_ref, o->dele.p, o->dele.len);
            put(st, &o->key_alt, o->ins.p, o->ins.len);
            return 1;
        }
    } else {
        put(st, &o->dele, d, (size_t)dl);
        put(st, &o->ins, in, (size_t)il);
    }
    o->start = start;
    /* without sequence: the trimmed alleles, keeping one anchor base for indels */
    int64_t p = pos, r0 = 0, a0 = 0, r1 = lr, a1 = la;
    while (r1 - r0 > 1 && a1 - a0 > 1 && r[r1 - 1] == a[a1 - 1]) {
        r1--;
        a1--;
    }
    while (r1 - r0 > 1 && a1 - a0 > 1 && r[r0] == a[a0]) {
        r0++;
        a0++;
        p++;
    }
    o->key_pos = p;
    put(st, &o->key_ref, r + r0, (size_t)(r1 - r0));
    put(st, &o->key_alt, a + a0, (size_t)(a1 - a0));
    return 1;
}

PyDoc_STRVAR(normalise_doc,
             "normalise(genome, seg_lo, contig_lo, contig_hi, pos, ref_offsets, ref_data,\n"
             "          alt_offsets, alt_data, python, mismatch, key_pos, start, /)\n--\n\n"
             "pipeline.normalise of n alleles of one chromosome that the reference holds in one\n"
             "contig (genome: its bases over [seg_lo, seg_lo + len), upper-case) or not at all\n"
             "(genome None). pos int64[n]; *_offsets int32[n + 1] over *_data; the last four are\n"
             "writable outputs of n items (uint8, uint8, int64, int64): python is 1 where this\n"
             "code leaves the allele to pipeline.normalise (non-ASCII bases, REF equal to ALT, a\n"
             "base outside the segment). Returns the string columns key_ref, key_alt, dele, ins,\n"
             "each (int32 offsets bytes, data bytes, validity bitmap bytes, null count).");

static PyObject *py_normalise(PyObject *self, PyObject *args)
{
    (void)self;
    long long seg_lo, contig_lo, contig_hi;
    Py_buffer genome = {0}, pos = {0}, ref_off = {0}, ref_data = {0}, alt_off = {0}, alt_data = {0};
    Py_buffer o_py = {0}, o_mm = {0}, o_kp = {0}, o_start = {0};
    Py_buffer *all[] = {&genome, &pos, &ref_off, &ref_data, &alt_off, &alt_data, &o_py, &o_mm, &o_kp, &o_start};
    PyObject *result = NULL;
    Column cols[4];
    int ready = 0;
    if (!PyArg_ParseTuple(args, "z*LLLy*y*y*y*y*w*w*w*w*:normalise", &genome, &seg_lo, &contig_lo, &contig_hi, &pos,
                          &ref_off, &ref_data, &alt_off, &alt_data, &o_py, &o_mm, &o_kp, &o_start)) {
        return NULL;
    }
    Py_ssize_t n = pos.len / 8;
    if (!check_buffer(&pos, "pos", 8, n) || !check_buffer(&ref_off, "ref_offsets", 4, n + 1) ||
        !check_buffer(&alt_off, "alt_offsets", 4, n + 1) || !check_buffer(&o_py, "python", 1, n) ||
        !check_buffer(&o_mm, "mismatch", 1, n) || !check_buffer(&o_kp, "key_pos", 8, n) ||
        !check_buffer(&o_start, "start", 8, n) || !check_offsets(ref_off.buf, n, ref_data.len, "ref") ||
        !check_offsets(alt_off.buf, n, alt_data.len, "alt")) {
        goto done;
    }
    if (!columns_init(cols, 4, n)) {
        goto done;
    }
    ready = 1;
    Genome g = {.present = genome.buf != NULL, .alone = 1, .seq = genome.buf, .seg_lo = seg_lo,
                .seg_hi = seg_lo + genome.len, .contig_lo = contig_lo, .contig_hi = contig_hi};
    const int64_t *p = pos.buf;
    const int32_t *ro = ref_off.buf, *ao = alt_off.buf;
    const char *rd = ref_data.buf, *ad = alt_data.buf;
    uint8_t *py = o_py.buf, *mm = o_mm.buf;
    int64_t *kp = o_kp.buf, *sp = o_start.buf;
    Status st = {0};
    Buf ru = {0}, au = {0}, empty = {.p = NULL, .len = 0, .set = 1};
    Norm o;
    memset(&o, 0, sizeof o);
    int failed = 0;

    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n && !failed; i++) {
        const char *r = rd + ro[i], *a = ad + ao[i];
        int64_t lr = ro[i + 1] - ro[i], la = ao[i + 1] - ao[i];
        int ok = ascii(r, lr) && ascii(a, la) && normalise_one(&g, p[i], r, lr, a, la, &ru, &au, &o, &st);
        if (st.oom) {
            failed = 1;
            break;
        }
        py[i] = (uint8_t)!ok;
        mm[i] = (uint8_t)(ok && o.mismatch);
        kp[i] = ok ? o.key_pos : 0;
        sp[i] = ok ? o.start : 0;
        const Buf *fields[4] = {&o.key_ref, &o.key_alt, &o.dele, &o.ins};
        for (int k = 0; k < 4; k++) {
            const Buf *b = ok ? fields[k] : &empty;
            if (!column_append(&cols[k], i, b)) {
                failed = cols[k].len + b->len > INT32_MAX ? 2 : 1;
                break;
            }
        }
    }
    Py_END_ALLOW_THREADS

    Buf *scratch[] = {&ru, &au, &o.key_ref, &o.key_alt, &o.dele, &o.ins};
    free_bufs(scratch, sizeof scratch / sizeof scratch[0]);
    if (raise_failed(failed, "a column of normalised alleles passed 2 GiB; normalise fewer per call")) {
        goto done;
    }
    result = columns_tuple(cols, 4, n, 4);
done:
    if (ready) {
        for (int k = 0; k < 4; k++) {
            column_free(&cols[k]);
        }
    }
    release_buffers(all, sizeof all / sizeof all[0]);
    return result;
}

/* ---------------------------------------------------------------------------------------- */
/* distinct keys                                                                               */

typedef struct {
    const int32_t *ro, *ao;
    const char *rd, *ad;
    const int64_t *occ;
} Keys;

/* (ref, alt, occurrence) of alleles i and j, as Arrow sorts strings (bytes) */
static int key_cmp(const Keys *k, int64_t i, int64_t j)
{
    int32_t li = k->ro[i + 1] - k->ro[i], lj = k->ro[j + 1] - k->ro[j];
    int c = memcmp(k->rd + k->ro[i], k->rd + k->ro[j], (size_t)(li < lj ? li : lj));
    if (c || li != lj) {
        return c ? c : (li < lj ? -1 : 1);
    }
    li = k->ao[i + 1] - k->ao[i];
    lj = k->ao[j + 1] - k->ao[j];
    c = memcmp(k->ad + k->ao[i], k->ad + k->ao[j], (size_t)(li < lj ? li : lj));
    if (c || li != lj) {
        return c ? c : (li < lj ? -1 : 1);
    }
    return k->occ[i] < k->occ[j] ? -1 : (k->occ[i] > k->occ[j] ? 1 : 0);
}

/* stable merge sort of idx[0:n] by key_cmp, with tmp of n items */
static void merge_sort(const Keys *k, int64_t *idx, int64_t *tmp, Py_ssize_t n)
{
    if (n < 2) {
        return;
    }
    if (n <= 8) {
        for (Py_ssize_t i = 1; i < n; i++) {
            int64_t x = idx[i];
            Py_ssize_t j = i;
            while (j > 0 && key_cmp(k, idx[j - 1], x) > 0) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = x;
        }
        return;
    }
    Py_ssize_t h = n / 2;
    merge_sort(k, idx, tmp, h);
    merge_sort(k, idx + h, tmp, n - h);
    Py_ssize_t a = 0, b = h, o = 0;
    while (a < h && b < n) {
        tmp[o++] = key_cmp(k, idx[b], idx[a]) < 0 ? idx[b++] : idx[a++];
    }
    while (a < h) tmp[o++] = idx[a++];
    while (b < n) tmp[o++] = idx[b++];
    memcpy(idx, tmp, sizeof(int64_t) * (size_t)n);
}

PyDoc_STRVAR(distinct_doc,
             "distinct(group, order, ref_offsets, ref_data, alt_offsets, alt_data, occurrence, keep, /)\n--\n\n"
             "Sort alleles by (group, ref, alt, occurrence) and mark the first of each distinct\n"
             "(group, ref, alt). group int64[n] is (chromosome rank, position) as one number;\n"
             "order int64[n] (writable) holds the alleles sorted by group on entry (stably) and\n"
             "by the whole key on return; keep uint8[n] (writable) is set to 1 at the positions of\n"
             "order that hold the first allele of a distinct key.");

static PyObject *py_distinct(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer group = {0}, order = {0}, ref_off = {0}, ref_data = {0}, alt_off = {0}, alt_data = {0}, occ = {0},
              keep = {0};
    Py_buffer *all[] = {&group, &order, &ref_off, &ref_data, &alt_off, &alt_data, &occ, &keep};
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "y*w*y*y*y*y*y*w*:distinct", &group, &order, &ref_off, &ref_data, &alt_off,
                          &alt_data, &occ, &keep)) {
        return NULL;
    }
    Py_ssize_t n = group.len / 8;
    if (!check_buffer(&group, "group", 8, n) || !check_buffer(&order, "order", 8, n) ||
        !check_buffer(&ref_off, "ref_offsets", 4, n + 1) || !check_buffer(&alt_off, "alt_offsets", 4, n + 1) ||
        !check_buffer(&occ, "occurrence", 8, n) || !check_buffer(&keep, "keep", 1, n) ||
        !check_offsets(ref_off.buf, n, ref_data.len, "ref") || !check_offsets(alt_off.buf, n, alt_data.len, "alt")) {
        goto done;
    }
    int64_t *idx = order.buf;
    const int64_t *grp = group.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (idx[i] < 0 || idx[i] >= n) {
            PyErr_Format(PyExc_ValueError, "order[%zd] = %lld is not an allele index below %zd", i,
                         (long long)idx[i], n);
            goto done;
        }
    }
    int64_t *tmp = malloc(sizeof(int64_t) * ((size_t)n + 1));
    if (!tmp) {
        PyErr_NoMemory();
        goto done;
    }
    Keys k = {.ro = ref_off.buf, .ao = alt_off.buf, .rd = ref_data.buf, .ad = alt_data.buf, .occ = occ.buf};
    uint8_t *kp = keep.buf;
    Py_BEGIN_ALLOW_THREADS
    Py_ssize_t a = 0;
    while (a < n) {
        Py_ssize_t b = a + 1;
        while (b < n && grp[idx[b]] == grp[idx[a]]) {
            b++;
        }
        merge_sort(&k, idx + a, tmp, b - a);
        kp[a] = 1;
        for (Py_ssize_t i = a + 1; i < b; i++) {
            int64_t x = idx[i - 1], y = idx[i];
            int32_t lx = k.ro[x + 1] - k.ro[x], ly = k.ro[y + 1] - k.ro[y];
            int32_t mx = k.ao[x + 1] - k.ao[x], my = k.ao[y + 1] - k.ao[y];
            int same = lx == ly && mx == my && !memcmp(k.rd + k.ro[x], k.rd + k.ro[y], (size_t)lx) &&
                       !memcmp(k.ad + k.ao[x], k.ad + k.ao[y], (size_t)mx);
            kp[i] = (uint8_t)!same;
        }
        a = b;
    }
    Py_END_ALLOW_THREADS
    free(tmp);
    result = Py_None;
    Py_INCREF(result);
done:
    release_buffers(all, sizeof all / sizeof all[0]);
    return result;
}

/* ---------------------------------------------------------------------------------------- */
/* the chosen consequence of each change over many transcripts (pipeline._choose_results)      */

typedef struct {
    Model m;
    int malformed;
    Py_buffer b[5]; /* starts, ends, cum, mrna, protein */
} ModelArg;

static void model_args_release(ModelArg *ms, Py_ssize_t n)
{
    for (Py_ssize_t t = 0; t < n; t++) {
        for (int k = 0; k < 5; k++) {
            if (ms[t].b[k].obj || ms[t].b[k].buf) {
                PyBuffer_Release(&ms[t].b[k]);
            }
        }
    }
    free(ms);
}

/* one model tuple: (strand, starts, ends, cum, coding, cds_start0, cds_end, cds_cdna_start,
 * cds_cdna_end, mrna, cds0, protein, malformed) */
static int model_arg(PyObject *item, Py_ssize_t t, ModelArg *ma)
{
    int strand, coding, malformed;
    long long cds_start0, cds_end, cds_cdna_start, cds_cdna_end, cds0;
    Py_buffer *b = ma->b;
    if (!PyTuple_Check(item)) {
        PyErr_Format(PyExc_TypeError, "model %zd must be a tuple", t);
        return 0;
    }
    if (!PyArg_ParseTuple(item, "iy*y*y*pLLLLz*Lz*p:model", &strand, &b[0], &b[1], &b[2], &coding, &cds_start0,
                          &cds_end, &cds_cdna_start, &cds_cdna_end, &b[3], &cds0, &b[4], &malformed)) {
        return 0;
    }
    Py_ssize_t n_exons = b[0].len / 8;
    ma->malformed = malformed;
    if (!malformed) {
        if (n_exons < 1 || !check_buffer(&b[1], "ends", 8, n_exons) || !check_buffer(&b[2], "cum", 8, n_exons + 1)) {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_ValueError, "model %zd needs at least one exon", t);
            }
            return 0;
        }
        if (b[3].buf && (cds0 < 0 || cds0 > b[3].len || !b[4].buf)) {
            PyErr_Format(PyExc_ValueError, "model %zd: cds0 %lld outside its mRNA of %zd bases, or no protein", t,
                         cds0, b[3].len);
            return 0;
        }
    }
    Model m = {
        .plus = strand > 0,
        .n = n_exons,
        .starts = b[0].buf,
        .ends = b[1].buf,
        .cum = b[2].buf,
        .coding = coding,
        .cds_start0 = cds_start0,
        .cds_end = cds_end,
        .cds_cdna_start = cds_cdna_start,
        .cds_cdna_end = cds_cdna_end,
        .mrna = b[3].buf,
        .mrna_len = b[3].len,
        .cds0 = cds0,
        .prot = b[4].buf ? b[4].buf : "",
        .n_ref = b[4].buf ? b[4].len : 0,
    };
    ma->m = m;
    return 1;
}

/* a growable arena of the chosen text fields: per record 6 int32 lengths (-1: None) and bytes */
typedef struct {
    char *p;
    size_t len, cap;
} Arena;

static int arena_add(Arena *a, const Buf *const *fields, int64_t *at)
{
    size_t need = 6 * sizeof(int32_t);
    for (int k = 0; k < 6; k++) {
        need += fields[k]->set ? fields[k]->len : 0;
    }
    if (!grow(&a->p, &a->cap, a->len + need, 1 << 16)) {
        return 0;
    }
    *at = (int64_t)a->len;
    char *o = a->p + a->len;
    size_t w = 6 * sizeof(int32_t);
    for (int k = 0; k < 6; k++) {
        int32_t l = fields[k]->set ? (int32_t)fields[k]->len : -1;
        memcpy(o + k * sizeof(int32_t), &l, sizeof l);
        if (l > 0) {
            memcpy(o + w, fields[k]->p, (size_t)l);
            w += (size_t)l;
        }
    }
    a->len += w;
    return 1;
}

typedef struct {
    int64_t *v, *g;
    size_t n, cap;
} PairList;

static int pairs_add(PairList *l, int64_t v, int64_t g)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 1024;
        int64_t *a = realloc(l->v, cap * sizeof *a), *b;
        if (!a) {
            return 0;
        }
        l->v = a;
        b = realloc(l->g, cap * sizeof *b);
        if (!b) {
            return 0;
        }
        l->g = b;
        l->cap = cap;
    }
    l->v[l->n] = v;
    l->g[l->n] = g;
    l->n++;
    return 1;
}

PyDoc_STRVAR(consequences_best_doc,
             "consequences_best(models, lo, hi, rank, gene, genome, seg_lo, contig_lo, contig_hi,\n"
             "                  alone, bits, start, del_offsets, del_data, ins_offsets, ins_data,\n"
             "                  present, tx, mask, distance, protein_position, codon_index,\n"
             "                  sequence_available, unsupported, /)\n--\n\n"
             "The result pipeline._choose_results picks for each of n changes of one chromosome\n"
             "among the transcripts of models (tuples of the first twelve arguments of\n"
             "consequences and a malformed flag): transcript t is tried on changes lo[t]..hi[t]-1;\n"
             "rank[t] orders transcripts by ID, gene[t] numbers their gene symbols. present, tx\n"
             "(the chosen rank, -1 for none), mask, distance, protein_position, codon_index,\n"
             "sequence_available and unsupported are writable outputs of n items. A change any\n"
             "transcript flags unsupported holds no result. Returns the six string columns of\n"
             "consequences and the (change, gene) pairs of other genes whose transcripts hold\n"
             "the change (distance None), as int64 bytes.");

static PyObject *py_consequences_best(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *models;
    int alone;
    long long seg_lo, contig_lo, contig_hi;
    Py_buffer lo_b = {0}, hi_b = {0}, rank_b = {0}, gene_b = {0}, genome = {0}, bits = {0}, start = {0},
              del_off = {0}, del_data = {0}, ins_off = {0}, ins_data = {0};
    Py_buffer o_present = {0}, o_tx = {0}, o_mask = {0}, o_distance = {0}, o_pp = {0}, o_ci = {0}, o_seq = {0},
              o_unsup = {0};
    Py_buffer *all[] = {&lo_b,    &hi_b,     &rank_b,    &gene_b, &genome,     &bits, &start,
                        &del_off, &del_data, &ins_off,   &ins_data, &o_present, &o_tx, &o_mask,
                        &o_distance, &o_pp,  &o_ci,      &o_seq,  &o_unsup};
    PyObject *result = NULL;
    ModelArg *ms = NULL;
    Py_ssize_t n_models = 0;
    Column cols[N_COLUMNS];
    int cols_ready = 0;
    Arena arena = {0};
    PairList inside = {0};
    int64_t *best_key = NULL, *best_t = NULL, *text_at = NULL;
    if (!PyArg_ParseTuple(args, "O!y*y*y*y*z*LLLpy*y*y*y*y*y*w*w*w*w*w*w*w*w*:consequences_best", &PyList_Type,
                          &models, &lo_b, &hi_b, &rank_b, &gene_b, &genome, &seg_lo, &contig_lo, &contig_hi, &alone,
                          &bits, &start, &del_off, &del_data, &ins_off, &ins_data, &o_present, &o_tx, &o_mask,
                          &o_distance, &o_pp, &o_ci, &o_seq, &o_unsup)) {
        return NULL;
    }
    Py_ssize_t T = PyList_GET_SIZE(models);
    Py_ssize_t n = start.len / 8;
    if (!check_buffer(&lo_b, "lo", 8, T) || !check_buffer(&hi_b, "hi", 8, T) || !check_buffer(&rank_b, "rank", 8, T) ||
        !check_buffer(&gene_b, "gene", 8, T) || !check_buffer(&bits, "bits", 8, N_TERMS) ||
        !check_buffer(&start, "start", 8, n) || !check_buffer(&del_off, "del_offsets", 4, n + 1) ||
        !check_buffer(&ins_off, "ins_offsets", 4, n + 1) || !check_buffer(&o_present, "present", 1, n) ||
        !check_buffer(&o_tx, "tx", 8, n) || !check_buffer(&o_mask, "mask", 8, n) ||
        !check_buffer(&o_distance, "distance", 8, n) || !check_buffer(&o_pp, "protein_position", 8, n) ||
        !check_buffer(&o_ci, "codon_index", 8, n) || !check_buffer(&o_seq, "sequence_available", 1, n) ||
        !check_buffer(&o_unsup, "unsupported", 1, n) || !check_offsets(del_off.buf, n, del_data.len, "dele") ||
        !check_offsets(ins_off.buf, n, ins_data.len, "ins")) {
        goto done;
    }
    const int64_t *lo = lo_b.buf, *hi = hi_b.buf, *rank = rank_b.buf, *gene = gene_b.buf;
    for (Py_ssize_t t = 0; t < T; t++) {
        if (lo[t] < 0 || hi[t] > n || (hi[t] < lo[t])) {
            PyErr_Format(PyExc_ValueError, "transcript %zd: changes %lld..%lld are not within 0..%zd", t,
                         (long long)lo[t], (long long)hi[t], n);
            goto done;
        }
    }
    uint64_t bitval[N_TERMS];
    int bitpos[N_TERMS];
    for (int t = 0; t < N_TERMS; t++) {
        int64_t b = ((const int64_t *)bits.buf)[t];
        if (b < 0 || b > 63) {
            PyErr_Format(PyExc_ValueError, "bit %lld for %s is outside 0..63", (long long)b, TERM_NAMES[t]);
            goto done;
        }
        bitval[t] = 1ULL << b;
        bitpos[t] = (int)b;
    }
    ms = calloc((size_t)T + 1, sizeof *ms);
    best_key = malloc(sizeof(int64_t) * 3 * ((size_t)n + 1));
    best_t = malloc(sizeof(int64_t) * ((size_t)n + 1));
    text_at = malloc(sizeof(int64_t) * ((size_t)n + 1));
    if (!ms || !best_key || !best_t || !text_at) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t t = 0; t < T; t++) {
        n_models = t + 1;
        if (!model_arg(PyList_GET_ITEM(models, t), t, &ms[t])) {
            goto done;
        }
    }
    if (!columns_init(cols, N_COLUMNS, n)) {
        goto done;
    }
    cols_ready = 1;
    Genome g = {.present = genome.buf != NULL, .alone = alone, .seq = genome.buf, .seg_lo = seg_lo,
                .seg_hi = seg_lo + genome.len, .contig_lo = contig_lo, .contig_hi = contig_hi};
    const int64_t *pos = start.buf;
    const int32_t *doff = del_off.buf, *ioff = ins_off.buf;
    const char *dd = del_data.buf, *id = ins_data.buf;
    uint8_t *present = o_present.buf, *seq_avail = o_seq.buf, *unsup = o_unsup.buf;
    uint64_t *mask = o_mask.buf;
    int64_t *txo = o_tx.buf, *distance = o_distance.buf, *pp = o_pp.buf, *ci = o_ci.buf;
    int failed = 0;
    Res r;
    memset(&r, 0, sizeof r);

    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        best_t[i] = -1;
        text_at[i] = -1;
        unsup[i] = (uint8_t)(!ascii(dd + doff[i], doff[i + 1] - doff[i]) || !ascii(id + ioff[i], ioff[i + 1] - ioff[i]));
    }
    for (Py_ssize_t t = 0; t < T && !failed; t++) {
        const ModelArg *ma = &ms[t];
        for (int64_t i = lo[t]; i < hi[t] && !failed; i++) {
            if (unsup[i]) {
                continue;
            }
            if (ma->malformed) {
                unsup[i] = 1;
                continue;
            }
            Change c = {.start = pos[i], .dele = dd + doff[i], .dl = doff[i + 1] - doff[i], .ins = id + ioff[i],
                        .il = ioff[i + 1] - ioff[i]};
            c.end = c.start + c.dl - 1;
            consequence(&ma->m, &g, &c, &r);
            if (r.st.oom) {
                failed = 1;
                break;
            }
            if (r.unsupported) {
                unsup[i] = 1;
                continue;
            }
            if (!r.present) {
                continue;
            }
            /* the most severe term's so.TERMS rank, the distance (None as 0), the transcript ID */
            int64_t sev = 64;
            for (int k = 0; k < N_TERMS; k++) {
                if ((r.terms & BIT(k)) && bitpos[k] < sev) {
                    sev = bitpos[k];
                }
            }
            int64_t d0 = r.distance > 0 ? r.distance : 0;
            int64_t *bk = best_key + 3 * i;
            if (r.distance < 0 && !pairs_add(&inside, i, gene[t])) {
                failed = 1;
                break;
            }
            if (best_t[i] >= 0 &&
                (sev > bk[0] || (sev == bk[0] && (d0 > bk[1] || (d0 == bk[1] && rank[t] >= bk[2]))))) {
                continue;
            }
            bk[0] = sev;
            bk[1] = d0;
            bk[2] = rank[t];
            best_t[i] = t;
            uint64_t mk = 0;
            for (int k = 0; k < N_TERMS; k++) {
                if (r.terms & BIT(k)) {
                    mk |= bitval[k];
                }
            }
            mask[i] = mk;
            distance[i] = r.distance;
            pp[i] = r.protein_position;
            ci[i] = r.codon_index;
            seq_avail[i] = (uint8_t)r.seq_avail;
            const Buf *fields[N_COLUMNS] = {&r.hgvs_c, &r.hgvs_p, &r.exon, &r.intron, &r.aa_ref, &r.aa_alt};
            if (!arena_add(&arena, fields, &text_at[i])) {
                failed = 1;
            }
        }
    }
    Buf none = {0};
    for (Py_ssize_t i = 0; i < n && !failed; i++) {
        int ok = best_t[i] >= 0 && !unsup[i];
        present[i] = (uint8_t)ok;
        txo[i] = ok ? rank[best_t[i]] : -1;
        if (!ok) {
            mask[i] = 0;
            distance[i] = pp[i] = ci[i] = -1;
            seq_avail[i] = 0;
        }
        const char *rec = ok ? arena.p + text_at[i] : NULL;
        size_t w = 6 * sizeof(int32_t);
        for (int k = 0; k < N_COLUMNS; k++) {
            Buf b = none;
            if (rec) {
                int32_t l;
                memcpy(&l, rec + k * sizeof(int32_t), sizeof l);
                if (l >= 0) {
                    b.p = (char *)rec + w;
                    b.len = (size_t)l;
                    b.set = 1;
                    w += (size_t)l;
                }
            }
            if (!column_append(&cols[k], i, &b)) {
                failed = cols[k].len + b.len > INT32_MAX ? 2 : 1;
                break;
            }
        }
    }
    /* other genes: pairs inside a transcript whose gene is not the chosen one's */
    size_t kept = 0;
    for (size_t j = 0; j < inside.n && !failed; j++) {
        int64_t i = inside.v[j];
        if (present[i] && gene[best_t[i]] != inside.g[j]) {
            inside.v[kept] = i;
            inside.g[kept] = inside.g[j];
            kept++;
        }
    }
    inside.n = kept;
    Py_END_ALLOW_THREADS

    Buf *scratch[] = {&r.hgvs_c, &r.hgvs_p, &r.exon, &r.intron, &r.aa_ref, &r.aa_alt, &r.del_tx, &r.ins_tx, &r.mid, &r.tmp};
    free_bufs(scratch, sizeof scratch / sizeof scratch[0]);
    if (raise_failed(failed, "a string column of the consequences passed 2 GiB; annotate fewer changes per call")) {
        goto done;
    }
    result = columns_tuple(cols, N_COLUMNS, n, N_COLUMNS + 2);
    if (result) {
        PyObject *v = PyBytes_FromStringAndSize((const char *)inside.v, (Py_ssize_t)(inside.n * sizeof(int64_t)));
        PyObject *gg = PyBytes_FromStringAndSize((const char *)inside.g, (Py_ssize_t)(inside.n * sizeof(int64_t)));
        if (!v || !gg) {
            Py_XDECREF(v);
            Py_XDECREF(gg);
            Py_CLEAR(result);
        } else {
            PyTuple_SET_ITEM(result, N_COLUMNS, v);
            PyTuple_SET_ITEM(result, N_COLUMNS + 1, gg);
        }
    }
done:
    if (cols_ready) {
        for (int k = 0; k < N_COLUMNS; k++) {
            column_free(&cols[k]);
        }
    }
    if (ms) {
        model_args_release(ms, n_models);
    }
    free(best_key);
    free(best_t);
    free(text_at);
    free(arena.p);
    free(inside.v);
    free(inside.g);
    release_buffers(all, sizeof all / sizeof all[0]);
    return result;
}

/* ---------------------------------------------------------------------------------------- */
/* the kind of each record's ALT field                                                        */

PyDoc_STRVAR(classify_alts_doc,
             "classify_alts(alt_offsets, alt_data, kind, /)\n--\n\n"
             "The kind of each of n ALT fields (int32 offsets over data) into kind (uint8[n],\n"
             "writable): 1 several alleles (a comma), 2 no ALT allele ('.'), 3 a symbolic or\n"
             "breakend allele or none (empty, or starting with '<', '*' or '.', or holding '[' or\n"
             "']'), 0 any other single allele.");

static PyObject *py_classify_alts(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer alt_off = {0}, alt_data = {0}, o_kind = {0};
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "y*y*w*:classify_alts", &alt_off, &alt_data, &o_kind)) {
        return NULL;
    }
    Py_ssize_t n = o_kind.len;
    if (check_buffer(&alt_off, "alt_offsets", 4, n + 1) && check_offsets(alt_off.buf, n, alt_data.len, "alt")) {
        const int32_t *o = alt_off.buf;
        const char *d = alt_data.buf;
        uint8_t *kind = o_kind.buf;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < n; i++) {
            const char *a = d + o[i];
            int32_t len = o[i + 1] - o[i];
            uint8_t k = 0;
            if (memchr(a, ',', (size_t)len)) {
                k = 1;
            } else if (len == 1 && a[0] == '.') {
                k = 2;
            } else if (len == 0 || a[0] == '<' || a[0] == '*' || a[0] == '.' || memchr(a, '[', (size_t)len) ||
                       memchr(a, ']', (size_t)len)) {
                k = 3;
            }
            kind[i] = k;
        }
        Py_END_ALLOW_THREADS
        result = Py_None;
        Py_INCREF(result);
    }
    PyBuffer_Release(&alt_off);
    PyBuffer_Release(&alt_data);
    PyBuffer_Release(&o_kind);
    return result;
}

static PyMethodDef csq_methods[] = {
    {"consequences", py_consequences, METH_VARARGS, consequences_doc},
    {"translate", py_translate, METH_VARARGS, translate_doc},
    {"normalise", py_normalise, METH_VARARGS, normalise_doc},
    {"classify_alts", py_classify_alts, METH_VARARGS, classify_alts_doc},
    {"distinct", py_distinct, METH_VARARGS, distinct_doc},
    {"consequences_best", py_consequences_best, METH_VARARGS, consequences_best_doc},
    {NULL, NULL, 0, NULL},
};

static int csq_exec(PyObject *module)
{
    init_tables();
    PyObject *names = PyTuple_New(N_TERMS);
    if (!names) {
        return -1;
    }
    for (int t = 0; t < N_TERMS; t++) {
        PyObject *s = PyUnicode_FromString(TERM_NAMES[t]);
        if (!s) {
            Py_DECREF(names);
            return -1;
        }
        PyTuple_SET_ITEM(names, t, s);
    }
    if (PyModule_AddObject(module, "TERM_NAMES", names) < 0) {
        Py_DECREF(names);
        return -1;
    }
    /* the constants this port shares with consequence.py and transcripts.py (checked by the tests) */
    if (PyModule_AddIntConstant(module, "FLANK", FLANK) < 0 ||
        PyModule_AddIntConstant(module, "SHIFT_WINDOW", SHIFT_WINDOW) < 0 ||
        PyModule_AddIntConstant(module, "SPLICE_SITE", SPLICE_SITE) < 0 ||
        PyModule_AddIntConstant(module, "SPLICE_REGION_EXON", SPLICE_REGION_EXON) < 0 ||
        PyModule_AddIntConstant(module, "SPLICE_REGION_INTRON", SPLICE_REGION_INTRON) < 0) {
        return -1;
    }
    return 0;
}

static PyModuleDef_Slot csq_slots[] = {
    {Py_mod_exec, csq_exec},
    {0, NULL},
};

static struct PyModuleDef csq_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "genopath.annotation._csq",
    .m_doc = "Annotator.consequence of many changes on one transcript, in C (optional; see "
             "genopath.annotation.csq_kernel).",
    .m_size = 0,
    .m_methods = csq_methods,
    .m_slots = csq_slots,
};

PyMODINIT_FUNC PyInit__csq(void) { return PyModuleDef_Init(&csq_module); }
