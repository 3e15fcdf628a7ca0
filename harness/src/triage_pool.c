/* Replays in parallel: each job runs oh_replay_run in a forked worker
 * (which itself isolates the runner in its own child with limits) and
 * sends the result back through a pipe, at most `workers` at a time. The
 * parent never runs target code, so a worker lost to anything leaves an
 * error result for that job and the triage goes on. With one worker the
 * jobs run in this process, in order. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "triage_impl.h"

typedef struct reply {
  int rc;
  oh_error err;
  oh_replay_result res;
} reply;

typedef struct slot {
  pid_t pid;
  int fd;
  int job;
  size_t got;
  reply *r;
} slot;

static void run_inline(oh_triage_job *j) {
  oh_error_clear(&j->err);
  j->rc = oh_replay_run(&j->opt, j->tool, j->buf, j->len, j->res, &j->err);
}

static void worker(oh_triage_job *j, int fd) {
  reply *r = calloc(1, sizeof *r);
  size_t off = 0;
  if (!r) _exit(3);
  oh_error_clear(&r->err);
  r->rc = oh_replay_run(&j->opt, j->tool, j->buf, j->len, &r->res, &r->err);
  while (off < sizeof *r) {
    ssize_t w = write(fd, (const char *)r + off, sizeof *r - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) _exit(4);
    off += (size_t)w;
  }
  _exit(0);
}

static void fail_job(oh_triage_job *j, const char *why) {
  memset(j->res, 0, sizeof *j->res);
  j->res->verdict = OH_VERDICT_ERROR;
  j->res->tool = j->tool;
  j->res->fault_index = -1;
  snprintf(j->res->why, sizeof j->res->why, "%s", why);
  j->rc = oh_fail(&j->err, OH_ERR_IO, OH_NO_OFFSET, "%s", why);
}

static int start(oh_triage_job *jobs, int i, slot *s) {
  int p[2];
  pid_t pid;
  if (pipe2(p, O_CLOEXEC) != 0) return -1;
  if (!(s->r = calloc(1, sizeof *s->r))) {
    close(p[0]);
    close(p[1]);
    return -1;
  }
  fflush(NULL);
  pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    free(s->r);
    s->r = NULL;
    return -1;
  }
  if (pid == 0) {
    close(p[0]);
    signal(SIGINT, SIG_DFL);
    worker(&jobs[i], p[1]);
  }
  close(p[1]);
  s->pid = pid;
  s->fd = p[0];
  s->job = i;
  s->got = 0;
  return 0;
}

/* Reads what is there; returns 1 when the worker's pipe is closed. */
static int drain(slot *s) {
  for (;;) {
    ssize_t n;
    if (s->got == sizeof *s->r) {
      char c;
      n = read(s->fd, &c, 1);
      if (n < 0 && errno == EINTR) continue;
      return n <= 0 ? (n == 0 || errno != EAGAIN) : 0;
    }
    n = read(s->fd, (char *)s->r + s->got, sizeof *s->r - s->got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno != EAGAIN;
    if (n == 0) return 1;
    s->got += (size_t)n;
    return 0;
  }
}

static void finish(oh_triage_job *jobs, slot *s) {
  oh_triage_job *j = &jobs[s->job];
  int status = 0;
  close(s->fd);
  while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (s->got == sizeof *s->r) {
    *j->res = s->r->res;
    j->rc = s->r->rc;
    j->err = s->r->err;
  } else {
    char why[160];
    snprintf(why, sizeof why, "triage worker for this input ended before reporting (%s %d)",
             WIFSIGNALED(status) ? "signal" : "exit",
             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    fail_job(j, why);
  }
  free(s->r);
  s->r = NULL;
  s->pid = 0;
}

void oh_triage_run_jobs(oh_triage_job *jobs, int n, int workers,
                        void (*progress)(void *ctx, int done, int total), void *ctx) {
  slot slots[64];
  int next = 0, done = 0, running = 0, i;
  if (workers > 64) workers = 64;
  if (workers <= 1 || n <= 1) {
    for (i = 0; i < n; i++) {
      run_inline(&jobs[i]);
      if (progress) progress(ctx, i + 1, n);
    }
    return;
  }
  memset(slots, 0, sizeof slots);
  while (done < n) {
    struct pollfd pfd[64];
    int map[64], np = 0;
    while (running < workers && next < n) {
      for (i = 0; i < workers && slots[i].pid; i++) {
      }
      if (start(jobs, next, &slots[i]) != 0) {
        fail_job(&jobs[next], "could not start a triage worker (fork or pipe failed)");
        next++;
        done++;
        if (progress) progress(ctx, done, n);
        continue;
      }
      next++;
      running++;
    }
    if (!running) continue;
    for (i = 0; i < workers; i++)
      if (slots[i].pid) {
        pfd[np].fd = slots[i].fd;
        pfd[np].events = POLLIN;
        map[np++] = i;
      }
    if (poll(pfd, (nfds_t)np, 1000) < 0 && errno != EINTR) continue;
    for (i = 0; i < np; i++) {
      slot *s = &slots[map[i]];
      if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (drain(s)) {
        finish(jobs, s);
        running--;
        done++;
        if (progress) progress(ctx, done, n);
      }
    }
  }
}
