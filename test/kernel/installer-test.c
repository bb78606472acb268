/*
 * installer-test: the installer of a `--format c` header, run for real. FILTER_HEADER is the
 * header of `default allow / errno(EACCES) getppid`, compiled for this program's architecture with
 * the filter named `inst`. Exit 0: the installer returned 0 and getppid then failed with EACCES
 * while getpid still worked; 1: a wrong verdict; 2: the installer failed (its -errno printed).
 *
 * Build: CC -static -std=c99 -Wall -Wextra -Werror -pedantic -I DIR -o installer-test installer-test.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "filter.h"

int main(void)
{
	int installed = inst_install();
	if (installed != 0) {
		printf("installer: %d\n", installed);
		return 2;
	}
	long parent = syscall(SYS_getppid);
	int parent_errno = errno;
	long self = syscall(SYS_getpid);
	printf("getppid %ld (errno %d), getpid %ld\n", parent, parent_errno, self);
	return parent == -1 && parent_errno == EACCES && self > 0 ? 0 : 1;
}
