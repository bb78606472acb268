/*
 * The kernel side of `npm run bench`: what a filter costs per system call in the real kernel.
 *
 *   kernel-bench FILTER.bpf|none DEFEAT_CACHE NR ARG0 CALLS
 *
 * Installs FILTER (raw sock_filter bytes; "none" for no filter) in this process, after a tiny
 * filter that reads an argument of every call when DEFEAT_CACHE is 1 (the kernel's action cache
 * then never answers: every call runs the filters), makes CALLS calls of syscall NR with ARG0 and
 * prints the thread CPU time per call in nanoseconds. The filter must allow the call.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int install(struct sock_filter *insns, unsigned short count)
{
	struct sock_fprog prog = { .len = count, .filter = insns };
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static struct sock_filter *read_filter(const char *path, unsigned short *count)
{
	static struct sock_filter insns[BPF_MAXINSNS];
	FILE *file = fopen(path, "rb");
	size_t n;

	if (!file)
		return NULL;
	n = fread(insns, sizeof(insns[0]), BPF_MAXINSNS, file);
	fclose(file);
	*count = (unsigned short)n;
	return n > 0 ? insns : NULL;
}

static double thread_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	/* Reads arg0 of every call, then allows it: the cache can decide nothing. */
	struct sock_filter defeat[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_filter *insns = NULL;
	unsigned short count = 0;
	long nr, arg0, calls, i;
	double start, end;

	if (argc != 6) {
		fprintf(stderr, "usage: kernel-bench FILTER.bpf|none DEFEAT_CACHE NR ARG0 CALLS\n");
		return 2;
	}
	nr = strtol(argv[3], NULL, 0);
	arg0 = strtol(argv[4], NULL, 0);
	calls = strtol(argv[5], NULL, 0);
	if (strcmp(argv[1], "none") != 0 && !(insns = read_filter(argv[1], &count))) {
		fprintf(stderr, "kernel-bench: cannot read %s\n", argv[1]);
		return 1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		perror("kernel-bench: PR_SET_NO_NEW_PRIVS");
		return 1;
	}
	if (atoi(argv[2]) && install(defeat, 2) != 0) {
		perror("kernel-bench: installing the cache-defeating filter");
		return 1;
	}
	if (insns && install(insns, count) != 0) {
		perror("kernel-bench: installing the filter");
		return 1;
	}
	/* Warm up caches and branch predictors first. */
	for (i = 0; i < calls / 10; i++)
		syscall(nr, arg0, 0, 0, 0, 0, 0);
	start = thread_ns();
	for (i = 0; i < calls; i++)
		syscall(nr, arg0, 0, 0, 0, 0, 0);
	end = thread_ns();
	printf("%.2f\n", (end - start) / (double)calls);
	return 0;
}
