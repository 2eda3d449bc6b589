/* SPDX-License-Identifier: MIT */
/* lib/include/format.h for host builds, without the rest of lib/include
 * (whose string.h and stdlib.h would shadow the host's libc). */
#include "../../../lib/include/format.h"
