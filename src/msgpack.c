/* ---- msgpack.c ---- */
#include "internal.h"
