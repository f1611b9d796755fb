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
    if (!s || n == 0) return;
    if (s->len < s->cap) memcpy(s->data + s->len, p, SIOC__MIN(n, s->cap - s->len));
    s->len += n;
}

static int sioc__xml_ws(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; } /* S, section 2.3 */

/* 1 when p[i..] starts with the NUL-terminated literal lit. */
static int sioc__xml_has(const char *p, size_t len, size_t i, const char *lit) {
    size_t n = strlen(lit);
    return len - i >= n && memcmp(p + i, lit, n) == 0;
}

/* Byte length of the character at p[i] when it is valid UTF-8 and matches Char (section 2.2: tab, LF, CR,
   U+0020..U+D7FF, U+E000..U+FFFD, U+10000..U+10FFFF); 0 otherwise (also when truncated). Requires i < len. */
static size_t sioc__xml_char(const char *p, size_t len, size_t i) {
    unsigned c = (unsigned char)p[i], c1, c2, c3;
    if (c < 0x80) return (c >= 0x20 || c == 0x09 || c == 0x0A || c == 0x0D) ? 1u : 0u;
    if (c < 0xC2) return 0; /* continuation byte or overlong 2-byte lead */
    if (len - i < 2) return 0;
    c1 = (unsigned char)p[i + 1];
    if ((c1 & 0xC0) != 0x80) return 0;
    if (c < 0xE0) return 2;
    if (len - i < 3) return 0;
    c2 = (unsigned char)p[i + 2];
    if ((c2 & 0xC0) != 0x80) return 0;
    if (c < 0xF0) {
        if (c == 0xE0 && c1 < 0xA0) return 0;                  /* overlong */
        if (c == 0xED && c1 >= 0xA0) return 0;                 /* UTF-16 surrogates */
        if (c == 0xEF && c1 == 0xBF && c2 >= 0xBE) return 0;   /* U+FFFE, U+FFFF */
        return 3;
    }
    if (c > 0xF4 || len - i < 4) return 0;
    c3 = (unsigned char)p[i + 3];
    if ((c3 & 0xC0) != 0x80) return 0;
    if (c == 0xF0 && c1 < 0x90) return 0; /* overlong */
    if (c == 0xF4 && c1 >= 0x90) return 0; /* above U+10FFFF */
    return 4;
}

static int sioc__xml_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* End of the QName starting at p[i] (Namespaces in XML section 4: NCName or NCName ':' NCName), or i when there is
   none. ASCII follows NameStartChar/NameChar; any valid non-ASCII character is accepted (Unicode classes are not
   checked, see xml.h). */
static size_t sioc__xml_name(const char *p, size_t len, size_t i) {
    size_t j = i, colon = 0;
    int at_start = 1; /* at the start of a name part: no digit, '-' or '.' */
    while (j < len) {
        int c = (unsigned char)p[j];
        if (c >= 0x80) {
            size_t n = sioc__xml_char(p, len, j);
            if (n == 0) return i;
            j += n;
        } else if (c == ':') {
            if (colon || at_start) return i; /* second colon, or empty prefix */
            colon = j;
            j++;
            at_start = 1;
            continue;
        } else if (sioc__xml_alpha(c) || c == '_') {
            j++;
        } else if (!at_start && (sioc__is_digit(c) || c == '-' || c == '.')) {
            j++;
        } else {
            break;
        }
        at_start = 0;
    }
    if (j == i || at_start) return i; /* nothing, or an empty local part after ':' */
    return j;
}

/* Local part of a QName (after the colon, if any). */
static sioc_str sioc__xml_local(sioc_str name) {
    size_t k;
    for (k = 0; k < name.len; k++)
        if (name.ptr[k] == ':') return sioc_str_n(name.ptr + k + 1, name.len - k - 1);
    return name;
}

/* Path segment match: a segment with ':' compares with the qualified name, otherwise with the local part. */
static int sioc__xml_seg_match(sioc_str name, const char *seg, size_t seg_len) {
    sioc_str s = sioc_str_n(seg, seg_len);
    if (!memchr(seg, ':', seg_len)) name = sioc__xml_local(name);
    return sioc_str_eq(name, s);
}

/* Reference at p[i] == '&' (section 4.1): one of the five predefined entities or a character reference whose
   value is a Char. Appends its UTF-8 to s; returns the index after ';', or 0 when malformed. */
static size_t sioc__xml_ref(const char *p, size_t len, size_t i, sioc__xml_sink *s) {
    size_t j = i + 1, k;
    if (j < len && p[j] == '#') {
        uint32_t v = 0;
        size_t digits = 0;
        int hex = 0;
        char u[4];
        j++;
        if (j < len && p[j] == 'x') { /* only lower-case x: CharRef ::= '&#x' [0-9a-fA-F]+ ';' */
            hex = 1;
            j++;
        }
        for (; j < len && p[j] != ';'; j++, digits++) {
            int d = hex ? sioc__hex_val((unsigned char)p[j]) : (sioc__is_digit(p[j]) ? p[j] - '0' : -1);
            if (d < 0) return 0;
            v = v * (hex ? 16u : 10u) + (uint32_t)d;
            if (v > 0x10FFFFu) return 0; /* checked each step, so v never overflows */
        }
        if (j >= len || digits == 0) return 0;
        /* Well-formedness constraint "Legal Character": the value must match Char (no NUL, surrogates, most C0). */
        if (!(v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) ||
              (v >= 0x10000 && v <= 0x10FFFF)))
            return 0;
        if (v < 0x80) {
            u[0] = (char)v;
            sioc__xml_put(s, u, 1);
        } else if (v < 0x800) {
            u[0] = (char)(0xC0 | (v >> 6));
            u[1] = (char)(0x80 | (v & 0x3F));
            sioc__xml_put(s, u, 2);
        } else if (v < 0x10000) {
            u[0] = (char)(0xE0 | (v >> 12));
            u[1] = (char)(0x80 | ((v >> 6) & 0x3F));
            u[2] = (char)(0x80 | (v & 0x3F));
            sioc__xml_put(s, u, 3);
        } else {
            u[0] = (char)(0xF0 | (v >> 18));
            u[1] = (char)(0x80 | ((v >> 12) & 0x3F));
            u[2] = (char)(0x80 | ((v >> 6) & 0x3F));
            u[3] = (char)(0x80 | (v & 0x3F));
            sioc__xml_put(s, u, 4);
        }
        return j + 1;
    }
    /* Named: only the predefined ones (section 4.6); there is no DTD to declare others. */
    for (k = j; k < len && k - j < 5 && p[k] != ';'; k++) {
    }
    if (k >= len || p[k] != ';') return 0;
    switch (k - j) {
    case 2:
        if (p[j] == 'l' && p[j + 1] == 't') sioc__xml_put(s, "<", 1);
        else if (p[j] == 'g' && p[j + 1] == 't') sioc__xml_put(s, ">", 1);
        else return 0;
        break;
    case 3:
        if (memcmp(p + j, "amp", 3) != 0) return 0;
        sioc__xml_put(s, "&", 1);
        break;
    case 4:
        if (memcmp(p + j, "apos", 4) == 0) sioc__xml_put(s, "'", 1);
        else if (memcmp(p + j, "quot", 4) == 0) sioc__xml_put(s, "\"", 1);
        else return 0;
        break;
    default:
        return 0;
    }
    return k + 1;
}

/* Comment at p[i] == "<!--" (section 2.5): "--" may only appear as the closing "-->". Index after it, or 0. */
static size_t sioc__xml_comment(const char *p, size_t len, size_t i) {
    size_t j = i + 4;
    while (j < len) {
        size_t n;
        if (p[j] == '-' && j + 1 < len && p[j + 1] == '-') return (j + 2 < len && p[j + 2] == '>') ? j + 3 : 0;
        n = sioc__xml_char(p, len, j);
        if (n == 0) return 0;
        j += n;
    }
    return 0;
}

/* Processing instruction at p[i] == "<?" (section 2.6): a target name without ':' other than [Xx][Mm][Ll], then
   optional data after whitespace, up to "?>". Index after it, or 0. */
static size_t sioc__xml_pi(const char *p, size_t len, size_t i) {
    size_t j = i + 2, t = sioc__xml_name(p, len, j);
    if (t == j || memchr(p + j, ':', t - j)) return 0;
    if (t - j == 3 && sioc__to_lower(p[j]) == 'x' && sioc__to_lower(p[j + 1]) == 'm' &&
        sioc__to_lower(p[j + 2]) == 'l')
        return 0; /* reserved; the declaration itself is parsed by sioc__xml_decl */
    if (sioc__xml_has(p, len, t, "?>")) return t + 2;
    if (t >= len || !sioc__xml_ws(p[t])) return 0;
    j = t;
    while (j < len) {
        size_t n;
        if (p[j] == '?' && j + 1 < len && p[j + 1] == '>') return j + 2;
        n = sioc__xml_char(p, len, j);
        if (n == 0) return 0;
        j += n;
    }
    return 0;
}

/* CDATA section at p[i] == "<![CDATA[" (section 2.7): copied to s verbatim but for line-end normalisation.
   Index after "]]>", or 0. */
static size_t sioc__xml_cdata(const char *p, size_t len, size_t i, sioc__xml_sink *s) {
    size_t j = i + 9, run = j;
    while (j < len) {
        size_t n;
        if (p[j] == ']' && sioc__xml_has(p, len, j, "]]>")) {
            sioc__xml_put(s, p + run, j - run);
            return j + 3;
        }
        if (p[j] == '\r') { /* section 2.11: CRLF and lone CR become LF */
            sioc__xml_put(s, p + run, j - run);
            sioc__xml_put(s, "\n", 1);
            j += (j + 1 < len && p[j + 1] == '\n') ? 2 : 1;
            run = j;
            continue;
        }
        n = sioc__xml_char(p, len, j);
        if (n == 0) return 0;
        j += n;
    }
    return 0;
}

/* Character data from p[*pos] up to the next tag ('<' not opening a comment, PI or CDATA section) or the end:
   checked, and decoded into s when s is not NULL. SIOC_OK with *pos at the stop; SIOC_ERR_PARSE with *pos at the
   fault. A '<' that is the last byte stops the run (the caller decides). */
static sioc_result sioc__xml_run(const char *p, size_t len, size_t *pos, sioc__xml_sink *s) {
    size_t i = *pos, run = i, e;
    while (i < len) {
        int c = (unsigned char)p[i];
        if (c == '<') {
            if (i + 1 >= len || (p[i + 1] != '!' && p[i + 1] != '?')) break;
            sioc__xml_put(s, p + run, i - run);
            if (p[i + 1] == '?') e = sioc__xml_pi(p, len, i);
            else if (sioc__xml_has(p, len, i, "<!--")) e = sioc__xml_comment(p, len, i);
            else if (sioc__xml_has(p, len, i, "<![CDATA[")) e = sioc__xml_cdata(p, len, i, s);
            else e = 0; /* "<!DOCTYPE" or other declarations are not content */
            if (e == 0) goto bad;
            i = run = e;
        } else if (c == '&') {
            sioc__xml_put(s, p + run, i - run);
            e = sioc__xml_ref(p, len, i, s);
            if (e == 0) goto bad;
            i = run = e;
        } else if (c == '\r') {
            sioc__xml_put(s, p + run, i - run);
            sioc__xml_put(s, "\n", 1);
            i += (i + 1 < len && p[i + 1] == '\n') ? 2 : 1;
            run = i;
        } else {
            size_t n;
            if (c == ']' && sioc__xml_has(p, len, i, "]]>")) goto bad; /* section 2.4 */
            n = sioc__xml_char(p, len, i);
            if (n == 0) goto bad;
            i += n;
        }
    }
    sioc__xml_put(s, p + run, i - run);
    *pos = i;
    return SIOC_OK;
bad:
    *pos = i;
    return SIOC_ERR_PARSE;
}

static sioc_result sioc__xml_fail(sioc_xml_reader *r, sioc_result e, size_t at) {
    r->err = e;
    r->error_at = at;
    return e;
}

/* Quoted value at p[*i] (attribute or declaration): '"' or '\'' delimited, no '<', references well-formed.
   On success *i is after the closing quote and [*v0, *v1) is the raw value. */
static int sioc__xml_quoted(const char *p, size_t len, size_t *i, size_t *v0, size_t *v1) {
    size_t j = *i;
    char q;
    if (j >= len || (p[j] != '"' && p[j] != '\'')) return 0;
    q = p[j++];
    *v0 = j;
    while (j < len && p[j] != q) {
        size_t n;
        if (p[j] == '<') return 0;
        if (p[j] == '&') {
            n = sioc__xml_ref(p, len, j, NULL);
            if (n == 0) return 0;
            j = n;
            continue;
        }
        n = sioc__xml_char(p, len, j);
        if (n == 0) return 0;
        j += n;
    }
    if (j >= len) return 0;
    *v1 = j;
    *i = j + 1;
    return 1;
}

/* Eq ::= S? '=' S? (section 2.3). */
static int sioc__xml_eq(const char *p, size_t len, size_t *i) {
    size_t j = *i;
    while (j < len && sioc__xml_ws(p[j])) j++;
    if (j >= len || p[j] != '=') return 0;
    j++;
    while (j < len && sioc__xml_ws(p[j])) j++;
    *i = j;
    return 1;
}

/* XML declaration at r->pos == "<?xml" + S (section 2.8): version 1.x, optional encoding (only UTF-8 is
   supported: the scanner reads bytes as UTF-8), optional standalone, in that order. */
static sioc_result sioc__xml_decl(sioc_xml_reader *r) {
    const char *p = r->buf;
    size_t len = r->len, i = r->pos + 5, n0, n1, v0, v1, k;
    int stage = 0; /* 0: version expected, 1: after version, 2: after encoding, 3: after standalone */
    for (;;) {
        size_t s = i;
        while (i < len && sioc__xml_ws(p[i])) i++;
        if (stage > 0 && sioc__xml_has(p, len, i, "?>")) {
            r->pos = i + 2;
            return SIOC_OK;
        }
        if (i == s || i >= len) return sioc__xml_fail(r, SIOC_ERR_PARSE, i);
        n0 = i;
        n1 = sioc__xml_name(p, len, i);
        if (n1 == n0) return sioc__xml_fail(r, SIOC_ERR_PARSE, i);
        i = n1;
        if (!sioc__xml_eq(p, len, &i) || !sioc__xml_quoted(p, len, &i, &v0, &v1))
            return sioc__xml_fail(r, SIOC_ERR_PARSE, i);
        if (stage == 0 && n1 - n0 == 7 && memcmp(p + n0, "version", 7) == 0) {
            /* VersionNum ::= '1.' [0-9]+ */
            if (v1 - v0 < 3 || p[v0] != '1' || p[v0 + 1] != '.') return sioc__xml_fail(r, SIOC_ERR_PARSE, v0);
            for (k = v0 + 2; k < v1; k++)
                if (!sioc__is_digit(p[k])) return sioc__xml_fail(r, SIOC_ERR_PARSE, k);
            stage = 1;
        } else if (stage == 1 && n1 - n0 == 8 && memcmp(p + n0, "encoding", 8) == 0) {
            /* EncName ::= [A-Za-z] ([A-Za-z0-9._] | '-')*; compared case-insensitively (section 4.3.3). */
            if (v1 == v0 || !sioc__xml_alpha(p[v0])) return sioc__xml_fail(r, SIOC_ERR_PARSE, v0);
            for (k = v0; k < v1; k++)
                if (!sioc__xml_alpha(p[k]) && !sioc__is_digit(p[k]) && p[k] != '.' && p[k] != '_' && p[k] != '-')
                    return sioc__xml_fail(r, SIOC_ERR_PARSE, k);
            if (v1 - v0 != 5 || sioc__to_lower(p[v0]) != 'u' || sioc__to_lower(p[v0 + 1]) != 't' ||
                sioc__to_lower(p[v0 + 2]) != 'f' || p[v0 + 3] != '-' || p[v0 + 4] != '8')
                return sioc__xml_fail(r, SIOC_ERR_UNSUPPORTED, v0);
            stage = 2;
        } else if ((stage == 1 || stage == 2) && n1 - n0 == 10 && memcmp(p + n0, "standalone", 10) == 0) {
            if (!((v1 - v0 == 3 && memcmp(p + v0, "yes", 3) == 0) || (v1 - v0 == 2 && memcmp(p + v0, "no", 2) == 0)))
                return sioc__xml_fail(r, SIOC_ERR_PARSE, v0);
            stage = 3;
        } else {
            return sioc__xml_fail(r, SIOC_ERR_PARSE, n0);
        }
    }
}

static void sioc__xml_tok_clear(sioc_xml_token *t, const char *at) {
    t->kind = SIOC_XML_EOF;
    t->depth = 0;
    t->empty = 0;
    t->name = t->local = t->attrs = t->raw = sioc_str_n(at, 0);
}

/* Start tag at r->pos == '<' (section 3.1): Name (S Attribute)* S? ('>' | '/>'). */
static sioc_result sioc__xml_start_tag(sioc_xml_reader *r, sioc_xml_token *t) {
    const char *p = r->buf;
    const char *an[SIOC_XML_MAX_ATTRS];
    size_t al[SIOC_XML_MAX_ATTRS];
    size_t len = r->len, start = r->pos, i = start + 1, ne, na = 0, a0 = 0, a1 = 0, v0, v1, k;
    int empty;
    ne = sioc__xml_name(p, len, i);
    if (ne == i) return sioc__xml_fail(r, SIOC_ERR_PARSE, i);
    t->name = sioc_str_n(p + i, ne - i);
    i = ne;
    for (;;) {
        size_t s = i, n0, n1;
        while (i < len && sioc__xml_ws(p[i])) i++;
        if (i >= len) return sioc__xml_fail(r, SIOC_ERR_PARSE, i); /* unterminated tag */
        if (p[i] == '>') {
            empty = 0;
            i++;
            break;
        }
        if (p[i] == '/') {
            if (i + 1 >= len || p[i + 1] != '>') return sioc__xml_fail(r, SIOC_ERR_PARSE, i);
            empty = 1;
            i += 2;
            break;
        }
        if (i == s) return sioc__xml_fail(r, SIOC_ERR_PARSE, i); /* attributes need whitespace before them */
        n0 = i;
        n1 = sioc__xml_name(p, len, i);
        if (n1 == n0) return sioc__xml_fail(r, SIOC_ERR_PARSE, i);
        /* Well-formedness constraint "Unique Att Spec" (section 3.1); bounded by SIOC_XML_MAX_ATTRS. */
        if (na == SIOC_XML_MAX_ATTRS) return sioc__xml_fail(r, SIOC_ERR_LIMIT, n0);
        for (k = 0; k < na; k++)
            if (al[k] == n1 - n0 && memcmp(an[k], p + n0, al[k]) == 0) return sioc__xml_fail(r, SIOC_ERR_PARSE, n0);
        an[na] = p + n0;
        al[na++] = n1 - n0;
        i = n1;
        if (!sioc__xml_eq(p, len, &i) || !sioc__xml_quoted(p, len, &i, &v0, &v1))
            return sioc__xml_fail(r, SIOC_ERR_PARSE, i);
        if (na == 1) a0 = n0;
        a1 = i;
    }
    if (r->depth >= SIOC_MAX_XML_DEPTH) return sioc__xml_fail(r, SIOC_ERR_LIMIT, start);
    r->open[r->depth] = t->name.ptr;
    r->open_len[r->depth] = t->name.len;
    r->depth++;
    if (!r->content) r->seen_root = 1;
    r->pending_end = (uint8_t)empty;
    r->pos = i;
    t->kind = SIOC_XML_START;
    t->depth = r->depth;
    t->empty = (uint8_t)empty;
    t->local = sioc__xml_local(t->name);
    t->attrs = na ? sioc_str_n(p + a0, a1 - a0) : sioc_str_n(p + i, 0);
    t->raw = sioc_str_n(p + start, i - start);
    return SIOC_OK;
}

/* End tag at r->pos == "</" (section 3.1): '</' Name S? '>', naming the innermost open element. */
static sioc_result sioc__xml_end_tag(sioc_xml_reader *r, sioc_xml_token *t) {
    const char *p = r->buf;
    size_t len = r->len, start = r->pos, i = start + 2, ne;
    sioc_str open;
    ne = sioc__xml_name(p, len, i);
    if (ne == i) return sioc__xml_fail(r, SIOC_ERR_PARSE, i);
    t->name = sioc_str_n(p + i, ne - i);
    i = ne;
    while (i < len && sioc__xml_ws(p[i])) i++;
    if (i >= len || p[i] != '>') return sioc__xml_fail(r, SIOC_ERR_PARSE, i);
    i++;
    if (r->depth == 0) return sioc__xml_fail(r, SIOC_ERR_PARSE, start); /* nothing open */
    open = sioc_str_n(r->open[r->depth - 1], r->open_len[r->depth - 1]);
    if (!sioc_str_eq(open, t->name)) return sioc__xml_fail(r, SIOC_ERR_PARSE, start); /* "Element Type Match" */
    t->kind = SIOC_XML_END;
    t->depth = r->depth;
    t->local = sioc__xml_local(t->name);
    t->raw = sioc_str_n(p + start, i - start);
    r->depth--;
    r->pos = i;
    return SIOC_OK;
}

static void sioc__xml_init(sioc_xml_reader *r, const char *xml, size_t len, int content) {
    memset(r, 0, sizeof *r);
    r->buf = xml ? xml : "";
    r->len = xml ? len : 0;
    r->content = (uint8_t)content;
    if (!xml && len) sioc__xml_fail(r, SIOC_ERR_ARG, 0);
    /* A UTF-8 byte order mark may open a document (section 4.3.3 / appendix F.1). */
    if (!content && r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) r->pos = 3;
}

SIOC_API void sioc_xml_reader_init(sioc_xml_reader *r, const char *xml, size_t len) { sioc__xml_init(r, xml, len, 0); }

SIOC_API void sioc_xml_reader_init_content(sioc_xml_reader *r, const char *xml, size_t len) {
    sioc__xml_init(r, xml, len, 1);
}

SIOC_API sioc_result sioc_xml_next(sioc_xml_reader *r, sioc_xml_token *t) {
    const char *p = r->buf;
    size_t len = r->len;
    sioc__xml_tok_clear(t, p + r->pos);
    if (r->err != SIOC_OK) return r->err;
    if (r->pending_end) { /* second half of <x/> */
        r->pending_end = 0;
        t->kind = SIOC_XML_END;
        t->depth = r->depth;
        t->name = sioc_str_n(r->open[r->depth - 1], r->open_len[r->depth - 1]);
        t->local = sioc__xml_local(t->name);
        r->depth--;
        return SIOC_OK;
    }
    for (;;) {
        size_t i = r->pos, e;
        sioc_result res;
        if (i >= len) {
            if (r->depth > 0 || (!r->content && !r->seen_root)) return sioc__xml_fail(r, SIOC_ERR_PARSE, len);
            return SIOC_OK; /* SIOC_XML_EOF */
        }
        if (r->depth == 0 && !r->content) {
            /* Prolog or epilog (section 2.8 Misc): whitespace, comments, PIs; the declaration only first. */
            if (sioc__xml_ws(p[i])) {
                r->pos++;
                continue;
            }
            if (p[i] != '<' || i + 1 >= len) return sioc__xml_fail(r, SIOC_ERR_PARSE, i); /* text outside root */
            if (p[i + 1] == '?') {
                int first = i == 0 || (i == 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0);
                if (first && sioc__xml_has(p, len, i, "<?xml") && i + 5 < len && sioc__xml_ws(p[i + 5])) {
                    res = sioc__xml_decl(r);
                    if (res != SIOC_OK) return res;
                    continue;
                }
                e = sioc__xml_pi(p, len, i);
            } else if (p[i + 1] == '!') {
                if (!sioc__xml_has(p, len, i, "<!--")) {
                    /* No DTD support: refusing it up front also rules out entity-expansion attacks. */
                    if (!r->seen_root && sioc__xml_has(p, len, i, "<!DOCTYPE"))
                        return sioc__xml_fail(r, SIOC_ERR_UNSUPPORTED, i);
                    return sioc__xml_fail(r, SIOC_ERR_PARSE, i);
                }
                e = sioc__xml_comment(p, len, i);
            } else {
                if (p[i + 1] == '/' || r->seen_root) return sioc__xml_fail(r, SIOC_ERR_PARSE, i);
                return sioc__xml_start_tag(r, t);
            }
            if (e == 0) return sioc__xml_fail(r, SIOC_ERR_PARSE, i);
            r->pos = e;
            continue;
        }
        if (p[i] == '<' && i + 1 < len && p[i + 1] == '/') return sioc__xml_end_tag(r, t);
        if (p[i] == '<' && i + 1 < len && p[i + 1] != '!' && p[i + 1] != '?') return sioc__xml_start_tag(r, t);
        e = i;
        res = sioc__xml_run(p, len, &e, NULL);
        if (res != SIOC_OK) return sioc__xml_fail(r, res, e);
        if (e == i) return sioc__xml_fail(r, SIOC_ERR_PARSE, i); /* a '<' as the last byte */
        t->kind = SIOC_XML_TEXT;
        t->depth = r->depth;
        t->raw = sioc_str_n(p + i, e - i);
        r->pos = e;
        return SIOC_OK;
    }
}

/* Shared by find and find_in: the reader is positioned at the start; scans to the end whatever it finds. */
static sioc_result sioc__xml_find(sioc_xml_reader *r, const char *path, sioc_str *out) {
    const char *seg[SIOC_MAX_XML_DEPTH];
    size_t seg_len[SIOC_MAX_XML_DEPTH];
    size_t nseg = 0;
    uint32_t m = 0; /* leading path segments matched by the currently open elements */
    const char *s = path, *content = NULL;
    int found = 0;
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
    for (;;) {
        sioc_xml_token t;
        sioc_result res = sioc_xml_next(r, &t);
        if (res != SIOC_OK) {
            *out = sioc_str_n("", 0);
            return res;
        }
        if (t.kind == SIOC_XML_EOF) break;
        if (found) continue; /* keep checking the rest */
        if (t.kind == SIOC_XML_START && t.depth == m + 1 && m < nseg && sioc__xml_seg_match(t.name, seg[m], seg_len[m])) {
            m++;
            if (m == nseg) content = t.raw.ptr + t.raw.len;
        } else if (t.kind == SIOC_XML_END && t.depth == m) {
            if (content) { /* the end of the element found: m == nseg here */
                *out = sioc_str_n(content, (size_t)(t.raw.ptr - content));
                found = 1;
            }
            m--;
        }
    }
    return found ? SIOC_OK : SIOC_ERR_NOT_FOUND;
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
    const char *content = NULL;
    sioc_str name = sioc_str_n("", 0), attrs = name;
    for (;;) {
        sioc_xml_token t;
        if (sioc_xml_next(&it->r, &t) != SIOC_OK || t.kind == SIOC_XML_EOF) return 0;
        if (t.depth != 1) continue;
        if (t.kind == SIOC_XML_START && (!it->name || sioc__xml_seg_match(t.name, it->name, it->name_len))) {
            content = t.raw.ptr + t.raw.len;
            name = t.name;
            attrs = t.attrs;
        } else if (t.kind == SIOC_XML_END && content) {
            if (out) {
                out->name = name;
                out->attrs = attrs;
                out->content = sioc_str_n(content, (size_t)(t.raw.ptr - content));
            }
            return 1;
        }
    }
}

SIOC_API sioc_result sioc_xml_text(sioc_str raw, char *out, size_t cap, size_t *out_len) {
    sioc__xml_sink s;
    size_t pos = 0;
    sioc_result res;
    const char *p = raw.ptr ? raw.ptr : "";
    if (out_len) *out_len = 0;
    if (!raw.ptr && raw.len) return SIOC_ERR_ARG;
    s.data = out;
    s.cap = out ? cap : 0;
    s.len = 0;
    res = sioc__xml_run(p, raw.len, &pos, &s);
    if (res != SIOC_OK) return res;
    if (pos < raw.len) { /* stopped at '<': a child element's tag, or a stray '<' */
        int c = pos + 1 < raw.len ? (unsigned char)p[pos + 1] : 0;
        return (c == '/' || c == '_' || c >= 0x80 || sioc__xml_alpha(c)) ? SIOC_ERR_TYPE : SIOC_ERR_PARSE;
    }
    if (out_len) *out_len = s.len;
    if (s.len >= s.cap) return SIOC_ERR_BUFFER_TOO_SMALL;
    out[s.len] = '\0';
    return SIOC_OK;
}
