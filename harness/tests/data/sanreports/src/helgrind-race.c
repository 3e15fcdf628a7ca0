/* Two threads update one counter without a lock (Helgrind and DRD). */
#include <pthread.h>

static int frames_decoded;

static void *worker(void *arg) {
  frames_decoded++;
  return arg;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  frames_decoded++;
  pthread_join(t, NULL);
  return 0;
}
