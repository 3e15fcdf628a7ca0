/* Writes one float just past a 7680-byte heap buffer through memcpy, the
 * way a decoder writing one sample too many would: ASan reports a WRITE of
 * size 4 whose top frame is the memcpy interceptor. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void put_sample(float *pcm, int i, float v) {
  memcpy(pcm + i, &v, sizeof v);
}

int main(void) {
  float *pcm = malloc(1920 * sizeof(float));
  put_sample(pcm, 1920, 1.0f);
  free(pcm);
  return 0;
}
