/* SPDX-License-Identifier: Apache-2.0 */
/* A failing device for the fault-injection suite, as an LD_PRELOAD library: once the file named
 * by $LOSSD_EIO_TRIGGER exists, write(2), fsync(2) and rename(2) on paths under the directory
 * $LOSSD_EIO_DIR fail with EIO (as a disk that stopped answering would make them fail). Every
 * other call, and every call before the trigger exists, goes through to the C library.
 * Used where device-mapper's dm-error target is unavailable (no /dev/mapper in containers).
 *
 *   cc -shared -fPIC -o eio-shim.so eio-shim.c -ldl
 *   LD_PRELOAD=./eio-shim.so LOSSD_EIO_DIR=/tmp/st LOSSD_EIO_TRIGGER=/tmp/fail lossd run ...
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whether the trigger exists and `path` lies under $LOSSD_EIO_DIR. */
static int failing(const char *path) {
    const char *directory = getenv("LOSSD_EIO_DIR");
    const char *trigger = getenv("LOSSD_EIO_TRIGGER");
    if (!directory || !trigger || !path || access(trigger, F_OK) != 0) return 0;
    size_t length = strlen(directory);
    return strncmp(path, directory, length) == 0 && (path[length] == '/' || path[length] == '\0');
}

/* The path an open descriptor refers to, through /proc/self/fd. */
static int descriptor_failing(int fd) {
    char link[64], target[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t length = readlink(link, target, sizeof target - 1);
    if (length < 0) return 0;
    target[length] = '\0';
    return failing(target);
}

ssize_t write(int fd, const void *buffer, size_t count) {
    static ssize_t (*next)(int, const void *, size_t);
    if (!next) next = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    if (fd > 2 && descriptor_failing(fd)) { errno = EIO; return -1; }
    return next(fd, buffer, count);
}

int fsync(int fd) {
    static int (*next)(int);
    if (!next) next = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    if (descriptor_failing(fd)) { errno = EIO; return -1; }
    return next(fd);
}

int rename(const char *from, const char *to) {
    static int (*next)(const char *, const char *);
    if (!next) next = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    if (failing(from) || failing(to)) { errno = EIO; return -1; }
    return next(from, to);
}
