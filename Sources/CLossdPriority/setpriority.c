// SPDX-License-Identifier: Apache-2.0
//
// lossd's own setpriority(2), which takes the place of libc's for the whole process.
//
// Why: the Swift runtime's libdispatch starts an internal thread at the "user-interactive"
// quality of service and, on Linux, imitates it with setpriority(PRIO_PROCESS, 0, -4). A
// hardened service (DynamicUser=, no CAP_SYS_NICE, the default RLIMIT_NICE) may not raise a
// thread's priority, the kernel answers EACCES, and libdispatch logs "Failed to set thread
// priority for worker thread: ... errno=13" in every lossd process. Nothing in lossd needs a
// raised priority, no listed library can change libdispatch's choice, and LIBDISPATCH_LOG=NO
// would also silence libdispatch's assertion messages; so the refusal is dropped here.
//
// What: the call goes to the kernel unchanged. Only when the kernel refuses to *raise* the
// calling thread's priority (EACCES, which setpriority returns only for that) does this report
// success, leaving the thread's nice value as it was; every other result, and every call for
// another process, group or user, is returned as the kernel gave it. An executable's definition
// of a symbol takes precedence over libc's for the shared libraries it loads (ELF symbol
// interposition; the linker exports it because libdispatch.so references it).

#include "lossd_priority.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int setpriority(__priority_which_t which, id_t who, int prio) {
    long status = syscall(SYS_setpriority, (int)which, who, prio);
    if (status == 0) return 0;
    if (errno == EACCES && which == PRIO_PROCESS && who == 0) {
        errno = 0;
        return 0;
    }
    return -1;
}
