/* SPDX-License-Identifier: MIT */
/*
 * Process start-up of musl-port programs. The kernel (or cairn_spawn)
 * starts the first thread at _start with the address of the start-up
 * block (include/cairn/abi.h); crt1 (musl's crt/crt1.c, patched) calls
 * __cairn_start, which reads the block with libcairn's reader
 * (user/lib/startup.c: argv and the capability names, then found with
 * cairn_cap()) and lays out what __libc_start_main expects on Linux, in
 * one array on this stack:
 *
 *     argv[0..argc) NULL  envp[0..envc) NULL  auxv: (type, value)... AT_NULL
 *
 * The environment is the block's (a POSIX process: include/cairn/posix.h),
 * else empty. The POSIX state (descriptors, working directory: posix.c)
 * is set up before main. The auxiliary vector
 * carries the program headers (the ELF header is loaded with the text,
 * musl-port/cairn.lds, so musl finds PT_TLS), the page size, 16 random
 * bytes (random.c) and zero ids.
 */
#define _GNU_SOURCE
#include <elf.h>
#include "cairn_impl.h"

#define NAUX 14

int __libc_start_main(int (*)(), int, char **, void (*)(), void (*)(), void (*)());
extern weak hidden const Elf64_Ehdr __ehdr_start;

_Noreturn void __cairn_start(const char *startup, int (*entry)(), void (*init)(), void (*fini)())
{
	static unsigned char at_random[16];
	unsigned argc = cairn_startup_read(startup, NULL, 0), envc = cairn_startup_env(NULL, 0), n = 0;
	size_t words[argc + 1 + envc + 1 + 2 * NAUX];
	char **argv = (char **)words, **envp = argv + argc + 1;
	size_t *aux = (size_t *)(envp + envc + 1);

#define AUX(type, value) (aux[n++] = (type), aux[n++] = (size_t)(value))
	cairn_startup_read(startup, argv, argc);
	argv[argc] = 0;           /* end of argv */
	cairn_startup_env(envp, envc);
	envp[envc] = 0;           /* end of the environment */
	AUX(AT_PAGESZ, CAIRN_PAGE_SIZE);
	if (&__ehdr_start) {
		AUX(AT_PHDR, (const char *)&__ehdr_start + __ehdr_start.e_phoff);
		AUX(AT_PHENT, __ehdr_start.e_phentsize);
		AUX(AT_PHNUM, __ehdr_start.e_phnum);
		AUX(AT_ENTRY, __ehdr_start.e_entry);
	}
	__cairn_random_bytes(at_random, sizeof(at_random));
	AUX(AT_RANDOM, at_random);
	AUX(AT_UID, 0);
	AUX(AT_EUID, 0);
	AUX(AT_GID, 0);
	AUX(AT_EGID, 0);
	AUX(AT_SECURE, 0);
	AUX(AT_CLKTCK, 100);
	if (argc)
		AUX(AT_EXECFN, argv[0]);
	AUX(AT_NULL, 0);
#undef AUX
	__cairn_posix_init();
	__libc_start_main(entry, (int)argc, argv, init, fini, 0);
	for (;;)
		cairn_exit(127);
}
