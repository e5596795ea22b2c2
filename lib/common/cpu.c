/*
 * cpu.c: whether the wide (AVX-512) code paths may run: the CPU has the
 * instructions, and SPOOR_SCALAR does not ask for the scalar code. The wide
 * and scalar paths give the same results (the tests compare them); the
 * variable is there to measure one against the other, or to rule the wide
 * code out when something looks wrong.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* SPOOR_SCALAR set to anything but "" or "0". */
static int scalar_asked(void)
{
    const char *v = getenv("SPOOR_SCALAR");
    return v && *v && strcmp(v, "0") != 0;
}

int spoor__cpu_wide(const char *feature)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (scalar_asked())
        return 0;
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f"))
        return 0;
    if (strcmp(feature, "avx512bw") == 0)
        return __builtin_cpu_supports("avx512bw");
    if (strcmp(feature, "avx512dq") == 0)
        return __builtin_cpu_supports("avx512dq");
    return 0;
#else
    (void)feature;
    (void)scalar_asked;
    return 0;
#endif
}

int spoor__wide_switch(spoor_wide_switch *sw, int enable)
{
    int have = atomic_load(&sw->have);
    if (have < 0) { /* a race probes twice, to the same answer */
        have = spoor__cpu_wide(sw->feature);
        atomic_store(&sw->have, have);
    }
    if (enable >= 0)
        atomic_store(&sw->off, !enable);
    return have && !atomic_load(&sw->off);
}
