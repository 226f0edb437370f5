/* lib.c - shared libraries opened on the first call that needs them.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: dlopen(3), dlsym(3) (POSIX); docs/architecture.md.
 *
 * libsndfile and libarchive each bring a dozen further libraries (codecs,
 * XML, ICU, C++ runtime).  Linked at build time they were loaded and
 * relocated by every command, `info` and `convert` included: about 6 ms
 * of a 19 ms start.  A plugin that needs one calls disc_lib_load before
 * its first call into it and calls through the table it fills.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "disc_format.h"

static pthread_mutex_t lib_lock = PTHREAD_MUTEX_INITIALIZER;

int
disc_lib_load(struct disc_ctx *ctx, struct disc_lib *lib)
{
    /* dlsym gives object pointers; POSIX requires that they convert to
     * function pointers of the same size, which is what the table holds
     * (one per name, no padding: see DISC_LIB_DEFINE). */
    typedef void (*fn)(void);
    size_t i;
    int state;

    pthread_mutex_lock(&lib_lock);
    if (lib->state == 0) {
        void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
        lib->state = h ? 1 : -1;
        if (!h)
            (void)snprintf(lib->why, sizeof lib->why, "%s", dlerror());
        for (i = 0; h && i < lib->count; i++) {
            void *sym = dlsym(h, lib->names[i]);
            if (!sym) {
                (void)snprintf(lib->why, sizeof lib->why, "no symbol %s",
                               lib->names[i]);
                lib->state = -1;
                break;
            }
            memcpy((char *)lib->table + i * sizeof(fn), &sym, sizeof sym);
        }
        if (lib->state < 0 && h)
            dlclose(h);
        /* A loaded library stays for the life of the process: tables
         * point into it. */
    }
    state = lib->state;
    pthread_mutex_unlock(&lib_lock);
    if (state > 0)
        return 0;
    return disc_error(ctx, DISC_E_UNSUPPORTED,
                      "%s cannot be loaded (Debian package %s): %s",
                      lib->soname, lib->package, lib->why);
}
