/* SPDX-License-Identifier: MIT */
/*
 * init's launcher (user/init/init.c; docs/manifest.md, "template"): a
 * service the manifest marks `template` is not started at boot; init
 * starts instances of it on demand for the holders of a capability whose
 * source is `launcher:<its name>` (an endpoint init serves, badged with
 * the template). Each instance gets exactly the template's capabilities
 * and quota, with two differences: an endpoint or notification the
 * template holds with the read right (one it receives on) is made anew for
 * each instance, and the caller's capability (cap0 of LAUNCH_START, if
 * any) is given to it as "caller". The holder can start that one program
 * with those capabilities, nothing else: that is all the authority a
 * launcher carries. An instance is never restarted; when it ends, init
 * says how and frees its slot.
 *
 * The VFS starts a file-system server this way for each `mount` of a
 * disk (docs/vfs.md, "Mounts"; the manifest's `ext2x` template,
 * scripts/posix-manifest.sh).
 */
#ifndef CAIRN_LAUNCH_H
#define CAIRN_LAUNCH_H

enum {
	LAUNCH_START = 0x800, /* (flags: LAUNCH_RO, 0, device name length) + the device name
	                       * inline, [cap0: given to the instance as "caller"] -> (the
	                       * instance's id). The instance's arguments are the template's,
	                       * then "--dev NAME", then "--ro" with LAUNCH_RO. The name is 1 to
	                       * LAUNCH_NAME_MAX characters of A-Z a-z 0-9 _ . -, not starting
	                       * with '.' or '-'. Errors: EINVAL (name, flags, or a request
	                       * without the launcher's badge), ENOSPC (no room for another
	                       * service in init), those of starting a process (ENOMEM) */
};

#define LAUNCH_RO        1u
#define LAUNCH_NAME_MAX  15

#endif
