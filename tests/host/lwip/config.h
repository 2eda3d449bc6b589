/* SPDX-License-Identifier: MIT */
/* lwIP's test/unit/lwip_check.h includes <config.h> (upstream, check's
 * autoconf header in contrib/ports/unix/check/); nothing is needed here. */
