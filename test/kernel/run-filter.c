/*
 * run-filter: prove a classic-BPF seccomp filter in the real kernel.
 *
 * Usage: run-filter [--flags N] [--listener] [--baseline] [--timeout-ms N] [FILTER_FILE]
 *
 * FILTER_FILE holds an array of struct sock_filter (8 little-endian bytes
 * each); it is not needed with --baseline, which makes every call without a
 * filter. Standard input holds one call per line:
 *
 *     <abi> <nr> [a0 .. a5]        numbers decimal or 0x-hex; a missing arg is 0
 *
 * abi: x64 (`syscall`), x32 (`syscall` with nr | 0x40000000), i386
 * (`int $0x80` with the low 32 bits of each arg, as a 32-bit process would
 * pass them), i386-wide (`int $0x80` with the full 64-bit registers: a
 * 64-bit process can do this, and seccomp then sees the upper halves).
 *
 * For each line a fresh child process makes the call and one JSON object is
 * printed on standard output, in input order:
 *
 *     {"outcome":"returned","ret":R,"errno":E}    ret -1 and errno set if the raw
 *                                                  return was -4095..-1
 *     {"outcome":"killed","signal":S,"core":false} children are never dumpable
 *     {"outcome":"thread-killed"}                   the calling thread died, the process lived
 *     {"outcome":"trapped","data":D,"syscall":N,"arch":A}   from TRAP's SIGSYS siginfo
 *     {"outcome":"notified","nr":N,"arch":A,"args":["0x..",...],"ret":R}
 *                                                  with --listener: the main thread
 *                                                  answered the notification with 4242
 *     {"outcome":"install-failed","errno":E}
 *     {"outcome":"exited","status":N}              the call ended the process (exit_group)
 *     {"outcome":"timeout"}                         no result within --timeout-ms (5000)
 *
 * When run as root each child has its own PID namespace, so getpid() is 1
 * in every run and stray kill(-1, ...) calls stay inside.
 *
 * Inside the child, a helper thread installs the filter (without TSYNC the
 * filter binds only that thread) and makes the call; the main thread stays
 * unfiltered so it can tell a killed thread from a finished one, answer user
 * notifications, and send the result to the parent. After installing the
 * filter the helper thread makes exactly one system call, the one under
 * test: it then records the result in memory and spins until the main thread
 * ends the process, because any further call (even rt_sigreturn or the
 * thread's own exit) would itself be judged by the filter.
 *
 * Build: gcc -O2 -Wall -Wextra -Werror -pthread -o run-filter run-filter.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define X32_SYSCALL_BIT 0x40000000LL
#define MAX_ERRNO 4095
#define NOTIF_REPLY_VALUE 4242
#define MAX_PROGRAM_LEN 0xffff /* sock_fprog.len is an unsigned short */

enum abi { ABI_X64, ABI_X32, ABI_I386, ABI_I386_WIDE };

struct call {
	enum abi abi;
	long long nr;
	unsigned long long args[6];
};

struct options {
	unsigned long flags;
	bool listener;
	bool baseline;
	int timeout_ms;
	const char *filter_path;
};

/* How far the helper thread got; everything from PHASE_RETURNED on is final. */
enum phase {
	PHASE_STARTING,
	PHASE_INSTALLED,
	PHASE_RETURNED,
	PHASE_TRAPPED,
	PHASE_INSTALL_FAILED,
};

/* State shared between the child's main thread, its helper thread and the
 * helper's SIGSYS handler. Plain fields are written before `phase` is
 * released and read after it is acquired. */
struct shared {
	const struct call *call;
	const struct sock_fprog *prog;
	const struct options *opt;
	_Atomic int phase;
	int listener;
	int install_errno;
	long raw_ret;
	int trap_data;
	int trap_syscall;
	unsigned trap_arch;
};

/* What the child sends to the parent through the result pipe. */
enum report_kind { REPORT_RETURNED, REPORT_THREAD_KILLED, REPORT_TRAPPED, REPORT_INSTALL_FAILED };

struct report {
	int kind;
	int err;
	long long ret;
	int trap_data;
	int trap_syscall;
	unsigned trap_arch;
	int notified;
	int notif_nr;
	unsigned notif_arch;
	unsigned long long notif_args[6];
};

/* The SIGSYS handler has no argument of its own, so it finds the call here. */
static struct shared *active_call;

/* ------------------------------------------------------------------ */
/* The helper thread: install, call, record, park.                     */

/* Wait for the main thread to end the process, without a system call:
 * anything the filter denies would otherwise kill or trap us again. */
static _Noreturn void park(void)
{
	for (;;)
		__builtin_ia32_pause();
}

/* x86-64 `syscall`, so the raw return value (not libc's errno) is seen.
 * x32 calls use the same instruction with the x32 bit set in the number. */
static long raw_syscall64(long long nr, const unsigned long long a[6])
{
	register unsigned long long r10 __asm__("r10") = a[3];
	register unsigned long long r8 __asm__("r8") = a[4];
	register unsigned long long r9 __asm__("r9") = a[5];
	long ret = nr;

	__asm__ volatile("syscall"
			 : "+a"(ret), "+r"(r10), "+r"(r8), "+r"(r9)
			 : "D"(a[0]), "S"(a[1]), "d"(a[2])
			 : "rcx", "r11", "memory");
	return ret;
}

/* i386 `int $0x80` from this 64-bit process: eax = nr, rbx..rbp = a0..a5
 * masked with `mask` (0xffffffff to pass what a 32-bit process could). rbp
 * may be the frame pointer, so it is parked in r12 (which the compiler saves
 * for us) instead of on the stack, whose red zone we must not touch. */
static long raw_int80(long long nr, const unsigned long long a[6], unsigned long long mask)
{
	register unsigned long long r9 __asm__("r9") = a[5] & mask;
	unsigned long long ret = (uint32_t)nr;

	__asm__ volatile("mov %%rbp, %%r12\n\t"
			 "mov %%r9, %%rbp\n\t"
			 "int $0x80\n\t"
			 "mov %%r12, %%rbp"
			 : "+a"(ret), "+r"(r9)
			 : "b"(a[0] & mask), "c"(a[1] & mask), "d"(a[2] & mask), "S"(a[3] & mask),
			   "D"(a[4] & mask)
			 : "r8", "r10", "r11", "r12", "memory");
	return (long)ret;
}

/* Make the call under test in the requested ABI. */
static long make_call(const struct call *c)
{
	switch (c->abi) {
	case ABI_X32:
		return raw_syscall64(c->nr | X32_SYSCALL_BIT, c->args);
	case ABI_I386:
		return raw_int80(c->nr, c->args, 0xffffffffULL);
	case ABI_I386_WIDE:
		return raw_int80(c->nr, c->args, ~0ULL);
	case ABI_X64:
		break;
	}
	return raw_syscall64(c->nr, c->args);
}

/* SECCOMP_RET_TRAP lands here, on the helper thread. Returning would need
 * rt_sigreturn, which the filter may trap again, so record and park. */
static void on_sigsys(int sig, siginfo_t *si, void *ucontext)
{
	(void)sig;
	(void)ucontext;
	active_call->trap_data = si->si_errno;
	active_call->trap_syscall = si->si_syscall;
	active_call->trap_arch = si->si_arch;
	atomic_store_explicit(&active_call->phase, PHASE_TRAPPED, memory_order_release);
	park();
}

/* Catch TRAP's SIGSYS; KILL_* still kill, the kernel resets the handler for them. */
static void install_sigsys_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSYS, &sa, NULL);
}

/* Bind the filter to this thread only. Returns the listener fd, 0, or -1. */
static int install_filter(const struct shared *sh)
{
	unsigned long flags = sh->opt->flags;

	if (sh->opt->listener)
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, sh->prog);
}

/* Body of the helper thread. */
static void *helper_thread(void *arg)
{
	struct shared *sh = arg;

	install_sigsys_handler();
	sh->listener = -1;
	if (!sh->opt->baseline) {
		int fd = install_filter(sh);

		if (fd < 0) {
			sh->install_errno = errno;
			atomic_store_explicit(&sh->phase, PHASE_INSTALL_FAILED, memory_order_release);
			return NULL;
		}
		if (sh->opt->listener)
			sh->listener = fd;
	}
	atomic_store_explicit(&sh->phase, PHASE_INSTALLED, memory_order_release);
	/* From here on: the call under test, and no other system call. */
	sh->raw_ret = make_call(sh->call);
	atomic_store_explicit(&sh->phase, PHASE_RETURNED, memory_order_release);
	park();
}

/* ------------------------------------------------------------------ */
/* The child's main thread: supervise the helper, report.              */

/* Sleep briefly between looks at the helper thread. */
static void nap(void)
{
	struct timespec ts = { 0, 20 * 1000 };

	nanosleep(&ts, NULL);
}

/* Answer one pending user notification, if any, with val = 4242, after
 * recording what the kernel showed. Buffers use the kernel's sizes. */
static void answer_notification(int listener, struct report *rep)
{
	struct pollfd pfd = { .fd = listener, .events = POLLIN };
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;

	if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLIN))
		return;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0)
		return;
	req = calloc(1, sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
	resp = calloc(1, sizes.seccomp_notif_resp > sizeof(*resp) ? sizes.seccomp_notif_resp : sizeof(*resp));
	if (req && resp && ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) == 0) {
		rep->notified = 1;
		rep->notif_nr = req->data.nr;
		rep->notif_arch = req->data.arch;
		memcpy(rep->notif_args, req->data.args, sizeof(rep->notif_args));
		resp->id = req->id;
		resp->val = NOTIF_REPLY_VALUE;
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
	}
	free(req);
	free(resp);
}

/* Split a raw return register into (ret, errno) the way libc would. */
static void decode_return(enum abi abi, long raw, struct report *rep)
{
	if (abi == ABI_I386 || abi == ABI_I386_WIDE) {
		uint32_t eax = (uint32_t)raw;

		rep->err = eax >= (uint32_t)-MAX_ERRNO ? -(int32_t)eax : 0;
		rep->ret = rep->err ? -1 : (long long)eax;
		return;
	}
	rep->err = (unsigned long)raw >= (unsigned long)-MAX_ERRNO ? (int)-raw : 0;
	rep->ret = rep->err ? -1 : raw;
}

/* Turn a final phase into a report. */
static void fill_report(const struct shared *sh, int phase, struct report *rep)
{
	switch (phase) {
	case PHASE_RETURNED:
		rep->kind = REPORT_RETURNED;
		decode_return(sh->call->abi, sh->raw_ret, rep);
		break;
	case PHASE_TRAPPED:
		rep->kind = REPORT_TRAPPED;
		rep->trap_data = sh->trap_data;
		rep->trap_syscall = sh->trap_syscall;
		rep->trap_arch = sh->trap_arch;
		break;
	default:
		rep->kind = REPORT_INSTALL_FAILED;
		rep->err = sh->install_errno;
		break;
	}
}

/* Wait until the helper thread reaches a final phase or dies (KILL_THREAD:
 * the kernel clears its tid, so it becomes joinable without a result),
 * answering user notifications meanwhile. */
static void supervise(struct shared *sh, pthread_t helper, struct report *rep)
{
	for (;;) {
		int phase = atomic_load_explicit(&sh->phase, memory_order_acquire);

		if (phase >= PHASE_RETURNED) {
			fill_report(sh, phase, rep);
			return;
		}
		if (phase == PHASE_INSTALLED && sh->listener >= 0 && !rep->notified)
			answer_notification(sh->listener, rep);
		if (pthread_tryjoin_np(helper, NULL) == 0) {
			phase = atomic_load_explicit(&sh->phase, memory_order_acquire);
			if (phase >= PHASE_RETURNED)
				fill_report(sh, phase, rep);
			else
				rep->kind = REPORT_THREAD_KILLED;
			return;
		}
		nap();
	}
}

/* Keep the call away from the harness's own streams and process group, make
 * sure it never dumps core (so `core` is deterministic and no core files
 * litter the tree), and die with the parent. A lone process group also
 * confines kill(0, ...) when the child cannot have its own PID namespace. */
static void isolate_child(void)
{
	int devnull = open("/dev/null", O_RDWR);

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		close(devnull);
	}
}

/* What the parent hands to a child. */
struct child_args {
	const struct call *call;
	const struct sock_fprog *prog;
	const struct options *opt;
	int pipe[2];
};

/* Child process: run one call and write its report to the pipe. */
static int child_main(void *arg)
{
	const struct child_args *ca = arg;
	static struct shared sh;
	struct report rep;
	pthread_t helper;

	close(ca->pipe[0]);
	isolate_child();
	memset(&rep, 0, sizeof(rep));
	sh.call = ca->call;
	sh.prog = ca->prog;
	sh.opt = ca->opt;
	atomic_init(&sh.phase, PHASE_STARTING);
	active_call = &sh;
	if (pthread_create(&helper, NULL, helper_thread, &sh) != 0)
		_exit(127);
	supervise(&sh, helper, &rep);
	if (write(ca->pipe[1], &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		_exit(126);
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* The parent: one child per call, collect, print.                     */

enum verdict { GOT_REPORT, CHILD_ENDED, TIMED_OUT };

/* Milliseconds since `start`. */
static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Read from the non-blocking pipe what is there; false once at EOF. */
static bool read_some(int in, struct report *rep, size_t *got)
{
	while (*got < sizeof(*rep)) {
		ssize_t r = read(in, (char *)rep + *got, sizeof(*rep) - *got);

		if (r <= 0)
			return r < 0 && (errno == EAGAIN || errno == EINTR);
		*got += (size_t)r;
	}
	return true;
}

/* Read the child's report, or notice that it ended without one (a killed
 * process), or give up after the timeout. The child's end is seen on its
 * pidfd as well as at pipe EOF, because anything its call forked may hold
 * the pipe open. */
static enum verdict collect(pid_t pid, int in, int timeout_ms, struct report *rep)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd[2] = { { .fd = in, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
	struct timespec start;
	size_t got = 0;
	enum verdict v = TIMED_OUT;
	long elapsed;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((elapsed = elapsed_ms(&start)) < timeout_ms) {
		if (poll(pfd, 2, (int)(timeout_ms - elapsed)) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents || pfd[1].revents) {
			bool open = read_some(in, rep, &got);

			if (got == sizeof(*rep)) {
				v = GOT_REPORT;
				break;
			}
			if (!open || pfd[1].revents) {
				v = CHILD_ENDED;
				break;
			}
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return v;
}

/* Print the args array of a notification as JSON hex strings. */
static void print_args(const unsigned long long args[6])
{
	for (int i = 0; i < 6; i++)
		printf("%s\"0x%llx\"", i ? "," : "", args[i]);
}

/* Print one report as a single-line JSON object. */
static void report_json(const struct report *rep)
{
	switch (rep->kind) {
	case REPORT_RETURNED:
		if (rep->notified) {
			printf("{\"outcome\":\"notified\",\"nr\":%d,\"arch\":%u,\"args\":[", rep->notif_nr,
			       rep->notif_arch);
			print_args(rep->notif_args);
			printf("],\"ret\":%lld}\n", rep->ret);
		} else {
			printf("{\"outcome\":\"returned\",\"ret\":%lld,\"errno\":%d}\n", rep->ret, rep->err);
		}
		break;
	case REPORT_THREAD_KILLED:
		printf("{\"outcome\":\"thread-killed\"}\n");
		break;
	case REPORT_TRAPPED:
		printf("{\"outcome\":\"trapped\",\"data\":%d,\"syscall\":%d,\"arch\":%u}\n", rep->trap_data,
		       rep->trap_syscall, rep->trap_arch);
		break;
	default:
		printf("{\"outcome\":\"install-failed\",\"errno\":%d}\n", rep->err);
		break;
	}
}

/* Print how a child that sent no report ended. */
static void status_json(int status)
{
	if (WIFSIGNALED(status))
		printf("{\"outcome\":\"killed\",\"signal\":%d,\"core\":%s}\n", WTERMSIG(status),
		       WCOREDUMP(status) ? "true" : "false");
	else
		printf("{\"outcome\":\"exited\",\"status\":%d}\n", WEXITSTATUS(status));
}

/* Start a child in a PID namespace of its own when we may (root), so that
 * getpid() is 1 in every run, as in its baseline, and a call such as
 * kill(-1, SIGKILL) reaches nothing outside; otherwise a plain child. */
static pid_t spawn_child(struct child_args *ca)
{
	enum { STACK_SIZE = 256 * 1024 };
	static char *stack;
	static bool no_pid_namespace;
	pid_t pid;

	if (!stack && !(stack = malloc(STACK_SIZE)))
		return -1;
	/* Each child gets its own copy of this memory, so one stack serves all. */
	if (!no_pid_namespace) {
		pid = clone(child_main, stack + STACK_SIZE, CLONE_NEWPID | SIGCHLD, ca);
		if (pid >= 0 || (errno != EPERM && errno != EINVAL))
			return pid;
		no_pid_namespace = true;
	}
	return clone(child_main, stack + STACK_SIZE, SIGCHLD, ca);
}

/* Run one call in a fresh child and print its outcome. */
static void run_call(const struct call *c, const struct sock_fprog *prog, const struct options *opt)
{
	struct child_args ca = { c, prog, opt, { -1, -1 } };
	pid_t pid;
	struct report rep;
	enum verdict v;
	int status = 0;

	if (pipe2(ca.pipe, O_CLOEXEC) != 0 || fcntl(ca.pipe[0], F_SETFL, O_NONBLOCK) != 0) {
		perror("run-filter: pipe");
		exit(2);
	}
	fflush(stdout);
	pid = spawn_child(&ca);
	if (pid < 0) {
		perror("run-filter: clone");
		exit(2);
	}
	close(ca.pipe[1]);
	setpgid(pid, pid);
	memset(&rep, 0, sizeof(rep));
	v = collect(pid, ca.pipe[0], opt->timeout_ms, &rep);
	close(ca.pipe[0]);
	/* The unreaped child pins its pid, so this kills only its own group:
	 * the child and anything its call may have forked. */
	kill(-pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (v == GOT_REPORT)
		report_json(&rep);
	else if (v == CHILD_ENDED)
		status_json(status);
	else
		printf("{\"outcome\":\"timeout\"}\n");
}

/* ------------------------------------------------------------------ */
/* Input.                                                              */

static _Noreturn void usage(const char *why)
{
	fprintf(stderr,
		"run-filter: %s\n"
		"usage: run-filter [--flags N] [--listener] [--baseline] [--timeout-ms N] [FILTER_FILE]\n"
		"stdin: one call per line: <x64|x32|i386|i386-wide> <nr> [a0 .. a5]\n",
		why);
	exit(2);
}

/* Parse an unsigned number (decimal, 0x-hex) that must fill the whole word. */
static bool parse_u64(const char *s, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno == 0 && end != s && *end == '\0';
}

/* Parse one input line into a call; false if malformed. */
static bool parse_call(char *line, struct call *c)
{
	char *save = NULL;
	char *tok = strtok_r(line, " \t\r\n", &save);
	char *end;
	int n = 0;

	memset(c, 0, sizeof(*c));
	if (!tok)
		return false;
	if (strcmp(tok, "x64") == 0)
		c->abi = ABI_X64;
	else if (strcmp(tok, "x32") == 0)
		c->abi = ABI_X32;
	else if (strcmp(tok, "i386") == 0)
		c->abi = ABI_I386;
	else if (strcmp(tok, "i386-wide") == 0)
		c->abi = ABI_I386_WIDE;
	else
		return false;
	tok = strtok_r(NULL, " \t\r\n", &save);
	if (!tok)
		return false;
	errno = 0;
	c->nr = strtoll(tok, &end, 0);
	if (errno != 0 || end == tok || *end != '\0')
		return false;
	while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
		if (n == 6 || !parse_u64(tok, &c->args[n++]))
			return false;
	}
	return true;
}

/* Read the whole filter file into a sock_fprog. */
static void load_filter(const char *path, struct sock_fprog *prog)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, len = 0;
	unsigned char *buf = malloc(cap);
	size_t r;

	if (!f || !buf) {
		perror(path);
		exit(2);
	}
	while ((r = fread(buf + len, 1, cap - len, f)) > 0) {
		len += r;
		if (len == cap && !(buf = realloc(buf, cap *= 2))) {
			perror("run-filter: realloc");
			exit(2);
		}
	}
	fclose(f);
	if (len % sizeof(struct sock_filter) != 0)
		usage("filter file size is not a multiple of 8");
	if (len / sizeof(struct sock_filter) > MAX_PROGRAM_LEN)
		usage("filter longer than 65535 instructions");
	prog->len = (unsigned short)(len / sizeof(struct sock_filter));
	prog->filter = (struct sock_filter *)buf;
}

/* Parse the command line. */
static void parse_options(int argc, char **argv, struct options *opt)
{
	unsigned long long v;

	memset(opt, 0, sizeof(*opt));
	opt->timeout_ms = 5000;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--flags") == 0 && i + 1 < argc && parse_u64(argv[i + 1], &v)) {
			opt->flags = v;
			i++;
		} else if (strcmp(argv[i], "--timeout-ms") == 0 && i + 1 < argc && parse_u64(argv[i + 1], &v) &&
			   v > 0 && v < 3600000) {
			opt->timeout_ms = (int)v;
			i++;
		} else if (strcmp(argv[i], "--listener") == 0) {
			opt->listener = true;
		} else if (strcmp(argv[i], "--baseline") == 0) {
			opt->baseline = true;
		} else if (argv[i][0] != '-' && !opt->filter_path) {
			opt->filter_path = argv[i];
		} else {
			usage("bad argument");
		}
	}
	/* TSYNC would bind the supervising main thread too. */
	if (opt->flags & (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH))
		usage("TSYNC flags are not supported");
	if (!opt->filter_path && !opt->baseline)
		usage("missing FILTER_FILE");
}

int main(int argc, char **argv)
{
	struct options opt;
	struct sock_fprog prog = { 0, NULL };
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;

	parse_options(argc, argv, &opt);
	if (opt.filter_path)
		load_filter(opt.filter_path, &prog);
	while (getline(&line, &cap, stdin) >= 0) {
		struct call c;

		lineno++;
		if (!parse_call(line, &c)) {
			fprintf(stderr, "run-filter: stdin line %lu: malformed call\n", lineno);
			return 2;
		}
		run_call(&c, &prog, &opt);
	}
	free(line);
	free(prog.filter);
	return fflush(stdout) == 0 ? 0 : 1;
}
