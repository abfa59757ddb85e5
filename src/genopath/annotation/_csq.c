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

static int buf_reserve(Status *st, Buf *b, size_t extra)
{
    if (b->len + extra <= b->cap) {
        return 1;
    }
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra) {
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        st->oom = 1;
        return 0;
    }
    b->p = p;
    b->cap = cap;
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
        if (col->len + b->len > col->cap) {
            size_t cap = col->cap ? col->cap : 1024;
            while (cap < col->len + b->len) {
                cap *= 2;
            }
            char *p = realloc(col->data, cap);
            if (!p) {
                return 0;
            }
            col->data = p;
            col->cap = cap;
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
    for (int k = 0; k < N_COLUMNS; k++) {
        if (!column_init(&cols[k], n)) {
            for (int j = 0; j <= k; j++) {
                column_free(&cols[j]);
            }
            PyErr_NoMemory();
            goto done;
        }
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
    for (size_t k = 0; k < sizeof scratch / sizeof scratch[0]; k++) {
        free(scratch[k]->p);
    }
    if (failed == 1) {
        PyErr_NoMemory();
        goto done;
    }
    if (failed == 2) {
        PyErr_SetString(PyExc_OverflowError,
                        "a string column of the consequences passed 2 GiB; annotate fewer changes per call");
        goto done;
    }
    result = PyTuple_New(N_COLUMNS);
    for (int k = 0; result && k < N_COLUMNS; k++) {
        PyObject *col = column_to_python(&cols[k], n);
        if (!col) {
            Py_CLEAR(result);
            break;
        }
        PyTuple_SET_ITEM(result, k, col);
    }
done:
    if (cols_ready) {
        for (int k = 0; k < N_COLUMNS; k++) {
            column_free(&cols[k]);
        }
    }
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
        if (all[k]->obj || all[k]->buf) {
            PyBuffer_Release(all[k]);
        }
    }
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

static PyMethodDef csq_methods[] = {
    {"consequences", py_consequences, METH_VARARGS, consequences_doc},
    {"translate", py_translate, METH_VARARGS, translate_doc},
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
