/* SPDX-License-Identifier: MIT */
/*
 * Cairn's version: the kernel's banner and uname's release. Raised by hand
 * when the system changes in a way a program may ask about.
 */
#ifndef CAIRN_VERSION_H
#define CAIRN_VERSION_H

#define CAIRN_RELEASE "0.5.0"

#endif
