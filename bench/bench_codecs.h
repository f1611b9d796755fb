/* JSON and msgpack rows of make bench (filled in as the codecs land). */
static void bench_codecs(double secs) { (void)secs; }
