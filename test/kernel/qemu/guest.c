/*
 * guest: runs seccomp filters on system calls inside a virtual machine's kernel.
 *
 * Built static for each architecture the tests boot under qemu. As the VM's /init (PID 1) it runs
 * /cases, then, when /compat-guest exists (the same program built for the compat ABI, such as arm
 * under an arm64 kernel), runs `/compat-guest /compat-cases`, then runs each program listed in
 * /programs (one path per line) and reports `@@ P PATH STATUS` (the exit status, or 128 + the
 * signal), then powers the machine off.
 * Started with a file argument it runs only that file.
 *
 * A cases file is text, one command per line:
 *
 *     filter HEX        the struct sock_filter array of the calls that follow, as hex bytes
 *     nofilter          the calls that follow run without a filter (the baseline)
 *     call NR A0 .. A5  a call; every number hex
 *
 * For each call one line goes to standard output (the serial console), in order:
 *
 *     @@ R RET ERRNO     the call returned (ERRNO 0 unless RET is -1)
 *     @@ T NR            SECCOMP_RET_TRAP's SIGSYS, for syscall NR
 *     @@ K SIGNAL        the process died of SIGNAL (SIGSYS for the kill actions)
 *     @@ F ERRNO         the filter could not be installed
 *     @@ X               no result within 5 s
 *
 * Each call runs in a child made with clone(CLONE_VM): a process of its own (its own files, umask
 * and signal handlers) that shares this program's memory, so it can leave its result here without
 * making any further system call, which the filter would judge. Once the child has made its call
 * it records the result and spins; the parent then kills it.
 *
 * Build: CC -static -O2 -Wall -Wextra -Werror -o guest guest.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/reboot.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILTER 4096
#define STACK_SIZE (64 * 1024)

struct result {
	volatile int done;
	volatile int trapped;
	volatile int trap_nr;
	volatile int install_errno;
	volatile long ret;
	volatile int err;
};

static struct sock_filter filter[MAX_FILTER];
static unsigned short filter_len;
static int have_filter;
static unsigned long long nr, args[6];
static struct result *result;
static char stack[STACK_SIZE] __attribute__((aligned(16)));

static void on_sigsys(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	result->trap_nr = info->si_syscall;
	result->trapped = 1;
	result->done = 1;
	for (;;)
		;
}

__attribute__((noreturn)) static void spin(void)
{
	for (;;)
		;
}

static int child(void *unused)
{
	(void)unused;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
	if (have_filter) {
		struct sock_fprog prog = { .len = filter_len, .filter = filter };
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
			result->install_errno = errno;
			result->done = 1;
			spin();
		}
	}
	long ret = syscall((long)nr, (long)args[0], (long)args[1], (long)args[2], (long)args[3], (long)args[4], (long)args[5]);
	result->err = ret == -1 ? errno : 0;
	result->ret = ret;
	result->done = 1;
	spin();
}

static void run_call(void)
{
	static struct result shared;
	memset(&shared, 0, sizeof shared);
	result = &shared;
	pid_t pid = clone(child, stack + STACK_SIZE, CLONE_VM | SIGCHLD, NULL);
	if (pid < 0) {
		printf("@@ F %d\n", errno);
		return;
	}
	int status = 0;
	int exited = 0;
	struct timespec pause = { 0, 200000 };
	for (int i = 0; i < 25000 && !shared.done; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = 1;
			break;
		}
		nanosleep(&pause, NULL);
	}
	if (!exited) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (shared.install_errno)
		printf("@@ F %d\n", shared.install_errno);
	else if (shared.trapped)
		printf("@@ T %d\n", shared.trap_nr);
	else if (shared.done)
		printf("@@ R %ld %d\n", shared.ret, shared.err);
	else if (exited && WIFSIGNALED(status))
		printf("@@ K %d\n", WTERMSIG(status));
	else if (exited)
		printf("@@ E %d\n", WEXITSTATUS(status));
	else
		printf("@@ X\n");
	fflush(stdout);
}

static int hex_digit(int c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static void run_file(const char *path)
{
	FILE *in = fopen(path, "r");
	if (!in) {
		printf("@@ missing %s\n", path);
		return;
	}
	static char line[2 * 8 * MAX_FILTER + 64];
	while (fgets(line, sizeof line, in)) {
		if (strncmp(line, "filter ", 7) == 0) {
			const char *p = line + 7;
			unsigned char *bytes = (unsigned char *)filter;
			size_t n = 0;
			while (p[0] && p[1] && p[0] != '\n' && n < sizeof filter)
				bytes[n++] = (unsigned char)(hex_digit(p[0]) << 4 | hex_digit(p[1])), p += 2;
			filter_len = (unsigned short)(n / 8);
			have_filter = 1;
		} else if (strncmp(line, "nofilter", 8) == 0) {
			have_filter = 0;
		} else if (strncmp(line, "call ", 5) == 0) {
			/* A 32-bit process passes the low half of each value. */
			sscanf(line + 5, "%llx %llx %llx %llx %llx %llx %llx", &nr, &args[0], &args[1], &args[2], &args[3], &args[4], &args[5]);
			run_call();
		}
	}
	fclose(in);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1) {
		run_file(argv[1]);
		return 0;
	}
	printf("@@ start\n");
	run_file("/cases");
	if (access("/compat-guest", X_OK) == 0) {
		pid_t pid = fork();
		if (pid == 0) {
			execl("/compat-guest", "/compat-guest", "/compat-cases", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	}
	FILE *programs = fopen("/programs", "r");
	static char path[256];
	while (programs && fgets(path, sizeof path, programs)) {
		path[strcspn(path, "\n")] = 0;
		pid_t pid = fork();
		if (pid == 0) {
			execl(path, path, (char *)NULL);
			_exit(127);
		}
		int status = 0;
		waitpid(pid, &status, 0);
		printf("@@ P %s %d\n", path, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	if (programs)
		fclose(programs);
	printf("@@ end\n");
	fflush(stdout);
	sync();
	reboot(LINUX_REBOOT_CMD_POWER_OFF);
	return 0;
}
