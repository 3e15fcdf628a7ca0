/* Child-process runner (see child.h): fork, set up descriptors, limits and
 * a new process group, exec; then one poll loop that feeds stdin, drains
 * the outputs and watches the clock, the group's RSS and the child's exit.
 * The child's exit is found by waitid polling (every OH_CHILD_POLL_MS, and
 * at once when its pipes close), not by a SIGCHLD handler, so the library
 * keeps no global state; pidfd_open would be sharper but Valgrind 3.19 does
 * not know the syscall. */
#define _GNU_SOURCE
#include "opushunt/child.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* After the child is gone, how long to keep reading pipes that something
 * outside the group (a daemon that called setsid) may still hold open. */
#define DRAIN_MS 500
/* How long to wait for killed group members to disappear. */
#define REAP_GROUP_MS 3000

enum { S_OUT, S_ERR, S_RES, S_COUNT };

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(unsigned ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
  }
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

const char *oh_signal_name(int sig) {
  switch (sig) {
  case SIGHUP: return "SIGHUP";
  case SIGINT: return "SIGINT";
  case SIGQUIT: return "SIGQUIT";
  case SIGILL: return "SIGILL";
  case SIGTRAP: return "SIGTRAP";
  case SIGABRT: return "SIGABRT";
  case SIGBUS: return "SIGBUS";
  case SIGFPE: return "SIGFPE";
  case SIGKILL: return "SIGKILL";
  case SIGUSR1: return "SIGUSR1";
  case SIGSEGV: return "SIGSEGV";
  case SIGUSR2: return "SIGUSR2";
  case SIGPIPE: return "SIGPIPE";
  case SIGALRM: return "SIGALRM";
  case SIGTERM: return "SIGTERM";
  case SIGCHLD: return "SIGCHLD";
  case SIGCONT: return "SIGCONT";
  case SIGSTOP: return "SIGSTOP";
  case SIGTSTP: return "SIGTSTP";
  case SIGTTIN: return "SIGTTIN";
  case SIGTTOU: return "SIGTTOU";
  case SIGURG: return "SIGURG";
  case SIGXCPU: return "SIGXCPU";
  case SIGXFSZ: return "SIGXFSZ";
  case SIGVTALRM: return "SIGVTALRM";
  case SIGPROF: return "SIGPROF";
  case SIGWINCH: return "SIGWINCH";
  case SIGIO: return "SIGIO";
  case SIGSYS: return "SIGSYS";
  default: return "SIG?";
  }
}

/* ---- Captured output: the first half of the cap, then a ring of the last
 * bytes, so a sanitizer report written at the very end always survives. */

typedef struct capture {
  size_t head_max, tail_max;
  char *head, *tail;
  size_t head_len, head_alloc, tail_len, tail_pos;
  uint64_t total;
} capture;

static void capture_init(capture *c, size_t cap) {
  memset(c, 0, sizeof *c);
  c->head_max = cap / 2;
  c->tail_max = cap - c->head_max;
}

static void capture_free(capture *c) {
  free(c->head);
  free(c->tail);
  memset(c, 0, sizeof *c);
}

static int head_append(capture *c, const char *p, size_t n) {
  if (c->head_len + n > c->head_alloc) {
    size_t want = c->head_alloc ? c->head_alloc : 4096;
    char *bigger;
    while (want < c->head_len + n) want *= 2;
    if (want > c->head_max) want = c->head_max;
    if (!(bigger = realloc(c->head, want))) return OH_ERR_NOMEM;
    c->head = bigger;
    c->head_alloc = want;
  }
  memcpy(c->head + c->head_len, p, n);
  c->head_len += n;
  return OH_OK;
}

static void tail_append(capture *c, const char *p, size_t n) {
  size_t first;
  if (n >= c->tail_max) {
    memcpy(c->tail, p + n - c->tail_max, c->tail_max);
    c->tail_len = c->tail_max;
    c->tail_pos = 0;
    return;
  }
  first = c->tail_max - c->tail_pos < n ? c->tail_max - c->tail_pos : n;
  memcpy(c->tail + c->tail_pos, p, first);
  memcpy(c->tail, p + first, n - first);
  c->tail_pos = (c->tail_pos + n) % c->tail_max;
  c->tail_len = c->tail_len + n < c->tail_max ? c->tail_len + n : c->tail_max;
}

static int capture_append(capture *c, const char *p, size_t n) {
  size_t take = c->head_max - c->head_len < n ? c->head_max - c->head_len : n;
  c->total += n;
  if (take && head_append(c, p, take) != OH_OK) return OH_ERR_NOMEM;
  p += take;
  n -= take;
  if (n == 0 || c->tail_max == 0) return OH_OK;
  if (!c->tail && !(c->tail = malloc(c->tail_max))) return OH_ERR_NOMEM;
  tail_append(c, p, n);
  return OH_OK;
}

/* Joins head, a marker saying how much was dropped, and the tail in order. */
static int capture_finish(capture *c, oh_child_output *out) {
  uint64_t dropped = c->total - c->head_len - c->tail_len;
  char marker[96] = "";
  size_t mlen = 0, oldest = c->tail_len < c->tail_max ? 0 : c->tail_pos;
  char *d;
  if (dropped)
    mlen = (size_t)snprintf(marker, sizeof marker,
                            "\n[opushunt: %llu bytes dropped here]\n",
                            (unsigned long long)dropped);
  out->len = c->head_len + mlen + c->tail_len;
  if (!(d = malloc(out->len + 1))) return OH_ERR_NOMEM;
  if (c->head_len) memcpy(d, c->head, c->head_len);
  memcpy(d + c->head_len, marker, mlen);
  if (c->tail_len) {
    memcpy(d + c->head_len + mlen, c->tail + oldest, c->tail_len - oldest);
    memcpy(d + c->head_len + mlen + c->tail_len - oldest, c->tail, oldest);
  }
  d[out->len] = '\0';
  out->data = d;
  out->total = c->total;
  out->truncated = dropped != 0;
  return OH_OK;
}

/* ---- Preparing the exec: program path and environment are built in the
 * parent, so the child between fork and exec calls only async-signal-safe
 * functions (the parent may have other threads holding malloc's lock). */

typedef struct spawn {
  char *path;
  char **envp;
  char res_env[128];
  int in_r, in_w;          /* child's stdin; in_w = -1 for /dev/null */
  int rd[S_COUNT], wr[S_COUNT];
  int errp[2];             /* reports a failure before exec */
} spawn;

static const char *env_lookup(const char *const *env_add, const char *name) {
  size_t n = strlen(name);
  for (; env_add && *env_add; env_add++)
    if (strncmp(*env_add, name, n) == 0 && (*env_add)[n] == '=')
      return *env_add + n + 1;
  return NULL;
}

static int dup_path(const char *s, char **out, oh_error *err) {
  if (!(*out = strdup(s)))
    return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  return OH_OK;
}

static int resolve_program(const char *prog, const char *const *env_add,
                           char **out, oh_error *err) {
  const char *path = env_lookup(env_add, "PATH");
  char buf[4096];
  if (strchr(prog, '/')) return dup_path(prog, out, err);
  if (!path) path = getenv("PATH");
  if (!path) path = "/usr/local/bin:/usr/bin:/bin";
  while (*path) {
    size_t dl = strcspn(path, ":");
    struct stat st;
    snprintf(buf, sizeof buf, "%.*s/%s", dl ? (int)dl : 1, dl ? path : ".",
             prog);
    if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
      return dup_path(buf, out, err);
    path += dl + (path[dl] == ':');
  }
  return oh_fail(err, OH_ERR_NOT_FOUND, OH_NO_OFFSET,
                 "cannot run %s: no executable of that name in PATH", prog);
}

/* 1 when the NAME part of kv is set by env_add or is the result variable. */
static int replaced(const char *kv, const oh_child_opts *o) {
  size_t n = strcspn(kv, "=");
  const char *const *a;
  for (a = o->env_add; a && *a; a++)
    if (strcspn(*a, "=") == n && strncmp(*a, kv, n) == 0) return 1;
  return o->result_env && strlen(o->result_env) == n &&
         strncmp(o->result_env, kv, n) == 0;
}

static int build_env(const oh_child_opts *o, spawn *sp) {
  size_t n = 0, k = 0;
  char **e;
  const char *const *a;
  for (e = environ; e && *e; e++) n++;
  for (a = o->env_add; a && *a; a++) n++;
  if (!(sp->envp = calloc(n + 2, sizeof *sp->envp))) return OH_ERR_NOMEM;
  for (e = environ; e && *e; e++)
    if (!replaced(*e, o)) sp->envp[k++] = *e;
  for (a = o->env_add; a && *a; a++) sp->envp[k++] = (char *)*a;
  if (o->result_fd && o->result_env) {
    snprintf(sp->res_env, sizeof sp->res_env, "%s=%d", o->result_env,
             o->result_fd);
    sp->envp[k++] = sp->res_env;
  }
  return OH_OK;
}

static void spawn_close(spawn *sp) {
  int i;
  close_fd(&sp->in_r);
  close_fd(&sp->in_w);
  for (i = 0; i < S_COUNT; i++) {
    close_fd(&sp->rd[i]);
    close_fd(&sp->wr[i]);
  }
  close_fd(&sp->errp[0]);
  close_fd(&sp->errp[1]);
}

static int make_pipe(int *r, int *w) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return OH_ERR_IO;
  *r = p[0];
  *w = p[1];
  return OH_OK;
}

static int spawn_pipes(const oh_child_opts *o, spawn *sp, oh_error *err) {
  int i, ok = 1;
  if (o->stdin_data)
    ok = make_pipe(&sp->in_r, &sp->in_w) == OH_OK;
  else
    ok = (sp->in_r = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;
  for (i = 0; ok && i < S_COUNT; i++)
    if (i != S_RES || o->result_fd)
      ok = make_pipe(&sp->rd[i], &sp->wr[i]) == OH_OK;
  if (ok) ok = make_pipe(&sp->errp[0], &sp->errp[1]) == OH_OK;
  if (!ok)
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot create pipes: %s",
                   strerror(errno));
  return OH_OK;
}

static int spawn_prepare(const oh_child_opts *o, spawn *sp, oh_error *err) {
  int i, rc;
  memset(sp, 0, sizeof *sp);
  sp->in_r = sp->in_w = sp->errp[0] = sp->errp[1] = -1;
  for (i = 0; i < S_COUNT; i++) sp->rd[i] = sp->wr[i] = -1;
  if ((rc = resolve_program(o->argv[0], o->env_add, &sp->path, err)) != OH_OK)
    return rc;
  if (build_env(o, sp) != OH_OK)
    return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  return spawn_pipes(o, sp, err);
}

static void spawn_free(spawn *sp) {
  spawn_close(sp);
  free(sp->path);
  free(sp->envp);
}

/* ---- The child side, between fork and exec: async-signal-safe only. */

enum { STAGE_SETUP = 1, STAGE_CHDIR, STAGE_EXEC };

static void _Noreturn child_fail(int fd, int stage) {
  int msg[2] = {stage, errno};
  ssize_t w = write(fd, msg, sizeof msg);
  (void)w;
  _exit(127);
}

/* Moves fd above every target number so that no dup2 clobbers a source. */
static int lift(int fd, int floor) {
  return fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, floor);
}

static void mark_cloexec_range(unsigned lo, unsigned hi) {
#ifdef SYS_close_range
  if (lo <= hi) syscall(SYS_close_range, lo, hi, 4u /* CLOSE_RANGE_CLOEXEC */);
#endif
}

static void child_signals(void) {
  struct sigaction dfl;
  sigset_t none;
  int sig;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  /* Ignored signals survive exec; a target must see the defaults. */
  for (sig = 1; sig < NSIG; sig++) sigaction(sig, &dfl, NULL);
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

static void _Noreturn child_exec(const oh_child_opts *o, spawn *sp) {
  int floor = o->result_fd >= 3 ? o->result_fd + 1 : 3;
  int efd = lift(sp->errp[1], floor);
  int in = lift(sp->in_r, floor), out = lift(sp->wr[S_OUT], floor);
  int er = lift(sp->wr[S_ERR], floor), res = lift(sp->wr[S_RES], floor);
  struct rlimit zero = {0, 0}, as = {o->as_limit, o->as_limit};
  if (efd < 0) efd = sp->errp[1];
  child_signals();
  setpgid(0, 0);
  if (in < 0 || out < 0 || er < 0 || (o->result_fd && res < 0) ||
      dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(er, 2) < 0 ||
      (o->result_fd && dup2(res, o->result_fd) < 0))
    child_fail(efd, STAGE_SETUP);
  /* Nothing else the parent holds (other children's pipes) may leak in. */
  mark_cloexec_range(3, o->result_fd ? (unsigned)o->result_fd - 1 : ~0u);
  if (o->result_fd) mark_cloexec_range((unsigned)o->result_fd + 1, ~0u);
  if (setrlimit(RLIMIT_CORE, &zero) < 0 ||
      (o->as_limit && setrlimit(RLIMIT_AS, &as) < 0))
    child_fail(efd, STAGE_SETUP);
  if (o->cwd && chdir(o->cwd) < 0) child_fail(efd, STAGE_CHDIR);
  execve(sp->path, o->argv, sp->envp);
  child_fail(efd, STAGE_EXEC);
}

/* ---- The parent side. */

typedef struct run {
  const oh_child_opts *o;
  oh_child_result *res;
  pid_t pid;
  int in_w;
  size_t in_off;
  int rd[S_COUNT];
  capture cap[S_COUNT];
  int reaped, killed;
  uint64_t start, deadline, next_rss, drain_end;
} run;

int oh_child_group_usage(pid_t pgid, unsigned *nprocs, uint64_t *rss) {
  DIR *d = opendir("/proc");
  struct dirent *e;
  unsigned n = 0;
  uint64_t sum = 0, page = (uint64_t)sysconf(_SC_PAGESIZE);
  if (!d) return OH_ERR_IO;
  while ((e = readdir(d))) {
    char path[64], buf[1024], state;
    const char *p;
    int fd, ppid, pgrp;
    long pages;
    ssize_t got;
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) continue;
    got = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (got <= 0) continue;
    buf[got] = '\0';
    /* The command name may hold spaces and parentheses: parse after the
     * last ')'. Fields 3 (state), 4, 5 (pgrp), then 24 (rss in pages). */
    if (!(p = strrchr(buf, ')'))) continue;
    if (sscanf(p + 1,
               " %c %d %d %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s"
               " %*s %*s %*s %*s %*s %ld",
               &state, &ppid, &pgrp, &pages) != 4)
      continue;
    if (pgrp != pgid || state == 'Z' || state == 'X') continue;
    n++;
    sum += pages > 0 ? (uint64_t)pages * page : 0;
  }
  closedir(d);
  if (nprocs) *nprocs = n;
  if (rss) *rss = sum;
  return OH_OK;
}

static void kill_group(run *r) {
  killpg(r->pid, SIGKILL);
  r->killed = 1;
}

/* Called while the leader is an unreaped zombie, which keeps the group id
 * from being reused: kills stragglers (a forking tree may spawn while the
 * first kill lands) until none is alive or the bound runs out. */
static void kill_group_until_gone(run *r) {
  unsigned n = 1, waited = 0;
  while (waited < REAP_GROUP_MS) {
    if (killpg(r->pid, SIGKILL) < 0 && errno == ESRCH) return;
    if (oh_child_group_usage(r->pid, &n, NULL) != OH_OK || n == 0) return;
    sleep_ms(2);
    waited += 2;
  }
}

static void reap(run *r) {
  int status = 0;
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  kill_group_until_gone(r);
  while (wait4(r->pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  r->reaped = 1;
  r->drain_end = now_ns() + (uint64_t)DRAIN_MS * 1000000u;
  if (WIFEXITED(status)) {
    r->res->exited = 1;
    r->res->exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r->res->signaled = 1;
    r->res->term_signal = WTERMSIG(status);
  }
  if ((uint64_t)ru.ru_maxrss * 1024u > r->res->peak_rss)
    r->res->peak_rss = (uint64_t)ru.ru_maxrss * 1024u;
  /* A child that ended on its own just before our kill keeps its status. */
  if (!(r->res->signaled && r->res->term_signal == SIGKILL))
    r->res->timed_out = r->res->oom = 0;
}

static void check_exit(run *r) {
  siginfo_t si;
  memset(&si, 0, sizeof si);
  /* WNOWAIT: look without reaping, so the group can be killed first. */
  if (waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
      si.si_pid == r->pid)
    reap(r);
}

static void check_limits(run *r, uint64_t now) {
  if (r->deadline && now >= r->deadline) {
    r->res->timed_out = 1;
    kill_group(r);
  } else if (r->o->rss_limit && now >= r->next_rss) {
    uint64_t rss = 0;
    r->next_rss = now + (uint64_t)OH_CHILD_POLL_MS * 1000000u;
    if (oh_child_group_usage(r->pid, NULL, &rss) != OH_OK) return;
    if (rss > r->res->peak_rss) r->res->peak_rss = rss;
    if (rss > r->o->rss_limit) {
      r->res->oom = 1;
      kill_group(r);
    }
  }
}

/* Reads what is there (bounded, so one chatty stream cannot starve the
 * clock); closes the fd at EOF. */
static int drain(run *r, int i) {
  char buf[65536];
  int rounds;
  for (rounds = 0; rounds < 16; rounds++) {
    ssize_t got = read(r->rd[i], buf, sizeof buf);
    if (got > 0) {
      if (capture_append(&r->cap[i], buf, (size_t)got) != OH_OK)
        return OH_ERR_NOMEM;
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) return OH_OK;
    close_fd(&r->rd[i]); /* EOF, or an error nothing can fix */
    return OH_OK;
  }
  return OH_OK;
}

static void feed_stdin(run *r) {
  while (r->in_w >= 0) {
    size_t left = r->o->stdin_len - r->in_off;
    ssize_t w = left ? write(r->in_w, (const char *)r->o->stdin_data + r->in_off,
                             left > 65536 ? 65536 : left)
                     : 0;
    if (w > 0) {
      r->in_off += (size_t)w;
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) return;
    close_fd(&r->in_w); /* all written, or the child closed its stdin */
  }
}

static int poll_timeout(const run *r, uint64_t now) {
  uint64_t until = r->reaped ? r->drain_end
                             : now + (uint64_t)OH_CHILD_POLL_MS * 1000000u;
  if (!r->reaped && !r->killed && r->deadline && r->deadline < until)
    until = r->deadline;
  return until > now ? (int)((until - now + 999999u) / 1000000u) : 0;
}

static int loop_once(run *r) {
  struct pollfd p[S_COUNT + 1];
  int which[S_COUNT + 1], n = 0, i, k;
  if (r->in_w >= 0) {
    p[n].fd = r->in_w;
    p[n].events = POLLOUT;
    which[n++] = -1;
  }
  for (i = 0; i < S_COUNT; i++)
    if (r->rd[i] >= 0) {
      p[n].fd = r->rd[i];
      p[n].events = POLLIN;
      which[n++] = i;
    }
  k = poll(p, (nfds_t)n, poll_timeout(r, now_ns()));
  if (k < 0 && errno != EINTR) return OH_ERR_IO;
  for (i = 0; k > 0 && i < n; i++) {
    if (!p[i].revents) continue;
    if (which[i] < 0)
      feed_stdin(r);
    else if (drain(r, which[i]) != OH_OK)
      return OH_ERR_NOMEM;
  }
  return OH_OK;
}

static int supervise(run *r, oh_error *err) {
  for (;;) {
    uint64_t now;
    int rc = loop_once(r);
    if (rc != OH_OK) {
      kill_group(r);
      if (!r->reaped) reap(r);
      return oh_fail(err, rc, OH_NO_OFFSET, "while watching the child: %s",
                     rc == OH_ERR_NOMEM ? "out of memory" : strerror(errno));
    }
    if (!r->reaped) check_exit(r);
    now = now_ns();
    if (!r->reaped && !r->killed) check_limits(r, now);
    if (r->reaped && ((r->rd[S_OUT] < 0 && r->rd[S_ERR] < 0 &&
                       r->rd[S_RES] < 0) || now >= r->drain_end))
      return OH_OK;
  }
}

static void set_nonblock(int fd) {
  if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Blocks until exec succeeded (the CLOEXEC pipe closes) or the child
 * reported why it could not get there. */
static int wait_exec(const oh_child_opts *o, spawn *sp, pid_t pid,
                     oh_error *err) {
  int msg[2] = {0, 0}, status;
  ssize_t got;
  while ((got = read(sp->errp[0], msg, sizeof msg)) < 0 && errno == EINTR) {
  }
  if (got != (ssize_t)sizeof msg) return OH_OK;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return oh_fail(err, msg[1] == ENOENT ? OH_ERR_NOT_FOUND : OH_ERR_IO,
                 OH_NO_OFFSET, "cannot run %s: %s%s: %s", o->argv[0],
                 msg[0] == STAGE_CHDIR ? "cannot enter " : "",
                 msg[0] == STAGE_CHDIR ? o->cwd
                 : msg[0] == STAGE_EXEC ? "exec failed"
                                        : "child setup failed",
                 strerror(msg[1]));
}

static int finish(run *r, oh_error *err) {
  int i, rc = OH_OK;
  oh_child_output *outs[S_COUNT] = {&r->res->out, &r->res->err,
                                    &r->res->result};
  r->res->wall_us = (now_ns() - r->start) / 1000u;
  for (i = 0; i < S_COUNT; i++) {
    if (rc == OH_OK && capture_finish(&r->cap[i], outs[i]) != OH_OK)
      rc = oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
    capture_free(&r->cap[i]);
    close_fd(&r->rd[i]);
  }
  close_fd(&r->in_w);
  return rc;
}

static int watch(const oh_child_opts *o, spawn *sp, pid_t pid,
                 oh_child_result *res, oh_error *err) {
  run r;
  size_t cap = o->output_cap ? o->output_cap : OH_CHILD_DEFAULT_CAP;
  int i, rc;
  memset(&r, 0, sizeof r);
  r.o = o;
  r.res = res;
  r.pid = pid;
  r.start = now_ns();
  r.deadline = o->timeout_ms ? r.start + (uint64_t)o->timeout_ms * 1000000u : 0;
  r.in_w = sp->in_w;
  sp->in_w = -1;
  for (i = 0; i < S_COUNT; i++) {
    r.rd[i] = sp->rd[i];
    sp->rd[i] = -1;
    set_nonblock(r.rd[i]);
    capture_init(&r.cap[i], cap);
  }
  set_nonblock(r.in_w);
  feed_stdin(&r);
  rc = supervise(&r, err);
  if (finish(&r, rc == OH_OK ? err : NULL) != OH_OK && rc == OH_OK)
    rc = OH_ERR_NOMEM;
  return rc;
}

/* Writes to a child that closed its stdin raise SIGPIPE: block it in this
 * thread for the run and swallow one we caused, so no global disposition
 * changes. */
static void sigpipe_block(sigset_t *old, int *was_pending) {
  sigset_t s, pend;
  sigemptyset(&s);
  sigaddset(&s, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &s, old);
  sigpending(&pend);
  *was_pending = sigismember(&pend, SIGPIPE);
}

static void sigpipe_restore(const sigset_t *old, int was_pending) {
  sigset_t s, pend;
  struct timespec zero = {0, 0};
  sigemptyset(&s);
  sigaddset(&s, SIGPIPE);
  sigpending(&pend);
  if (!was_pending && sigismember(&pend, SIGPIPE))
    while (sigtimedwait(&s, NULL, &zero) < 0 && errno == EINTR) {
    }
  pthread_sigmask(SIG_SETMASK, old, NULL);
}

void oh_child_opts_init(oh_child_opts *opts) {
  memset(opts, 0, sizeof *opts);
}

int oh_child_run(const oh_child_opts *o, oh_child_result *res, oh_error *err) {
  spawn sp;
  sigset_t old;
  int was_pending, rc;
  pid_t pid;
  if (res) memset(res, 0, sizeof *res);
  if (!o || !res || !o->argv || !o->argv[0])
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "no program to run");
  if (o->result_fd != 0 && o->result_fd < 3)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "result fd %d would replace stdin/stdout/stderr",
                   o->result_fd);
  res->pid = -1;
  if ((rc = spawn_prepare(o, &sp, err)) != OH_OK) {
    spawn_free(&sp);
    return rc;
  }
  sigpipe_block(&old, &was_pending);
  pid = fork();
  if (pid == 0) child_exec(o, &sp);
  if (pid < 0) {
    rc = oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot fork: %s",
                 strerror(errno));
  } else {
    setpgid(pid, pid); /* also done by the child; whoever runs first wins */
    res->pid = pid;
    close_fd(&sp.in_r);
    close_fd(&sp.errp[1]);
    for (int i = 0; i < S_COUNT; i++) close_fd(&sp.wr[i]);
    rc = wait_exec(o, &sp, pid, err);
    if (rc == OH_OK) rc = watch(o, &sp, pid, res, err);
  }
  sigpipe_restore(&old, was_pending);
  spawn_free(&sp);
  return rc;
}

void oh_child_result_free(oh_child_result *res) {
  if (!res) return;
  free(res->out.data);
  free(res->err.data);
  free(res->result.data);
  res->out.data = res->err.data = res->result.data = NULL;
}

oh_child_verdict oh_child_verdict_of(const oh_child_result *res) {
  if (res->oom) return OH_CHILD_OOM;
  if (res->timed_out) return OH_CHILD_TIMEOUT;
  if (res->signaled) return OH_CHILD_CRASH;
  return res->exited && res->exit_code == 0 ? OH_CHILD_CLEAN : OH_CHILD_EXIT;
}

const char *oh_child_verdict_name(oh_child_verdict v) {
  switch (v) {
  case OH_CHILD_CLEAN: return "clean";
  case OH_CHILD_EXIT: return "exit";
  case OH_CHILD_CRASH: return "crash";
  case OH_CHILD_TIMEOUT: return "timeout";
  case OH_CHILD_OOM: return "oom";
  }
  return "?";
}

void oh_child_describe(const oh_child_result *res, char *buf, size_t cap) {
  if (!buf || cap == 0) return;
  switch (oh_child_verdict_of(res)) {
  case OH_CHILD_CLEAN: snprintf(buf, cap, "clean"); break;
  case OH_CHILD_EXIT: snprintf(buf, cap, "exit %d", res->exit_code); break;
  case OH_CHILD_CRASH:
    snprintf(buf, cap, "crash (%s)", oh_signal_name(res->term_signal));
    break;
  case OH_CHILD_TIMEOUT:
    snprintf(buf, cap, "timeout after %llu ms",
             (unsigned long long)(res->wall_us / 1000u));
    break;
  case OH_CHILD_OOM:
    snprintf(buf, cap, "oom (peak RSS %llu MiB)",
             (unsigned long long)(res->peak_rss >> 20));
    break;
  }
}

int oh_child_in_path(const char *prog) {
  const char *path = getenv("PATH");
  char buf[4096];
  if (strchr(prog, '/')) return access(prog, X_OK) == 0;
  while (path && *path) {
    size_t n = strcspn(path, ":");
    if (n && snprintf(buf, sizeof buf, "%.*s/%s", (int)n, path, prog) < (int)sizeof buf &&
        access(buf, X_OK) == 0)
      return 1;
    path += n + (path[n] == ':');
  }
  return 0;
}
