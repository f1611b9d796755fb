/* ---- xml.c ---- */
#include "internal.h"
