/* ---- sas: Azure Service Bus shared access signatures and connection strings ----
   Pure functions over caller memory: no allocation, no clock (the caller passes Unix seconds), no global state.
   Token (docs/AZURE.md section 3): "SharedAccessSignature sr=<sr>&sig=<sig>&se=<expiry>&skn=<key name>" where
     sr  = the percent-encoded resource URI, signed exactly as written;
     sig = base64(HMAC-SHA256(key, sr + "\n" + se)), percent-encoded in the token. The key is the UTF-8 bytes
           of the key string as configured: the base64-looking text is NOT decoded (IoT Hub differs here);
     se  = absolute expiry in Unix seconds, plain decimal (64-bit: 2^31 and 2^32 are valid).
   Two encodings are offered so tokens come out byte-identical to the two Node SDK code paths; the service
   accepts either, since it checks the signature over sr as written. */
#pragma once
#include "base.h"

/* Token lifetime of @azure/core-amqp (seconds); the ATOM management client uses 300 per request. */
#define SIOC_SAS_DEFAULT_LIFETIME 3600
/* Base64 HMAC-SHA256 signature length (without NUL). */
#define SIOC_SAS_SIG_LEN 44
/* Longest key name accepted by sioc_sas_verify (Azure allows 256 characters). */
#define SIOC_SAS_MAX_KEY_NAME 256

typedef enum sioc_sas_style {
    /* sr = encodeURIComponent(uri) (upper-case hex), fields sr, sig, se, skn: @azure/core-amqp (AMQP CBS tokens).
       The recommended choice for a REST client. */
    SIOC_SAS_CASE_PRESERVING = 0,
    /* sr = encodeURIComponent(lower-cased uri) with the hex digits lower-cased too, fields sig, se, skn, sr: the
       @azure/service-bus ATOM administration client. Only ASCII letters are lower-cased. */
    SIOC_SAS_LOWERCASED = 1
} sioc_sas_style;

/* What to sign. Views must stay valid during the call; the key is never copied or logged. */
typedef struct sioc_sas_params {
    sioc_str resource_uri; /* not encoded: "https://ns.servicebus.windows.net/" (namespace root covers all) */
    sioc_str key_name;     /* "RootManageSharedAccessKey" */
    sioc_str key;          /* SharedAccessKey text, used as-is */
    int64_t expiry;        /* absolute Unix seconds, >= 0: typically now + SIOC_SAS_DEFAULT_LIFETIME */
    sioc_sas_style style;
} sioc_sas_params;

/* Append the whole token (the Authorization header value / CBS put-token body) to `out`. Returns SIOC_OK,
   SIOC_ERR_ARG (empty resource URI, key name or key), SIOC_ERR_RANGE (expiry < 0), or the buffer's error
   (SIOC_ERR_BUFFER_TOO_SMALL: out->len is then the size needed). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sas_token(const sioc_sas_params *p, sioc_buf *out);

/* Append the encoded resource URI (the sr value, which is also the first line of the string to sign). */
SIOC_API void sioc_sas_encode_resource(sioc_buf *out, sioc_str uri, sioc_sas_style style);

/* Signature over an already encoded `sr`: base64(HMAC-SHA256(key, sr "\n" expiry)) into out, NUL-terminated
   (44 chars). SIOC_ERR_RANGE when expiry < 0. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sas_sign(sioc_str key, sioc_str sr, int64_t expiry,
                                                   char out[SIOC_SAS_SIG_LEN + 1]);

/* Renewal. A token made at time t with lifetime L (expiry t + L) is replaced at expiry - L/4, so 3600 s tokens
   are renewed every 45 minutes as @azure/service-bus does for CBS. lifetime <= 0 means the default. Returns the
   absolute renewal time (for the caller's timer). */
SIOC_API int64_t sioc_sas_renew_at(int64_t expiry, int64_t lifetime);
/* 1 when a token expiring at `expiry` should be regenerated at `now` (renewal time reached, or no token yet:
   expiry 0), else 0. */
SIOC_API int sioc_sas_should_renew(int64_t now, int64_t expiry, int64_t lifetime);

/* A token taken apart. Views point into the token text and stay percent-encoded. */
typedef struct sioc_sas_token_view {
    sioc_str sr;
    sioc_str sig;
    sioc_str skn;
    int64_t se;
} sioc_sas_token_view;

/* Split "SharedAccessSignature k=v&k=v..." (fields in any order; unknown fields ignored). SIOC_ERR_PARSE when the
   prefix is missing, a field has no '=', sr/sig/se/skn is missing, empty or repeated, or se is not a decimal
   number in int64 range; SIOC_ERR_ARG on NULL out. Used for a ready-made SharedAccessSignature (its se tells
   when it stops working: it cannot be renewed). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sas_parse_token(sioc_str token, sioc_sas_token_view *out);

/* Check a token as the service does: parses, key name equal (after percent-decoding), signature over sr as
   written equal (constant time), now < se. SIOC_OK, SIOC_ERR_PARSE (malformed), SIOC_ERR_AUTH (wrong key name or
   signature, or expired). For tests and local brokers. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sas_verify(sioc_str token, sioc_str key_name, sioc_str key, int64_t now);

/* A Service Bus connection string taken apart (docs/AZURE.md section 2). Views point into the caller's text. */
typedef struct sioc_sas_connstr {
    sioc_str endpoint;            /* Endpoint value as written, "sb://ns.servicebus.windows.net/" */
    sioc_str scheme;              /* "sb" */
    sioc_str host;                /* "ns.servicebus.windows.net", "127.0.0.1", "[::1]" (brackets kept) */
    uint16_t port;                /* port written in the endpoint, 0 when none */
    sioc_str key_name;            /* SharedAccessKeyName (empty with a signature) */
    sioc_str key;                 /* SharedAccessKey (empty with a signature) */
    sioc_str signature;           /* SharedAccessSignature: a whole ready token, or empty */
    int64_t signature_expiry;     /* its se, 0 without one */
    sioc_str entity_path;         /* EntityPath, or empty */
    int use_development_emulator; /* UseDevelopmentEmulator=true: plain TCP/HTTP to a local broker */
    char detail[SIOC_DETAIL_SIZE]; /* after an error: which field is wrong and how (never a value from the text) */
} sioc_sas_connstr;

/* Parse "Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=..." like @azure/service-bus: split on ';',
   skip empty pieces, split each at its FIRST '=' (keys end in '='), trim ASCII whitespace around names and values,
   match names case-insensitively, ignore unknown names; an empty value counts as absent.
   Rejected with SIOC_ERR_PARSE: a piece without '=' or with an empty name; a known name given twice; a control
   character in a value; an Endpoint without "scheme://", with an empty or invalid host, a port that is not
   1..65535, or anything but a path after host[:port]; a SharedAccessSignature that sioc_sas_parse_token refuses;
   UseDevelopmentEmulator other than true/false (any case).
   Rejected with SIOC_ERR_ARG: no Endpoint; SharedAccessSignature together with a key or key name; a key without
   its name or a name without its key; no credentials at all (the SDK would accept that for a TokenCredential,
   which this library does not have). On error *out is zeroed except out->detail, which names the field:
   "connection string: Endpoint missing (Endpoint=sb://<namespace>.servicebus.windows.net/)". */
SIOC_API SIOC_NODISCARD sioc_result sioc_sas_parse_connection_string(sioc_str text, sioc_sas_connstr *out);
