/* A SIOC_CONFIG_FILE for the configuration matrix: every switch it sets must reach the implementation. */
#define SIOC_ENABLE_ERROR_STRINGS 0
#define SIOC_ENABLE_AZURE 0
#define SIOC_MAX_JSON_DEPTH 3
