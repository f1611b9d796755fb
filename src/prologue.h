/* ---- prologue: version, configuration defaults, linkage ---- */
#pragma once
#define SIOC_VERSION_MAJOR 0
#define SIOC_VERSION_MINOR 1
#define SIOC_VERSION_PATCH 0
#define SIOC_VERSION_STRING "0.1.0"

/* One file holds the configuration of every translation unit (like MBEDTLS_CONFIG_FILE): build with
   -DSIOC_CONFIG_FILE='"my_sioc_config.h"'; it is read before any default below. */
#ifdef SIOC_CONFIG_FILE
#include SIOC_CONFIG_FILE
#endif

#include <stddef.h>
#include <stdint.h>

#ifndef SIOC_ENABLE_LOG
#define SIOC_ENABLE_LOG 1
#endif
#ifndef SIOC_ENABLE_ERROR_STRINGS
#define SIOC_ENABLE_ERROR_STRINGS 1
#endif
#ifndef SIOC_ENABLE_LIBC_MALLOC
#define SIOC_ENABLE_LIBC_MALLOC 1
#endif
/* Features a device may leave out (the manual's CONFIGURATION says what each removes and costs). */
#ifndef SIOC_ENABLE_RECEIVE
#define SIOC_ENABLE_RECEIVE 1 /* 0: publish only (emitter_only nodes and members); no receive path */
#endif
#ifndef SIOC_ENABLE_FLOAT
#define SIOC_ENABLE_FLOAT 1 /* 0: the msgpack <-> JSON converter refuses floats (no double arithmetic linked) */
#endif
#ifndef SIOC_ENABLE_JANITOR
#define SIOC_ENABLE_JANITOR 1 /* 0: no AWS orphan-queue clean-up (aws.no_orphan_cleanup must be 1) */
#endif
#ifndef SIOC_ENABLE_MD5_CHECK
#define SIOC_ENABLE_MD5_CHECK 1 /* 0: an AWS member does not check received bodies against SQS's MD5OfBody */
#endif
#ifndef SIOC_ENABLE_SKEW_CORRECTION
#define SIOC_ENABLE_SKEW_CORRECTION 1 /* 0: an AWS call refused for clock skew is not re-signed by the server's Date */
#endif
#ifndef SIOC_ENABLE_PUBLISH_BATCH
#define SIOC_ENABLE_PUBLISH_BATCH 1 /* 0: the AWS member sends one SNS Publish per message, never PublishBatch */
#endif
#ifndef SIOC_ENABLE_REQUESTS
#define SIOC_ENABLE_REQUESTS 1 /* 0: the node starts no request (fetchSockets, acks); it still answers others' */
#endif
/* Transports and backends. */
#define SIOC_TLS_NONE 0
#define SIOC_TLS_MBEDTLS 1
#define SIOC_TLS_BEARSSL 2
#ifndef SIOC_TLS
#define SIOC_TLS SIOC_TLS_NONE /* TLS backend: SIOC_TLS_NONE, SIOC_TLS_MBEDTLS or SIOC_TLS_BEARSSL */
#endif
#ifndef SIOC_ENABLE_POSIX
#define SIOC_ENABLE_POSIX 0 /* 1: the built-in POSIX socket backend (posix.h) */
#endif
#ifndef SIOC_ENABLE_AWS
#define SIOC_ENABLE_AWS 1 /* 0 leaves the AWS transport out (SigV4 stays: it is small and pure) */
#endif
#ifndef SIOC_ENABLE_AZURE
#define SIOC_ENABLE_AZURE 1 /* 0 leaves the Azure transport out (SAS stays: it is small and pure) */
#endif
#ifndef SIOC_MAX_JSON_DEPTH
#define SIOC_MAX_JSON_DEPTH 64
#endif
#ifndef SIOC_MAX_MSGPACK_DEPTH
#define SIOC_MAX_MSGPACK_DEPTH 64
#endif
#ifndef SIOC_MAX_XML_DEPTH
#define SIOC_MAX_XML_DEPTH 32
#endif
/* Levels the library wraps around a value it accepted (the deepest: a socket's handshake in a fetchSockets answer
   in an Azure body; in a frame, the placeholder objects of a binary): its writers and message decoders allow this
   much more than the limits above, so a value of the full depth fits in every envelope. Not a setting. */
#define SIOC_ENVELOPE_DEPTH 4

#ifndef SIOC_API
#if defined(SIO_CLUSTER_STATIC) && (defined(__GNUC__) || defined(__clang__))
#define SIOC_API static __attribute__((unused)) /* a private copy need not use every function */
#elif defined(SIO_CLUSTER_STATIC)
#define SIOC_API static
#elif defined(__cplusplus)
/* Functions are extern anyway; empty so that SIOC_NODISCARD's [[nodiscard]] leads the declaration, the only place
   C++ allows a standard attribute before the type ("extern [[nodiscard]] T f()" is ill-formed). */
#define SIOC_API
#define SIOC__API_EMPTY 1
#else
#define SIOC_API extern
#endif
#endif

/* gcc's warn_unused_result cannot be silenced with a (void) cast, which makes deliberate size queries noisy, so
   only clang (which honours the cast) and C++17 (when SIOC_API leaves the front free) get the check. */
#if defined(__cplusplus) && __cplusplus >= 201703L && defined(SIOC__API_EMPTY)
#define SIOC_NODISCARD [[nodiscard]]
#elif defined(__clang__)
#define SIOC_NODISCARD __attribute__((warn_unused_result))
#else
#define SIOC_NODISCARD
#endif

#ifdef __cplusplus
extern "C" {
#endif
