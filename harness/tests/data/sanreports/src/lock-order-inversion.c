/* Takes two locks in one order, then in the other: a potential deadlock
 * that TSan and Helgrind report without it ever happening. */
#include <pthread.h>

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) static void decode_then_write(void) {
  pthread_mutex_lock(&state_lock);
  pthread_mutex_lock(&output_lock);
  pthread_mutex_unlock(&output_lock);
  pthread_mutex_unlock(&state_lock);
}

__attribute__((noinline)) static void write_then_decode(void) {
  pthread_mutex_lock(&output_lock);
  pthread_mutex_lock(&state_lock);
  pthread_mutex_unlock(&state_lock);
  pthread_mutex_unlock(&output_lock);
}

int main(void) {
  decode_then_write();
  write_then_decode();
  return 0;
}
