/* Two threads write one heap-allocated field without a lock. */
#include <pthread.h>
#include <stdlib.h>

struct stats { long bytes; };

static void *worker(void *arg) {
  ((struct stats *)arg)->bytes = 42;
  return NULL;
}

int main(void) {
  pthread_t t;
  struct stats *s = calloc(1, sizeof *s);
  pthread_create(&t, NULL, worker, s);
  long seen = s->bytes;
  pthread_join(t, NULL);
  free(s);
  return (int)seen;
}
