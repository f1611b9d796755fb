/* ---- xml.c ---- */
#include "base.h"
#include "internal.h"
#include "xml.h"

/* >>xml scanner. Grammar references are to XML 1.0 fifth edition (W3C REC-xml-20081126) and Namespaces in XML 1.0
   third edition. Every helper is iterative; the only nesting state is the reader's fixed name stack. */

/* Decoded output: stores what fits, counts everything (so the caller learns the size needed). A NULL sink means
   "check only". Decoding never grows the text (a reference is longer than its UTF-8, CRLF becomes LF), so the
   count cannot overflow. */
typedef struct sioc__xml_sink {
    char *data;
    size_t cap;
    size_t len;
} sioc__xml_sink;

static void sioc__xml_put(sioc__xml_sink *s, const char *p, size_t n) {
    if (!s) return;
    if (s->len < s->cap) memcpy(s->data + s->len, p, SIOC__MIN(n, s->cap - s->len));
    s->len += n;
}

static int sioc__xml_ws(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; } /* S, section 2.3 */

static size_t sioc__xml_skip_ws(const char *p, size_t len, size_t i) {
    while (i < len && sioc__xml_ws(p[i])) i++;
    return i;
}

/* 1 when p[i..] starts with the NUL-terminated literal lit. */
static int sioc__xml_has(const char *p, size_t len, size_t i, const char *lit) {
    size_t n = strlen(lit);
    return len - i >= n && memcmp(p + i, lit, n) == 0;
}

/* 1 when p[0..n) is the lower-case literal lit but for ASCII case. Callers pass name or EncName characters only,
   among which setting bit 0x20 lower-cases letters and changes nothing that could then match. */
static int sioc__xml_ieq(const char *p, size_t n, const char *lit) {
    size_t k;
    if (n != strlen(lit)) return 0;
    for (k = 0; k < n; k++)
        if ((p[k] | 0x20) != lit[k]) return 0;
    return 1;
}

/* Index of p[0..n) among the words of list (each ends with a NUL, the list with an empty word), or -1. */
static int sioc__xml_pick(const char *p, size_t n, const char *list) {
    int k;
    for (k = 0; *list; k++) {
        size_t m = strlen(list);
        if (m == n && memcmp(p, list, n) == 0) return k;
        list += m + 1;
    }
    return -1;
}

/* Byte length of the character at p[i] when it is valid UTF-8 and matches Char (section 2.2: tab, LF, CR,
   U+0020..U+D7FF, U+E000..U+FFFD, U+10000..U+10FFFF); 0 otherwise (also when truncated). Requires i < len. */
static size_t sioc__xml_char(const char *p, size_t len, size_t i) {
    unsigned c = (unsigned char)p[i];
    size_t n;
    if (c < 0x80) return (c >= 0x20 || ((0x2600u >> c) & 1u)) ? 1u : 0u; /* bits 9, 10, 13: tab, LF, CR */
    n = sioc__utf8_seq((const uint8_t *)p + i, len - i);
    if (n == 3 && c == 0xEF && (unsigned char)p[i + 1] == 0xBF && (unsigned char)p[i + 2] >= 0xBE) return 0;
    return n; /* U+FFFE and U+FFFF excluded above; surrogates and overlongs are not UTF-8 */
}

static int sioc__xml_alpha(int c) { return (unsigned)((c | 0x20) - 'a') < 26u; }

/* End of the QName starting at p[i] (Namespaces in XML section 4: NCName or NCName ':' NCName), or i when there is
   none. ASCII follows NameStartChar/NameChar; any valid non-ASCII character is accepted (Unicode classes are not
   checked, see xml.h). */
static size_t sioc__xml_name(const char *p, size_t len, size_t i) {
    size_t j = i, n;
    int colon = 0, at_start = 1; /* at the start of a name part: no digit, '-' or '.' */
    while (j < len) {
        int c = (unsigned char)p[j];
        n = 1;
        if (!sioc__xml_alpha(c) && c != '_') { /* letters first: the common case */
            if (c == ':') {
                if (colon++ || at_start) return i; /* second colon, or empty prefix */
                j++;
                at_start = 1;
                continue;
            }
            if (c >= 0x80) {
                n = sioc__xml_char(p, len, j);
                if (n == 0) return i;
            } else if (at_start || (!sioc__is_digit(c) && c != '-' && c != '.')) {
                break;
            }
        }
        j += n;
        at_start = 0;
    }
    return at_start ? i : j; /* nothing, or an empty local part after ':' */
}

/* Local part of a QName (after the colon, if any). */
static sioc_str sioc__xml_local(sioc_str name) {
    size_t k;
    for (k = 0; k < name.len; k++)
        if (name.ptr[k] == ':') return sioc_str_n(name.ptr + k + 1, name.len - k - 1);
    return name;
}

/* Path segment match for a START token: a segment with ':' compares with the qualified name, otherwise with the
   local part. */
static int sioc__xml_seg_match(const sioc_xml_token *t, const char *seg, size_t seg_len) {
    return sioc_str_eq(memchr(seg, ':', seg_len) ? t->name : t->local, sioc_str_n(seg, seg_len));
}

/* Reference at p[i] == '&' (section 4.1): one of the five predefined entities (section 4.6; there is no DTD to
   declare others) or a character reference whose value is a Char. Appends its UTF-8 to s; returns the index after
   ';', or 0 when malformed. */
static size_t sioc__xml_ref(const char *p, size_t len, size_t i, sioc__xml_sink *s) {
    size_t j = i + 1, d0, n = 1;
    uint32_t v = 0, base = 10;
    int d;
    char u[4];
    if (j < len && p[j] == '#') {
        if (++j < len && p[j] == 'x') { /* only lower-case x: CharRef ::= '&#x' [0-9a-fA-F]+ ';' */
            base = 16;
            j++;
        }
        for (d0 = j; j < len && p[j] != ';'; j++) {
            d = sioc__hex_val((unsigned char)p[j]);
            if (d < 0 || (uint32_t)d >= base) return 0;
            v = v * base + (uint32_t)d;
            if (v > 0x10FFFFu) return 0; /* checked each step, so v never overflows */
        }
        if (j >= len || j == d0) return 0;
        /* UTF-8: continuation bytes from the end, then the lead byte */
        n = 1u + (v >= 0x80) + (v >= 0x800) + (v >= 0x10000);
        for (d = (int)n; --d > 0; v >>= 6)
            u[d] = (char)(0x80 | (v & 0x3F));
        u[0] = (char)(v | (unsigned char)"\0\0\xC0\xE0\xF0"[n]);
        /* Well-formedness constraint "Legal Character": the value must match Char (no NUL, surrogates, most C0). */
        if (sioc__xml_char(u, n, 0) != n) return 0;
    } else {
        for (d0 = j; j < len && j - d0 < 5 && p[j] != ';'; j++) {
        }
        d = j < len && p[j] == ';' ? sioc__xml_pick(p + d0, j - d0, "lt\0gt\0amp\0apos\0quot\0") : -1;
        if (d < 0) return 0;
        u[0] = "<>&'\""[d];
    }
    sioc__xml_put(s, u, n);
    return j + 1;
}

/* Characters from p[*j] up to the first byte among stop[0..2] that starts the literal end (any such byte when end
   is NULL) or the end of input, each a Char (section 2.2), copied to s with CRLF and lone CR as LF (section 2.11).
   0 with *j at a byte that is not a Char. */
static int sioc__xml_chars(const char *p, size_t len, size_t *j, const char *stop, const char *end, sioc__xml_sink *s) {
    size_t i = *j, run = i, n;
    unsigned s0 = (unsigned char)stop[0], s1 = (unsigned char)stop[1], s2 = (unsigned char)stop[2];
    int ok = 1;
    while (i < len) {
        unsigned c = (unsigned char)p[i];
        if (c == s0 || c == s1 || c == s2) {
            if (!end || sioc__xml_has(p, len, i, end)) break;
        } else if (c >= 0x20 && c < 0x80 && c != '&') { /* the common case, printable ASCII */
            i++;
            continue;
        }
        if (c == '&' && !end) { /* text and attribute values: a reference */
            sioc__xml_put(s, p + run, i - run);
            n = sioc__xml_ref(p, len, i, s);
            if (n == 0) {
                ok = 0;
                break;
            }
            run = i = n;
            continue;
        }
        if (c == '\r') {
            sioc__xml_put(s, p + run, i - run);
            if (i + 1 >= len || p[i + 1] != '\n') sioc__xml_put(s, "\n", 1);
            run = ++i; /* an LF after it starts the next run */
            continue;
        }
        n = sioc__xml_char(p, len, i);
        if (n == 0) {
            ok = 0;
            break;
        }
        i += n;
    }
    if (ok) sioc__xml_put(s, p + run, i - run);
    *j = i;
    return ok;
}

/* Characters from p[j] up to the literal end (comment, PI data, CDATA section), copied to s. Index after end, or 0. */
static size_t sioc__xml_upto(const char *p, size_t len, size_t j, const char *end, sioc__xml_sink *s) {
    if (!sioc__xml_chars(p, len, &j, end, end, s) || j >= len) return 0;
    return j + strlen(end);
}

/* Processing instruction at p[i] == "<?" (section 2.6): a target name without ':' other than [Xx][Mm][Ll], then
   optional data after whitespace, up to "?>". Index after it, or 0. */
static size_t sioc__xml_pi(const char *p, size_t len, size_t i) {
    size_t j = i + 2, t = sioc__xml_name(p, len, j);
    if (t == j || memchr(p + j, ':', t - j) || sioc__xml_ieq(p + j, t - j, "xml")) return 0;
    if (!sioc__xml_has(p, len, t, "?>") && (t >= len || !sioc__xml_ws(p[t]))) return 0;
    return sioc__xml_upto(p, len, t, "?>", NULL);
}

/* S? followed by an attribute name at p[*i] (a start tag's attributes, the declaration's pseudo-attributes): *i
   moves past the whitespace; returns the end of the name, or *i when there is none (no whitespace before it, or no
   name: the tag should end at *i). */
static size_t sioc__xml_attr_name(const char *p, size_t len, size_t *i) {
    size_t s = *i, j = sioc__xml_skip_ws(p, len, s);
    *i = j;
    return j == s ? j : sioc__xml_name(p, len, j);
}

/* Eq and a quoted value at p[*i] (sections 2.3, 3.1): '"' or '\'' delimited, no '<', references well-formed. 1 with
   *i after the closing quote and the raw value from *v0 to *i - 1; 0 with *i where it fails (after Eq when the value
   is bad). */
static int sioc__xml_value(const char *p, size_t len, size_t *i, size_t *v0) {
    size_t j = sioc__xml_skip_ws(p, len, *i);
    char stop[3];
    if (j >= len || p[j] != '=') return 0;
    j = sioc__xml_skip_ws(p, len, j + 1);
    *i = j;
    if (j >= len || (p[j] != '"' && p[j] != '\'')) return 0;
    stop[0] = p[j++];
    stop[1] = stop[2] = '<';
    *v0 = j;
    if (!sioc__xml_chars(p, len, &j, stop, NULL, NULL) || j >= len || p[j] == '<') return 0;
    *i = j + 1;
    return 1;
}

/* A pseudo-attribute's value in the XML declaration (section 2.8): w 0 version (VersionNum ::= '1.' [0-9]+), 1 encoding
   (EncName ::= [A-Za-z] ([A-Za-z0-9._] | '-')*; only UTF-8 is supported: the scanner reads bytes as UTF-8), 2
   standalone (yes or no). SIOC_OK, or the error with *at where it is. */
static sioc_result sioc__xml_decl_value(const char *p, size_t v0, size_t v1, int w, size_t *at) {
    size_t k = v0;
    int c;
    *at = v0;
    if (w == 2) return sioc__xml_pick(p + v0, v1 - v0, "yes\0no\0") < 0 ? SIOC_ERR_PARSE : SIOC_OK;
    if (w == 0 ? v1 - v0 < 3 || p[v0] != '1' || p[(k += 2) - 1] != '.' : v1 == v0 || !sioc__xml_alpha(p[v0]))
        return SIOC_ERR_PARSE;
    for (; k < v1; k++) {
        c = (unsigned char)p[k];
        if (!sioc__is_digit(c) && (w == 0 || (!sioc__xml_alpha(c) && c != '.' && c != '_' && c != '-'))) {
            *at = k;
            return SIOC_ERR_PARSE;
        }
    }
    /* compared case-insensitively (section 4.3.3) */
    return w == 1 && !sioc__xml_ieq(p + v0, v1 - v0, "utf-8") ? SIOC_ERR_UNSUPPORTED : SIOC_OK;
}

#define SIOC__XML_MISC 1 /* prolog or epilog (section 2.8): only whitespace, comments and PIs */
#define SIOC__XML_HEAD 2 /* before the root: a DOCTYPE is unsupported rather than malformed */

/* Character data from p[*pos] up to the next tag ('<' not opening a comment, PI or CDATA section) or the end:
   checked, and decoded into s when s is not NULL; mode (SIOC__XML_MISC/HEAD) for the document's prolog and epilog.
   SIOC_OK with *pos at the stop; the error with *pos at the fault. A '<' that is the last byte stops the run (the
   caller decides). */
static sioc_result sioc__xml_run(const char *p, size_t len, size_t *pos, sioc__xml_sink *s, int mode) {
    size_t i = *pos, e;
    sioc_result res = SIOC_ERR_PARSE;
    for (;;) {
        if (mode) i = sioc__xml_skip_ws(p, len, i);
        else if (!sioc__xml_chars(p, len, &i, "<]]", NULL, s)) goto out;
        if (i >= len) break;
        if (p[i] != '<') {
            /* text outside the root, or "]]>" in text (section 2.4) */
            if (mode || sioc__xml_has(p, len, i, "]]>")) goto out;
            sioc__xml_put(s, "]", 1);
            e = i + 1;
        } else if (i + 1 >= len || (p[i + 1] != '!' && p[i + 1] != '?')) {
            break; /* a tag, or a '<' as the last byte: the caller decides */
        } else if (sioc__xml_has(p, len, i, "<!--")) { /* section 2.5: "--" only in the closing "-->" */
            e = sioc__xml_upto(p, len, i + 4, "--", NULL);
            e = (e && e < len && p[e] == '>') ? e + 1 : 0;
        } else if (p[i + 1] == '?') {
            e = sioc__xml_pi(p, len, i);
        } else if (!mode && sioc__xml_has(p, len, i, "<![CDATA[")) { /* section 2.7: verbatim */
            e = sioc__xml_upto(p, len, i + 9, "]]>", s);
        } else {
            /* No DTD support: refusing it up front also rules out entity-expansion attacks. */
            if ((mode & SIOC__XML_HEAD) && sioc__xml_has(p, len, i, "<!DOCTYPE")) res = SIOC_ERR_UNSUPPORTED;
            goto out;
        }
        if (e == 0) goto out;
        i = e;
    }
    res = SIOC_OK;
out:
    *pos = i;
    return res;
}

static sioc_result sioc__xml_fail(sioc_xml_reader *r, sioc_result e, size_t at) {
    r->err = e;
    r->error_at = at;
    return e;
}

SIOC_API void sioc_xml_reader_init(sioc_xml_reader *r, const char *xml, size_t len) {
    memset(r, 0, sizeof *r);
    r->buf = xml ? xml : "";
    r->len = xml ? len : 0;
    if (!xml && len) sioc__xml_fail(r, SIOC_ERR_ARG, 0);
    /* A UTF-8 byte order mark may open a document (section 4.3.3 / appendix F.1). */
    if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) r->pos = 3;
}

SIOC_API void sioc_xml_reader_init_content(sioc_xml_reader *r, const char *xml, size_t len) {
    sioc_xml_reader_init(r, xml, len);
    r->content = 1;
    r->pos = 0; /* no BOM inside content */
}

/* One loop for every token: text (with the prolog and epilog, which are checked but not reported), start tags
   (section 3.1: '<' Name (S Attribute)* S? ('>' | '/>')), end tags ('</' Name S? '>'), the END owed by <x/>, and
   the XML declaration (section 2.8), read like a start tag whose pseudo-attributes are checked as they come. */
SIOC_API sioc_result sioc_xml_next(sioc_xml_reader *r, sioc_xml_token *t) {
    const char *p = r->buf;
    const char *an[SIOC_XML_MAX_ATTRS];
    size_t al[SIOC_XML_MAX_ATTRS];
    size_t len = r->len, i = r->pos, e, na = 0, a0 = 0, a1 = 0, n0, n1, v0, k;
    sioc_result res = SIOC_ERR_PARSE;
    sioc_xml_kind kind = SIOC_XML_END;
    int prolog, end, decl = 0, stage = 0, w; /* stage: 1 + the index of the declaration's last pseudo-attribute */
    memset(t, 0, sizeof *t); /* SIOC_XML_EOF */
    t->name.ptr = t->local.ptr = t->attrs.ptr = t->raw.ptr = p + i;
    if (r->err != SIOC_OK) return r->err;
    if (r->pending_end) { /* second half of <x/> */
        r->pending_end = 0;
        t->name = sioc_str_n(r->open[r->depth - 1], r->open_len[r->depth - 1]);
        goto emit;
    }
again:
    for (;;) {
        i = e = r->pos;
        prolog = r->depth == 0 && !r->content;
        if (i >= len) {
            if (r->depth > 0 || (!r->content && !r->seen_root)) goto fail;
            return SIOC_OK; /* SIOC_XML_EOF */
        }
        if (p[i] == '<' && i + 1 < len && p[i + 1] != '!' && p[i + 1] != '?') break;
        /* The declaration opens the document (after a BOM): a prolog run never stops at "<?", so before the root
           and a declaration, i <= 3 is the start. */
        if (prolog && !r->seen_root && !stage && i <= 3 && sioc__xml_has(p, len, i, "<?xml") && i + 5 < len &&
            sioc__xml_ws(p[i + 5])) {
            decl = 1;
            break;
        }
        res = sioc__xml_run(p, len, &e, NULL, prolog ? SIOC__XML_MISC | (r->seen_root ? 0 : SIOC__XML_HEAD) : 0);
        if (res != SIOC_OK) goto fail;
        res = SIOC_ERR_PARSE;
        if (e == i) goto fail; /* a '<' as the last byte */
        r->pos = e;
        if (!prolog) {
            kind = SIOC_XML_TEXT;
            t->raw = sioc_str_n(p + i, e - i);
            goto emit;
        }
    }
    end = p[i + 1] == '/';
    if (prolog && (end || r->seen_root)) goto fail; /* one root element */
    i += 1 + (size_t)(end | decl);
    e = i;
    n1 = sioc__xml_name(p, len, i);
    if (n1 == i) goto fail;
    t->name = sioc_str_n(p + i, n1 - i);
    i = n1;
    for (;;) {
        e = i;
        n1 = sioc__xml_attr_name(p, len, &e);
        if (n1 == e) break;
        n0 = e;
        if (end) goto fail;
        if (!decl) {
            /* Well-formedness constraint "Unique Att Spec" (section 3.1); bounded by SIOC_XML_MAX_ATTRS. */
            if (na == SIOC_XML_MAX_ATTRS) {
                res = SIOC_ERR_LIMIT;
                goto fail;
            }
            for (k = 0; k < na; k++)
                if (al[k] == n1 - n0 && memcmp(an[k], p + n0, al[k]) == 0) goto fail;
            an[na] = p + n0;
            al[na++] = n1 - n0;
        }
        e = i = n1;
        if (!sioc__xml_value(p, len, &e, &v0)) goto fail;
        if (decl) { /* version, then optionally encoding and standalone, in that order */
            w = sioc__xml_pick(p + n0, n1 - n0, "version\0encoding\0standalone\0");
            if (w < stage || w > 2 * stage) { /* also w < 0: another name */
                e = n0;
                goto fail;
            }
            stage = w + 1;
            res = sioc__xml_decl_value(p, v0, e - 1, w, &k);
            if (res != SIOC_OK) {
                e = k;
                goto fail;
            }
            res = SIOC_ERR_PARSE;
        }
        if (na == 1) a0 = n0;
        i = a1 = e;
    }
    i = e;
    k = i + (size_t)(i < len && p[i] == "/?"[decl] && !end); /* where '>' must be */
    /* a declaration ends with "?>" and holds a version */
    if (k >= len || p[k] != '>' || k - i < (size_t)decl || decl > stage) goto fail;
    if (decl) {
        r->pos = k + 1;
        decl = 0;
        t->name = t->local;
        goto again;
    }
    t->empty = (uint8_t)(k - i);
    i = e = r->pos;
    t->raw = sioc_str_n(p + i, k + 1 - i);
    if (end) {
        /* "Element Type Match": the innermost open element */
        if (r->depth == 0 || !sioc_str_eq(sioc_str_n(r->open[r->depth - 1], r->open_len[r->depth - 1]), t->name))
            goto fail;
    } else {
        if (r->depth >= SIOC_MAX_XML_DEPTH) {
            res = SIOC_ERR_LIMIT;
            goto fail;
        }
        r->open[r->depth] = t->name.ptr;
        r->open_len[r->depth++] = t->name.len;
        if (!r->content) r->seen_root = 1;
        r->pending_end = t->empty;
        t->attrs = na ? sioc_str_n(p + a0, a1 - a0) : sioc_str_n(p + k + 1, 0);
        kind = SIOC_XML_START;
    }
    r->pos = k + 1;
emit:
    t->kind = kind;
    t->depth = r->depth;
    t->local = sioc__xml_local(t->name);
    if (kind == SIOC_XML_END) r->depth--;
    return SIOC_OK;
fail:
    return sioc__xml_fail(r, res, e);
}

/* The first element, in document order, whose path from the top matches the nseg segments (a NULL segment
   matches any name): its name, attributes and content in *out. Scans to the end (first = 0: find, and so proves the
   whole input well-formed) or stops at that element's end (first = 1: the iterator, whose input is checked). */
static sioc_result sioc__xml_match(sioc_xml_reader *r, const char *const *seg, const size_t *seg_len, size_t nseg,
                                   int first, sioc_xml_elem *out) {
    uint32_t m = 0; /* leading path segments matched by the currently open elements */
    int found = 0;
    sioc_xml_token t;
    sioc_result res;
    out->content.ptr = NULL;
    while ((res = sioc_xml_next(r, &t)) == SIOC_OK && t.kind != SIOC_XML_EOF) {
        if (found) continue; /* keep checking the rest */
        if (t.kind == SIOC_XML_START && t.depth == m + 1 && m < nseg &&
            (!seg[m] || sioc__xml_seg_match(&t, seg[m], seg_len[m]))) {
            if (++m == nseg) {
                out->name = t.name;
                out->attrs = t.attrs;
                out->content.ptr = t.raw.ptr + t.raw.len;
            }
        } else if (t.kind == SIOC_XML_END && t.depth == m) {
            if (out->content.ptr) { /* the end of the element found: m == nseg here */
                out->content.len = (size_t)(t.raw.ptr - out->content.ptr);
                if (first) return SIOC_OK;
                found = 1;
            }
            m--;
        }
    }
    return res != SIOC_OK ? res : found ? SIOC_OK : SIOC_ERR_NOT_FOUND;
}

/* Shared by find and find_in: the reader is positioned at the start. */
static sioc_result sioc__xml_find(sioc_xml_reader *r, const char *path, sioc_str *out) {
    const char *seg[SIOC_MAX_XML_DEPTH];
    size_t seg_len[SIOC_MAX_XML_DEPTH];
    size_t nseg = 0;
    const char *s = path;
    sioc_xml_elem e;
    sioc_result res;
    if (!out) return SIOC_ERR_ARG;
    *out = sioc_str_n("", 0);
    if (!path) return SIOC_ERR_ARG;
    for (;;) {
        const char *q = s;
        while (*q && *q != '/') q++;
        if (q == s || nseg == SIOC_MAX_XML_DEPTH) return SIOC_ERR_ARG;
        seg[nseg] = s;
        seg_len[nseg++] = (size_t)(q - s);
        if (!*q) break;
        s = q + 1;
    }
    res = sioc__xml_match(r, seg, seg_len, nseg, 0, &e);
    if (res == SIOC_OK) *out = e.content;
    return res;
}

SIOC_API sioc_result sioc_xml_find(const char *xml, size_t len, const char *path, sioc_str *out) {
    sioc_xml_reader r;
    sioc_xml_reader_init(&r, xml, len);
    return sioc__xml_find(&r, path, out);
}

SIOC_API sioc_result sioc_xml_find_in(sioc_str content, const char *path, sioc_str *out) {
    sioc_xml_reader r;
    sioc_xml_reader_init_content(&r, content.ptr, content.len);
    return sioc__xml_find(&r, path, out);
}

SIOC_API sioc_result sioc_xml_iter_init(sioc_xml_iter *it, sioc_str content, const char *name) {
    sioc_xml_token t;
    sioc_result res;
    sioc_xml_reader_init_content(&it->r, content.ptr, content.len);
    it->name = name;
    it->name_len = name ? strlen(name) : 0;
    do { /* check everything first, so that iteration never stops half-way on an error */
        res = sioc_xml_next(&it->r, &t);
    } while (res == SIOC_OK && t.kind != SIOC_XML_EOF);
    sioc_xml_reader_init_content(&it->r, content.ptr, content.len);
    if (res != SIOC_OK) sioc__xml_fail(&it->r, res, 0); /* next() then yields nothing */
    return res;
}

SIOC_API int sioc_xml_iter_next(sioc_xml_iter *it, sioc_xml_elem *out) {
    sioc_xml_elem e;
    if (sioc__xml_match(&it->r, &it->name, &it->name_len, 1, 1, &e) != SIOC_OK) return 0;
    if (out) *out = e;
    return 1;
}

SIOC_API sioc_result sioc_xml_text(sioc_str raw, char *out, size_t cap, size_t *out_len) {
    sioc__xml_sink s;
    size_t pos = 0;
    sioc_result res;
    const char *p = raw.ptr ? raw.ptr : "";
    int c;
    if (out_len) *out_len = 0;
    if (!raw.ptr && raw.len) return SIOC_ERR_ARG;
    s.data = out;
    s.cap = out ? cap : 0;
    s.len = 0;
    res = sioc__xml_run(p, raw.len, &pos, &s, 0);
    if (res != SIOC_OK) return res;
    if (pos < raw.len) { /* stopped at '<': a child element's tag, or a stray '<' */
        c = pos + 1 < raw.len ? (unsigned char)p[pos + 1] : 0;
        return (c == '/' || c == '_' || c >= 0x80 || sioc__xml_alpha(c)) ? SIOC_ERR_TYPE : SIOC_ERR_PARSE;
    }
    if (out_len) *out_len = s.len;
    if (s.len >= s.cap) return SIOC_ERR_BUFFER_TOO_SMALL;
    out[s.len] = '\0';
    return SIOC_OK;
}
