// Allocates with new[] and releases with free().
#include <cstdlib>

int main() {
  int *p = new int[8];
  std::free(p);
  return 0;
}
